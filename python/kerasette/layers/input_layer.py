"""`InputLayer` and `Input(shape=...)`: a model's declared input.

`Input(...)` returns a symbolic tensor (a `Sym`, Keras's KerasTensor): a placeholder in
the one graph every functional model is drawn in, whose `_keras_history` points at its
`InputLayer`. `Sequential` recognises that history and takes the InputLayer itself.
"""

import threading

import numpy as np

from .layer import Layer, _shape_tuple


class InputLayer(Layer):
    """The layer behind `keras.Input`: declares a model's input shape and dtype. Use
    `keras.Input(shape=...)` rather than this class.

    Args:
        shape: The shape of one sample, without the batch axis (`(784,)`). Defaults
            to `None`.
        batch_size: A fixed batch size, or `None`. Defaults to `None`.
        dtype: The input's dtype. Defaults to `"float32"`.
        sparse: Only `None` or `False` is supported.
        ragged: Only `None` or `False` is supported.
        batch_shape: The shape with the batch axis (instead of `shape`). Defaults to
            `None`.
        input_tensor: Not supported: must be `None`.
        optional: Whether the input may be `None` in a call. Defaults to `False`.
        name: The input's name. Defaults to `None`.
        **kwargs: `input_shape` or `batch_input_shape`, Keras 2's names for `shape`
            and `batch_shape`.

    Raises:
        ValueError: If both `shape` and `batch_shape` are given.

    Limitations:
        `input_tensor`, and sparse or ragged inputs, raise `ValueError`.
    """

    def __init__(
        self,
        shape=None,
        batch_size=None,
        dtype=None,
        sparse=None,
        ragged=None,
        batch_shape=None,
        input_tensor=None,
        optional=False,
        name=None,
        **kwargs,
    ):
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to InputLayer: {kwargs}")
        if input_tensor is not None:
            raise ValueError("kerasette's InputLayer does not take `input_tensor`")
        if sparse or ragged:
            raise ValueError(
                "kerasette's InputLayer supports dense inputs only "
                f"(got sparse={sparse}, ragged={ragged})"
            )
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if shape is None and batch_shape is None:
            raise ValueError("You must pass a `shape` argument.")
        if batch_shape is None:
            shape = (shape,) if isinstance(shape, (int, np.integer)) else shape
            batch_shape = (batch_size,) + tuple(shape)
        self.batch_shape = _shape_tuple(batch_shape, "InputLayer batch_shape")
        self._input_dtype = _input_dtype(dtype)
        self.sparse, self.ragged, self.optional = bool(sparse), bool(ragged), bool(optional)
        super().__init__(name=name)
        self._build_input_shape = self.batch_shape
        self.built = True

    @property
    def input_dtype(self):
        """The dtype of the data this input accepts (e.g. int32 before an Embedding)."""
        return self._input_dtype

    @property
    def shape(self):
        """The input's shape, batch axis included."""
        return self.batch_shape

    def compute_output_shape(self, input_shape=None):
        return self.batch_shape

    @property
    def output(self):
        """The symbolic tensor this layer feeds (made once, on first use)."""
        sym = self.__dict__.get("_output_sym")
        if sym is None:
            sym = self._output_sym = _input_sym(self)
        return sym

    def get_config(self):
        return {
            "batch_shape": self.batch_shape,
            "dtype": self._input_dtype,
            "sparse": self.sparse,
            "ragged": self.ragged,
            "name": self.name,
            "optional": self.optional,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        dtype = config.pop("dtype", None)
        if isinstance(dtype, dict):
            dtype = (dtype.get("config") or {}).get("name")
        config.pop("trainable", None)
        return cls(dtype=dtype, **config)


def _input_dtype(dtype):
    """Keras's standardize_dtype: "string" (or `str`) stays "string" (the input then
    feeds preprocessing layers run before the graph, models/string_front.py)."""
    if dtype is str or (isinstance(dtype, str) and dtype == "string"):
        return "string"
    return str(np.dtype(dtype or "float32"))


def Input(
    shape=None,
    batch_size=None,
    dtype=None,
    sparse=None,
    ragged=None,
    batch_shape=None,
    name=None,
    tensor=None,
    optional=False,
):
    """Declares a model input: a symbolic tensor whose history is its `InputLayer`."""
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        ragged=ragged,
        batch_shape=batch_shape,
        input_tensor=tensor,
        optional=optional,
        name=name,
    )
    return layer.output


_graph_lock = threading.Lock()
_functional_graph = None


def functional_graph():
    """The graph every `Input` lives in, so that tensors of two inputs can be combined
    (Keras draws all KerasTensors in one symbolic space too). It only grows; models
    keep what they need as their own records."""
    global _functional_graph
    with _graph_lock:
        if _functional_graph is None:
            from ..graph.ir import Graph

            _functional_graph = Graph("functional")
        return _functional_graph


def reset_functional_graph():
    """Starts a fresh graph (keras.backend.clear_session's part): tensors made before
    cannot be combined with tensors made after."""
    global _functional_graph
    with _graph_lock:
        _functional_graph = None


def _input_sym(layer):
    from . import call_context

    sym = functional_graph().placeholder(layer.batch_shape, layer.input_dtype, name=layer.name)
    # An input is the output of its InputLayer's one call (Keras's node 0).
    sym._keras_history = (call_context.LayerCall(layer, (), {}, sym), 0)
    return sym
