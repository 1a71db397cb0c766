"""Keras 3's image preprocessing layers: Rescaling, Resizing, CenterCrop, and the random
augmentations RandomFlip, RandomRotation, RandomTranslation, RandomZoom, RandomContrast
(active only when training; the identity in inference, as Keras's).

Resizing is separable: each spatial axis is one matmul by a constant interpolation matrix
(TF's half-pixel rule for bilinear and nearest), so it compiles to GEMMs.
The random layers draw per-sample values from the counter RNG (the `dropout`
primitive), so their streams differ from Keras's; the transforms are
Keras's: an affine map of output to input pixels with bilinear/nearest sampling and the
reflect/wrap/nearest/constant fill modes.
"""

import numpy as np

from .. import ops
from ..variables import Variable
from ._built_on_call import BuiltOnCall
from .conv import _data_format
from .layer import Layer


# ---- resizing: constant interpolation matrices -------------------------------------------
def _interp_matrix(n_in, n_out, method):
    m = np.zeros((n_out, n_in), np.float32)
    scale = n_in / n_out
    o = np.arange(n_out)
    if method == "nearest":
        src = np.minimum(np.floor((o + 0.5) * scale).astype(int), n_in - 1)
        m[o, src] = 1.0
        return m
    src = (o + 0.5) * scale - 0.5
    f = np.floor(src)
    lo = np.clip(f, 0, n_in - 1).astype(int)
    hi = np.clip(np.ceil(src), 0, n_in - 1).astype(int)
    t = (src - f).astype(np.float32)
    np.add.at(m, (o, lo), 1.0 - t)
    np.add.at(m, (o, hi), t)
    return m


def _resize_last(x, height, width, method):
    """x (N, H, W, C) with known H, W -> (N, height, width, C)."""
    h, w = x.shape[1], x.shape[2]
    dt = x.dtype if np.dtype(x.dtype).kind == "f" else "float32"
    x = ops.cast(x, dt)
    if h != height:
        mh = _interp_matrix(h, height, method).astype(dt)
        x = ops.moveaxis(ops.tensordot(mh, x, axes=[[1], [1]]), 0, 1)
    if w != width:
        mw = _interp_matrix(w, width, method).astype(dt)
        x = ops.moveaxis(ops.tensordot(mw, x, axes=[[1], [2]]), 0, 2)
    return x


def resize_bilinear(x, height, width):
    return _resize_last(x, height, width, "bilinear")


def _to_last(x, df):
    return x if df == "channels_last" else ops.moveaxis(x, -3, -1)


def _from_last(x, df):
    return x if df == "channels_last" else ops.moveaxis(x, -1, -3)


def _batched(fn, x):
    """Runs fn on a (N, H, W, C) view of a single image (H, W, C) too."""
    if len(x.shape) == 3:
        return ops.squeeze(fn(ops.expand_dims(x, 0)), 0)
    return fn(x)


def _center_crop(x, h, w):
    H, W = x.shape[1], x.shape[2]
    top, left = (H - h) // 2, (W - w) // 2
    return x[:, top : top + h, left : left + w, :]


class Rescaling(BuiltOnCall, Layer):
    """Rescales its input: `output = input * scale + offset` (for example `scale=1/255`
    to bring pixels into `[0, 1]`).

    Args:
        scale: The multiplier (a float, or one per channel).
        offset: The value added after scaling. Defaults to `0.0`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs):
        dt = self.dtype if np.dtype(self.dtype).kind == "f" else "float32"
        x = ops.cast(inputs, dt)
        scale = np.asarray(self.scale, dt)
        offset = np.asarray(self.offset, dt)
        return ops.add(ops.multiply(x, scale), offset)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Resizing(BuiltOnCall, Layer):
    """Resizes images to `(height, width)`.

    Args:
        height: The output height.
        width: The output width.
        interpolation: `"bilinear"` or `"nearest"`. Defaults to `"bilinear"`.
        crop_to_aspect_ratio: Whether to crop the image to the target's aspect ratio
            first (no distortion). Defaults to `False`.
        pad_to_aspect_ratio: Whether to pad the image to the target's aspect ratio
            first (no distortion). Defaults to `False`.
        fill_mode: How the padding of `pad_to_aspect_ratio` is filled
            (`"constant"`). Defaults to `"constant"`.
        fill_value: The value of that padding. Defaults to `0.0`.
        antialias: Only `False` is supported.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Limitations:
        `interpolation` other than `"bilinear"` and `"nearest"`, and `antialias=True`,
        raise `NotImplementedError`.
    """

    def __init__(
        self,
        height,
        width,
        interpolation="bilinear",
        crop_to_aspect_ratio=False,
        pad_to_aspect_ratio=False,
        fill_mode="constant",
        fill_value=0.0,
        antialias=False,
        data_format=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if interpolation not in ("bilinear", "nearest"):
            raise NotImplementedError(
                f"Resizing: interpolation={interpolation!r} is not "
                "supported by kerasette (bilinear, nearest)"
            )
        if antialias:
            raise NotImplementedError("Resizing: antialias=True is not supported by kerasette")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(
                "Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be set to `True`."
            )
        self.height, self.width = int(height), int(width)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode, self.fill_value = fill_mode, fill_value
        self.antialias = bool(antialias)
        self.data_format = _data_format(data_format)

    def _resize(self, x):
        H, W = x.shape[1], x.shape[2]
        th, tw = self.height, self.width
        if self.crop_to_aspect_ratio:
            ch = min(H, int(W * th / tw))
            cw = min(W, int(H * tw / th))
            x = _center_crop(x, ch, cw)
        elif self.pad_to_aspect_ratio:
            ph = max(H, int(W * th / tw))
            pw = max(W, int(H * tw / th))
            t, lft = (ph - H) // 2, (pw - W) // 2
            x = ops.pad(
                x,
                ((0, 0), (t, ph - H - t), (lft, pw - W - lft), (0, 0)),
                constant_values=self.fill_value,
            )
        return _resize_last(x, th, tw, self.interpolation)

    def call(self, inputs):
        x = _to_last(inputs, self.data_format)
        return _from_last(_batched(self._resize, x), self.data_format)

    def compute_output_shape(self, input_shape):
        s = list(input_shape)
        hw = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        s[hw[0]], s[hw[1]] = self.height, self.width
        return tuple(s)

    def get_config(self):
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "antialias": self.antialias,
            "data_format": self.data_format,
        }


class CenterCrop(BuiltOnCall, Layer):
    """Crops the center of each image to `(height, width)` (an image smaller than that is
    resized up first).

    Args:
        height: The output height.
        width: The output width.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height, self.width = int(height), int(width)
        self.data_format = _data_format(data_format)

    def _crop(self, x):
        H, W = x.shape[1], x.shape[2]
        if H >= self.height and W >= self.width:
            return _center_crop(x, self.height, self.width)
        # too small: crop to the target's aspect ratio, then resize up (Keras's rule)
        th, tw = self.height, self.width
        x = _center_crop(x, min(H, int(W * th / tw)), min(W, int(H * tw / th)))
        return _resize_last(x, th, tw, "bilinear")

    def call(self, inputs):
        x = _to_last(inputs, self.data_format)
        return _from_last(_batched(self._crop, x), self.data_format)

    def compute_output_shape(self, input_shape):
        s = list(input_shape)
        hw = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        s[hw[0]], s[hw[1]] = self.height, self.width
        return tuple(s)

    def get_config(self):
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "data_format": self.data_format,
        }


# ---- random augmentations ---------------------------------------------------------------
class _RandomLayer(BuiltOnCall, Layer):
    """Seed and step counter as Dropout's: every training call draws new values."""

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
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
        self.data_format = _data_format(data_format)

    def _per_sample(self, x, n, low, high, salt):
        """(batch, n) uniforms in [low, high) with 16 random bits each. The batch size is
        only known at run time, so the bits come from the `dropout` primitive on a
        (batch, 16 n) tensor of ones (it keeps each with probability 1/2)."""
        from ..ops import _prim

        first = ops.reshape(ops.stop_gradient(x), (-1, int(np.prod(x.shape[1:]))))[:, :1]
        ones = ops.multiply(ops.ones_like(first), np.ones((1, 16 * n), np.float32))
        counter = ops.cast(self._counter, "int32")
        bits = ops.multiply(
            _prim.dropout(ones, counter, 0.5, (self._seed * 7919 + salt) & 0x7FFFFFFF), 0.5
        )
        weights = (0.5 ** np.arange(1, 17, dtype=np.float64)).astype(np.float32)[:, None]
        u = ops.reshape(ops.matmul(ops.reshape(bits, (-1, 16)), weights), (-1, n))
        return ops.add(ops.multiply(u, float(high - low)), float(low))

    def _advance(self):
        self._counter.assign(ops.add(self._counter, 1.0))

    def call(self, inputs, training=True):
        if not training:
            return inputs
        x = _to_last(inputs, self.data_format)
        x = ops.cast(x, "float32") if np.dtype(x.dtype).kind != "f" else x
        y = _batched(self._augment, x)
        self._advance()
        return _from_last(y, self.data_format)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class RandomFlip(_RandomLayer):
    """Flips images at random during training (each image its own draw); in inference it
    passes them through.

    Args:
        mode: `"horizontal"`, `"vertical"` or `"horizontal_and_vertical"`. Defaults
            to `"horizontal_and_vertical"`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(f"RandomFlip layer {{name}} received an unknown mode argument {mode}")
        self.mode = mode

    def _augment(self, x):
        flips = {"horizontal": [2], "vertical": [1], "horizontal_and_vertical": [2, 1]}
        u = self._per_sample(x, 2, 0.0, 1.0, 1)
        for k, axis in enumerate(flips[self.mode]):
            m = ops.reshape(ops.cast(ops.less(u[:, k], 0.5), x.dtype), (-1, 1, 1, 1))
            x = ops.add(
                ops.multiply(m, ops.flip(x, axis=axis)), ops.multiply(ops.subtract(1.0, m), x)
            )
        return x

    def get_config(self):
        return {
            **super().get_config(),
            "data_format": self.data_format,
            "seed": self.seed,
            "mode": self.mode,
        }


def _factor_pair(factor, name, symmetric=True):
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(
                f"`{name}` should be a float or a tuple of two floats. Received: {name}={factor}"
            )
        return float(factor[0]), float(factor[1])
    f = float(factor)
    return (-abs(f), abs(f)) if symmetric else (0.0, f)


class RandomContrast(_RandomLayer):
    """Changes the contrast of each image at random during training: each channel's
    values move away from (or toward) their mean by a random factor in
    `[1 - lower, 1 + upper]`, clipped to `value_range`.

    Args:
        factor: A float or a pair `(lower, upper)`: the bounds of the change.
        value_range: The `(min, max)` range of the input values. Defaults to `(0,
            255)`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        lo, hi = _factor_pair(factor, "factor")
        if isinstance(factor, (tuple, list)):
            lo, hi = abs(lo), abs(hi)
        else:
            lo, hi = abs(hi), abs(hi)
        if lo > 1:
            raise ValueError(f"RandomContrast: factor's lower bound must be <= 1, got {factor}")
        # Keras's config shows a scalar factor as (0, factor)
        self.factor = (0, factor) if not isinstance(factor, (tuple, list)) else factor
        self.lower, self.upper = lo, hi
        self.value_range = tuple(value_range)

    def _augment(self, x):
        f = ops.reshape(
            self._per_sample(x, 1, 1.0 - self.lower, 1.0 + self.upper, 2), (-1, 1, 1, 1)
        )
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        y = ops.add(ops.multiply(ops.subtract(x, mean), f), mean)
        return ops.clip(y, float(self.value_range[0]), float(self.value_range[1]))

    def get_config(self):
        return {
            **super().get_config(),
            "data_format": self.data_format,
            "factor": self.factor,
            "value_range": self.value_range,
            "seed": self.seed,
        }


# ---- affine augmentations: sample the input at an affine map of each output pixel --------
def _fill_index(i, n, mode):
    """Integer (as float) coordinates outside [0, n) mapped by the fill mode; also the
    in-range mask for 'constant'."""
    if mode == "reflect":  # d c b a | a b c d | d c b a
        j = ops.mod(i, float(2 * n))
        return ops.where(ops.greater_equal(j, float(n)), ops.subtract(float(2 * n - 1), j), j), None
    if mode == "wrap":
        return ops.mod(i, float(n)), None
    inside = ops.logical_and(ops.greater_equal(i, 0.0), ops.less(i, float(n)))
    j = ops.clip(i, 0.0, float(n - 1))
    return j, (inside if mode == "constant" else None)


def _affine_sample(x, src_y, src_x, interpolation, fill_mode, fill_value):
    """x (N, H, W, C); src_y, src_x (N, H, W) input coordinates (pixel centres at
    integers). Returns (N, H, W, C)."""
    H, W, C = x.shape[1], x.shape[2], x.shape[3]
    flat = ops.reshape(x, (-1, H * W, C))
    widen = np.zeros((1, 1, C), np.float32)  # broadcasts an index over the channels

    def tap(iy, ix):
        jy, my = _fill_index(iy, H, fill_mode)
        jx, mx = _fill_index(ix, W, fill_mode)
        lin = ops.reshape(ops.add(ops.multiply(jy, float(W)), jx), (-1, H * W, 1))
        idx = ops.cast(ops.add(lin, widen), "int32")
        v = ops.reshape(ops.take_along_axis(flat, idx, axis=1), (-1, H, W, C))
        if my is not None:
            ok = ops.expand_dims(ops.cast(ops.logical_and(my, mx), x.dtype), -1)
            v = ops.add(ops.multiply(v, ok), ops.multiply(ops.subtract(1.0, ok), float(fill_value)))
        return v

    if interpolation == "nearest":
        return tap(ops.round(src_y), ops.round(src_x))
    y0, x0 = ops.floor(src_y), ops.floor(src_x)
    ty = ops.expand_dims(ops.subtract(src_y, y0), -1)
    tx = ops.expand_dims(ops.subtract(src_x, x0), -1)
    y1, x1 = ops.add(y0, 1.0), ops.add(x0, 1.0)
    top = ops.add(ops.multiply(tap(y0, x0), ops.subtract(1.0, tx)), ops.multiply(tap(y0, x1), tx))
    bot = ops.add(ops.multiply(tap(y1, x0), ops.subtract(1.0, tx)), ops.multiply(tap(y1, x1), tx))
    return ops.add(ops.multiply(top, ops.subtract(1.0, ty)), ops.multiply(bot, ty))


class _AffineLayer(_RandomLayer):
    def __init__(
        self,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if fill_mode not in ("reflect", "wrap", "constant", "nearest"):
            raise NotImplementedError(
                f"Unknown `fill_mode` {fill_mode}. Expected of one "
                "['reflect', 'wrap', 'constant', 'nearest']."
            )
        if interpolation not in ("nearest", "bilinear"):
            raise NotImplementedError(
                f"Unknown `interpolation` {interpolation}. Expected of one ['nearest', 'bilinear']."
            )
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.fill_value = fill_value

    def _grid(self, x):
        H, W = x.shape[1], x.shape[2]
        gy, gx = np.meshgrid(
            np.arange(H, dtype=np.float32), np.arange(W, dtype=np.float32), indexing="ij"
        )
        return H, W, gy, gx

    def _augment(self, x):
        H, W, gy, gx = self._grid(x)
        sy, sx = self._source(x, H, W, gy, gx)  # (N, H, W) each
        return _affine_sample(x, sy, sx, self.interpolation, self.fill_mode, self.fill_value)

    def _config(self):
        return {
            **Layer.get_config(self),
            "data_format": self.data_format,
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "seed": self.seed,
            "fill_value": self.fill_value,
        }


def _col(u, k):
    return ops.reshape(u[:, k], (-1, 1, 1))


class RandomRotation(_AffineLayer):
    """Rotates images by a random angle during training; in inference it passes them
    through.

    Args:
        factor: A float or a pair: the angle range as a fraction of a full turn
            (`0.1`: up to 36 degrees either way).
        fill_mode: How points outside the input are filled: `"reflect"`, `"wrap"`,
            `"constant"` or `"nearest"`. Defaults to `"reflect"`.
        interpolation: `"bilinear"` or `"nearest"`. Defaults to `"bilinear"`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        fill_value: The value outside the input when `fill_mode="constant"`.
            Defaults to `0.0`.
        value_range: The `(min, max)` range of the input values. Defaults to `(0,
            255)`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(
        self,
        factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        value_range=(0, 255),
        data_format=None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = _factor_pair(factor, "factor")
        self.value_range = value_range

    def _source(self, x, H, W, gy, gx):
        lo, hi = self.factor
        ang = _col(self._per_sample(x, 1, lo * 2 * np.pi, hi * 2 * np.pi, 3), 0)
        cy, cx = (H - 1) / 2.0, (W - 1) / 2.0
        c, s = ops.cos(ang), ops.sin(ang)
        dy, dx = gy - cy, gx - cx  # constants
        # output pixel -> input pixel: rotate back by the angle around the centre
        sx = ops.add(ops.subtract(ops.multiply(c, dx), ops.multiply(s, dy)), cx)
        sy = ops.add(ops.add(ops.multiply(s, dx), ops.multiply(c, dy)), cy)
        return sy, sx

    def get_config(self):
        return {**self._config(), "factor": self.factor}


class RandomTranslation(_AffineLayer):
    """Shifts images by a random offset during training; in inference it passes them
    through.

    Args:
        height_factor: A float or a pair: the vertical shift range as a fraction of
            the height.
        width_factor: A float or a pair: the horizontal shift range as a fraction of
            the width.
        fill_mode: How points outside the input are filled: `"reflect"`, `"wrap"`,
            `"constant"` or `"nearest"`. Defaults to `"reflect"`.
        interpolation: `"bilinear"` or `"nearest"`. Defaults to `"bilinear"`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        fill_value: The value outside the input when `fill_mode="constant"`.
            Defaults to `0.0`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(
        self,
        height_factor,
        width_factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._h = _factor_pair(height_factor, "height_factor")
        self._w = _factor_pair(width_factor, "width_factor")

    def _source(self, x, H, W, gy, gx):
        u = self._per_sample(x, 2, 0.0, 1.0, 4)
        ty = ops.multiply(
            ops.add(ops.multiply(_col(u, 0), self._h[1] - self._h[0]), self._h[0]), float(H)
        )
        tx = ops.multiply(
            ops.add(ops.multiply(_col(u, 1), self._w[1] - self._w[0]), self._w[0]), float(W)
        )
        return ops.subtract(gy, ty), ops.subtract(gx, tx)

    def get_config(self):
        return {
            **self._config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }


class RandomZoom(_AffineLayer):
    """Zooms images in or out by a random factor during training; in inference it passes
    them through.

    Args:
        height_factor: A float or a pair: the vertical zoom range (negative zooms
            in, positive zooms out).
        width_factor: A float or a pair: the horizontal zoom range; `None` zooms
            both axes by the same factor. Defaults to `None`.
        fill_mode: How points outside the input are filled: `"reflect"`, `"wrap"`,
            `"constant"` or `"nearest"`. Defaults to `"reflect"`.
        interpolation: `"bilinear"` or `"nearest"`. Defaults to `"bilinear"`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        fill_value: The value outside the input when `fill_mode="constant"`.
            Defaults to `0.0`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(
        self,
        height_factor,
        width_factor=None,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._h = _factor_pair(height_factor, "height_factor")
        self._w = None if width_factor is None else _factor_pair(width_factor, "width_factor")

    def _source(self, x, H, W, gy, gx):
        u = self._per_sample(x, 2, 0.0, 1.0, 5)
        zy = ops.add(1.0, ops.add(ops.multiply(_col(u, 0), self._h[1] - self._h[0]), self._h[0]))
        zx = (
            zy
            if self._w is None
            else ops.add(
                1.0, ops.add(ops.multiply(_col(u, 1), self._w[1] - self._w[0]), self._w[0])
            )
        )
        cy, cx = (H - 1) / 2.0, (W - 1) / 2.0
        # a positive factor zooms out (Keras): the output samples a larger input area
        return (ops.add(ops.multiply(zy, gy - cy), cy), ops.add(ops.multiply(zx, gx - cx), cx))

    def get_config(self):
        return {
            **self._config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }
