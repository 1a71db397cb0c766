"""`InputLayer` and `Input(shape=...)`: the declared input of a Sequential model.

kerasette has no symbolic tensors: `Input(...)` returns the `InputLayer` itself, which
`Sequential` recognises as its input declaration (Keras returns a KerasTensor whose
history points at that same layer).
"""
import numpy as np

from .layer import Layer, _shape_tuple


class InputLayer(Layer):
    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, **kwargs):
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to InputLayer: {kwargs}")
        if input_tensor is not None:
            raise ValueError("kerasette's InputLayer does not take `input_tensor`")
        if sparse or ragged:
            raise ValueError("kerasette's InputLayer supports dense inputs only "
                             f"(got sparse={sparse}, ragged={ragged})")
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if shape is None and batch_shape is None:
            raise ValueError("You must pass a `shape` argument.")
        if batch_shape is None:
            shape = (shape,) if isinstance(shape, (int, np.integer)) else shape
            batch_shape = (batch_size,) + tuple(shape)
        self.batch_shape = _shape_tuple(batch_shape, "InputLayer batch_shape")
        self._input_dtype = str(np.dtype(dtype or "float32"))
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
        return self.batch_shape

    def compute_output_shape(self, input_shape=None):
        return self.batch_shape

    def get_config(self):
        return {"batch_shape": self.batch_shape, "dtype": self._input_dtype,
                "sparse": self.sparse, "ragged": self.ragged, "name": self.name,
                "optional": self.optional}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        dtype = config.pop("dtype", None)
        if isinstance(dtype, dict):
            dtype = (dtype.get("config") or {}).get("name")
        config.pop("trainable", None)
        return cls(dtype=dtype, **config)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,
          batch_shape=None, name=None, tensor=None, optional=False):
    """Declares a model input (returns the `InputLayer`; see the module docstring)."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                      ragged=ragged, batch_shape=batch_shape, input_tensor=tensor,
                      optional=optional, name=name)
