"""`Model`: a `Layer` with Keras's training API (`Trainer`), as in Keras 3.

`Model(inputs, outputs)` makes a `Functional` model (models/functional.py); a subclass
(`class MyModel(keras.Model)`) writes `__init__` and `call`, and the layers it assigns
as attributes are its layers (Keras's auto-tracking). `Sequential` is a Model too.
"""

from __future__ import annotations

import os
from typing import Any, Callable

import numpy as np

from ..layers.layer import Layer
from ..utils import naming

try:
    from ..engine.trainer import Trainer
except ModuleNotFoundError as e:  # engine not written yet in this checkout
    if e.name not in ("kerasette.engine.trainer", "kerasette.engine"):
        raise
    Trainer = object


def is_functional_call(args, kwargs):
    """Keras's rule for `Model(...)` meaning a functional model."""
    return (
        len(args) == 2
        or (len(args) == 1 and "outputs" in kwargs)
        or ("inputs" in kwargs and "outputs" in kwargs)
    )


class Model(Trainer, Layer):
    """A model: layers with training and inference (`fit`, `evaluate`, `predict`).

    There are two ways to make one, as in Keras.

    With the functional API, start from `Input`, chain layer calls, and pass the
    inputs and outputs:

    ```python
    inputs = keras.Input(shape=(37,))
    x = keras.layers.Dense(32, activation="relu")(inputs)
    outputs = keras.layers.Dense(5, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    ```

    By subclassing, define the layers in `__init__` and the forward pass in
    `call`; the model is built (its weights made) on its first call or in
    `build(input_shape)`:

    ```python
    class MyModel(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense1 = keras.layers.Dense(32, activation="relu")
            self.dense2 = keras.layers.Dense(5, activation="softmax")

        def call(self, inputs):
            return self.dense2(self.dense1(inputs))
    ```

    Either way the model, its loss, metrics and the optimizer update are traced
    into one graph and run as compiled C++.

    Args:
        *args: `inputs` and `outputs`, positionally (functional API).
        **kwargs: `inputs` (the model's input(s), from `keras.Input`) and `outputs`
            (the tensor(s) computed from them) for the functional API; `name` (the
            model's name, by default an automatic one) and `trainable` (whether its
            weights are trained, by default `True`).

    Raises:
        NotImplementedError: For a subclass whose `__init__` passes `inputs` and
            `outputs` to `Model.__init__` (build that model with
            `keras.Model(inputs, outputs)` instead).
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and is_functional_call(args, kwargs):
            from .functional import Functional

            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)  # Layer's: Keras's auto-config

    def __init__(self, *args, **kwargs):
        if is_functional_call(args, kwargs):
            raise NotImplementedError(
                f"{type(self).__name__}: a Model subclass whose __init__ passes inputs and "
                "outputs to Model.__init__ is not supported yet; build the functional "
                "model with keras.Model(inputs, outputs)"
            )
        if args:
            raise TypeError(f"Model.__init__ takes keyword arguments only, got {args!r}")
        self._init_model(**kwargs)

    def _init_model(self, name=None, trainable=True, dtype=None, **kwargs):
        Layer.__init__(
            self,
            name=name or naming.auto_name(type(self).__name__),
            trainable=trainable,
            dtype=dtype,
            **kwargs,
        )
        if Trainer is not object:
            Trainer.__init__(self)

    # ---- calling -------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if (
            not self.built
            and args
            and type(self)._build_from_inputs is Model._build_from_inputs
            and not _symbolic(args[0])
        ):
            self._build_from_arrays(args[0])
        if self._calls_plan(args, kwargs):
            training = kwargs.get("training", False)
            return Trainer.__dict__["__call__"](self, args[0], training=bool(training))
        return Layer.__call__(self, *args, **kwargs)

    def _calls_plan(self, args, kwargs):
        """Whether `model(x)` runs the engine's lowered plan (Sequential overrides)."""
        return False

    def _symbolic_call(self, *args, **kwargs):
        if self.built:
            return super()._symbolic_call(*args, **kwargs)
        before = {id(v) for v in self.weights}
        out = super()._symbolic_call(*args, **kwargs)
        self._scope_new_variables(before)
        return out

    def _scope_new_variables(self, before):
        """Variables made while this model built its layers get its name in front of
        their path ("model/dense/kernel"), as Keras's name scope gives them."""
        for v in self.weights:
            if id(v) not in before:
                v.path = f"{self.name}/{v.path}"

    def call(self, inputs, training=None):
        """The forward pass; a subclass of `Model` implements it.

        Args:
            inputs: The input tensor(s).
            training: Whether the call is in training mode (for `Dropout`,
                `BatchNormalization`). Defaults to `None`.

        Returns:
            The output tensor(s).

        Raises:
            NotImplementedError: Always, on `Model` itself.
        """
        raise NotImplementedError(
            f"Model {type(self).__name__} has no call(): a subclass "
            "of keras.Model must implement call(self, inputs)"
        )

    def _build_from_inputs(self, inputs):
        # The first call builds the sublayers as it runs call(); only the shape is noted.
        from ..graph import tree

        self._build_input_shape = tree.map_structure(lambda x: tuple(x.shape), inputs)
        self.built = True

    def build(self, input_shape=None):
        """Builds a subclassed model: runs call() on symbolic inputs of that shape, so
        every layer it uses makes its weights (Keras's Model.build)."""
        if input_shape is None:
            raise ValueError(f"Model {self.name}: build() needs an input_shape")
        shapes = _shape_structure(input_shape)
        self._build_by_tracing(shapes, _map_shapes(lambda s: (s, "float32"), shapes))

    build._ks_records_build = True  # not wrapped by Layer's shape recorder

    def _maybe_build(self, input_shape):
        """Deferred build on the first data a trainer sees (x.shape, batch included)."""
        if not self.built:
            self.build((None,) + tuple(input_shape[1:]))

    @property
    def input_shape(self):
        """The input shape(s) the model was built with, `None` in the batch axis."""
        return self._build_input_shape

    def compute_output_shape(self, input_shape):
        """The output shape(s) call() gives for `input_shape` (traced, nothing runs)."""
        from ..graph import tree
        from ..graph.ir import Graph
        from ..graph.trace import inside_layer, suspended, tracing

        shapes = _shape_structure(input_shape)
        graph = Graph(f"{self.name}_shape")
        inputs = tree.map_structure(
            lambda leaf: graph.placeholder(*leaf.shape),
            _to_leaves(_map_shapes(lambda s: (s, "float32"), shapes)),
        )
        with suspended(), tracing(graph), inside_layer():
            out = self.call(inputs)
        return tree.map_structure(lambda o: tuple(o.shape), out)

    def _build_by_tracing(self, shapes, specs):
        """Runs call() once on placeholders (specs: a structure of (shape, dtype)) in a
        throwaway graph; the layers it calls make their weights."""
        from ..graph import tree
        from ..graph.ir import Graph
        from ..graph.trace import inside_layer, suspended, tracing

        graph = Graph(f"{self.name}_build")
        inputs = tree.map_structure(lambda leaf: graph.placeholder(*leaf.shape), _to_leaves(specs))
        self._build_input_shape = shapes
        self.built = True
        before = {id(v) for v in self.weights}
        try:
            with suspended(), tracing(graph), inside_layer():
                self.call(inputs)
        except Exception:
            self.built = False
            raise
        self._scope_new_variables(before)

    def _build_from_arrays(self, inputs):
        """A first call on arrays builds on their shapes, batch size included (Keras's
        build_config and summary show it), and their dtypes."""
        from ..graph import tree
        from ..graph.function import _graph_dtype
        from ..graph.trace import as_array

        arrays = tree.map_structure(as_array, inputs)
        shapes = tree.map_structure(lambda a: _Leaf(tuple(a.shape)), arrays)
        specs = tree.map_structure(lambda a: _Leaf((tuple(a.shape), _graph_dtype(a.dtype))), arrays)
        self._build_by_tracing(_unleaf(shapes), _unleaf(specs))

    # ---- layers (Layer tracks the ones assigned as attributes) -------------------------
    @property
    def layers(self):
        """The layers assigned as attributes (in lists and dicts too), in order."""
        return self._sublayers()

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """Retrieves a layer by its name or its index.

        Args:
            name: The layer's name. Defaults to `None`.
            index: The layer's index in `layers`. Defaults to `None`.

        Returns:
            The layer.

        Raises:
            ValueError: If neither or both are given, or no layer matches.
        """
        layers = self.layers
        if index is not None and name is not None:
            raise ValueError(
                f"Provide only a layer name or a layer index. Received: index={index}, name={name}."
            )
        if index is not None:
            if len(layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model "
                    f"only has {len(layers)} layers."
                )
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: {[l.name for l in layers]}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # ---- config ----------------------------------------------------------------------
    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Creates a model from its config (what `get_config` returns).

        Args:
            config: The config dict.
            custom_objects: A dict mapping names to custom classes or functions.
                Defaults to `None`.

        Returns:
            A new model.

        Raises:
            TypeError: If the config does not match the constructor's arguments.
        """
        from .functional import Functional, functional_init_signature

        keys = ("name", "layers", "input_layers", "output_layers")
        if all(k in config for k in keys) and (
            cls in (Model, Functional) or functional_init_signature(cls)
        ):
            from .functional_config import functional_from_config

            return functional_from_config(
                cls if cls is not Model else Functional, config, custom_objects=custom_objects
            )
        try:
            return cls(**config)
        except TypeError as e:
            raise TypeError(
                f"Unable to revive model from config. When overriding the "
                f"`get_config()` method, make sure that the returned config "
                f"contains all items used as arguments in the constructor to "
                f"{cls}, or define from_config(cls, config). Received: "
                f"config={config}. Error: {e}"
            ) from e

    def get_build_config(self):
        """The shape(s) the model was built with, as a `.keras` file saves them (`None`
        when the model is not built)."""
        if not self.built or self._build_input_shape is None:
            return None
        return {"input_shape": self._build_input_shape}

    def build_from_config(self, config):
        """Builds the model from what `get_build_config` returned.

        Args:
            config: A dict with an `"input_shape"` entry, or `None`.
        """
        shape = (config or {}).get("input_shape")
        if shape is not None and not self.built:
            self.build(_shape_structure(shape))

    def to_json(self, **kwargs: Any) -> str:
        """Returns the model's architecture as a JSON string (weights excluded).

        Args:
            **kwargs: Passed to `json.dumps`.

        Returns:
            A JSON string that `kerasette.models.model_from_json` reads.
        """
        import json

        from ..saving.serialization import serialize_keras_object

        entry = serialize_keras_object(self)
        entry.setdefault("compile_config", None)
        if entry["compile_config"] is None:
            entry["compile_config"] = {}
        return json.dumps(entry, default=_json_default, **kwargs)

    # ---- display and files -------------------------------------------------------------
    def summary(
        self,
        line_length: int | None = None,
        positions: list | None = None,
        print_fn: Callable[..., Any] | None = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Any = None,
    ) -> None:
        """Prints a summary of the model: its layers, their output shapes and weight counts.

        Args:
            line_length: The width of the table. Defaults to `None` (Keras's width).
            positions: The columns' right edges, as fractions or characters.
                Defaults to `None`.
            print_fn: The function to print with (each line is passed to it).
                Defaults to `None` (`print`).
            expand_nested: Accepted for Keras compatibility; nested models are
                shown as one row. Defaults to `False`.
            show_trainable: Whether to add a column saying which layers are
                trainable. Defaults to `False`.
            layer_range: Not supported; must be `None`.

        Raises:
            ValueError: If `layer_range` is given.

        Limitations:
            `layer_range` is not supported and `expand_nested` is ignored.
        """
        from ..utils.summary import print_summary

        if layer_range is not None:
            raise ValueError("kerasette's summary() does not support layer_range")
        print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            show_trainable=show_trainable,
        )

    def save(self, filepath: str | os.PathLike, overwrite: bool = True, **kwargs: Any) -> None:
        """Saves the model (architecture, weights, compile and optimizer state) to a file.

        The file is written atomically in Keras 3's `.keras` format, which
        `keras.models.load_model` reads, as `kerasette.models.load_model` reads Keras's;
        a name ending in `.h5` writes the legacy HDF5 format (needs the `save` extra).

        Args:
            filepath: The file's path, ending in `.keras` (or `.h5`).
            overwrite: Whether to replace an existing file. Defaults to `True`.
            **kwargs: `zipped` (only `True` or `None` is supported).

        Raises:
            ValueError: For an unsupported format or argument.
        """
        from .. import saving

        return saving.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(
        self, filepath: str | os.PathLike, overwrite: bool = True, **kwargs: Any
    ) -> None:
        """Saves the weights (and the optimizer's variables) to a `.weights.h5` file.

        Needs the `save` extra (h5py). The layout is Keras 3's: real Keras loads it.

        Args:
            filepath: The file's path, ending in `.weights.h5`.
            overwrite: Whether to replace an existing file. Defaults to `True`.
            **kwargs: `max_shard_size` (only `None` is supported).

        Raises:
            ValueError: If the name does not end in `.weights.h5`.
        """
        from .. import saving

        return saving.save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath: str | os.PathLike, **kwargs: Any) -> None:
        """Loads weights saved by `save_weights` or `save` (by kerasette or Keras 3), or a
        legacy Keras 2 `.h5` file, into the built model.

        Args:
            filepath: The file's path.
            **kwargs: `skip_mismatch` (whether to skip layers whose weights do not
                match instead of raising; defaults to `False`).

        Raises:
            FileNotFoundError: If the file does not exist.
            ValueError: If the model is not built or the weights do not match it.
        """
        from .. import saving

        return saving.load_weights(self, filepath, **kwargs)

    def export(
        self, filepath, format="tf_saved_model", verbose=None, input_signature=None, **kwargs
    ):
        """Exports the model for inference (Keras 3's `Model.export`).

        Args:
            filepath: where to write: a file for "onnx", a version folder `BASE/N`
                for "kerasette".
            format: "onnx" (needs `kerasette[onnx]`) or "kerasette" (what `kerasette
                serve` reads). Keras's default "tf_saved_model" and its other formats
                need TensorFlow, OpenVINO or torch and raise a ValueError.
            verbose: print where the artifact went (default True, as Keras).
            input_signature: optional input specs (shape and dtype each) in place of
                the model's own inputs; the batch axis is always dynamic.
            **kwargs: `opset_version` for "onnx" (18 by default).

        Raises:
            ValueError: an unknown or TensorFlow-only format, an unbuilt model.
            NotImplementedError: a primitive the ONNX rules cannot express.
        """
        from ..export import export_model

        return export_model(
            self,
            filepath,
            format=format,
            verbose=verbose,
            input_signature=input_signature,
            **kwargs,
        )

    # Traced functions and call records stay in this process: a copy traces again.
    def __getstate__(self):
        base = Trainer.__dict__.get("__getstate__")
        state = dict(base(self) if base is not None else self.__dict__)
        for key in getattr(Layer, "_UNPICKLED", ("_eager_fns",)):
            state.pop(key, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def _is_shape(x):
    return isinstance(x, (list, tuple)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in x
    )


def _shape_structure(shape):
    """A shape, or a list/dict of shapes, with every shape as a tuple."""
    if _is_shape(shape):
        return tuple(None if d is None else int(d) for d in shape)
    if isinstance(shape, dict):
        return {k: _shape_structure(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)):
        return [_shape_structure(s) for s in shape]
    raise ValueError(f"Not a shape: {shape!r}")


def _symbolic(inputs):
    from ..graph import tree
    from ..graph.trace import current_graph, is_symbolic

    return current_graph() is not None or any(is_symbolic(x) for x in tree.flatten(inputs)[0])


def _map_shapes(fn, shapes):
    if isinstance(shapes, tuple):
        return fn(shapes)
    if isinstance(shapes, dict):
        return {k: _map_shapes(fn, v) for k, v in shapes.items()}
    return [_map_shapes(fn, s) for s in shapes]


class _Leaf:
    """A shape wrapped so tree.map_structure sees it as one leaf."""

    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = shape


def _to_leaves(specs):
    """A structure of (shape, dtype) pairs with each pair wrapped as one leaf."""
    if isinstance(specs, tuple) and len(specs) == 2 and isinstance(specs[1], str):
        return _Leaf(specs)
    if isinstance(specs, dict):
        return {k: _to_leaves(v) for k, v in specs.items()}
    return [_to_leaves(s) for s in specs]


def _unleaf(struct):
    if isinstance(struct, _Leaf):
        return struct.shape
    if isinstance(struct, dict):
        return {k: _unleaf(v) for k, v in struct.items()}
    return [_unleaf(v) for v in struct]
