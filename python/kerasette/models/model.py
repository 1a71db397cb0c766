"""`Model`: a `Layer` with Keras's training API (`Trainer`), as in Keras 3.

`Model(inputs, outputs)` makes a `Functional` model (models/functional.py); a subclass
(`class MyModel(keras.Model)`) writes `__init__` and `call`, and the layers it assigns
as attributes are its layers (Keras's auto-tracking). `Sequential` is a Model too.
"""
import inspect

import numpy as np

from ..layers.layer import Layer
from ..utils import naming

try:
    from ..engine.trainer import Trainer
except ModuleNotFoundError as e:  # engine not written yet in this checkout
    if e.name not in ("kerasette.engine.trainer", "kerasette.engine"):
        raise
    Trainer = object

_AUTO_CONFIG_TYPES = (str, int, float, bool, type(None))


def is_functional_call(args, kwargs):
    """Keras's rule for `Model(...)` meaning a functional model."""
    return (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
            or ("inputs" in kwargs and "outputs" in kwargs))


def _auto_config(cls, args, kwargs):
    """The constructor's arguments by name when all are plain values (Keras's
    auto-config: what `get_config` returns for a subclass that does not write one)."""
    try:
        names = list(inspect.signature(cls.__init__).parameters)[1:]
    except (TypeError, ValueError):
        return None
    config = dict(kwargs)
    config.update(zip(names, args))

    def plain(v):
        if isinstance(v, (list, tuple)):
            return all(plain(i) for i in v)
        if isinstance(v, dict):
            return all(plain(i) for i in v.values())
        return isinstance(v, _AUTO_CONFIG_TYPES)
    return config if plain(config) else None


class Model(Trainer, Layer):
    """Keras's Model: functional (`Model(inputs, outputs)`) or subclassed."""

    def __new__(cls, *args, **kwargs):
        if cls is Model and is_functional_call(args, kwargs):
            from .functional import Functional
            return Functional.__new__(Functional, *args, **kwargs)
        obj = super().__new__(cls)
        if cls.get_config is Model.get_config:  # only a subclass without get_config needs it
            obj.__dict__["_ks_auto_config"] = _auto_config(cls, args, kwargs)
        return obj

    def __init__(self, *args, **kwargs):
        if is_functional_call(args, kwargs):
            raise NotImplementedError(
                f"{type(self).__name__}: a Model subclass whose __init__ passes inputs and "
                "outputs to Model.__init__ is not supported yet; build the functional "
                "model with keras.Model(inputs, outputs)")
        if args:
            raise TypeError(f"Model.__init__ takes keyword arguments only, got {args!r}")
        self._init_model(**kwargs)

    def _init_model(self, name=None, trainable=True, dtype=None, **kwargs):
        Layer.__init__(self, name=name or naming.auto_name(type(self).__name__),
                       trainable=trainable, dtype=dtype, **kwargs)
        if Trainer is not object:
            Trainer.__init__(self)

    # ---- calling -------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if self._calls_plan(args, kwargs):
            training = kwargs.get("training", False)
            return Trainer.__dict__["__call__"](self, args[0], training=bool(training))
        return Layer.__call__(self, *args, **kwargs)

    def _calls_plan(self, args, kwargs):
        """Whether `model(x)` runs the engine's lowered plan (Sequential overrides)."""
        return False

    def call(self, inputs, training=None):
        raise NotImplementedError(f"Model {type(self).__name__} has no call(): a subclass "
                                  "of keras.Model must implement call(self, inputs)")

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
        from ..graph import tree
        from ..graph.ir import Graph
        from ..graph.trace import inside_layer, suspended, tracing
        graph = Graph(f"{self.name}_build")
        shapes = _shape_structure(input_shape)
        inputs = tree.map_structure(
            lambda leaf: graph.placeholder(leaf.shape, "float32"), _to_leaf_tuples(shapes))
        self._build_input_shape = shapes
        self.built = True
        try:
            with suspended(), tracing(graph), inside_layer():
                self.call(inputs)
        except Exception:
            self.built = False
            raise

    build._ks_records_build = True  # not wrapped by Layer's shape recorder

    # ---- layers and weights ----------------------------------------------------------
    @property
    def layers(self):
        """The layers assigned as attributes (in lists and dicts too), in order."""
        out, seen = [], {id(self)}

        def visit(value, depth):
            if isinstance(value, Layer):
                if id(value) not in seen:
                    seen.add(id(value))
                    out.append(value)
            elif depth < 4 and isinstance(value, (list, tuple)):
                for v in value:
                    visit(v, depth + 1)
            elif depth < 4 and isinstance(value, dict):
                for v in value.values():
                    visit(v, depth + 1)
        for key, value in list(self.__dict__.items()):
            if not key.startswith("_ks_"):
                visit(value, 0)
        return out

    def get_layer(self, name=None, index=None):
        layers = self.layers
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            if len(layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model "
                                 f"only has {len(layers)} layers.")
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[l.name for l in layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for v in self._variables:
            v.trainable = self._trainable and v._ks_declared_trainable
        for layer in self.layers:
            layer.trainable = self._trainable

    def _own_then_layers(self, pick):
        own = [v for v in self._variables if v.trainable] + \
              [v for v in self._variables if not v.trainable]
        seen, out = set(), []
        for v in pick(own, self.layers):
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    @property
    def weights(self):
        return self._own_then_layers(
            lambda own, layers: own + [v for l in layers for v in l.weights])

    variables = weights

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return self._own_then_layers(
            lambda own, layers: [v for v in own if v.trainable] +
            [v for l in layers for v in l.trainable_weights])

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        return self._own_then_layers(
            lambda own, layers: [v for v in own if not v.trainable] +
            [v for l in layers for v in l.non_trainable_weights])

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def count_params(self):
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but "
                             "the layer isn't built. You can build it manually via: "
                             "`model.build(input_shape)`.")
        return int(sum(v.size for v in self.weights))

    def get_weights(self):
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Copies arrays into the weights in `model.weights` order, checking all first."""
        weights, variables = list(weights), self.weights
        if len(weights) != len(variables):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with "
                             f"a weight list of length {len(weights)}, but the layer was "
                             f"expecting {len(variables)} weights.")
        values = [np.asarray(w) for w in weights]
        for var, value in zip(variables, values):
            if tuple(var.shape) != value.shape:
                raise ValueError(f"Layer {self.name} weight shape {tuple(var.shape)} is not "
                                 f"compatible with provided weight shape {value.shape}.")
        for var, value in zip(variables, values):
            var.assign(value)

    # ---- config ----------------------------------------------------------------------
    def get_config(self):
        """A subclass that writes no get_config gets its constructor's plain arguments
        (Keras's auto-config); `name` stays only where __init__ can take it."""
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": Layer.get_config(self)["dtype"]}
        if type(self).get_config is not Model.get_config:
            return config  # super().get_config() from a subclass's own get_config
        auto = self.__dict__.get("_ks_auto_config")
        if auto is None:
            raise NotImplementedError(
                f"Model {type(self).__name__} cannot be serialized: its constructor "
                "arguments are not plain values. Write get_config() (and from_config()).")
        config.update(auto)
        params = inspect.signature(type(self).__init__).parameters
        if not any(p.kind == p.VAR_KEYWORD and n == "kwargs" for n, p in params.items()):
            if "name" not in params:
                config.pop("name", None)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .functional import Functional, functional_init_signature
        keys = ("name", "layers", "input_layers", "output_layers")
        if all(k in config for k in keys) and (cls in (Model, Functional)
                                               or functional_init_signature(cls)):
            from .functional_config import functional_from_config
            return functional_from_config(cls if cls is not Model else Functional, config,
                                          custom_objects=custom_objects)
        try:
            return cls(**config)
        except TypeError as e:
            raise TypeError(f"Unable to revive model from config. When overriding the "
                            f"`get_config()` method, make sure that the returned config "
                            f"contains all items used as arguments in the constructor to "
                            f"{cls}, or define from_config(cls, config). Received: "
                            f"config={config}. Error: {e}") from e

    def get_build_config(self):
        if not self.built or self._build_input_shape is None:
            return None
        return {"input_shape": self._build_input_shape}

    def build_from_config(self, config):
        shape = (config or {}).get("input_shape")
        if shape is not None and not self.built:
            self.build(_shape_structure(shape))

    def to_json(self, **kwargs):
        import json

        from ..saving.serialization import serialize_keras_object
        entry = serialize_keras_object(self)
        entry.setdefault("compile_config", None)
        if entry["compile_config"] is None:
            entry["compile_config"] = {}
        return json.dumps(entry, default=_json_default, **kwargs)

    # ---- display and files -------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        from ..utils.summary import print_summary
        if layer_range is not None:
            raise ValueError("kerasette's summary() does not support layer_range")
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      show_trainable=show_trainable)

    def save(self, filepath, overwrite=True, **kwargs):
        from .. import saving
        return saving.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        from .. import saving
        return saving.save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, **kwargs):
        from .. import saving
        return saving.load_weights(self, filepath, **kwargs)

    # Traced functions hold closures: a copy traces again on first use.
    def __getstate__(self):
        base = getattr(super(), "__getstate__", None)
        state = dict(base() if base is not None else self.__dict__)
        state.pop("_eager_fns", None)
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
        d is None or isinstance(d, (int, np.integer)) for d in x)


def _shape_structure(shape):
    """A shape, or a list/dict of shapes, with every shape as a tuple."""
    if _is_shape(shape):
        return tuple(None if d is None else int(d) for d in shape)
    if isinstance(shape, dict):
        return {k: _shape_structure(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)):
        return [_shape_structure(s) for s in shape]
    raise ValueError(f"Not a shape: {shape!r}")


class _Leaf:
    """A shape wrapped so tree.map_structure sees it as one leaf."""
    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = shape


def _to_leaf_tuples(shapes):
    if isinstance(shapes, tuple):
        return _Leaf(shapes)
    if isinstance(shapes, dict):
        return {k: _to_leaf_tuples(v) for k, v in shapes.items()}
    return [_to_leaf_tuples(s) for s in shapes]
