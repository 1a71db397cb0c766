"""`Lambda`: wraps a function written in kerasette.ops as a layer (Keras's arguments
`function`, `output_shape`, `mask`, `arguments`).

Config: a Python lambda is written as Keras writes it, {"class_name": "__lambda__",
"config": {"code": base64 of its marshalled bytecode, "defaults", "closure"}}, so Keras
can read the config; a named function goes through kerasette.saving (module + name).
Reading a lambda back executes stored bytecode, so `from_config` refuses it unless
called with `safe_mode=False` (Keras's rule); loading a model file never does it
(DESIGN §1: loading never executes code from the file).
"""

import builtins
import codecs
import inspect
import marshal
import types

from .layer import Layer

_LAMBDA_REFUSED = (
    "Requested the deserialization of a `Lambda` layer whose `function` is a Python "
    "lambda. This carries a potential risk of arbitrary code execution and thus it is "
    "disallowed by default. If you trust the source of the artifact, you can override "
    "this error by passing `safe_mode=False` to the loading function, or calling "
    "`keras.config.enable_unsafe_deserialization()."
)


def _is_python_lambda(fn):
    return isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>"


def _dump_function(fn):
    """Keras's func_dump: (base64 marshalled code, defaults, closure cell contents)."""
    code = codecs.encode(marshal.dumps(fn.__code__), "base64").decode("ascii")
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return code, fn.__defaults__, closure


def _cell(value):
    return (lambda: value).__closure__[0]


def _load_function(code, defaults=None, closure=None):
    """Keras's func_load; global names resolve to kerasette, its ops, numpy, builtins."""
    import numpy as np

    import kerasette

    from .. import ops

    if isinstance(defaults, list):
        defaults = tuple(defaults)
    if closure is not None:
        closure = tuple(_cell(v) for v in closure)
    raw = codecs.decode(code.encode("ascii"), "base64")
    code = marshal.loads(raw)
    globs = {
        "__builtins__": builtins,
        "keras": kerasette,
        "kerasette": kerasette,
        "ops": ops,
        "np": np,
    }
    return types.FunctionType(code, globs, name=code.co_name, argdefs=defaults, closure=closure)


def _serialize_function(fn):
    if _is_python_lambda(fn):
        code, defaults, closure = _dump_function(fn)
        return {
            "class_name": "__lambda__",
            "config": {"code": code, "defaults": defaults, "closure": closure},
        }
    if callable(fn):
        from ..saving import serialize_keras_object

        return serialize_keras_object(fn)
    raise ValueError(f"Invalid input type for serialization. Received: {fn} of type {type(fn)}.")


def _deserialize_function(config, custom_objects, safe_mode):
    if isinstance(config, dict) and config.get("class_name") == "__lambda__":
        if safe_mode is not False:
            raise ValueError(_LAMBDA_REFUSED)
        inner = config["config"]
        return _load_function(inner["code"], inner.get("defaults"), inner.get("closure"))
    from ..saving import deserialize_keras_object

    return deserialize_keras_object(config, custom_objects=custom_objects)


class Lambda(Layer):
    """Wraps a function of tensors, written in `kerasette.ops`, as a layer.

    ```python
    layer = keras.layers.Lambda(lambda x: keras.ops.square(x))
    ```

    Prefer a `Layer` subclass for anything with weights or state. A model holding a
    Python lambda saves it as Keras does, but loading it runs stored code, so
    `load_model` and `from_config` refuse it unless `safe_mode=False`.

    Args:
        function: The function, called with the input (and `arguments`).
        output_shape: The output shape (without the batch axis), or a function of
            the input shape; `None` infers it by tracing the function. Defaults to
            `None`.
        mask: The output mask: a tensor, or a function `(inputs, mask) -> mask`.
            Defaults to `None`.
        arguments: A dict of keyword arguments passed to `function`. Defaults to
            `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: `function` must be callable, got {function!r}")
        self.function = function
        self.arguments = arguments or {}
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        try:
            params = inspect.getfullargspec(function).args
        except TypeError:
            params = []
        self._fn_expects_training_arg = "training" in params
        self._fn_expects_mask_arg = "mask" in params
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            try:
                return super().compute_output_shape(input_shape)
            except Exception:
                raise NotImplementedError(
                    "We could not automatically infer the shape of the Lambda's output. "
                    "Please specify the `output_shape` argument for this Lambda layer."
                ) from None
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        from ._spec import _is_shape, map_shapes

        first = input_shape  # Keras takes the batch of the first input
        while not _is_shape(first):
            first = first[0] if isinstance(first, (list, tuple)) else next(iter(first.values()))
        batch = first[0] if first else None
        return map_shapes(lambda s: (batch,) + tuple(s), self._output_shape)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        config = {"function": _serialize_function(self.function)}
        if self._output_shape is not None:
            config["output_shape"] = (
                _serialize_function(self._output_shape)
                if callable(self._output_shape)
                else self._output_shape
            )
        if self.mask is not None:
            if callable(self.mask):
                config["mask"] = _serialize_function(self.mask)
            else:
                from ..saving import serialize_keras_object

                config["mask"] = serialize_keras_object(self.mask)
        from ..saving import serialize_keras_object

        config["arguments"] = serialize_keras_object(self.arguments)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        from ..saving import deserialize_keras_object

        config = dict(config)
        config["function"] = _deserialize_function(config["function"], custom_objects, safe_mode)
        if "output_shape" in config:
            shape = config["output_shape"]
            if isinstance(shape, dict):
                shape = _deserialize_function(shape, custom_objects, safe_mode)
            elif isinstance(shape, list) and all(isinstance(d, (int, type(None))) for d in shape):
                shape = tuple(shape)
            config["output_shape"] = shape
        if isinstance(config.get("mask"), dict):
            config["mask"] = _deserialize_function(config["mask"], custom_objects, safe_mode)
        if "arguments" in config:
            config["arguments"] = deserialize_keras_object(
                config["arguments"], custom_objects=custom_objects
            )
        return cls(**config)
