"""Keras 3's spatial reshaping layers: UpSampling1D/2D, ZeroPadding1D/2D, Cropping1D/2D."""

from .. import ops
from ._built_on_call import BuiltOnCall
from .conv import _data_format
from .layer import Layer


def _pair(v, name):
    """int -> (v, v); (a, b) -> (a, b), each a non-negative int."""
    if isinstance(v, int):
        v = (v, v)
    try:
        v = tuple(int(a) for a in v)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` should have two elements. Received: {name}={v}") from None
    if len(v) != 2 or any(a < 0 for a in v):
        raise ValueError(f"`{name}` should have two non-negative elements. Received: {name}={v}")
    return v


def _pairs2(v, name):
    """int -> ((v, v), (v, v)); (h, w) -> ((h, h), (w, w)); ((t, b), (l, r)) kept."""
    if isinstance(v, int):
        return ((v, v), (v, v))
    v = tuple(v)
    if len(v) != 2:
        raise ValueError(f"`{name}` should have two elements. Received: {name}={v}")
    return (_pair(v[0], name), _pair(v[1], name))


def _spatial_axes(data_format, rank):
    return (
        tuple(range(1, rank + 1)) if data_format == "channels_last" else tuple(range(2, rank + 2))
    )


class UpSampling1D(BuiltOnCall, Layer):
    """Repeats each time step `size` times along the time axis.

    Args:
        size: The number of repeats. Defaults to `2`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)

    def call(self, inputs):
        return ops.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        n = input_shape[1]
        return (input_shape[0], None if n is None else n * self.size, input_shape[2])

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class UpSampling2D(BuiltOnCall, Layer):
    """Upsamples the rows and columns by `size`: repeats them (`"nearest"`) or
    interpolates (`"bilinear"`).

    Args:
        size: The factors for rows and columns (an int or a pair). Defaults to `(2,
            2)`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        interpolation: `"bilinear"` or `"nearest"`. Defaults to `"nearest"`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = _pair(size, "size")
        self.data_format = _data_format(data_format)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(
                "`interpolation` argument should be one of: 'nearest' or "
                f"'bilinear'. Received: {interpolation}"
            )
        self.interpolation = interpolation

    def call(self, inputs):
        ah, aw = _spatial_axes(self.data_format, 2)
        if self.interpolation == "nearest":
            return ops.repeat(ops.repeat(inputs, self.size[0], axis=ah), self.size[1], axis=aw)
        from .image_preprocessing import resize_bilinear

        x = inputs if self.data_format == "channels_last" else ops.moveaxis(inputs, 1, -1)
        h, w = x.shape[1], x.shape[2]
        y = resize_bilinear(x, h * self.size[0], w * self.size[1])
        return y if self.data_format == "channels_last" else ops.moveaxis(y, -1, 1)

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for a, s in zip(_spatial_axes(self.data_format, 2), self.size):
            out[a] = None if out[a] is None else out[a] * s
        return tuple(out)

    def get_config(self):
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
            "interpolation": self.interpolation,
        }


class ZeroPadding1D(BuiltOnCall, Layer):
    """Adds zeros at the start and end of the time axis.

    Args:
        padding: The number of zeros at each end (an int), or a pair `(start, end)`.
            Defaults to `1`.
        data_format: `"channels_last"` or `"channels_first"`; `None` means
            `"channels_last"`. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pair(padding, "padding")
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        widths = [(0, 0)] * 3
        widths[_spatial_axes(self.data_format, 1)[0]] = self.padding
        return ops.pad(inputs, tuple(widths))

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        a = _spatial_axes(self.data_format, 1)[0]
        out[a] = None if out[a] is None else out[a] + sum(self.padding)
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class ZeroPadding2D(BuiltOnCall, Layer):
    """Adds rows and columns of zeros around an image.

    Args:
        padding: An int (the same on all four sides), a pair `(rows, cols)`
            (symmetric), or `((top, bottom), (left, right))`. Defaults to `(1, 1)`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs2(padding, "padding")
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        widths = [(0, 0)] * 4
        for a, p in zip(_spatial_axes(self.data_format, 2), self.padding):
            widths[a] = p
        return ops.pad(inputs, tuple(widths))

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for a, p in zip(_spatial_axes(self.data_format, 2), self.padding):
            out[a] = None if out[a] is None else out[a] + sum(p)
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


def _crop(x, axis, lo, hi):
    n = x.shape[axis]
    if n is not None and lo + hi >= n:
        raise ValueError(f"Cropping ({lo}, {hi}) removes all of axis {axis} (size {n})")
    idx = [slice(None)] * len(x.shape)
    idx[axis] = slice(lo, n - hi if n is not None else (-hi or None))
    return x[tuple(idx)]


class Cropping1D(BuiltOnCall, Layer):
    """Crops time steps from the start and end of the time axis.

    Args:
        cropping: The number of steps removed at each end (an int), or a pair
            `(start, end)`. Defaults to `(1, 1)`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pair(cropping, "cropping")

    def call(self, inputs):
        return _crop(inputs, 1, *self.cropping)

    def compute_output_shape(self, input_shape):
        n = input_shape[1]
        return (input_shape[0], None if n is None else n - sum(self.cropping), input_shape[2])

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}


class Cropping2D(BuiltOnCall, Layer):
    """Crops rows and columns from the edges of an image.

    Args:
        cropping: An int (the same on all four sides), a pair `(rows, cols)`
            (symmetric), or `((top, bottom), (left, right))`. Defaults to `((0, 0),
            (0, 0))`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs2(cropping, "cropping")
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        x = inputs
        for a, (lo, hi) in zip(_spatial_axes(self.data_format, 2), self.cropping):
            x = _crop(x, a, lo, hi)
        return x

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for a, c in zip(_spatial_axes(self.data_format, 2), self.cropping):
            out[a] = None if out[a] is None else out[a] - sum(c)
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}
