"""`SpatialDropout1D/2D`: Dropout that drops whole feature maps (one draw per sample and
channel, shared across the spatial axes), in training only, as Keras's."""

from .. import ops
from .conv import _data_format
from .dropout import Dropout


class _SpatialDropout(Dropout):
    rank = None

    def __init__(self, rate, seed=None, name=None, dtype=None, data_format=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = _data_format(data_format)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate >= 1:
            return ops.zeros_like(inputs)
        from ..ops import _prim

        # a (batch, 1.., channels) tensor of ones dropped once: the mask follows the batch
        # size at run time, which a random draw of a fixed shape cannot
        last = self.data_format == "channels_last"
        idx = (
            tuple([slice(None)] + [slice(0, 1)] * self.rank + [slice(None)])
            if last
            else tuple([slice(None), slice(None)] + [slice(0, 1)] * self.rank)
        )
        ones = ops.ones_like(ops.stop_gradient(inputs)[idx])
        mask = _prim.dropout(ones, ops.cast(self._counter, "int32"), self.rate, self._seed)
        self._counter.assign(ops.add(self._counter, 1.0))
        return ops.multiply(inputs, mask)

    def get_config(self):
        # Keras's own (short) config: no trainable, dtype as a plain name
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole channels of a sequence: during training each channel of each
    sample is dropped at every time step at once (neighbouring steps are strongly
    correlated, so dropping single values regularizes little).

    Args:
        rate: The fraction of channels to drop, in `[0, 1)`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        name: The layer's name. Defaults to an automatic one.
        dtype: Only `None` or `"float32"`.
    """

    rank = 1

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)


class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole feature maps: during training each channel of each sample is
    dropped at every position at once.

    Args:
        rate: The fraction of channels to drop, in `[0, 1)`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        name: The layer's name. Defaults to an automatic one.
        dtype: Only `None` or `"float32"`.
    """

    rank = 2

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, data_format=data_format)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
