"""`Dropout`: zeroes a `rate` fraction of inputs and scales the rest by 1/(1-rate),
in training only (inference is the identity), as Keras's.

Randomness: the `dropout` primitive draws from (seed, counter). The seed is the `seed`
argument, or one drawn from kerasette.utils.random when the layer is made (so
`set_random_seed` makes it reproducible); the counter is a scalar state Variable that
each training call advances by one (a graph effect), so every step drops a new mask,
as Keras's SeedGenerator does. It is stored as float32 (the compiled programs keep
state in float32 arenas; counts are exact up to 2**24 calls) and cast to int32 for the
draw. The counter is not a weight: it is neither saved nor in
`weights`, as Keras's seed state is not.
"""

import numbers

from .. import ops
from ..variables import Variable
from .layer import Layer


def _check_noise_shape(noise_shape):
    if noise_shape is None:
        return None
    if isinstance(noise_shape, str):
        raise ValueError(
            "Invalid value received for argument `noise_shape`. Expected a tuple "
            f"or list of integers. Received: noise_shape={noise_shape}"
        )
    try:
        noise_shape = tuple(noise_shape)
    except TypeError:
        raise ValueError(
            "Invalid value received for argument `noise_shape`. Expected an "
            "iterable of integers (e.g., a tuple or list). Received: "
            f"noise_shape={noise_shape}"
        ) from None
    for i, d in enumerate(noise_shape):
        if d is None:
            continue
        if not isinstance(d, int) or isinstance(d, bool):
            raise ValueError(
                "Invalid value received for argument `noise_shape`. Expected "
                "all elements to be integers or None. Received element at "
                f"index {i}: {d} (type: {type(d).__name__})"
            )
        if d <= 0:
            raise ValueError(
                "Invalid value received for argument `noise_shape`. Expected "
                "all dimensions to be positive integers or None. Received "
                f"negative or zero value at index {i}: {d}"
            )
    return noise_shape


class Dropout(Layer):
    """Sets a random fraction `rate` of its input to 0 during training, and scales the rest
    by `1 / (1 - rate)` so that the expected sum is unchanged. In inference it passes
    the input through.

    Args:
        rate: The fraction of the input to drop, in `[0, 1)`.
        noise_shape: The shape of the binary mask, broadcast against the input (a
            `1` keeps the same draw along that axis), or `None` for the input's
            shape. Defaults to `None`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, numbers.Real) or isinstance(rate, bool) or not 0 <= rate <= 1:
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float "
                f"value between 0 and 1. Received: rate={rate}"
            )
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError(f"Dropout `seed` must be an int or None, got {seed!r}")
        self.rate, self.seed = rate, seed
        self.noise_shape = _check_noise_shape(noise_shape)
        self.supports_masking = True
        self._seed = self._counter = None
        if rate > 0:
            from ..utils import random as ks_random

            self._seed = seed if seed is not None else ks_random.next_seed()
            self._counter = Variable(
                0,
                shape=(),
                dtype="float32",
                trainable=False,
                name="seed_generator_state",
                path=f"{self.name}/seed_generator_state",
            )
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate >= 1:
            return ops.zeros_like(inputs)
        counter = ops.cast(self._counter, "int32")
        if self.noise_shape is None:
            from ..ops import _prim

            out = _prim.dropout(inputs, counter, self.rate, self._seed)
        else:
            out = self._dropout_with_noise_shape(inputs, counter)
        self._counter.assign(ops.add(self._counter, 1.0))
        return out

    def _dropout_with_noise_shape(self, inputs, counter):
        """One draw of the noise shape (None entries: the input's), broadcast over x."""
        from ..graph.trace import apply

        shape = tuple(d if d is not None else s for d, s in zip(self.noise_shape, inputs.shape))
        # a size still unknown (a traced batch) is the input's at run time: the draw
        # takes it from `inputs` passed as its `like` input
        ins = [counter, inputs] if any(d is None for d in shape) else [counter]
        u = apply("random_uniform", ins, shape=shape, dtype="float32", seed=self._seed)
        keep = ops.greater_equal(u, self.rate)
        scaled = ops.divide(inputs, 1.0 - self.rate)
        return ops.where(keep, scaled, ops.zeros_like(scaled))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": self.noise_shape,
        }
