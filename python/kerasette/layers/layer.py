"""`Layer`: the base class of every kerasette layer (Keras 3's attribute names).

A layer holds configuration, owns its weights as `Variable`s, and computes in `call`,
written in `kerasette.ops` as Keras 3's layers are. Called on symbolic tensors it adds
nodes to the graph being traced; called on arrays it runs its compiled function.
"""

import functools

import numpy as np

from .. import regularizers
from ..utils import naming
from ..variables import Variable

_DTYPE_POLICY = {
    "module": "keras",
    "class_name": "DTypePolicy",
    "config": {"name": "float32"},
    "registered_name": None,
}
# Keyword arguments Keras's Layer accepts for the first layer of a Sequential model.
_INPUT_KWARGS = ("input_shape", "input_dim", "batch_size", "batch_input_shape")


def _standardize_dtype(dtype):
    if dtype is None:
        return "float32"
    if isinstance(dtype, dict):  # a serialized DTypePolicy (Keras >= 3.1)
        dtype = (dtype.get("config") or {}).get("name", "float32")
    name = getattr(dtype, "name", dtype)
    name = str(np.dtype(name)) if not isinstance(name, str) else name
    if name != "float32":
        raise ValueError(f"kerasette layers compute in float32; got dtype={dtype!r}")
    return name


def _shape_tuple(shape, what):
    try:
        shape = tuple(None if d is None else int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a tuple of ints (or None), got {shape!r}") from None
    if any(d is not None and d < 0 for d in shape):
        raise ValueError(f"{what} must not have negative dimensions, got {shape}")
    return shape


def _fresh(sym):
    """A new symbolic tensor equal to `sym` (a same-dtype cast: free once compiled)."""
    from ..graph.trace import apply

    return apply("cast", [sym], dtype=sym.dtype)


def _has_call(layer):
    return type(layer).call is not Layer.call


def _call_takes(layer, name):
    import inspect

    cache = type(layer).__dict__.get("_ks_call_params")
    if cache is None:
        params = inspect.signature(type(layer).call).parameters
        cache = {n for n, p in params.items()} | (
            {"*"} if any(p.kind == p.VAR_KEYWORD for p in params.values()) else set()
        )
        type.__setattr__(type(layer), "_ks_call_params", cache)
    return name in cache or "*" in cache


def _record_build(build):
    """Wraps a subclass's build so every build records its input shape and `built`."""

    @functools.wraps(build)
    def wrapper(self, input_shape=None, *args, **kwargs):
        if input_shape is not None:
            from ._spec import _is_shape, map_shapes

            what = f"{self.name}: input_shape"
            input_shape = (
                _shape_tuple(input_shape, what)
                if _is_shape(input_shape) or not isinstance(input_shape, (list, tuple, dict))
                else map_shapes(lambda s: _shape_tuple(s, what), input_shape)
            )
        out = build(self, input_shape, *args, **kwargs)
        self._build_input_shape = input_shape
        self.built = True
        return out

    wrapper._ks_records_build = True
    return wrapper


def _with_added_losses(outputs):
    """(outputs, add_loss terms of the graph being traced, the outputs' masks): what an
    eager call returns."""
    from ..graph import tree
    from ..graph.trace import current_graph

    masks = [getattr(o, "_keras_mask", None) for o in tree.flatten(outputs)[0]]
    return outputs, list(getattr(current_graph(), "added_losses", ())), masks


class Layer:
    """The base class of every layer: a computation (`call`) with its own weights.

    A layer takes its hyper-parameters in `__init__`, makes its weights in
    `build(input_shape)` (called once, on the first input's shape), and writes its
    forward pass in `call` with `kerasette.ops`. That is all a custom layer needs:
    it then runs in `Sequential` and functional models, in `fit` and `predict`
    (compiled, as part of the model's C++ program), and saves with the model.

    ```python
    class Linear(keras.layers.Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer="random_normal", name="w")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

        def call(self, inputs):
            return keras.ops.matmul(inputs, self.w) + self.b
    ```

    Args:
        activity_regularizer: A regularizer applied to the layer's output, its
            penalty added to the model's loss. Defaults to `None`.
        trainable: Whether the layer's weights are trained. Defaults to `True`.
        dtype: The dtype of the layer's weights and computations.
            Defaults to `None` (`"float32"`).
        autocast: Accepted for Keras compatibility (there is no mixed precision).
            Defaults to `True`.
        name: The layer's name, unique within a model. Defaults to an automatic
            one from the class name (`"dense_1"`).
        **kwargs: `input_shape`, `input_dim` or `batch_input_shape`, which declare
            the input shape of the first layer of a `Sequential` model.

    Raises:
        ValueError: For an unknown keyword argument, a `trainable` that is not a
            bool, or a `name` that is not a string without `/`.
    """

    # Whether the saved config carries {"build_config": {"input_shape": ...}}: Keras
    # records it only for layers with their own build (Dense, Flatten, norms...).
    _has_build_config = False

    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls)
        if cls.get_config is Layer.get_config:
            # Keras's automatic config needs the constructor's arguments; only a class
            # without its own get_config ever reads them.
            from ._auto_config import capture

            instance._auto_config = capture(cls, args, kwargs)
        return instance

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__ and not getattr(cls.build, "_ks_records_build", False):
            cls.build = _record_build(cls.__dict__["build"])
        # TF-Slim arg_scope works on every layer class out of the box.
        from .. import arg_scope

        arg_scope.add_arg_scope(cls)

    def __init__(
        self,
        activity_regularizer=None,
        trainable=True,
        dtype=None,
        autocast=True,
        name=None,
        **kwargs,
    ):
        unknown = {k: v for k, v in kwargs.items() if k not in _INPUT_KWARGS}
        if unknown:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {unknown}"
            )
        if not isinstance(trainable, (bool, np.bool_)):
            raise ValueError(
                f"Expected `trainable` to be a boolean. Received: "
                f"trainable={trainable} (of type {type(trainable)})"
            )
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(
                f"Argument `name` must be a string without '/'. Received: name={name!r}"
            )
        self.name = name or naming.auto_name(type(self).__name__)
        self.dtype = _standardize_dtype(dtype)
        self.built = False
        self._trainable = bool(trainable)
        self._variables = []
        self._build_input_shape = None
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._input_shape_arg = self._input_shape_from_kwargs(kwargs)

    def _input_shape_from_kwargs(self, kwargs):
        """`input_shape=`/`input_dim=`/`batch_input_shape=` (first layer of a Sequential)."""
        if kwargs.get("batch_input_shape") is not None:
            return _shape_tuple(kwargs["batch_input_shape"], "batch_input_shape")[1:]
        if kwargs.get("input_shape") is not None:
            shape = kwargs["input_shape"]
            shape = (shape,) if isinstance(shape, (int, np.integer)) else shape
            return _shape_tuple(shape, "input_shape")
        if kwargs.get("input_dim") is not None:
            dim = kwargs["input_dim"]
            if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool) or dim <= 0:
                raise ValueError(f"input_dim must be a positive int, got {dim!r}")
            return (int(dim),)
        return None

    # ---- weights -------------------------------------------------------------------
    def add_weight(
        self,
        *args,
        shape=None,
        initializer=None,
        dtype=None,
        trainable=True,
        autocast=True,
        regularizer=None,
        constraint=None,
        aggregation="none",
        overwrite_with_gradient=False,
        name=None,
    ):
        """Adds a weight variable to the layer (call it from `build`).

        Args:
            *args: `shape`, `initializer` and `dtype`, which may also come
                positionally, in that order.
            shape: The weight's shape, a tuple of ints. Defaults to `()`.
            initializer: An initializer name, instance or function.
                Defaults to `"glorot_uniform"` for floats, `"zeros"` otherwise.
            dtype: The weight's dtype. Defaults to the layer's.
            trainable: Whether `fit` trains it. Defaults to `True`.
            autocast: Accepted for Keras compatibility. Defaults to `True`.
            regularizer: A regularizer whose penalty joins the loss.
                Defaults to `None`.
            constraint: A constraint applied after each optimizer update.
                Defaults to `None`.
            aggregation: Accepted for Keras compatibility. Defaults to `"none"`.
            overwrite_with_gradient: Kept on the variable for Keras compatibility.
                Defaults to `False`.
            name: The weight's name (its path is `"<layer>/<name>"`).
                Defaults to `None`.

        Returns:
            The new `kerasette.Variable`.
        """
        from .. import constraints, initializers
        from ._weights import positional_weight_args

        shape, initializer, dtype = positional_weight_args(args, shape, initializer, dtype)
        shape = tuple(int(d) for d in (shape or ()))
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype or "float32").kind == "f" else "zeros"
        init = initializers.get(initializer)
        var = Variable(
            init,
            shape=shape,
            dtype=dtype or self.dtype,
            trainable=trainable,
            name=name,
            path=f"{self.name}/{name}",
        )
        var.regularizer = regularizers.get(regularizer)
        var.constraint = constraints.get(constraint)
        var.autocast = bool(autocast)
        var.aggregation = aggregation
        var.overwrite_with_gradient = bool(overwrite_with_gradient)
        if not self._trainable:
            var.trainable = False
        var._ks_declared_trainable = bool(trainable)
        self._variables.append(var)
        return var

    @property
    def trainable(self):
        """Whether the layer's weights (and its sublayers') are trained; settable."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for v in self._variables:
            v.trainable = self._trainable and v._ks_declared_trainable
        for layer in self._sublayers():
            layer.trainable = self._trainable

    def _sublayers(self):
        """Layers held in attributes (directly or in lists, tuples, dicts), in the order
        they were assigned: Keras tracks them so their weights are the layer's too."""
        from ._tracking import sublayers

        return sublayers(self)

    def _own_weights(self):
        # Keras lists trainable weights before non-trainable ones (in saved files too).
        own = [v for v in self._variables if v._ks_declared_trainable]
        return own + [v for v in self._variables if not v._ks_declared_trainable]

    @property
    def weights(self):
        """The layer's weights and its sublayers', trainable ones first, each once."""
        from ._tracking import unique

        return unique(self._own_weights() + [v for l in self._sublayers() for v in l.weights])

    @property
    def variables(self):
        """The same list as `weights`."""
        return self.weights

    @property
    def trainable_weights(self):
        """The weights that `fit` trains (none when the layer is not trainable)."""
        if not self._trainable:
            return []
        from ._tracking import unique

        return unique(
            [v for v in self._own_weights() if v.trainable]
            + [v for l in self._sublayers() for v in l.trainable_weights]
        )

    @property
    def non_trainable_weights(self):
        """The weights that `fit` does not train (moving statistics, frozen weights)."""
        if not self._trainable:
            return self.weights
        from ._tracking import unique

        return unique(
            [v for v in self._own_weights() if not v.trainable]
            + [v for l in self._sublayers() for v in l.non_trainable_weights]
        )

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self):
        """The weights' values as numpy arrays (copies), in `weights` order.

        Returns:
            A list of numpy arrays.
        """
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Sets the weights' values from numpy arrays, in `weights` order.

        Every shape is checked before any weight is written.

        Args:
            weights: A list of arrays, one per weight, of the weights' shapes.

        Raises:
            ValueError: If the number of arrays or a shape does not match.
        """
        weights = list(weights)
        variables = self.weights
        if len(weights) != len(variables):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a "
                f"weight list of length {len(weights)}, but the layer was "
                f"expecting {len(variables)} weights."
            )
        values = [np.asarray(w) for w in weights]
        for var, value in zip(variables, values):  # check all before writing any
            if var.shape != value.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {var.shape} is not "
                    f"compatible with provided weight shape {value.shape}."
                )
        for var, value in zip(variables, values):
            var.assign(value)

    def count_params(self):
        """The number of scalars in the layer's weights.

        Returns:
            An int.

        Raises:
            ValueError: If the layer is not built.
        """
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but "
                "the layer isn't built. You can build it manually via: "
                f"`layer.build(input_shape)`."
            )
        return int(sum(v.size for v in self.weights))

    # ---- shapes --------------------------------------------------------------------
    def build(self, input_shape=None):
        """Makes the layer's weights for inputs of `input_shape` (a subclass overrides it).

        Called once, before the first `call`; the base class only records the shape.

        Args:
            input_shape: The input's shape, batch axis included (`(None, 784)`), or a
                structure of shapes for several inputs. Defaults to `None`.
        """
        self._build_input_shape = input_shape
        self.built = True

    def compute_output_shape(self, input_shape):
        """The shape of the layer's output for inputs of `input_shape`.

        The default traces `call` on placeholders of that shape (nothing runs).

        Args:
            input_shape: The input's shape, batch axis included.

        Returns:
            The output's shape (a structure of shapes for several outputs).
        """
        from ._spec import output_shapes

        return output_shapes(self, input_shape)

    def compute_output_spec(self, *args, **kwargs):
        """The symbolic outputs `call` gives for symbolic inputs (or shapes), computed on
        a scratch graph.

        Args:
            *args: The inputs, as symbolic tensors or shapes.
            **kwargs: The call's keyword arguments.

        Returns:
            The output symbolic tensor(s), which carry `shape` and `dtype`.
        """
        from ._spec import output_spec

        return output_spec(self, *args, **kwargs)

    # ---- masks -----------------------------------------------------------------------
    @property
    def supports_masking(self):
        """Whether the layer propagates a mask; true for a layer that defines `compute_mask`."""
        value = self.__dict__.get("_supports_masking")
        if value is None:  # Keras: a layer that defines compute_mask supports masks
            return type(self).compute_mask is not Layer.compute_mask
        return value

    @supports_masking.setter
    def supports_masking(self, value):
        self.__dict__["_supports_masking"] = bool(value)

    def compute_mask(self, inputs, previous_mask):
        """The mask of the layer's output (a subclass that changes masks overrides it).

        Args:
            inputs: The layer's input(s).
            previous_mask: The mask of the input, or `None`.

        Returns:
            The output's mask; by default `previous_mask` (passed through).
        """
        return previous_mask

    # ---- functional history ------------------------------------------------------------
    def _inbound(self, attr):
        calls = self.__dict__.get("_inbound_calls")
        if not calls:
            raise AttributeError(
                f"The layer {self.name} has never been called and thus has no defined {attr}."
            )
        return calls[0]

    @property
    def input(self):
        """The input tensor of the layer's first call in a functional model.

        Raises:
            AttributeError: If the layer was never called on a symbolic input.
        """
        rec = self._inbound("input")
        return rec.args[0]

    @property
    def output(self):
        """The output tensor of the layer's first call in a functional model.

        Raises:
            AttributeError: If the layer was never called on a symbolic input.
        """
        rec = self._inbound("output")
        return rec.outputs

    def _check_input_shape(self, shape):
        """Raises Keras's message when a built layer is fed an incompatible shape."""
        expected = self._build_input_shape
        if expected is None or len(expected) != len(shape):
            if expected is not None:
                raise ValueError(
                    f'Input 0 of layer "{self.name}" is incompatible with the '
                    f"layer: expected ndim={len(expected)}, found ndim="
                    f"{len(shape)}. Full shape received: {tuple(shape)}"
                )
            return
        for e, g in zip(expected[1:], shape[1:]):
            if e is not None and g is not None and e != g:
                raise ValueError(
                    f'Input 0 of layer "{self.name}" is incompatible with the '
                    f"layer: expected shape={expected}, found shape="
                    f"{tuple(shape)}"
                )

    # ---- calling -------------------------------------------------------------------
    # A layer's `call` is written in kerasette.ops. On symbolic inputs (a traced function,
    # the functional API) `__call__` builds the layer and runs `call`, which adds nodes;
    # on arrays it runs the layer's compiled function for that input signature.
    def __call__(self, *args, **kwargs):
        from ..graph import tree
        from ..graph.trace import current_graph, is_symbolic

        if not args:
            if "inputs" not in kwargs:
                raise ValueError(f'Layer "{self.name}" was called without inputs')
            args = (kwargs.pop("inputs"),)
        leaves, _ = tree.flatten(args[0])
        if any(is_symbolic(x) for x in leaves) or (
            current_graph() is not None and not _has_call(self)
        ):
            return self._symbolic_call(*args, **kwargs)
        return self._eager_call(*args, **kwargs)

    def call(self, inputs, *args, **kwargs):
        """The layer's forward pass, written in `kerasette.ops` (a subclass overrides it).

        Do not call it directly: call the layer (`layer(x)`), which builds it first and
        runs `call` traced, on symbolic tensors, or compiled, on arrays.

        Args:
            inputs: The input tensor(s).
            *args: Further positional inputs.
            **kwargs: `training` (whether the call is in training mode), `mask`,
                and the layer's own call arguments.

        Returns:
            The output tensor(s); the base class returns `inputs` unchanged.
        """
        return inputs

    def _symbolic_call(self, *args, **kwargs):
        from ..graph import tree
        from ..graph.trace import inside_layer, is_symbolic, layer_depth, suspended
        from . import call_context

        inputs = args[0]
        if not hasattr(self, "preprocess") and any(
            getattr(x, "dtype", None) == "string" for x in tree.flatten(inputs)[0]
        ):
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) was called on a string "
                "input: kerasette has no string tensors, and runs string inputs only "
                "through its preprocessing layers (StringLookup, TextVectorization, "
                "Hashing, HashedCrossing), before the compiled graph"
            )
        if not self.built:
            with suspended():  # weights are made eagerly, never as graph nodes
                self._build_from_inputs(inputs)
        else:
            self._check_call_shape(inputs)
        training = kwargs.get("training")
        if training is None:
            training = call_context.training()
        if _call_takes(self, "training"):
            kwargs["training"] = training
        else:
            kwargs.pop("training", None)
        from . import _masking

        previous_mask = _masking.fill_mask_arg(self, inputs, kwargs)
        depth = layer_depth()
        syms = [x for x in tree.flatten(args)[0] if is_symbolic(x)]
        with inside_layer(), call_context.training_scope(training), call_context.inputs_scope(syms):
            outputs = self.call(*args, **kwargs)
        _masking.set_output_masks(self, inputs, outputs, previous_mask)
        if self.activity_regularizer is not None:
            from .. import ops
            from ..graph.trace import apply

            for out in tree.flatten(outputs)[0]:
                batch = ops.cast(apply("shape_dim", [out], axis=0), "float32")
                self.add_loss(ops.divide(self.activity_regularizer(out), batch))
        if depth == 0:
            from . import call_context as cc

            # A call that hands back one of its inputs (Dropout in inference, an identity
            # layer) still gets an output tensor of its own, as in Keras: otherwise the
            # input's history would be overwritten and the functional graph would loop.
            ids = {id(x) for x in tree.flatten(args)[0]}
            outputs = tree.map_structure(
                lambda o: _fresh(o) if id(o) in ids and is_symbolic(o) else o, outputs
            )
            rec = cc.record_call(self, args, kwargs, outputs)
            if any(
                getattr(x, "_keras_history", None) is not None for x in tree.flatten(inputs)[0]
            ):  # a functional-API call: `input`
                self.__dict__.setdefault("_inbound_calls", []).append(rec)
        return outputs

    def _build_from_inputs(self, inputs):
        from ..graph import tree

        shapes = tree.map_structure(lambda x: tuple(x.shape), inputs)
        self.build(shapes)
        self.built = True

    def _check_call_shape(self, inputs):
        """Keras's input-spec check for built-in layers: a built layer called on one
        tensor whose shape does not fit its build shape raises (Keras's message)."""
        from ..graph.ir import Sym
        from ._spec import _is_shape

        if (
            isinstance(inputs, Sym)
            and type(self).__module__.startswith("kerasette.layers")
            and self._build_input_shape is not None
            and _is_shape(self._build_input_shape)
        ):
            self._check_input_shape(tuple(inputs.shape))

    def _check_eager_inputs(self, inputs):
        from ..graph import tree

        for leaf in tree.flatten(inputs)[0]:
            dtype = getattr(leaf, "dtype", None)
            kind = np.dtype(dtype).kind if dtype is not None else np.asarray(leaf).dtype.kind
            if kind not in "biuf":
                raise TypeError(
                    f'Layer "{self.name}" expects a numeric array, got dtype '
                    f"{dtype if dtype is not None else np.asarray(leaf).dtype}"
                )
            if np.ndim(leaf) == 0:
                raise ValueError(
                    f'Layer "{self.name}" expects an input with a batch axis, got a scalar'
                )

    def _eager_call(self, *args, **kwargs):
        from ..graph.function import Function

        self._check_eager_inputs(args[0])
        training = bool(kwargs.pop("training", False) or False)
        x = args[0]
        if isinstance(x, np.ndarray) and x.dtype.kind not in "biuf":
            raise TypeError(f'Layer "{self.name}" expects a numeric array, got dtype {x.dtype}')
        if self.built and hasattr(x, "shape") and not isinstance(x, (dict, list, tuple)):
            if len(x.shape) == 0:
                raise ValueError(
                    f'Layer "{self.name}" expects an input with a batch axis, got a scalar'
                )
            self._check_input_shape((None,) + tuple(x.shape[1:]))
        from ..graph import tree as _tree

        # Masks (given as `mask=`, or riding on the inputs as Keras's `_keras_mask`) are
        # inputs of the traced function, not constants baked into it.
        given = kwargs.pop("mask", None)
        riding = [getattr(v, "_keras_mask", None) for v in _tree.flatten(x)[0]]
        masks_in = (given, riding if any(m is not None for m in riding) else None)
        mask_spec = repr(_tree.flatten(masks_in)[1])
        if len(args) > 1 or kwargs:
            # Extra arguments are part of what is traced (flags): a new trace
            # for each distinct value, as Keras's compiled functions do.
            key = (training, mask_spec, repr(args[1:]), repr(sorted(kwargs.items())))
        else:
            key = (training, mask_spec)
        fns = self.__dict__.setdefault("_eager_fns", {})
        fn = fns.get(key)
        if fn is None:
            extra, kw = args[1:], dict(kwargs)

            def traced(packed):
                inputs, (mask, riding) = packed
                for v, m in zip(_tree.flatten(inputs)[0], riding or ()):
                    v._keras_mask = m
                if mask is not None:
                    kw["mask"] = mask
                return _with_added_losses(self(inputs, *extra, training=training, **kw))

            fn = fns[key] = Function(traced, name=self.name)
        outputs, losses, masks = fn((x, masks_in))
        # Keras: `losses` holds the add_loss terms of the latest call.
        self.__dict__["_eager_losses"] = list(losses)
        for out, m in zip(_tree.flatten(outputs)[0], masks):
            if m is not None:
                out._keras_mask = m
        return outputs

    def _prepare_input(self, x):
        if isinstance(x, Variable):
            x = x.numpy()
        x = np.asarray(x)
        if x.dtype.kind not in "biuf":
            raise TypeError(f'Layer "{self.name}" expects a numeric array, got dtype {x.dtype}')
        return x

    # ---- losses ----------------------------------------------------------------------
    def add_loss(self, loss):
        """Adds a loss term to the layer.

        Inside a traced call (as in `fit`), the term joins the training graph's loss;
        called eagerly, it is kept in `losses` until the next call.

        Args:
            loss: A scalar tensor.
        """
        from ..graph.trace import is_symbolic

        if is_symbolic(loss):
            graph = loss.graph
            if not hasattr(graph, "added_losses"):
                graph.added_losses = []
            graph.added_losses.append(loss)
        else:
            self.__dict__.setdefault("_eager_losses", []).append(np.asarray(loss))

    @property
    def losses(self):
        """The loss terms of the layer: the `add_loss` terms of its latest eager call,
        then each trainable weight's regularization penalty (computed now).
        """
        out = list(self.__dict__.get("_eager_losses", []))
        for layer in self._sublayers():
            out.extend(layer.__dict__.get("_eager_losses", []))
        for v in self.trainable_weights:
            if getattr(v, "regularizer", None) is not None:
                out.append(v.regularizer(v))
        return out

    # ---- config --------------------------------------------------------------------
    def get_config(self):
        """The layer's config: the constructor arguments that recreate it.

        A layer without its own `get_config` gets Keras's automatic one (the arguments
        its constructor was called with, when they are JSON-serializable).

        Returns:
            A JSON-serializable dict that `from_config` reads.
        """
        if type(self).get_config is Layer.get_config:
            from ._auto_config import auto_config

            config = auto_config(self)  # a subclass without get_config (Keras's rule)
        else:
            config = {"name": self.name}
        config.update(
            {"trainable": self.trainable, "dtype": dict(_DTYPE_POLICY, config={"name": self.dtype})}
        )
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config):
        """Creates a layer from its config (what `get_config` returns).

        Args:
            config: The config dict.

        Returns:
            A new layer.
        """
        return cls(**config)

    def get_build_config(self):
        """The shape the layer was built with, as a `.keras` file saves it (or `None`)."""
        if self._build_input_shape is None or not self._has_build_config:
            return None
        return {"input_shape": tuple(self._build_input_shape)}

    def build_from_config(self, config):
        """Builds the layer from what `get_build_config` returned.

        Args:
            config: A dict with an `"input_shape"` entry, or `None`.
        """
        if config and config.get("input_shape") is not None:
            self.build(tuple(config["input_shape"]))

    # Traced functions, compiled programs and call records are caches of this process:
    # a pickled or deep-copied layer drops them and traces again when called.
    _UNPICKLED = ("_eager_fns", "_inbound_calls", "_eager_losses")

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in Layer._UNPICKLED}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
