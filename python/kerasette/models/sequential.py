"""`Sequential`: a stack of layers, Keras 3's model API on kerasette's engine.

A `Model` (models/model.py) whose `call` chains its layers, so it runs symbolically
like any model (nested in a functional model, traced by a trainer). The model holds the
layer list, builds it (shapes flow layer to layer), and owns config, weights and
summary. On arrays, while every layer is one the engine lowers, `model(x)`, `fit` and
`predict` run the engine's C++ Plan (engine/trainer.py's `Trainer`).
"""

from __future__ import annotations

import copy
import json

import numpy as np

from ..graph.trace import current_graph
from ..layers.input_layer import InputLayer
from ..layers.layer import _DTYPE_POLICY, Layer, _has_call, _shape_tuple
from ..utils import naming
from .model import Model, Trainer


class Sequential(Model):
    """A `Model` that is a plain stack of layers, each with one input and one output.

    Examples:

    ```python
    model = keras.Sequential()
    model.add(keras.Input(shape=(16,)))
    model.add(keras.layers.Dense(8))

    # With an Input first, the model is built at once: its weights exist.
    len(model.weights)  # 2

    # Without one, it is built on its first data (fit, predict, a call) or by
    # `build((None, 16))`; until then it has no weights.
    model = keras.Sequential([keras.layers.Dense(8), keras.layers.Dense(4)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=32, epochs=10)
    ```

    Args:
        layers: A list of layers (or one layer) to add, in order.
            Defaults to `None`.
        trainable: Whether the layers' weights are trained. Defaults to `True`.
        name: The model's name. Defaults to an automatic one.

    Raises:
        ValueError: For a name that is not a string without `/`, or a layer that
            is not a `Layer`, or two layers of the same name.
    """

    def __init__(
        self,
        layers: list[Layer] | Layer | None = None,
        trainable: bool = True,
        name: str | None = None,
    ) -> None:
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"Argument `name` must be a string without '/'. Received: {name!r}")
        self._layers = []
        self._init_model(name=name or naming.auto_name("Sequential"), trainable=trainable)
        if layers is not None:
            if isinstance(layers, Layer) or hasattr(layers, "_keras_history"):
                layers = [layers]
            for layer in layers:
                self.add(layer, rebuild=False)
            self._maybe_rebuild()

    # ---- the layer stack -------------------------------------------------------------
    def add(self, layer: Layer, rebuild: bool = True) -> None:
        """Adds a layer on top of the stack.

        An `Input(...)` (or `InputLayer`) first declares the input shape, and the
        model is then built as each layer is added.

        Args:
            layer: A `Layer` instance, or the output of `keras.Input`.
            rebuild: Whether to build the model again now (when its input shape is
                known). Defaults to `True`.

        Raises:
            ValueError: If `layer` is not a layer, its name is taken, or it is an
                `InputLayer` that is not first.
        """
        history = getattr(layer, "_keras_history", None)
        if history is not None and isinstance(getattr(history[0], "layer", None), InputLayer):
            layer = history[0].layer  # keras.Input(...): its InputLayer (as Keras does)
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `keras.Layer` can be added to a Sequential "
                f"model. Received: {layer} (of type {type(layer)})"
            )
        if not self._layers and getattr(layer, "_input_shape_arg", None) is not None:
            self.add(InputLayer(shape=layer._input_shape_arg), rebuild=False)
        if self._has_layer_named(layer.name):
            raise ValueError(
                "All layers added to a Sequential model should have unique "
                f"names. Name '{layer.name}' is already the name of a layer in "
                "this model. Update the `name` argument to pass a unique name."
            )
        if isinstance(layer, InputLayer) and self._layers:
            if isinstance(self._layers[0], InputLayer):
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured "
                    f"to use input shape {self._layers[0].batch_shape}. You "
                    "cannot add a different Input layer to it."
                )
            raise ValueError("An InputLayer can only be the first layer of a Sequential model")
        if not self._trainable:
            layer.trainable = False
        self._layers.append(layer)
        self._names_seen[2].add(layer.name)
        self._names_seen = (len(self._layers), layer, self._names_seen[2])
        self._invalidate()
        if rebuild:
            self._maybe_rebuild()

    def _has_layer_named(self, name):
        # A name set beside _layers keeps add() O(1) (a scan made from_config of n
        # layers quadratic); rebuilt whenever _layers changed other than by add().
        seen = getattr(self, "_names_seen", None)
        if (
            seen is None
            or seen[0] != len(self._layers)
            or (self._layers and seen[1] is not self._layers[-1])
        ):
            seen = (
                len(self._layers),
                self._layers[-1] if self._layers else None,
                {l.name for l in self._layers},
            )
            self._names_seen = seen
        return name in seen[2]

    def pop(self, rebuild: bool = True) -> Layer:
        """Removes the last layer and returns it.

        Args:
            rebuild: Whether to build the model again now. Defaults to `True`.

        Returns:
            The removed layer.

        Raises:
            TypeError: If the model has no layers.
        """
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        self._invalidate()
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _invalidate(self):
        """The stack changed: the model must be rebuilt (and re-lowered by the engine)."""
        self.built = False
        self._build_input_shape = None
        self.__dict__.pop("_traced_io", None)
        hook = getattr(self, "_on_layers_changed", None)  # the engine drops its Plan
        if callable(hook):
            hook()

    def _maybe_rebuild(self):
        if self._layers and isinstance(self._layers[0], InputLayer) and len(self._layers) > 1:
            self.build(self._layers[0].batch_shape)

    @property
    def layers(self):
        """The layers, without the InputLayer (as Keras lists them)."""
        if self._layers and isinstance(self._layers[0], InputLayer):
            return self._layers[1:]
        return list(self._layers)

    def _sublayers(self):
        return self.layers

    @property
    def input_layer(self):
        """The `InputLayer` that declares the input shape, or `None`."""
        return self._layers[0] if self._layers and isinstance(self._layers[0], InputLayer) else None

    @property
    def inputs(self):
        """The model's input tensors (a list of one `Input`), as in a functional model.

        Raises:
            AttributeError: If the model is not built (its input shape is unknown).
        """
        return list(self._traced_io_pair("inputs")[0])

    @property
    def outputs(self):
        """The model's output tensors (a list of one), the layers applied to `inputs`.

        Raises:
            AttributeError: If the model is not built (its input shape is unknown).
        """
        return list(self._traced_io_pair("outputs")[1])

    def _traced_io_pair(self, what):
        # Keras calls every layer on the Input when it builds; doing it on first use
        # keeps building a long stack cheap. The calls also give each layer its
        # `input` / `output` (a functional model can then be cut from this one).
        pair = self.__dict__.get("_traced_io")
        if pair is None:
            if not self.built or self.input_layer is None:
                raise AttributeError(f"Sequential model '{self.name}' has no defined {what} yet.")
            inp = x = self.input_layer.output
            for layer in self.layers:
                x = layer(x)
            pair = self._traced_io = ((inp,), (x,))
        return pair

    def get_layer(self, name=None, index=None):
        """Retrieves a layer by its name or its index in `layers`.

        Args:
            name: The layer's name. Defaults to `None`.
            index: The layer's index (negative counts from the end).
                Defaults to `None`.

        Returns:
            The layer.

        Raises:
            ValueError: If no layer matches.
        """
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only "
                    f"has {len(self.layers)} layers."
                )
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"No such layer: {name}. Existing layers are: {[l.name for l in self.layers]}."
        )

    # ---- building --------------------------------------------------------------------
    def build(self, input_shape=None):
        """Builds every layer for `input_shape`: shapes flow layer to layer, and each
        layer makes its weights.

        Args:
            input_shape: The input shape, batch axis included (`(None, 784)`).
                Defaults to `None` (the shape of the model's `Input`).

        Raises:
            ValueError: If the model has no layers, or no shape is known.
        """
        if not self.layers:
            raise ValueError(
                f"Sequential model {self.name} cannot be built because it has no "
                "layers. Call `model.add(layer)`."
            )
        if input_shape is None:
            if self.input_layer is None:
                raise ValueError(f"Sequential model {self.name}: build() needs an input_shape")
            input_shape = self.input_layer.batch_shape
        input_shape = _shape_tuple(input_shape, f"{self.name}: input_shape")
        if len(input_shape) < 2:
            raise ValueError(
                f"Sequential model {self.name}: input_shape must include the batch "
                f"axis and at least one feature axis, got {input_shape}"
            )
        first = self.input_layer
        if first is not None:
            if first.batch_shape[1:] != input_shape[1:]:
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured "
                    f"to use input shape {first.batch_shape}. You cannot build it "
                    f"with input_shape {input_shape}"
                )
            input_shape = first.batch_shape
        else:
            self._layers.insert(0, InputLayer(batch_shape=input_shape))
        shape = input_shape
        built_here = []
        for layer in self.layers:
            if not layer.built or layer._build_input_shape is None and layer._variables == []:
                layer.build(shape)
                built_here.append(layer)
            else:
                layer._check_input_shape(shape)
                if layer._build_input_shape is None:
                    layer._build_input_shape = shape
            shape = tuple(layer.compute_output_shape(shape))
        for layer in built_here:  # Keras's name scope: "sequential/dense/kernel"
            # own variables only unless it is a model (a full weights walk per layer
            # made rebuilding a 20,000-layer config twice as slow)
            for v in layer.weights if isinstance(layer, Model) else layer._variables:
                v.path = f"{self.name}/{v.path}"
        self._build_input_shape = input_shape
        self.built = True

    build._ks_records_build = True  # records its own shape (not Layer's wrapper)
    _build_from_inputs = Layer._build_from_inputs  # a first symbolic call builds it all
    _symbolic_call = Layer._symbolic_call  # build() itself scopes the new variables

    def call(self, inputs, training=None, mask=None):
        """Chains the layers (what runs when the model is traced or nested)."""
        x = inputs
        for layer in self.layers:
            if not _has_call(layer):
                raise NotImplementedError(
                    f"Layer '{layer.name}' ({type(layer).__name__}) has no call() written in "
                    "kerasette.ops yet, so this Sequential model cannot run symbolically"
                )
            x = layer(x, training=training)
        return x

    def _calls_plan(self, args, kwargs):
        """On arrays, `model(x)` runs the compiled predict program (the trainer's fast
        path: microseconds for one row)."""
        if "__call__" not in Trainer.__dict__ or len(args) != 1 or set(kwargs) - {"training"}:
            return False
        if type(args[0]) is np.ndarray:  # the common case, decided cheaply
            return current_graph() is None
        from ..graph import tree
        from ..graph.trace import is_symbolic

        return current_graph() is None and not any(is_symbolic(x) for x in tree.flatten(args[0])[0])

    def _maybe_build(self, input_shape):
        """Deferred build on the first data seen (the engine calls it with x.shape)."""
        if not self.built:
            self.build((None,) + tuple(input_shape[1:]))

    def compute_output_shape(self, input_shape):
        """The output shape for `input_shape`, computed layer by layer.

        Args:
            input_shape: The input shape, batch axis included.

        Returns:
            The output shape, a tuple.
        """
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = tuple(layer.compute_output_shape(shape))
        return shape

    @property
    def input_shape(self):
        """The input shape the model was built with (`None` in the batch axis)."""
        return self._build_input_shape

    @property
    def output_shape(self):
        """The output shape of the built model.

        Raises:
            AttributeError: If the model is not built.
        """
        if not self.built:
            raise AttributeError(
                f"Sequential model '{self.name}' has no output shape yet: it is not built"
            )
        return self.compute_output_shape(self._build_input_shape)

    # ---- weights ---------------------------------------------------------------------
    @property
    def trainable(self):
        """Whether the layers' weights are trained; setting it sets every layer's."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = self._trainable

    @property
    def weights(self):
        """All the layers' weights (trainable first within each layer), each once."""
        seen, out = set(), []
        for layer in self.layers:
            for v in layer.weights:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    variables = weights

    @property
    def trainable_weights(self):
        """The weights that `fit` trains."""
        if not self._trainable:
            return []
        return [v for layer in self.layers for v in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        """The weights that `fit` does not train (moving statistics, frozen layers)."""
        if not self._trainable:
            return self.weights
        return [v for layer in self.layers for v in layer.non_trainable_weights]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def count_params(self):
        """The number of scalars in the model's weights.

        Returns:
            An int.

        Raises:
            ValueError: If the model is not built.
        """
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the "
                "layer isn't built. You can build it manually via: "
                "`model.build(input_shape)`."
            )
        return int(sum(v.size for v in self.weights))

    def get_weights(self):
        """The weights' values, as a list of numpy arrays (copies), in `weights` order."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Sets the weights' values from a list of arrays, in `weights` order.

        Every array is checked before any weight is written.

        Args:
            weights: A list of numpy arrays, one per weight, of the weights' shapes.

        Raises:
            ValueError: If the number of arrays or a shape does not match.
            TypeError: If an array is not numeric.
        """
        weights = list(weights)
        owners = [(layer, v) for layer in self.layers for v in layer.weights]
        if len(weights) != len(owners):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a "
                f"weight list of length {len(weights)}, but the layer was "
                f"expecting {len(owners)} weights."
            )
        values = [np.asarray(w) for w in weights]
        for (layer, var), value in zip(owners, values):
            if var.shape != value.shape:
                raise ValueError(
                    f"Layer {layer.name} weight shape {var.shape} is not "
                    f"compatible with provided weight shape {value.shape}."
                )
            if value.dtype.kind not in "biuf":
                raise TypeError(
                    f"Layer {layer.name}: weights must be numeric arrays, got dtype {value.dtype}"
                )
        for (_, var), value in zip(owners, values):
            var.assign(value)

    # ---- config ----------------------------------------------------------------------
    def get_config(self):
        """The model's config: its name, and each layer's config and build shape.

        Returns:
            A JSON-serializable dict that `from_config` reads (Keras's layout).
        """
        from ..layers import serialize

        layer_configs = []
        for layer in self._layers:
            entry = serialize(layer)
            build_config = None if isinstance(layer, InputLayer) else layer.get_build_config()
            if layer.built and build_config is not None:
                entry["build_config"] = build_config
            layer_configs.append(entry)
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": copy.deepcopy(_DTYPE_POLICY),
            "layers": layer_configs,
        }
        if self.built and self.input_layer is not None:
            config["build_input_shape"] = self.input_layer.batch_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Creates a Sequential model from its config.

        Args:
            config: A dict as `get_config` returns.
            custom_objects: A dict mapping names to custom layer classes.
                Defaults to `None`.

        Returns:
            A new model, built when the config records an input shape.

        Raises:
            ValueError: If the config lacks the `name` or `layers` key.
        """
        from .. import layers as layers_mod

        if not isinstance(config, dict) or "name" not in config or "layers" not in config:
            raise ValueError(
                "A Sequential model configuration must be a dictionary "
                f"containing the 'name' and 'layers' keys. Received: config={config}"
            )
        model = cls(name=config["name"], trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            layer = layers_mod.deserialize(layer_config, custom_objects=custom_objects)
            build_config = layer_config.get("build_config")
            if build_config and not layer.built:
                layer.build_from_config(build_config)
            model.add(layer, rebuild=False)  # built once below, not after every add
        shape = config.get("build_input_shape")
        if not model.built and isinstance(shape, (list, tuple)) and shape:
            model.build(tuple(shape))
        elif not model.built:
            model._maybe_rebuild()
        return model

    def get_build_config(self):
        """The shape the model was built with, as a `.keras` file saves it (`None` when unbuilt)."""
        if not self.built:
            return None
        return {"input_shape": self._build_input_shape}

    def to_json(self, **kwargs):
        """Returns the model's architecture as a JSON string (Keras's serialized form).

        Args:
            **kwargs: Passed to `json.dumps`.

        Returns:
            A JSON string that `kerasette.models.model_from_json` reads.
        """
        entry = {
            "module": "keras",
            "class_name": "Sequential",
            "config": self.get_config(),
            "registered_name": None,
        }
        if self.built:
            entry["build_config"] = self.get_build_config()
        get_compile_config = getattr(self, "get_compile_config", None)
        entry["compile_config"] = (
            get_compile_config() if callable(get_compile_config) else None
        ) or {}
        return json.dumps(entry, **kwargs)

    # summary, save, save_weights and load_weights are Model's.

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_traced_io", None)  # symbolic tensors: a copy traces again
        return state

    def __repr__(self):
        return f"<Sequential name={self.name}, built={self.built}>"
