"""`keras.ops.nn`: activations, crossentropies, normalisation, one/multi-hot; conv and
pooling live in _conv.py. Primitives used: relu, sigmoid (ewise), softmax, log_softmax
(act), the two softmax crossentropies (loss), one_hot; everything else is a composite.

Activations on integer inputs compute in float32 (Keras's TF backend refuses them;
relu, relu6 and leaky_relu keep ints, as TF does for relu)."""

import numpy as np

from ..graph.trace import apply, is_symbolic
from ._conv import (
    average_pool,
    conv,
    conv_transpose,
    depthwise_conv,
    max_pool,
    separable_conv,  # noqa: F401
)
from ._convert import dtype_of, float_dtype, norm_axes, one_axis, shape_of, standardize_dtype
from ._math import (
    abs,
    add,
    divide,
    equal,
    erf,
    exp,
    expm1,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    log1p,
    maximum,
    minimum,
    multiply,
    negative,
    rsqrt,
    sqrt,
    square,
    subtract,
    tanh,
    where,
)
from ._reduce import logsumexp, mean, var
from ._reduce import max as _max
from ._reduce import sum as _sum

__all__ = [
    "relu",
    "relu6",
    "sigmoid",
    "sparse_sigmoid",
    "softplus",
    "softsign",
    "soft_shrink",
    "sparse_plus",
    "silu",
    "swish",
    "squareplus",
    "log_sigmoid",
    "leaky_relu",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "hard_shrink",
    "tanh_shrink",
    "threshold",
    "elu",
    "selu",
    "gelu",
    "celu",
    "glu",
    "mish",
    "softmax",
    "log_softmax",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "one_hot",
    "multi_hot",
    "moments",
    "batch_normalization",
    "normalize",
    "layer_normalization",
    "rms_normalization",
    "conv",
    "depthwise_conv",
    "separable_conv",
    "conv_transpose",
    "max_pool",
    "average_pool",
    "dot_product_attention",
    "psnr",
]

EPSILON = 1e-7  # keras.backend.epsilon()


def _f(x):
    """x in a float dtype (ints and bools become float32)."""
    d = dtype_of(x)
    return x if d == float_dtype(d) else apply("cast", [x], dtype="float32")


# ---- activations ---------------------------------------------------------------------------
def relu(x):
    """Rectified linear unit: `max(x, 0)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return apply("relu", [x])


def relu6(x):
    """`min(max(x, 0), 6)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return minimum(relu(x), 6)


def sigmoid(x):
    """The logistic sigmoid: `1 / (1 + exp(-x))`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return apply("sigmoid", [_f(x)])


def sparse_sigmoid(x):
    """The sparse sigmoid: 0 below -1, 1 above 1, `(x + 1) / 2` between.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    x = _f(x)
    return where(
        less_equal(x, -1.0), 0.0, where(greater_equal(x, 1.0), 1.0, multiply(0.5, add(x, 1.0)))
    )


def softplus(x):
    """`log(exp(x) + 1)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    # log(1 + e^x) = relu(x) + log1p(e^-|x|): no overflow
    x = _f(x)
    return add(relu(x), log1p(exp(negative(abs(x)))))


def softsign(x):
    """`x / (abs(x) + 1)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    x = _f(x)
    return divide(x, add(abs(x), 1.0))


def soft_shrink(x, threshold=0.5):
    """Soft shrinkage: `x - threshold` above `threshold`, `x + threshold` below
    `-threshold`, 0 between.

    Args:
        x: The input tensor.
        threshold: The threshold. Defaults to `0.5`.

    Returns:
        A tensor.
    """
    x = _f(x)
    return where(
        greater(x, threshold),
        subtract(x, threshold),
        where(less(x, -threshold), add(x, threshold), 0.0),
    )


def sparse_plus(x):
    """SparsePlus: 0 below -1, `x` above 1, `(x + 1)**2 / 4` between.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    x = _f(x)
    return where(
        less_equal(x, -1.0), 0.0, where(less(x, 1.0), multiply(0.25, square(add(x, 1.0))), x)
    )


def silu(x):
    """Sigmoid linear unit (swish): `x * sigmoid(x)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    x = _f(x)
    return multiply(x, sigmoid(x))


swish = silu


def squareplus(x, b=4):
    """Squareplus: `(x + sqrt(x**2 + b)) / 2`.

    Args:
        x: The input tensor.
        b: The smoothness parameter (`>= 0`). Defaults to `4`.

    Returns:
        A tensor.
    """
    x = _f(x)
    return multiply(add(x, sqrt(add(square(x), float(b)))), 0.5)


def log_sigmoid(x):
    """`log(sigmoid(x))`, computed stably.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return negative(softplus(negative(_f(x))))


def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU: `x` for `x >= 0`, `negative_slope * x` otherwise.

    Args:
        x: The input tensor.
        negative_slope: The slope for negative inputs. Defaults to `0.2`.

    Returns:
        A tensor.
    """
    return where(greater(x, 0), x, multiply(x, negative_slope))


def hard_sigmoid(x):
    """The piecewise linear sigmoid: `relu6(x + 3) / 6`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return divide(relu6(add(_f(x), 3.0)), 6.0)


def hard_silu(x):
    """Hard SiLU (hard swish): `x * relu6(x + 3) / 6`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    x = _f(x)
    return multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def hard_tanh(x):
    """`clip(x, -1, 1)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    x = _f(x)
    return minimum(maximum(x, -1.0), 1.0)


def hard_shrink(x, threshold=0.5):
    """Hard shrinkage: `x` where `abs(x) > threshold`, 0 elsewhere.

    Args:
        x: The input tensor.
        threshold: The threshold. Defaults to `0.5`.

    Returns:
        A tensor.
    """
    x = _f(x)
    return where(greater(abs(x), threshold), x, 0.0)


def tanh_shrink(x):
    """`x - tanh(x)`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    x = _f(x)
    return subtract(x, tanh(x))


def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, `default_value` elsewhere.

    Args:
        x: The input tensor.
        threshold: The threshold.
        default_value: The value that replaces inputs at or below `threshold`.

    Returns:
        A tensor.
    """
    x = _f(x)
    return where(greater(x, threshold), x, default_value)


def elu(x, alpha=1.0):
    """Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    Args:
        x: The input tensor.
        alpha: The scale of the negative part. Defaults to `1.0`.

    Returns:
        A tensor.
    """
    # expm1 of min(x, 0): the unused branch never overflows (no inf * 0 in the gradient)
    x = _f(x)
    return where(greater(x, 0.0), x, multiply(alpha, expm1(minimum(x, 0.0))))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    """Scaled exponential linear unit: `scale * elu(x, alpha)` with the self-normalizing
    constants (`alpha ~ 1.673`, `scale ~ 1.051`).

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return multiply(_SELU_SCALE, elu(x, _SELU_ALPHA))


def gelu(x, approximate=True):
    """Gaussian error linear unit: `x * Phi(x)`, `Phi` the standard normal CDF (or its
    tanh approximation).

    Args:
        x: The input tensor.
        approximate: Whether to use the tanh approximation. Defaults to `True`.

    Returns:
        A tensor.
    """
    x = _f(x)
    if approximate:
        inner = multiply(
            float(np.sqrt(2 / np.pi)), add(x, multiply(0.044715, multiply(x, square(x))))
        )
        return multiply(multiply(0.5, x), add(1.0, tanh(inner)))
    return multiply(multiply(0.5, x), add(1.0, erf(multiply(x, float(1 / np.sqrt(2))))))


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: `max(x, 0) + alpha * min(0, exp(x / alpha) - 1)`.

    Args:
        x: The input tensor.
        alpha: The scale of the negative part. Defaults to `1.0`.

    Returns:
        A tensor.
    """
    x = _f(x)
    return add(relu(x), multiply(alpha, expm1(divide(minimum(x, 0.0), alpha))))


def glu(x, axis=-1):
    """Gated linear unit: splits `x` in two halves `a`, `b` along `axis` and returns `a
    * sigmoid(b)`.

    Args:
        x: The input tensor.
        axis: The axis along which it is computed. Defaults to `-1`.

    Returns:
        A tensor.
    """
    from ._shape import split

    x = _f(x)
    d = shape_of(x)[one_axis(axis, len(shape_of(x)))]
    if d is not None and d % 2:
        raise ValueError(
            f"axis size must be divisible by 2. Received: x.shape={shape_of(x)} with axis={axis}"
        )
    a, b = split(x, 2, axis=axis)
    return multiply(a, sigmoid(b))


def mish(x):
    """Mish: `x * tanh(softplus(x))`.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    x = _f(x)
    return multiply(x, tanh(softplus(x)))


def _along(fn, x, axis):
    """softmax/log_softmax over axis None (all) or a tuple of axes, via a flat axis."""
    n = len(shape_of(x))
    axes = norm_axes(axis, n)
    if len(axes) == 1:
        return apply(fn, [x], axis=axes[0])
    if fn == "softmax":
        return exp(subtract(x, logsumexp(x, axis=axes, keepdims=True)))
    return subtract(x, logsumexp(x, axis=axes, keepdims=True))


def softmax(x, axis=-1):
    """Softmax: `exp(x) / sum(exp(x))` along `axis`.

    Args:
        x: The input tensor.
        axis: The axis along which it is computed. Defaults to `-1`.

    Returns:
        A tensor.
    """
    x = _f(x)
    if len(shape_of(x)) == 0:
        return exp(subtract(x, x))
    return _along("softmax", x, axis)


def log_softmax(x, axis=-1):
    """Log-softmax: `x - logsumexp(x)` along `axis`, computed stably.

    Args:
        x: The input tensor.
        axis: The axis along which it is computed. Defaults to `-1`.

    Returns:
        A tensor.
    """
    x = _f(x)
    return _along("log_softmax", x, axis)


# ---- crossentropies -------------------------------------------------------------------------
def _logits_behind(output, op):
    """The input of the `op` node (sigmoid/softmax) that made `output`, when traced:
    Keras computes the loss from those logits (stable, no clipping)."""
    if is_symbolic(output) and output.node.op == op:
        return output.node.inputs[0]
    return None


def binary_crossentropy(target, output, from_logits=False):
    """The binary cross-entropy of each element.

    Args:
        target: The targets.
        output: The predictions.
        from_logits: Whether `output` holds logits rather than probabilities. Defaults
            to `False`.

    Returns:
        A tensor.
    """
    target, output = _f(target), _f(output)
    ts, os_ = shape_of(target), shape_of(output)
    if len(ts) != len(os_) or any(
        a is not None and b is not None and a != b for a, b in zip(ts, os_)
    ):
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={ts}, output.shape={os_}"
        )
    logits = _logits_behind(output, "sigmoid")
    if logits is not None:
        from_logits, output = True, logits
    if from_logits:
        # max(x, 0) - x z + log(1 + e^-|x|), TF's sigmoid_cross_entropy_with_logits
        x = output
        return add(subtract(relu(x), multiply(x, target)), log1p(exp(negative(abs(x)))))
    o = minimum(maximum(output, EPSILON), 1.0 - EPSILON)
    return negative(
        add(multiply(target, log(o)), multiply(subtract(1.0, target), log(subtract(1.0, o))))
    )


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """The categorical cross-entropy of each sample, one-hot targets.

    Args:
        target: The targets.
        output: The predictions.
        from_logits: Whether `output` holds logits rather than probabilities. Defaults
            to `False`.
        axis: The class axis. Defaults to `-1`.

    Returns:
        A tensor.
    """
    target, output = _f(target), _f(output)
    ts, os_ = shape_of(target), shape_of(output)
    if len(ts) != len(os_) or any(
        a is not None and b is not None and a != b for a, b in zip(ts, os_)
    ):
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={ts}, output.shape={os_}"
        )
    if len(ts) < 1:
        raise ValueError(
            f"Arguments `target` and `output` must be at least rank 1. "
            f"Received: target.shape={ts}, output.shape={os_}"
        )
    a = one_axis(axis, len(os_))
    logits = _logits_behind(output, "softmax")
    if logits is not None and output.node.attrs.get("axis") == a:
        from_logits, output = True, logits
    if from_logits:
        return apply("softmax_cross_entropy", [output, target], axis=a)
    o = divide(output, _sum(output, axis=a, keepdims=True))
    o = minimum(maximum(o, EPSILON), 1.0 - EPSILON)
    return negative(_sum(multiply(target, log(o)), axis=a))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """The categorical cross-entropy of each sample, integer targets.

    Args:
        target: The targets.
        output: The predictions.
        from_logits: Whether `output` holds logits rather than probabilities. Defaults
            to `False`.
        axis: The class axis. Defaults to `-1`.

    Returns:
        A tensor.
    """
    from ._shape import squeeze

    output = _f(output)
    os_ = shape_of(output)
    if axis != -1 and axis != len(os_) - 1:
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    if len(os_) < 1:
        raise ValueError(f"Argument `output` must be at least rank 1. Received: output.shape={os_}")
    if np.dtype(dtype_of(target)).kind not in "iu":
        target = apply("cast", [target], dtype="int32")
    ts = shape_of(target)
    if len(ts) == len(os_) and ts[-1] == 1:
        target = squeeze(target, -1)
        ts = ts[:-1]
    if len(ts) != len(os_) - 1 or any(
        a is not None and b is not None and a != b for a, b in zip(ts, os_[:-1])
    ):
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until"
            f" the last dimension: target.shape={ts}, output.shape={os_}"
        )
    logits = _logits_behind(output, "softmax")
    if logits is not None and output.node.attrs.get("axis") == len(os_) - 1:
        from_logits, output = True, logits
    if not from_logits:
        # TF feeds log(clipped probabilities) to the logits kernel, which renormalises
        output = log(minimum(maximum(output, EPSILON), 1.0 - EPSILON))
    return apply("sparse_softmax_cross_entropy", [output, target])


# ---- encodings -------------------------------------------------------------------------------
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encodes integer ids: a new axis of size `num_classes`.

    Args:
        x: Integer ids.
        num_classes: The number of classes.
        axis: The class axis. Defaults to `-1`.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.
        sparse: Only `False` is supported (kerasette has no sparse tensors).

    Returns:
        A tensor.
    """
    if sparse:
        raise ValueError("sparse one_hot is not supported")
    if np.dtype(dtype_of(x)).kind not in "iu":
        x = apply("cast", [x], dtype="int32")
    return apply(
        "one_hot",
        [x],
        num_classes=int(num_classes),
        axis=int(axis),
        dtype=standardize_dtype(dtype) or "float32",
    )


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encodes each sample's integer ids: one vector of size `num_classes` per
    sample.

    Args:
        inputs: Integer ids, `(batch, ids)`.
        num_classes: The number of classes. Defaults to `None`.
        axis: The class axis. Defaults to `-1`.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.
        sparse: Only `False` is supported (kerasette has no sparse tensors).
        **kwargs: Accepted for Keras compatibility.

    Returns:
        A tensor.
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("multi_hot needs num_classes")
    from ._reduce import any as _any

    dtype = standardize_dtype(dtype) or "float32"
    reduction_axis = 1 if len(shape_of(inputs)) > 1 else 0
    if dtype == "bool":
        return _any(one_hot(inputs, num_classes, axis=axis, dtype="bool"), axis=reduction_axis)
    return _max(one_hot(inputs, num_classes, axis=axis, dtype=dtype), axis=reduction_axis)


# ---- normalisation -------------------------------------------------------------------------
def moments(x, axes, keepdims=False, synchronized=False):
    """The mean and variance of `x` over `axes`.

    Args:
        x: The input tensor.
        axes: The axes to compute the statistics over.
        keepdims: Whether to keep the reduced axes, with size 1. Defaults to `False`.
        synchronized: Accepted for Keras compatibility (statistics are per process).
            Defaults to `False`.

    Returns:
        A tuple `(mean, variance)`.
    """
    x = _f(x)
    m = mean(x, axis=axes, keepdims=True)
    v = mean(square(subtract(x, m)), axis=axes, keepdims=keepdims)
    if not keepdims:
        from ._shape import squeeze

        m = squeeze(m, axis=norm_axes(axes, len(shape_of(x))))
    return m, v


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """Normalizes with the given statistics: `(x - mean) / sqrt(variance + epsilon) *
    scale + offset`.

    Args:
        x: The input tensor.
        mean: The mean.
        variance: The variance.
        axis: The features axis.
        offset: The offset (`beta`), or `None`. Defaults to `None`.
        scale: The scale (`gamma`), or `None`. Defaults to `None`.
        epsilon: A small constant added to the variance (or norm); `None` means a small
            default. Defaults to `0.001`.

    Returns:
        A tensor.
    """
    from ._shape import reshape

    n = len(shape_of(x))
    a = one_axis(axis, n)

    def bc(v):
        if v is None or len(shape_of(v)) != 1 or a == n - 1:
            return v
        return reshape(v, tuple(-1 if i == a else 1 for i in range(n)))

    inv = rsqrt(add(bc(variance), epsilon))
    if scale is not None:
        inv = multiply(inv, bc(scale))
    shift = negative(multiply(bc(mean), inv))
    if offset is not None:
        shift = add(shift, bc(offset))
    return add(multiply(x, inv), shift)


def normalize(x, axis=-1, order=2, epsilon=None):
    """`x` divided by its norm along `axis` (of the given order).

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `-1`.
        order: The order of the norm. Defaults to `2`.
        epsilon: A small constant added to the variance (or norm); `None` means a small
            default. Defaults to `None`.

    Returns:
        A tensor.
    """
    from ._linalg import norm

    if not isinstance(order, int) or not order >= 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    x = _f(x)
    if len(shape_of(x)) == 0:
        from ._shape import expand_dims

        x = expand_dims(x, 0)
    eps = EPSILON if epsilon is None else epsilon
    if order == 2:
        inv = minimum(rsqrt(_sum(square(x), axis=axis, keepdims=True)), 1.0 / eps)
        return multiply(x, inv)
    return divide(x, maximum(norm(x, ord=order, axis=axis, keepdims=True), eps))


def _norm_cast(x):
    d = dtype_of(x)
    return d, (x if d in ("float32", "float64") else apply("cast", [x], dtype="float32"))


def _bc_param(v, axes, n, shape):
    from ._shape import reshape

    if v is None or len(shape_of(v)) == n or list(axes) == [n - 1]:
        return v
    return reshape(v, tuple(shape[i] if i in axes else 1 for i in range(n)))


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Layer normalization: normalizes `x` over `axis` to zero mean and unit variance,
    then scales and offsets.

    Args:
        x: The input tensor.
        gamma: The scale, or `None`. Defaults to `None`.
        beta: The offset, or `None`. Defaults to `None`.
        axis: The axis (or axes) to normalize over. Defaults to `-1`.
        epsilon: A small constant added to the variance (or norm); `None` means a small
            default. Defaults to `None`.
        **kwargs: Accepted for Keras compatibility.

    Returns:
        A tensor.
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    eps = EPSILON if epsilon is None else epsilon
    orig, x = _norm_cast(x)
    n = len(shape_of(x))
    axes = norm_axes(axis, n)
    gamma = _bc_param(gamma, axes, n, shape_of(x))
    beta = _bc_param(beta, axes, n, shape_of(x))
    if rms_scaling:
        out = multiply(x, rsqrt(add(var(x, axis=axes, keepdims=True), eps)))
        if gamma is not None:
            out = multiply(out, gamma)
    else:
        m, v = moments(x, axes, keepdims=True)
        inv = rsqrt(add(v, eps))
        if gamma is not None:
            inv = multiply(inv, gamma)
        res = negative(multiply(m, inv))
        if beta is not None:
            res = add(res, beta)
        out = add(multiply(x, inv), res)
    return out if dtype_of(out) == orig else apply("cast", [out], dtype=orig)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """RMS normalization: `x / sqrt(mean(x**2) + epsilon) * scale` over `axis`.

    Args:
        x: The input tensor.
        scale: The scale (`gamma`), or `None`. Defaults to `None`.
        axis: The axis (or axes) to normalize over. Defaults to `-1`.
        epsilon: A small constant added to the variance (or norm); `None` means a small
            default. Defaults to `None`.

    Returns:
        A tensor.
    """
    eps = EPSILON if epsilon is None else epsilon
    orig, x = _norm_cast(x)
    out = multiply(x, rsqrt(add(mean(square(x), axis=axis, keepdims=True), eps)))
    if scale is not None:
        out = multiply(out, scale)
    return out if dtype_of(out) == orig else apply("cast", [out], dtype=orig)


def psnr(x1, x2, max_val):
    """The peak signal-to-noise ratio between two signals, in decibels.

    Args:
        x1: The first input tensor.
        x2: The second input tensor.
        max_val: The largest possible value of the signal.

    Returns:
        A tensor.
    """
    x1, x2 = _f(x1), _f(x2)
    mse = mean(square(subtract(x1, x2)))
    ln10 = float(np.log(10.0))
    return subtract(
        multiply(20.0 / ln10, log(max_val if hasattr(max_val, "shape") else float(max_val))),
        multiply(10.0 / ln10, log(mse)),
    )


def dot_product_attention(
    query, key, value, bias=None, mask=None, scale=None, is_causal=False, **kwargs
):
    """Inputs (batch, seq, heads, head_dim), as Keras; softmax(q k^T * scale + bias)."""
    from ._linalg import einsum

    query, key, value = _f(query), _f(key), _f(value)
    h = shape_of(query)[-1]
    scale = 1.0 / float(np.sqrt(h)) if scale is None else float(scale)
    logits = multiply(einsum("BTNH,BSNH->BNTS", query, key), scale)
    if bias is not None:
        logits = add(logits, bias)
    big_neg = float(np.finfo(dtype_of(logits)).max) * -0.7
    if mask is not None:
        logits = where(mask, logits, big_neg)
    if is_causal:
        t, s = shape_of(logits)[-2:]
        logits = where(np.tri(t, s, dtype=bool), logits, big_neg)
    probs = softmax(logits, axis=-1)
    return einsum("BNTS,BSNH->BTNH", probs, value)


del equal
