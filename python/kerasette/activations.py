"""Activation functions under Keras 3's names (`fn.__name__` is the Keras name).

Each is written in `kerasette.ops`, as Keras 3's are: on arrays it returns a kerasette
Tensor, on symbolic tensors it adds graph nodes. Layers keep one of these functions as
`activation`; lowering.py (the version-1 trainer) maps the name to the core's kernel.
A user function written in ops is accepted wherever an activation is.
"""

from . import ops


def linear(x):
    """The identity: returns `x` unchanged.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return x  # Keras returns its input untouched


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit: `max(x, 0)`.

    Args:
        x: The input tensor.
        negative_slope: The slope for negative inputs. Defaults to `0.0`.
        max_value: The largest output, or `None` for no cap. Defaults to `None`.
        threshold: The threshold. Defaults to `0.0`.

    Returns:
        A tensor.
    """
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
    """Leaky ReLU: `x` for `x >= 0`, `negative_slope * x` otherwise.

    Args:
        x: The input tensor.
        negative_slope: The slope for negative inputs. Defaults to `0.2`.

    Returns:
        A tensor.
    """
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    """`min(max(x, 0), 6)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.relu6(x)


def elu(x, alpha=1.0):
    """Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    Args:
        x: The input tensor.
        alpha: The scale of the negative part. Defaults to `1.0`.

    Returns:
        A tensor.
    """
    return ops.elu(x, alpha=alpha)


def selu(x):
    """Scaled exponential linear unit: `scale * elu(x, alpha)` with the self-normalizing
    constants (`alpha ~ 1.673`, `scale ~ 1.051`).

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.selu(x)


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: `max(x, 0) + alpha * min(0, exp(x / alpha) - 1)`.

    Args:
        x: The input tensor.
        alpha: The scale of the negative part. Defaults to `1.0`.

    Returns:
        A tensor.
    """
    return ops.celu(x, alpha=alpha)


def gelu(x, approximate=False):
    """Gaussian error linear unit: `x * Phi(x)`, `Phi` the standard normal CDF (or its
    tanh approximation).

    Args:
        x: The input tensor.
        approximate: Whether to use the tanh approximation. Defaults to `False`.

    Returns:
        A tensor.
    """
    return ops.gelu(x, approximate=approximate)


def gelu_tanh(x):  # kerasette's name for gelu(approximate=True); lowering maps it
    return ops.gelu(x, approximate=True)


def glu(x, axis=-1):
    """GELU with the tanh approximation (kerasette's name for `gelu(x, approximate=True)`).

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.glu(x, axis=axis)


def sigmoid(x):
    """The logistic sigmoid: `1 / (1 + exp(-x))`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    out = ops.sigmoid(x)
    _keep_logits(out, x)
    return out


def hard_sigmoid(x):
    """The piecewise linear sigmoid: `relu6(x + 3) / 6`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.hard_sigmoid(x)


def log_sigmoid(x):
    """`log(sigmoid(x))`, computed stably.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.log_sigmoid(x)


def sparse_sigmoid(x):
    """The sparse sigmoid: 0 below -1, 1 above 1, `(x + 1) / 2` between.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.sparse_sigmoid(x)


def tanh(x):
    """The hyperbolic tangent.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.tanh(x)


def tanh_shrink(x):
    """`x - tanh(x)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.tanh_shrink(x)


def hard_tanh(x):
    """`clip(x, -1, 1)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.hard_tanh(x)


def hard_shrink(x, threshold=0.5):
    """Hard shrinkage: `x` where `abs(x) > threshold`, 0 elsewhere.

    Args:
        x: The input tensor.
        threshold: The threshold. Defaults to `0.5`.

    Returns:
        A tensor.
    """
    return ops.hard_shrink(x, threshold=threshold)


def soft_shrink(x, threshold=0.5):
    """Soft shrinkage: `x - threshold` above `threshold`, `x + threshold` below
    `-threshold`, 0 between.

    Args:
        x: The input tensor.
        threshold: The threshold. Defaults to `0.5`.

    Returns:
        A tensor.
    """
    return ops.soft_shrink(x, threshold=threshold)


def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, `default_value` elsewhere.

    Args:
        x: The input tensor.
        threshold: The threshold.
        default_value: The value that replaces inputs at or below `threshold`.

    Returns:
        A tensor.
    """
    return ops.threshold(x, threshold, default_value)


def softmax(x, axis=-1):
    """Softmax: `exp(x) / sum(exp(x))` along `axis`.

    Args:
        x: The input tensor.
        axis: The axis along which it is computed. Defaults to `-1`.

    Returns:
        A tensor.
    """
    out = ops.softmax(x, axis=axis)
    _keep_logits(out, x)
    return out


def log_softmax(x, axis=-1):
    """Log-softmax: `x - logsumexp(x)` along `axis`, computed stably.

    Args:
        x: The input tensor.
        axis: The axis along which it is computed. Defaults to `-1`.

    Returns:
        A tensor.
    """
    return ops.log_softmax(x, axis=axis)


def sparsemax(x, axis=-1):
    """Sparsemax: the Euclidean projection of `x` onto the probability simplex along
    `axis` (a softmax with exact zeros).

    Args:
        x: The input tensor.
        axis: The axis along which it is computed. Defaults to `-1`.

    Returns:
        A tensor.
    """
    return ops.sparsemax(x, axis=axis)


def softplus(x):
    """`log(exp(x) + 1)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.softplus(x)


def sparse_plus(x):
    """SparsePlus: 0 below -1, `x` above 1, `(x + 1)**2 / 4` between.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.sparse_plus(x)


def squareplus(x, b=4):
    """Squareplus: `(x + sqrt(x**2 + b)) / 2`.

    Args:
        x: The input tensor.
        b: The smoothness parameter (`>= 0`). Defaults to `4`.

    Returns:
        A tensor.
    """
    return ops.squareplus(x, b=b)


def softsign(x):
    """`x / (abs(x) + 1)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.softsign(x)


def silu(x):
    """Sigmoid linear unit (swish): `x * sigmoid(x)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.silu(x)


def mish(x):
    """Mish: `x * tanh(softplus(x))`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.multiply(x, ops.tanh(ops.softplus(x)))  # Keras's own formula


def exponential(x):
    """`exp(x)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return ops.exp(x)


def hard_silu(x):
    """Hard SiLU (hard swish): `x * relu6(x + 3) / 6`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
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
ALL = {
    fn.__name__: fn
    for fn in (
        linear,
        relu,
        leaky_relu,
        relu6,
        elu,
        selu,
        celu,
        gelu,
        glu,
        sigmoid,
        hard_sigmoid,
        log_sigmoid,
        sparse_sigmoid,
        tanh,
        tanh_shrink,
        hard_tanh,
        hard_shrink,
        soft_shrink,
        threshold,
        softmax,
        log_softmax,
        sparsemax,
        softplus,
        sparse_plus,
        squareplus,
        softsign,
        silu,
        mish,
        exponential,
        hard_silu,
    )
}
ALIASES = dict(ALL, swish=silu, hard_swish=hard_silu)


def get(identifier):
    """None -> linear; a Keras name -> the function; a callable is kept."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier not in ALIASES:
            raise ValueError(
                f"Could not interpret activation function identifier: "
                f"{identifier!r}. Known: {sorted(ALIASES)}"
            )
        return ALIASES[identifier]
    if isinstance(identifier, dict) and identifier.get("class_name") == "function":
        return get(identifier.get("config"))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")


def serialize(fn):
    """The name under which an activation function is saved.

    Args:
        fn: The activation function.

    Returns:
        A string.
    """
    name = getattr(fn, "__name__", None)
    if name not in ALIASES:
        raise ValueError(
            f"Cannot serialize activation {fn!r}: only Keras's built-in "
            f"activations can be saved (got {name!r})"
        )
    return name


deserialize = get
