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

The numpy evals here are the C++ kernels' numbers bit for bit (_rng.py transcribes
kerasette/random.h, kernels/cpu/random.cc and program.cc's keys): the lowering makes
`seed` the instruction's stream and `counter` its seed state, so
    key     = counter_key(counter)            (the counter read as a float32)
    bits[i] = rng_mix(key, seed mod 2^62, i)  (i: row-major flat index)
    u[i]    = (bits[i] >> 40) * 2^-24         (float32 in [0, 1))
    dropout keeps u >= rate; normal is Box-Muller in float64 over pairs of counters.
float32 draws are exact; float64 ones take the same u (or z) without float32 rounding.
"""

import numpy as np

from ..registry import register
from . import _rng


def _key_stream(seed, counter):
    return _rng.counter_key(counter), _rng.stream_of(seed)


def uniform01(seed, counter, shape):
    """float32 u in [0, 1) of shape `shape` for (seed, counter), as the kernels draw."""
    n = int(np.prod(shape, dtype=np.int64))
    return _rng.uniform01(*_key_stream(seed, counter), n).reshape(shape)


def normal(seed, counter, shape, mean=0.0, stddev=1.0, dtype="float32"):
    """mean + stddev * z of shape `shape` for (seed, counter), as random_normal draws."""
    n = int(np.prod(shape, dtype=np.int64))
    key, stream = _key_stream(seed, counter)
    if np.dtype(dtype) == np.float64:
        return _rng.normal64(key, stream, n, mean, stddev)[0].reshape(shape)
    return _rng.normal(key, stream, n, mean, stddev).reshape(shape).astype(dtype)


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
    shape = _check_shape(_resolve(shape, like))
    if np.dtype(dtype) == np.float64:
        u = uniform01(seed, _counter(counter), shape).astype(np.float64)
        return minval + (maxval - minval) * u
    n = int(np.prod(shape, dtype=np.int64))
    key, stream = _key_stream(seed, _counter(counter))
    return _rng.uniform(key, stream, n, minval, maxval).reshape(shape).astype(dtype)


def _normal_eval(counter, like=None, *, shape, dtype, seed, mean=0.0, stddev=1.0):
    shape = _check_shape(_resolve(shape, like))
    return normal(seed, _counter(counter), shape, mean, stddev, dtype)


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
    key, stream = _key_stream(seed, _counter(counter))
    m = _rng.dropout_mask(key, stream, x.size, rate).reshape(x.shape).astype(x.dtype)
    # a dropped inf or NaN gives +0, as in Keras and the C++ kernel (x * 0 would be NaN)
    with np.errstate(invalid="ignore"):
        return np.where(m != 0, x * m, np.zeros((), x.dtype))


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
