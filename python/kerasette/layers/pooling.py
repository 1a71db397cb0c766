"""Pooling layers as Keras 3's: MaxPooling1D/2D/3D, AveragePooling1D/2D/3D and the global
max/average poolings. 1-D and 2-D windows run on the C++ pool2d kernel when compiled
(ops/_conv.py); 3-D ones on the strided-slice composite."""

from .. import ops
from .conv import _data_format, _tuple
from .layer import Layer


class _Pooling(Layer):
    rank = None
    mode = None

    def __init__(
        self, pool_size=2, strides=None, padding="valid", data_format=None, name=None, **kwargs
    ):
        super().__init__(name=name, **kwargs)
        self.pool_size = _tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else _tuple(strides, self.rank, "strides")
        self.padding = str(padding).lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(
                "The `padding` argument must be one of 'valid', 'same'. "
                f"Received: padding={padding}"
            )
        self.data_format = _data_format(data_format)
        self.built = True

    def call(self, inputs):
        fn = ops.max_pool if self.mode == "max" else ops.average_pool
        return fn(inputs, self.pool_size, self.strides, self.padding, self.data_format)

    def compute_output_shape(self, input_shape):
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        out = []
        for n, k, s in zip(spatial, self.pool_size, self.strides):
            if n is None:
                out.append(None)
            elif self.padding == "valid":
                out.append((n - k) // s + 1)
            else:
                out.append((n - 1) // s + 1)
        if last:
            return (input_shape[0],) + tuple(out) + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + tuple(out)

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }


_REQUIRED = object()


def _pool(name, rank, mode, default):
    # Keras 3 gives MaxPooling a default pool_size; AveragePooling requires one
    kind = "maximum" if mode == "max" else "average"
    size = "Required." if default is _REQUIRED else f"Defaults to `{default!r}`."
    doc = f"""{rank}D {kind} pooling: the {kind} of each window of `pool_size`
    positions, the window moving by `strides`.

    Args:
        pool_size: The window's size (an int or a tuple). {size}
        strides: The window's step (an int or a tuple); `None` means `pool_size`.
            Defaults to `None`.
        padding: `"valid"` (windows inside the input) or `"same"` (pad so that the
            output has `ceil(input / strides)` positions). Defaults to `"valid"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` means
            `"channels_last"`. Defaults to `None`.
        name: The layer's name. Defaults to an automatic one.
        **kwargs: Base layer arguments (`dtype`, `trainable`, `input_shape`).
    """

    def __init__(
        self,
        pool_size=default,
        strides=None,
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        if pool_size is _REQUIRED:
            raise TypeError(
                f"{type(self).__name__}.__init__() missing 1 required positional "
                "argument: 'pool_size'"
            )
        _Pooling.__init__(self, pool_size, strides, padding, data_format, name=name, **kwargs)

    return type(
        name,
        (_Pooling,),
        {"rank": rank, "mode": mode, "__init__": __init__, "__module__": __name__, "__doc__": doc},
    )


MaxPooling1D = _pool("MaxPooling1D", 1, "max", 2)
MaxPooling2D = _pool("MaxPooling2D", 2, "max", (2, 2))
MaxPooling3D = _pool("MaxPooling3D", 3, "max", (2, 2, 2))
AveragePooling1D = _pool("AveragePooling1D", 1, "avg", _REQUIRED)
AveragePooling2D = _pool("AveragePooling2D", 2, "avg", _REQUIRED)
AveragePooling3D = _pool("AveragePooling3D", 3, "avg", _REQUIRED)


class _GlobalPooling(Layer):
    rank = None
    mode = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.keepdims = bool(keepdims)
        self.built = True

    def _axes(self):
        return (
            tuple(range(1, self.rank + 1))
            if self.data_format == "channels_last"
            else tuple(range(2, self.rank + 2))
        )

    def call(self, inputs):
        fn = ops.max if self.mode == "max" else ops.mean
        return fn(inputs, axis=self._axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling):
    """Global average pooling over the 1 spatial axis: one
    value per channel, the mean over all positions.

    Args:
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        keepdims: Whether to keep the reduced spatial axes with size 1. Defaults to
            `False`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    rank, mode = 1, "avg"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        # masked steps count neither in the sum nor in the divisor (Keras's rule)
        step = 1 if self.data_format == "channels_last" else 2
        m = ops.expand_dims(
            ops.cast(mask, inputs.dtype), -1 if self.data_format == "channels_last" else 1
        )
        s = ops.sum(ops.multiply(inputs, m), axis=step, keepdims=self.keepdims)
        return ops.divide(s, ops.sum(m, axis=step, keepdims=self.keepdims))

    def compute_mask(self, inputs, previous_mask):
        return None


class GlobalAveragePooling2D(_GlobalPooling):
    """Global average pooling over the 2 spatial axises: one
    value per channel, the mean over all positions.

    Args:
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        keepdims: Whether to keep the reduced spatial axes with size 1. Defaults to
            `False`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    rank, mode = 2, "avg"


class GlobalAveragePooling3D(_GlobalPooling):
    """Global average pooling over the 3 spatial axises: one
    value per channel, the mean over all positions.

    Args:
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        keepdims: Whether to keep the reduced spatial axes with size 1. Defaults to
            `False`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    rank, mode = 3, "avg"


class GlobalMaxPooling1D(_GlobalPooling):
    """Global max pooling over the 1 spatial axis: one
    value per channel, the maximum over all positions.

    Args:
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        keepdims: Whether to keep the reduced spatial axes with size 1. Defaults to
            `False`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    rank, mode = 1, "max"


class GlobalMaxPooling2D(_GlobalPooling):
    """Global max pooling over the 2 spatial axises: one
    value per channel, the maximum over all positions.

    Args:
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        keepdims: Whether to keep the reduced spatial axes with size 1. Defaults to
            `False`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    rank, mode = 2, "max"


class GlobalMaxPooling3D(_GlobalPooling):
    """Global max pooling over the 3 spatial axises: one
    value per channel, the maximum over all positions.

    Args:
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        keepdims: Whether to keep the reduced spatial axes with size 1. Defaults to
            `False`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    rank, mode = 3, "max"
