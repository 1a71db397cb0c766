"""`keras.random`-style draws on the counter-based generator (graph/prims/random.py).

seed: an int (the same numbers every call, as Keras's int seeds), None (a process-wide
stream: each call draws new numbers), or a (seed, counter) pair whose counter may be a
tensor, so a traced step can feed a step count and draw a new mask each step."""

import itertools

import numpy as np

from ..graph.trace import apply
from ._convert import shape_of, standardize_dtype

__all__ = ["uniform", "normal", "dropout", "random_uniform", "random_normal"]

_global_counter = itertools.count(1)
_GLOBAL_SEED = 1337


def _seed_counter(seed):
    if seed is None:
        return _GLOBAL_SEED, np.asarray(next(_global_counter), dtype=np.int64)
    if isinstance(seed, (tuple, list)) and len(seed) == 2:
        s, c = seed
        if isinstance(c, int):
            c = np.asarray(c, dtype=np.int64)
        return int(s), c
    if isinstance(seed, (int, np.integer)):
        return int(seed), np.asarray(0, dtype=np.int64)
    raise ValueError(f"seed must be an int, None or a (seed, counter) pair, got {seed!r}")


def _shape(shape):
    return (int(shape),) if np.ndim(shape) == 0 else tuple(int(d) for d in shape)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    s, c = _seed_counter(seed)
    return apply(
        "random_uniform",
        [c],
        shape=_shape(shape),
        dtype=standardize_dtype(dtype) or "float32",
        seed=s,
        minval=float(minval),
        maxval=float(maxval),
    )


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    s, c = _seed_counter(seed)
    return apply(
        "random_normal",
        [c],
        shape=_shape(shape),
        dtype=standardize_dtype(dtype) or "float32",
        seed=s,
        mean=float(mean),
        stddev=float(stddev),
    )


random_uniform = uniform
random_normal = normal


def dropout(inputs, rate, noise_shape=None, seed=None):
    """inputs / (1 - rate) where a uniform draw is >= rate, else 0 (Keras's rule)."""
    s, c = _seed_counter(seed)
    if noise_shape is None or tuple(noise_shape) == tuple(shape_of(inputs)):
        return apply("dropout", [inputs, c], rate=float(rate), seed=s)
    from ._math import divide, greater_equal, multiply, where

    ns = tuple(d if n is None else n for n, d in zip(noise_shape, shape_of(inputs)))
    if any(d is None for d in ns):
        # a size unknown while tracing (the batch): the draw takes it from `inputs`
        u = apply("random_uniform", [c, inputs], shape=ns, dtype="float32", seed=s)
    else:
        u = uniform(ns, seed=(s, c))
    keep = greater_equal(u, float(rate))
    return where(keep, divide(inputs, 1.0 - float(rate)), multiply(inputs, 0))
