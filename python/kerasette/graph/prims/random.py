"""Random draws from a counter-based generator: every value is a pure function of
(seed, counter, element index), so a compiled program, the interpreter and a rerun all
draw the same numbers, and a step counter fed as an input gives each step a new stream.

kernel "random" for all three; input 0 (for dropout, input 1) is `counter`, an integer
scalar tensor; attribute `seed` is a Python int.
    random_uniform(counter; shape, dtype, seed, minval, maxval)
    random_normal(counter; shape, dtype, seed, mean, stddev)
    dropout(x, counter; rate, seed): x / (1 - rate) where u >= rate, else 0 (TF's rule)
random_uniform / random_normal take an optional second input `like`: a `None` in
`shape` is `like`'s size on that axis (a draw sized by the batch of a traced step).

The generator, exactly (all arithmetic in uint64, wrapping):
    mix(z)  = z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27;
              z *= 0x94D049BB133111EB; z ^= z >> 31          (splitmix64's finaliser)
    key     = mix(seed ^ mix(counter + 0x9E3779B97F4A7C15))
    bits[i] = mix(key + (i + 1) * 0x9E3779B97F4A7C15)          (i: row-major flat index)
    u[i]    = (bits[i] >> 40) * 2^-24                          (float32 in [0, 1))
    normal: u1 = ((bits >> 40) + 1) * 2^-24 in (0, 1], u2 = ((bits >> 16) & 0xFFFFFF) * 2^-24,
            z = sqrt(-2 log u1) * cos(2 pi u2)                 (Box-Muller, float32)
"""

import numpy as np

from ..registry import register

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(z):
    z = np.asarray(z, dtype=np.uint64).copy()
    with np.errstate(over="ignore"):
        z ^= z >> np.uint64(30)
        z *= _M1
        z ^= z >> np.uint64(27)
        z *= _M2
        z ^= z >> np.uint64(31)
    return z


def random_bits(seed, counter, n):
    """n uint64 words for (seed, counter)."""
    with np.errstate(over="ignore"):
        c = np.array([int(counter) & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)
        key = _mix(np.array([int(seed) & 0xFFFFFFFFFFFFFFFF], np.uint64) ^ _mix(c + _GOLDEN))
        i = np.arange(1, n + 1, dtype=np.uint64)
        return _mix(key + i * _GOLDEN)


def uniform01(seed, counter, shape):
    n = int(np.prod(shape, dtype=np.int64))
    b = random_bits(seed, counter, n) >> np.uint64(40)
    return (b.astype(np.float32) * np.float32(2.0**-24)).reshape(shape)


def standard_normal(seed, counter, shape):
    n = int(np.prod(shape, dtype=np.int64))
    b = random_bits(seed, counter, n)
    u1 = ((b >> np.uint64(40)) + np.uint64(1)).astype(np.float32) * np.float32(2.0**-24)
    u2 = ((b >> np.uint64(16)) & np.uint64(0xFFFFFF)).astype(np.float32) * np.float32(2.0**-24)
    z = np.sqrt(np.float32(-2.0) * np.log(u1)) * np.cos(np.float32(2 * np.pi) * u2)
    return z.astype(np.float32).reshape(shape)


def _counter(c):
    c = np.asarray(c)
    if c.shape != () or c.dtype.kind not in "iu":
        raise ValueError(
            f"a random op's counter must be an integer scalar, got {c.dtype} {c.shape}"
        )
    return int(c)


def _check_shape(shape):
    if any(d is None for d in shape):
        raise ValueError(f"a random draw needs a known shape, got {shape}")
    return tuple(int(d) for d in shape)


def _resolve(shape, like):
    """shape with each None taken from `like`'s shape on the same axis."""
    if like is None:
        return tuple(shape)
    ref = tuple(like.shape)
    if any(d is None and i >= len(ref) for i, d in enumerate(shape)):
        raise ValueError(
            f"a random draw of shape {shape} cannot take its unknown sizes "
            f"from a tensor of shape {ref}"
        )
    return tuple(ref[i] if d is None else d for i, d in enumerate(shape))


def _draw_infer(counter, like=None, *, shape, dtype, seed, **params):
    if like is None:
        return _check_shape(shape), str(np.dtype(dtype))
    # sizes still unknown here become concrete when the function is specialized
    return _resolve(shape, like), str(np.dtype(dtype))


def _uniform_eval(counter, like=None, *, shape, dtype, seed, minval=0.0, maxval=1.0):
    u = uniform01(seed, _counter(counter), _check_shape(_resolve(shape, like)))
    out = minval + (maxval - minval) * u.astype(np.float64 if dtype == "float64" else np.float32)
    return out.astype(dtype)


def _normal_eval(counter, like=None, *, shape, dtype, seed, mean=0.0, stddev=1.0):
    z = standard_normal(seed, _counter(counter), _check_shape(_resolve(shape, like)))
    return (mean + stddev * z).astype(dtype)


def _draw_grad(node, g):
    # a draw depends on `like` through its shape only: no gradient flows back
    return [None] * len(node.inputs)


register(
    "random_uniform",
    infer=_draw_infer,
    eval=_uniform_eval,
    grad=_draw_grad,
    kernel="random",
    random=True,
)
register(
    "random_normal",
    infer=_draw_infer,
    eval=_normal_eval,
    grad=_draw_grad,
    kernel="random",
    random=True,
)


def _dropout_eval(x, counter, rate, seed):
    if rate <= 0.0:
        return x.copy()
    keep = uniform01(seed, _counter(counter), x.shape) >= np.float32(rate)
    scale = np.asarray(1.0 / (1.0 - rate), dtype=x.dtype)
    return np.where(keep, x * scale, np.zeros((), x.dtype)).astype(x.dtype)


def _dropout_grad(node, g):
    # The same (seed, counter) over the same shape draws the same mask.
    from ...ops import _prim

    return [_prim.dropout(g, node.inputs[1], node.attrs["rate"], node.attrs["seed"]), None]


def _dropout_infer(x, counter, rate, seed):
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
    return tuple(x.shape), str(np.dtype(x.dtype))


register(
    "dropout",
    infer=_dropout_infer,
    eval=_dropout_eval,
    grad=_dropout_grad,
    kernel="random",
    random=True,
)
