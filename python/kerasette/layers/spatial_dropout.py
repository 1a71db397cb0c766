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
        idx = tuple([slice(None)] + [slice(0, 1)] * self.rank + [slice(None)]) if last else \
            tuple([slice(None), slice(None)] + [slice(0, 1)] * self.rank)
        ones = ops.ones_like(ops.stop_gradient(inputs)[idx])
        mask = _prim.dropout(ones, ops.cast(self._counter, "int32"), self.rate, self._seed)
        self._counter.assign(ops.add(self._counter, 1.0))
        return ops.multiply(inputs, mask)

    def get_config(self):
        # Keras's own (short) config: no trainable, dtype as a plain name
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout1D(_SpatialDropout):
    rank = 1

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)


class SpatialDropout2D(_SpatialDropout):
    rank = 2

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, data_format=data_format)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
