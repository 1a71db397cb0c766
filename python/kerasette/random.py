"""`keras.random`: random draws and `SeedGenerator`, on the counter-based generator of
graph/prims/random.py (every value is a function of (seed, counter, index)).

`seed` is, as in Keras: an int (the same numbers on every call), `None` (a process-wide
`SeedGenerator`: new numbers on every call, in eager code and in compiled steps alike),
or a `SeedGenerator` (its own stream, advanced by each draw). The numbers are not
Keras's (a different generator); their distributions are.

`uniform`, `normal`, `truncated_normal`, `randint`, `categorical` and `dropout` are ops:
they run eagerly and inside traced layers and compiled steps. `shuffle`, `gamma`,
`beta` and `binomial` draw eagerly only (NumPy, seeded from the same (seed, counter)).
"""

import numpy as np

from . import ops
from .ops import random as _ops_random
from .variables import Variable

__all__ = [
    "SeedGenerator",
    "beta",
    "binomial",
    "categorical",
    "dropout",
    "gamma",
    "normal",
    "randint",
    "shuffle",
    "truncated_normal",
    "uniform",
]

_generator_uid = [0]


class SeedGenerator:
    """A random stream's state: a seed and a counter each draw advances.

    Pass it as `seed=` to the `keras.random` functions in a layer's `call`, so that
    each call (and each training step) draws new numbers.

    Args:
        seed: The initial seed (an int), or `None` for one drawn from the global
            generator (which `keras.utils.set_random_seed` seeds). Defaults to `None`.
        name: The generator's name. Defaults to `"seed_generator"` (numbered).
        **kwargs: `backend` and `dtype` are accepted and ignored.

    Limitations:
        The state is one float32 counter (exact up to 2**24 draws), not Keras's
        `(seed, counter)` int64 pair, and layers do not list it in `variables`.
    """

    def __init__(self, seed=None, name=None, **kwargs):
        unknown = set(kwargs) - {"backend", "dtype"}
        if unknown:
            raise ValueError(f"Unrecognized keyword arguments: {sorted(unknown)}")
        if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool)):
            raise ValueError(f"Argument `seed` must be an integer or None. Received: seed={seed!r}")
        if name is None:
            n = _generator_uid[0]
            _generator_uid[0] += 1
            name = "seed_generator" if n == 0 else f"seed_generator_{n}"
        if seed is None:
            from .utils import random as ks_random

            seed = ks_random.next_seed()
        self.name = name
        self._initial_seed = int(seed)
        self.state = Variable(
            0,
            shape=(),
            dtype="float32",
            trainable=False,
            name="seed_generator_state",
            path=f"{name}/seed_generator_state",
        )

    def next(self, ordered=True):
        """The (seed, counter) pair of the next draw; advances the counter.

        Args:
            ordered: Accepted for Keras compatibility (draws are always ordered).

        Returns:
            A `(seed, counter)` pair for the `kerasette.ops.random` functions.
        """
        counter = ops.cast(self.state, "int32")
        self.state.assign(ops.add(self.state, 1.0))
        return self._initial_seed, counter

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<SeedGenerator name={self.name}, seed={self._initial_seed}>"


_global = {}


def global_seed_generator():
    """The stream `seed=None` draws from (made on first use)."""
    gen = _global.get("generator")
    if gen is None:
        gen = _global["generator"] = SeedGenerator(name="global_seed_generator")
    return gen


def _draw_seed(seed):
    """Keras's `draw_seed`: an int stays fixed, `None` and a SeedGenerator advance."""
    if seed is None:
        return global_seed_generator().next()
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return int(seed), np.asarray(0, dtype=np.int64)
    raise ValueError(
        "Argument `seed` must be either an integer or an instance of "
        f"`SeedGenerator`. Received: seed={seed} (of type {type(seed)})"
    )


def _sub_seed(pair, k):
    """A second independent stream from the same draw (k-th)."""
    s, c = pair
    return (s + 0x632BE59BD9B4E019 * k) & 0x7FFFFFFFFFFFFFFF, c


def _float_dtype(dtype):
    return dtype or "float32"


def _shape(shape):
    """A shape tuple; inside a traced call a `None` (ops.shape's unknown batch) stays."""
    if np.ndim(shape) == 0 and shape is not None:
        return (int(shape),)
    return tuple(None if d is None else int(d) for d in shape)


def _draw(op, shape, pair, dtype, **params):
    from .graph.trace import apply

    shape = _shape(shape)
    seed, counter = pair
    from .ops._unknown_sizes import reference_for

    like = reference_for(shape)  # sizes left unknown (the batch) come from it at run time
    inputs = [counter] if like is None else [counter, like]
    return apply(
        op,
        inputs,
        shape=shape,
        dtype=dtype,
        seed=int(seed),
        **{k: float(v) for k, v in params.items()},
    )


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform draws in `[minval, maxval)`."""
    return _draw(
        "random_uniform", shape, _draw_seed(seed), _float_dtype(dtype), minval=minval, maxval=maxval
    )


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal draws with the given mean and standard deviation."""
    return _draw(
        "random_normal", shape, _draw_seed(seed), _float_dtype(dtype), mean=mean, stddev=stddev
    )


_TRUNC_ROUNDS = 6  # all six draws outside 2 std: probability 0.0455**6 < 1e-8


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal draws kept within two standard deviations of the mean (values outside
    are drawn again, as Keras's)."""
    pair = _draw_seed(seed)
    z = _draw("random_normal", shape, pair, "float32")
    for k in range(1, _TRUNC_ROUNDS):
        again = _draw("random_normal", shape, _sub_seed(pair, k), "float32")
        z = ops.where(ops.less_equal(ops.abs(z), 2.0), z, again)
    z = ops.clip(z, -2.0, 2.0)
    return ops.cast(ops.add(ops.multiply(z, float(stddev)), float(mean)), _float_dtype(dtype))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from `[minval, maxval)`."""
    if int(maxval) <= int(minval):
        raise ValueError(f"randint needs maxval > minval, got minval={minval}, maxval={maxval}")
    u = _draw("random_uniform", shape, _draw_seed(seed), "float32", minval=minval, maxval=maxval)
    return ops.cast(ops.clip(ops.floor(u), float(minval), float(maxval) - 1.0), dtype)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Class indices drawn from the categorical distribution of each row of `logits`
    (shape `(batch, num_classes)`); returns `(batch, num_samples)`."""
    shape = tuple(ops.shape(logits))
    if len(shape) != 2:
        raise ValueError(
            "`logits` should be a 2-D tensor with shape "
            f"[batch_size, num_classes]. Received: logits.shape={shape}"
        )
    if shape[1] is None:
        raise ValueError(f"categorical needs the number of classes known, got {shape}")
    num_samples = int(num_samples)
    # Gumbel-max: argmax(logits + Gumbel noise) is a draw from softmax(logits).
    u = _draw(
        "random_uniform",
        (shape[0], num_samples, shape[1]),
        _draw_seed(seed),
        "float32",
        minval=1e-20,
        maxval=1.0,
    )
    gumbel = ops.negative(ops.log(ops.negative(ops.log(u))))
    scores = ops.add(ops.expand_dims(ops.cast(logits, "float32"), 1), gumbel)
    return ops.cast(ops.argmax(scores, axis=-1), dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes a `rate` fraction of `inputs` and scales the rest by `1 / (1 - rate)`."""
    if not 0 <= float(rate) < 1:
        raise ValueError(
            f"Invalid value received for argument `rate`. Expected a float "
            f"value between 0 and 1. Received: rate={rate}"
        )
    return _ops_random.dropout(inputs, rate, noise_shape=noise_shape, seed=_draw_seed(seed))


# ---- eager-only draws (NumPy, from the same seed stream) ----------------------------
def _numpy_generator(seed, what):
    from .graph.trace import current_graph

    if current_graph() is not None:
        raise NotImplementedError(
            f"keras.random.{what} runs eagerly only in kerasette "
            "(not inside a traced layer or compiled step)"
        )
    s, c = _draw_seed(seed)
    return np.random.default_rng([int(s) & 0xFFFFFFFF, int(s) >> 32, int(np.asarray(c))])


def shuffle(x, axis=0, seed=None):
    """`x` with its slices along `axis` in a random order."""
    from .tensor import Tensor

    a = np.asarray(x)
    perm = _numpy_generator(seed, "shuffle").permutation(a.shape[axis])
    return Tensor(np.take(a, perm, axis=axis))


def gamma(shape, alpha, dtype=None, seed=None):
    """Gamma draws with shape parameter `alpha` (scale 1)."""
    from .tensor import Tensor

    g = _numpy_generator(seed, "gamma").gamma(alpha, 1.0, size=tuple(shape))
    return Tensor(g.astype(_float_dtype(dtype)))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Beta draws with parameters `alpha` and `beta`."""
    from .tensor import Tensor

    b = _numpy_generator(seed, "beta").beta(np.asarray(alpha), np.asarray(beta), size=tuple(shape))
    return Tensor(b.astype(_float_dtype(dtype)))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Binomial draws: successes in `counts` trials of probability `probabilities`."""
    from .tensor import Tensor

    n = _numpy_generator(seed, "binomial").binomial(
        np.asarray(counts).astype(np.int64), np.asarray(probabilities), size=tuple(shape)
    )
    return Tensor(n.astype(_float_dtype(dtype)))
