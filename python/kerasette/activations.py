"""Activation functions under Keras 3's names (`fn.__name__` is the Keras name).

Each is written in `kerasette.ops`, as Keras 3's are: on arrays it returns a kerasette
Tensor, on symbolic tensors it adds graph nodes. Layers keep one of these functions as
`activation`; lowering.py (the version-1 trainer) maps the name to the core's kernel.
A user function written in ops is accepted wherever an activation is.
"""
from . import ops


def linear(x):
    return x  # Keras returns its input untouched


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ops.relu(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0.0:
        return ops.leaky_relu(x, negative_slope=negative_slope)
    # Keras's general form: threshold, clip at max_value, then the negative slope.
    if negative_slope != 0.0:
        negative_part = ops.relu(ops.add(ops.negative(x), float(threshold)))
    if threshold != 0.0:
        y = ops.where(ops.greater(x, threshold), x, ops.zeros_like(x))
    else:
        y = ops.relu(x)
    if max_value is not None:
        y = ops.clip(y, 0.0, float(max_value))
    if negative_slope != 0.0:
        y = ops.subtract(y, ops.multiply(negative_part, float(negative_slope)))
    return y


def leaky_relu(x, negative_slope=0.2):
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    return ops.relu6(x)


def elu(x, alpha=1.0):
    return ops.elu(x, alpha=alpha)


def selu(x):
    return ops.selu(x)


def celu(x, alpha=1.0):
    return ops.celu(x, alpha=alpha)


def gelu(x, approximate=False):
    return ops.gelu(x, approximate=approximate)


def gelu_tanh(x):  # kerasette's name for gelu(approximate=True); lowering maps it
    return ops.gelu(x, approximate=True)


def glu(x, axis=-1):
    return ops.glu(x, axis=axis)


def sigmoid(x):
    out = ops.sigmoid(x)
    _keep_logits(out, x)
    return out


def hard_sigmoid(x):
    return ops.hard_sigmoid(x)


def log_sigmoid(x):
    return ops.log_sigmoid(x)


def sparse_sigmoid(x):
    return ops.sparse_sigmoid(x)


def tanh(x):
    return ops.tanh(x)


def tanh_shrink(x):
    return ops.tanh_shrink(x)


def hard_tanh(x):
    return ops.hard_tanh(x)


def hard_shrink(x, threshold=0.5):
    return ops.hard_shrink(x, threshold=threshold)


def soft_shrink(x, threshold=0.5):
    return ops.soft_shrink(x, threshold=threshold)


def threshold(x, threshold, default_value):
    return ops.threshold(x, threshold, default_value)


def softmax(x, axis=-1):
    out = ops.softmax(x, axis=axis)
    _keep_logits(out, x)
    return out


def log_softmax(x, axis=-1):
    return ops.log_softmax(x, axis=axis)


def sparsemax(x, axis=-1):
    return ops.sparsemax(x, axis=axis)


def softplus(x):
    return ops.softplus(x)


def sparse_plus(x):
    return ops.sparse_plus(x)


def squareplus(x, b=4):
    return ops.squareplus(x, b=b)


def softsign(x):
    return ops.softsign(x)


def silu(x):
    return ops.silu(x)


def mish(x):
    return ops.multiply(x, ops.tanh(ops.softplus(x)))  # Keras's own formula


def exponential(x):
    return ops.exp(x)


def hard_silu(x):
    return ops.hard_silu(x)


def _keep_logits(out, x):
    """Keras tags sigmoid/softmax outputs with their logits (losses use it to fuse)."""
    try:
        out._keras_logits = x
    except AttributeError:
        pass  # an eager Tensor has no room for it, as in Keras


swish = silu
hard_swish = hard_silu

# Keras's `get` names (aliases included) -> function. `swish` serializes as "silu".
ALL = {fn.__name__: fn for fn in (
    linear, relu, leaky_relu, relu6, elu, selu, celu, gelu, glu, sigmoid, hard_sigmoid,
    log_sigmoid, sparse_sigmoid, tanh, tanh_shrink, hard_tanh, hard_shrink, soft_shrink,
    threshold, softmax, log_softmax, sparsemax, softplus, sparse_plus, squareplus, softsign,
    silu, mish, exponential, hard_silu)}
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
