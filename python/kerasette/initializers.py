"""Weight initializers with Keras 3's exact formulas, drawing from kerasette's RNG.

An unseeded initializer draws from the shared generator that
`utils.set_random_seed` resets; a seeded one (`seed=int`) gives the same values on
every call, as Keras's does.
"""

import math

import numpy as np

from .utils import random as _random
from .utils.object_config import make_getter

# Keras's truncated normal keeps draws within 2 stddev; its variance is then
# 0.87962566103423978**2 of the untruncated one, which VarianceScaling corrects for.
_TRUNC_STD_CORRECTION = 0.87962566103423978


def compute_fans(shape, input_axes=None, output_axes=None):
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (
            int(math.prod(shape[a] for a in input_axes)),
            int(math.prod(shape[a] for a in output_axes)),
        )
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """The base class of initializers: `initializer(shape, dtype)` returns an array.

    A subclass implements `__call__` (and `get_config` when it takes arguments).
    """

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        """The initializer's config: the constructor arguments that recreate it.

        Returns:
            A JSON-serializable dict that `from_config` reads.
        """
        return {}

    @classmethod
    def from_config(cls, config):
        """Creates an initializer from its config.

        Args:
            config: A dict as `get_config` returns.

        Returns:
            A new initializer.
        """
        return cls(**config)

    def clone(self):
        """A new initializer of the same class and config."""
        return self.__class__.from_config(self.get_config())


class RandomInitializer(Initializer):
    """The base class of the random initializers.

    Args:
        seed: An int makes the values reproducible (the same seed gives the same
            values on each call); `None` draws from the global generator
            (`kerasette.utils.set_random_seed`). Defaults to `None`.

    Raises:
        ValueError: If `seed` is not an int or `None`.
    """

    def __init__(self, seed=None):
        if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool)):
            raise ValueError(f"`seed` argument should be an int or None. Received: seed={seed!r}")
        self.seed = seed

    def _generator(self):
        if self.seed is not None:
            return np.random.default_rng(int(self.seed))
        return _random.global_generator()

    def get_config(self):
        return {"seed": self.seed}


def _truncated_normal(gen, shape, mean, stddev):
    """Normal draws with anything beyond 2 stddev re-drawn (TensorFlow's definition)."""
    out = gen.standard_normal(shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = gen.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2.0
    return out * stddev + mean


def _cast(x, dtype):
    return np.asarray(x, dtype=np.dtype(dtype or "float32"))


class Zeros(Initializer):
    """Initializes to 0."""

    def __call__(self, shape, dtype=None):
        return np.zeros(shape, dtype=np.dtype(dtype or "float32"))


class Ones(Initializer):
    """Initializes to 1."""

    def __call__(self, shape, dtype=None):
        return np.ones(shape, dtype=np.dtype(dtype or "float32"))


class Constant(Initializer):
    """Initializes every value to a constant.

    Args:
        value: The constant. Defaults to `0.0`.
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value, dtype=np.dtype(dtype or "float32"))

    def get_config(self):
        return {"value": self.value}


class Identity(Initializer):
    """Initializes a 2-D weight to the identity matrix (times `gain`).

    Args:
        gain: The multiplier of the identity. Defaults to `1.0`.
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return _cast(self.gain * np.eye(*shape), dtype)


class RandomNormal(RandomInitializer):
    """Draws from a normal distribution.

    Args:
        mean: The mean. Defaults to `0.0`.
        stddev: The standard deviation. Defaults to `0.05`.
        seed: An int for reproducible values, or `None`. Defaults to `None`.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return _cast(self._generator().normal(self.mean, self.stddev, shape), dtype)

    def get_config(self):
        return {"seed": self.seed, "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomNormal):
    """Draws from a normal distribution, redrawing values more than two standard
    deviations from the mean.

    Args:
        mean: The mean. Defaults to `0.0`.
        stddev: The standard deviation before truncation. Defaults to `0.05`.
        seed: An int for reproducible values, or `None`. Defaults to `None`.
    """

    def __call__(self, shape, dtype=None):
        return _cast(_truncated_normal(self._generator(), shape, self.mean, self.stddev), dtype)


class RandomUniform(RandomInitializer):
    """Draws from a uniform distribution over `[minval, maxval)`.

    Args:
        minval: The lower bound. Defaults to `-0.05`.
        maxval: The upper bound. Defaults to `0.05`.
        seed: An int for reproducible values, or `None`. Defaults to `None`.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return _cast(self._generator().uniform(self.minval, self.maxval, shape), dtype)

    def get_config(self):
        return {"seed": self.seed, "minval": self.minval, "maxval": self.maxval}


class VarianceScaling(RandomInitializer):
    """Draws values whose scale adapts to the weight's shape.

    With `n` the number of inputs (`"fan_in"`), outputs (`"fan_out"`) or their
    mean (`"fan_avg"`), the values have variance `scale / n`: drawn from a
    truncated normal (`"truncated_normal"`), a normal (`"untruncated_normal"`) or
    a uniform distribution over `[-sqrt(3 * scale / n), sqrt(3 * scale / n)]`.

    Args:
        scale: The scaling factor, positive. Defaults to `1.0`.
        mode: `"fan_in"`, `"fan_out"` or `"fan_avg"`. Defaults to `"fan_in"`.
        distribution: `"truncated_normal"` (or `"normal"`),
            `"untruncated_normal"` or `"uniform"`. Defaults to `"truncated_normal"`.
        seed: An int for reproducible values, or `None`. Defaults to `None`.
        input_axes: The axes counted as inputs. Defaults to `None` (all but the
            last).
        output_axes: The axes counted as outputs. Defaults to `None` (the last).

    Raises:
        ValueError: For a non-positive `scale`, or an unknown `mode` or
            `distribution`.
    """

    def __init__(
        self,
        scale=1.0,
        mode="fan_in",
        distribution="truncated_normal",
        seed=None,
        input_axes=None,
        output_axes=None,
    ):
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError(
                "Invalid `mode` argument: expected one of {'fan_in', 'fan_out', "
                f"'fan_avg'}}. Received: mode={mode}"
            )
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in {"uniform", "truncated_normal", "untruncated_normal"}:
            raise ValueError(
                "Invalid `distribution` argument: expected one of {'uniform', "
                "'truncated_normal', 'untruncated_normal'}. "
                f"Received: distribution={distribution}"
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes, self.output_axes = input_axes, output_axes

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        denom = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        scale = self.scale / max(1.0, denom[self.mode])
        gen = self._generator()
        if self.distribution == "truncated_normal":
            out = _truncated_normal(gen, shape, 0.0, math.sqrt(scale) / _TRUNC_STD_CORRECTION)
        elif self.distribution == "untruncated_normal":
            out = gen.normal(0.0, math.sqrt(scale), shape)
        else:
            limit = math.sqrt(3.0 * scale)
            out = gen.uniform(-limit, limit, shape)
        return _cast(out, dtype)

    def get_config(self):
        return {
            "seed": self.seed,
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


def _preset(name, scale, mode, distribution, doc):
    """A VarianceScaling with fixed scale/mode/distribution (GlorotUniform, HeNormal...)."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    doc += """

    Args:
        seed: An int for reproducible values, or `None`. Defaults to `None`.
        input_axes: The axes counted as inputs. Defaults to `None`.
        output_axes: The axes counted as outputs. Defaults to `None`.
    """
    return type(
        name,
        (VarianceScaling,),
        {"__init__": __init__, "get_config": get_config, "__module__": __name__, "__doc__": doc},
    )


GlorotUniform = _preset(
    "GlorotUniform",
    1.0,
    "fan_avg",
    "uniform",
    """Glorot (Xavier)
    uniform: uniform over `[-limit, limit]`, `limit = sqrt(6 / (fan_in + fan_out))`.""",
)
GlorotNormal = _preset(
    "GlorotNormal",
    1.0,
    "fan_avg",
    "truncated_normal",
    """Glorot (Xavier)
    normal: truncated normal of standard deviation `sqrt(2 / (fan_in + fan_out))`.""",
)
HeNormal = _preset(
    "HeNormal",
    2.0,
    "fan_in",
    "truncated_normal",
    """He normal: truncated
    normal of standard deviation `sqrt(2 / fan_in)`.""",
)
HeUniform = _preset(
    "HeUniform",
    2.0,
    "fan_in",
    "uniform",
    """He uniform: uniform over
    `[-limit, limit]`, `limit = sqrt(6 / fan_in)`.""",
)
LecunNormal = _preset(
    "LecunNormal",
    1.0,
    "fan_in",
    "truncated_normal",
    """LeCun normal:
    truncated normal of standard deviation `sqrt(1 / fan_in)`.""",
)
LecunUniform = _preset(
    "LecunUniform",
    1.0,
    "fan_in",
    "uniform",
    """LeCun uniform: uniform
    over `[-limit, limit]`, `limit = sqrt(3 / fan_in)`.""",
)


class Orthogonal(RandomInitializer):
    """Initializes to a random orthogonal matrix (times `gain`); a weight of more
    than two axes is orthogonal as a matrix of its last axis against the others.

    Args:
        gain: The multiplier. Defaults to `1.0`.
        seed: An int for reproducible values, or `None`. Defaults to `None`.
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._generator().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))  # makes the decomposition unique (Keras does the same)
        if rows < cols:
            q = q.T
        return _cast(self.gain * q.reshape(shape), dtype)

    def get_config(self):
        return {"seed": self.seed, "gain": self.gain}


ALL = [
    Zeros,
    Ones,
    Constant,
    Identity,
    RandomNormal,
    TruncatedNormal,
    RandomUniform,
    VarianceScaling,
    GlorotUniform,
    GlorotNormal,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
]
ALIASES = {
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "identity": Identity,
    "random_normal": RandomNormal,
    "normal": RandomNormal,
    "truncated_normal": TruncatedNormal,
    "random_uniform": RandomUniform,
    "uniform": RandomUniform,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_normal": HeNormal,
    "he_uniform": HeUniform,
    "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform,
    "orthogonal": Orthogonal,
}
get, deserialize, serialize = make_getter("initializer", ALL, ALIASES, "keras.initializers")
