"""Keras's automatic config for Layer subclasses that define no `get_config`.

Keras records the constructor's arguments when the object is made (Operation.__new__)
and, if they are all plain values (str, int, float, bool, None, nested in lists, tuples
or dicts), `get_config()` returns them; otherwise `get_config()` raises
NotImplementedError with Keras's message.
"""

import inspect
import textwrap

_PLAIN = (str, int, float, bool, type(None))
_SIGNATURES = {}

_EXAMPLE = """
            class CustomLayer(keras.layers.Layer):
                def __init__(self, arg1, arg2, **kwargs):
                    super().__init__(**kwargs)
                    self.arg1 = arg1
                    self.arg2 = arg2

                def get_config(self):
                    config = super().get_config()
                    config.update({
                        "arg1": self.arg1,
                        "arg2": self.arg2,
                    })
                    return config
            """


class _Captured:
    __slots__ = ("config", "bad_args", "init_takes_name")

    def __init__(self, config, bad_args, init_takes_name):
        self.config, self.bad_args, self.init_takes_name = config, bad_args, init_takes_name


def _signature(cls):
    """(signature, self name, *args name, **kwargs name) of cls.__init__; the signature
    follows __wrapped__ through the arg_scope wrapper every layer class gets."""
    hit = _SIGNATURES.get(cls)
    if hit is None:
        sig = inspect.signature(cls.__init__)
        names = list(sig.parameters)
        kinds = {p.kind: n for n, p in sig.parameters.items()}
        hit = _SIGNATURES[cls] = (
            sig,
            names[0] if names else None,
            kinds.get(inspect.Parameter.VAR_POSITIONAL),
            kinds.get(inspect.Parameter.VAR_KEYWORD),
        )
    return hit


def _plain(value):
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    return False


def capture(cls, args, kwargs):
    """What Keras keeps from `cls(*args, **kwargs)` for the automatic config."""
    try:
        signature, self_name, varargs, varkw = _signature(cls)
    except (TypeError, ValueError):
        return None
    params = signature.parameters
    takes_name = "name" in params or (
        "kwargs" in params and params["kwargs"].kind == inspect.Parameter.VAR_KEYWORD
    )
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return _Captured(None, False, takes_name)
    if any(p.kind == p.POSITIONAL_ONLY for n, p in params.items() if n != self_name):
        return _Captured(None, True, takes_name)
    bound.apply_defaults()
    values = dict(bound.arguments)
    if varkw:
        values.update(values.pop(varkw, {}))
    values.pop(self_name, None)
    values.pop("name", None)
    if varargs is not None and values.pop(varargs, ()):
        return _Captured(None, True, takes_name)
    if not all(_plain(v) for v in values.values()):
        return _Captured(None, False, takes_name)
    return _Captured(values, False, takes_name)


def auto_config(layer):
    """The recorded arguments (a dict), or Keras's NotImplementedError."""
    captured = layer.__dict__.get("_auto_config")
    if captured is not None and captured.config is not None:
        head = {"name": layer.name} if captured.init_takes_name else {}
        return {**head, **captured.config}
    name = type(layer).__name__
    if captured is not None and captured.bad_args:
        raise NotImplementedError(
            textwrap.dedent(f"""
            Object {name} was created by passing
            positional only or variadic positional arguments (e.g.,
            `*args`) to `__init__()`, which is not supported by the
            automatic config generation. Please remove all positional
            only and variadic arguments from `__init__()`
            or override `get_config()` and `from_config()` to make
            the object serializatble.

            Example:

            {_EXAMPLE}""")
        )
    raise NotImplementedError(
        textwrap.dedent(f"""
            Object {name} was created by passing
            non-serializable argument values in `__init__()`,
            and therefore the object must override `get_config()` in
            order to be serializable. Please implement `get_config()`.

            Example:

            {_EXAMPLE}""")
    )
