"""Activation functions under Keras 3's names (`fn.__name__` is the Keras name).

Layers keep one of these functions as `activation`; lowering.py maps the name to the
core's kernel (`ks::Act`). Called directly on a numpy array, a function runs that same
kernel through the engine (an `Activation` layer), so there is one implementation.
"""
import numpy as np


_LAYERS = {}  # one Activation layer per (name, param): the engine caches its plan


def _run(name, x, param=None):
    """Runs the core's kernel for activation `name` on x (through an Activation layer)."""
    layer = _LAYERS.get((name, param))
    if layer is None:
        from .layers.activation import Activation
        fn = globals()[name] if param is None else _with_param(name, param)
        layer = _LAYERS[(name, param)] = Activation(fn, name=f"activations_{name}")
    return layer(np.asarray(x, dtype="float32"))


def _with_param(name, param):
    """The activation `name` with a non-default scalar argument (leaky_relu's slope,
    elu's alpha); lowering reads it from `_ks_param`."""
    def fn(x):
        return _run(name, x, param)
    fn.__name__ = name
    fn._ks_param = float(param)
    return fn


def linear(x):
    return _run("linear", x)


def relu(x):
    return _run("relu", x)


def leaky_relu(x, negative_slope=0.2):
    return _run("leaky_relu", x, None if negative_slope == 0.2 else negative_slope)


def relu6(x):
    return _run("relu6", x)


def elu(x, alpha=1.0):
    return _run("elu", x, None if alpha == 1.0 else alpha)


def selu(x):
    return _run("selu", x)


def gelu(x, approximate=False):
    return _run("gelu_tanh" if approximate else "gelu", x)


def gelu_tanh(x):  # kerasette's name for gelu(approximate=True), for lowering only
    return _run("gelu_tanh", x)


def sigmoid(x):
    return _run("sigmoid", x)


def hard_sigmoid(x):
    return _run("hard_sigmoid", x)


def tanh(x):
    return _run("tanh", x)


def softmax(x, axis=-1):
    if axis != -1:
        raise ValueError(f"kerasette's softmax works on the last axis only; got axis={axis}")
    return _run("softmax", x)


def log_softmax(x, axis=-1):
    if axis != -1:
        raise ValueError(f"kerasette's log_softmax works on the last axis only; got axis={axis}")
    return _run("log_softmax", x)


def softplus(x):
    return _run("softplus", x)


def softsign(x):
    return _run("softsign", x)


def silu(x):
    return _run("silu", x)


def mish(x):
    return _run("mish", x)


def exponential(x):
    return _run("exponential", x)


def hard_silu(x):
    return _run("hard_silu", x)


swish = silu
hard_swish = hard_silu

# Keras's `get` names (aliases included) -> function. `swish` serializes as "silu".
ALL = {fn.__name__: fn for fn in (
    linear, relu, leaky_relu, relu6, elu, selu, gelu, sigmoid, hard_sigmoid, tanh, softmax,
    log_softmax, softplus, softsign, silu, mish, exponential, hard_silu)}
ALIASES = dict(ALL, swish=silu, hard_swish=hard_silu)


def get(identifier):
    """None -> linear; a Keras name -> the function; a callable is kept."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier not in ALIASES:
            raise ValueError(f"Could not interpret activation function identifier: "
                             f"{identifier!r}. Known: {sorted(ALIASES)}")
        return ALIASES[identifier]
    if isinstance(identifier, dict) and identifier.get("class_name") == "function":
        return get(identifier.get("config"))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")


def serialize(fn):
    name = getattr(fn, "__name__", None)
    if name not in ALIASES:
        raise ValueError(f"Cannot serialize activation {fn!r}: only Keras's built-in "
                         f"activations can be saved (got {name!r})")
    return name


deserialize = get
