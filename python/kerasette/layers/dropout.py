"""`Dropout`: zeroes a `rate` fraction of inputs and scales the rest by 1/(1-rate),
in training only (inference is the identity), as Keras's."""
import numbers

from .layer import Layer


class Dropout(Layer):
    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if (not isinstance(rate, numbers.Real) or isinstance(rate, bool)
                or not 0 <= rate <= 1):
            raise ValueError("Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        if noise_shape is not None:
            raise ValueError("kerasette's Dropout does not support `noise_shape`")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError(f"Dropout `seed` must be an int or None, got {seed!r}")
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed
        self.built = True

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
