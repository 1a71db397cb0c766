"""Convolution and pooling, N-D, as composites: every kernel offset is a strided slice of
the padded input; conv concatenates them into patches (im2col) and multiplies by the
kernel with one matmul, depthwise_conv weights and sums them, pooling reduces them.
Gradients follow from the pieces (slice -> strided_slice_grad, pad -> slice).

Layouts as Keras: inputs (batch, *spatial, channels) for channels_last (the default) or
(batch, channels, *spatial); conv kernels (*kernel_size, in_channels / groups, filters),
depthwise kernels (*kernel_size, in_channels, multiplier), conv_transpose kernels
(*kernel_size, filters, in_channels). A traced input whose spatial sizes are unknown
(`Input((None, 10))`) gets a `deferred` node (graph/prims/deferred.py): output sizes
None where they depend on an unknown one, and the real ops once the shapes are known.

1-D and 2-D float convolutions and poolings go to the `conv2d` / `pool2d` primitives
(graph/prims/conv.py: the C++ im2col + GEMM kernels when compiled); 1-D runs as 2-D
with height 1. The composites remain for 3-D and integer inputs."""

import itertools

import numpy as np

from ..graph.prims._util import result_dtype
from ..graph.trace import apply
from . import _prim
from ._convert import dtype_of, float_dtype, shape_of

__all__ = ["conv", "depthwise_conv", "separable_conv", "conv_transpose", "max_pool", "average_pool"]


def _tuple(v, n, name):
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(a) for a in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise ValueError(f"{name} must have {n} entries, got {v}")
    return v


def _data_format(df):
    df = df or "channels_last"
    if df not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {df!r}")
    return df


def _to_last(x, df):
    from ._shape import moveaxis

    return moveaxis(x, 1, -1) if df == "channels_first" else x


def _from_last(x, df):
    from ._shape import moveaxis

    return moveaxis(x, -1, 1) if df == "channels_first" else x


def _out_len(n, ke, s, padding):
    """The output length of one axis of length n (None: unknown) for a window of extent
    ke and stride s, as TF computes it."""
    padding = padding.lower()
    if padding not in ("valid", "same", "causal"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    if n is None:
        return None
    if padding == "valid":
        return max(0, (n - ke) // s + 1)
    if padding == "same":
        return -(-n // s)
    return (n - 1) // s + 1


def _pads(spatial, ksize, strides, dilation, padding):
    """(lo, hi) per spatial axis and the output sizes, as TF computes them."""
    padding = padding.lower()
    pads, outs = [], []
    for n, k, s, d in zip(spatial, ksize, strides, dilation):
        if n is None:  # callers defer such inputs (_deferred_if_unknown)
            raise ValueError("conv/pool need the spatial sizes known")
        ke = (k - 1) * d + 1
        out = _out_len(n, ke, s, padding)
        if padding == "valid":
            pads.append((0, 0))
        elif padding == "same":
            total = max((out - 1) * s + ke - n, 0)
            pads.append((total // 2, total - total // 2))
        else:
            pads.append((ke - 1, 0))
        outs.append(out)
    return pads, outs


def _spatial(x, df):
    shape = shape_of(x)
    return tuple(shape[2:]) if df == "channels_first" else tuple(shape[1:-1])


def _unknown_spatial(x, df):
    """A traced input with a spatial size unknown until it runs."""
    from ..graph.trace import is_symbolic

    return is_symbolic(x) and any(d is None for d in _spatial(x, df))


def _defer(fn, inputs, df, outs, channels, dtype, **kw):
    """A deferred node for fn(*inputs, **kw) whose output has spatial sizes `outs`."""
    from ..graph.prims.deferred import deferred

    batch = shape_of(inputs[0])[0]
    if df == "channels_first":
        shape = (batch, channels) + tuple(outs)
    else:
        shape = (batch,) + tuple(outs) + (channels,)
    return deferred(fn, inputs, [(shape, dtype)], data_format=df, **kw)


def _windows(x, ksize, strides, dilation, padding, pad_value=0):
    """One (batch, *out, channels) slice of the padded input per kernel offset, in
    row-major offset order (the order of the kernel's spatial axes)."""
    from ._shape import pad

    shape = shape_of(x)
    nd = len(shape) - 2
    pads, outs = _pads(shape[1:-1], ksize, strides, dilation, padding)
    if any(lo or hi for lo, hi in pads):
        x = pad(x, ((0, 0),) + tuple(pads) + ((0, 0),), constant_values=pad_value)
    wins = []
    for offs in itertools.product(*[range(k) for k in ksize]):
        begin, end, step = [None], [None], [1]
        for o, s, d, m in zip(offs, strides, dilation, outs):
            b = o * d
            begin.append(b)
            end.append(b + (m - 1) * s + 1 if m else b)
            step.append(s)
        begin.append(None)
        end.append(None)
        step.append(1)
        wins.append(_prim.strided_slice(x, begin, end, step))
    return wins, outs, nd


# ---- the 2-D primitives -----------------------------------------------------------------
def _use_prim(x, nd):
    xs = shape_of(x)
    return nd in (1, 2) and np.dtype(dtype_of(x)).kind == "f" and all(d is not None for d in xs[1:])


def _as_2d(x, nd):
    """(N, L, C) -> (N, 1, L, C) for 1-D; 2-D unchanged."""
    return _prim.expand_dims(x, (1,)) if nd == 1 else x


def _from_2d(y, nd):
    return _prim.squeeze(y, 1) if nd == 1 else y


def _geom2(spatial, ksize, strides, dilation, padding):
    """conv2d's (strides, dilation, pads (top, left), out) attributes; 1-D gets height 1."""
    pads, outs = _pads(spatial, ksize, strides, dilation, padding)
    if len(spatial) == 1:
        return dict(
            strides=(1,) + tuple(strides),
            dilation=(1,) + tuple(dilation),
            pads=(0, pads[0][0]),
            out=(1, outs[0]),
        )
    return dict(
        strides=tuple(strides),
        dilation=tuple(dilation),
        pads=(pads[0][0], pads[1][0]),
        out=tuple(outs),
    )


def _conv2d_prim(x, kernel, strides, dilation, padding, groups):
    """x channels_last of rank 3 or 4; kernel (*k, C/groups, O)."""
    nd = len(shape_of(x)) - 2
    ks = shape_of(kernel)
    a = _geom2(shape_of(x)[1:-1], ks[:nd], strides, dilation, padding)
    w = _prim.expand_dims(kernel, (0,)) if nd == 1 else kernel
    y = apply("conv2d", [_as_2d(x, nd), w], groups=int(groups), **a)
    return _from_2d(y, nd)


def _check(inputs, kernel, nd_kernel_extra=2):
    xs, ks = shape_of(inputs), shape_of(kernel)
    if len(xs) < 3:
        raise ValueError(
            f"inputs must have rank >= 3 (batch, spatial..., channels), got shape {xs}"
        )
    if len(ks) != len(xs):
        raise ValueError(
            f"kernel of shape {ks} does not match inputs of rank {len(xs)}: it "
            f"needs rank {len(xs)} (*kernel_size, in, out)"
        )


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (the kernel's rank sets N).

    Args:
        inputs: The input tensor.
        kernel: The convolution kernel: `(*window, in_channels, out_channels)`.
        strides: The step of the window along each spatial axis. Defaults to `1`.
        padding: `"valid"` or `"same"`. Defaults to `"valid"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` means
            `"channels_last"`. Defaults to `None`.
        dilation_rate: The spacing between the kernel's taps. Defaults to `1`.

    Returns:
        A tensor.
    """
    from ._linalg import matmul
    from ._shape import concatenate, reshape

    df = _data_format(data_format)
    _check(inputs, kernel)
    x = _to_last(inputs, df)
    nd = len(shape_of(x)) - 2
    ks = shape_of(kernel)
    ksize, cin_g, filters = ks[:nd], ks[nd], ks[nd + 1]
    cin = shape_of(x)[-1]
    if cin is None or cin % cin_g:
        raise ValueError(
            f"inputs have {cin} channels; the kernel {ks} expects a multiple of {cin_g}"
        )
    groups = cin // cin_g
    if filters % groups:
        raise ValueError(f"filters ({filters}) must be a multiple of groups ({groups})")
    strides = _tuple(strides, nd, "strides")
    dilation = _tuple(dilation_rate, nd, "dilation_rate")
    if padding.lower() == "causal" and nd != 1:
        raise ValueError("causal padding is for 1D convolution only")
    if _unknown_spatial(inputs, df):
        outs = [
            _out_len(n, (k - 1) * d + 1, st, padding)
            for n, k, st, d in zip(_spatial(inputs, df), ksize, strides, dilation)
        ]
        dtype = result_dtype(dtype_of(inputs), dtype_of(kernel))
        return _defer(
            conv, [inputs, kernel], df, outs, filters, dtype,
            strides=strides, padding=padding, dilation_rate=dilation,
        )  # fmt: skip
    if _use_prim(x, nd):
        return _from_last(_conv2d_prim(x, kernel, strides, dilation, padding, groups), df)
    wins, outs, _ = _windows(x, ksize, strides, dilation, padding)
    k = int(np.prod(ksize))
    outs_g = []
    fg = filters // groups
    for gi in range(groups):
        if groups == 1:
            parts = wins
            w = kernel
        else:
            parts = [w_[..., gi * cin_g : (gi + 1) * cin_g] for w_ in wins]
            w = kernel[..., gi * fg : (gi + 1) * fg]
        patches = concatenate(parts, axis=-1) if len(parts) > 1 else parts[0]
        outs_g.append(matmul(patches, reshape(w, (k * cin_g, fg))))
    y = outs_g[0] if groups == 1 else concatenate(outs_g, axis=-1)
    return _from_last(y, df)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D depthwise convolution: each input channel with its own kernels.

    Args:
        inputs: The input tensor.
        kernel: The convolution kernel: `(*window, in_channels, out_channels)`.
        strides: The step of the window along each spatial axis. Defaults to `1`.
        padding: `"valid"` or `"same"`. Defaults to `"valid"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` means
            `"channels_last"`. Defaults to `None`.
        dilation_rate: The spacing between the kernel's taps. Defaults to `1`.

    Returns:
        A tensor.
    """
    from ._math import multiply
    from ._reduce import sum as _sum
    from ._shape import reshape, stack

    df = _data_format(data_format)
    _check(inputs, kernel)
    x = _to_last(inputs, df)
    nd = len(shape_of(x)) - 2
    ks = shape_of(kernel)
    ksize, cin, mult = ks[:nd], ks[nd], ks[nd + 1]
    if shape_of(x)[-1] != cin:
        raise ValueError(
            f"inputs have {shape_of(x)[-1]} channels; the depthwise kernel {ks} expects {cin}"
        )
    strides = _tuple(strides, nd, "strides")
    dilation = _tuple(dilation_rate, nd, "dilation_rate")
    if _unknown_spatial(inputs, df):
        outs = [
            _out_len(n, (k - 1) * d + 1, st, padding)
            for n, k, st, d in zip(_spatial(inputs, df), ksize, strides, dilation)
        ]
        dtype = result_dtype(dtype_of(inputs), dtype_of(kernel))
        return _defer(
            depthwise_conv, [inputs, kernel], df, outs, cin * mult, dtype,
            strides=strides, padding=padding, dilation_rate=dilation,
        )  # fmt: skip
    if _use_prim(x, nd):
        # one group per input channel: output channel c * mult + m, as depthwise orders it
        w = reshape(kernel, tuple(ksize) + (1, cin * mult))
        return _from_last(_conv2d_prim(x, w, strides, dilation, padding, cin), df)
    wins, outs, _ = _windows(x, ksize, strides, dilation, padding)
    k = int(np.prod(ksize))
    patches = stack(wins, axis=-2)  # (batch, *out, k, cin)
    w = reshape(kernel, (k, cin, mult))
    y = _sum(multiply(_prim.expand_dims(patches, len(shape_of(patches))), w), axis=-3)
    lead = tuple(-1 if d is None else d for d in shape_of(y)[:-2])
    return _from_last(reshape(y, lead + (cin * mult,)), df)


def separable_conv(
    inputs,
    depthwise_kernel,
    pointwise_kernel,
    strides=1,
    padding="valid",
    data_format=None,
    dilation_rate=1,
):
    """N-D separable convolution: a depthwise convolution, then a pointwise one.

    Args:
        inputs: The input tensor.
        depthwise_kernel: The depthwise kernel: `(*window, in_channels,
            depth_multiplier)`.
        pointwise_kernel: The pointwise kernel: `(1, ..., in_channels *
            depth_multiplier, out_channels)`.
        strides: The step of the window along each spatial axis. Defaults to `1`.
        padding: `"valid"` or `"same"`. Defaults to `"valid"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` means
            `"channels_last"`. Defaults to `None`.
        dilation_rate: The spacing between the kernel's taps. Defaults to `1`.

    Returns:
        A tensor.
    """
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format, 1)


def _transpose_geometry(n, k, s, d, padding, op):
    """(output length, the forward conv's leading pad) of one axis, as Keras sizes it."""
    ke = (k - 1) * d + 1
    if padding.lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    if op is None:
        out = n * s + max(ke - s, 0) if padding.lower() == "valid" else n * s
    else:
        p_ = ke // 2 if padding.lower() == "same" else 0
        out = (n - 1) * s + ke - 2 * p_ + op
    return out, max((n - 1) * s + ke - out, 0) // 2


def _conv_transpose_prim(x, kernel, strides, dilation, padding, op):
    """conv_transpose is the input gradient of the forward conv that maps the (larger)
    output back to x: the conv2d_grad_input kernel runs it directly (no zero-stuffing)."""
    nd = len(shape_of(x)) - 2
    ks = shape_of(kernel)
    geo = [
        _transpose_geometry(n, k, s, d, padding, o)
        for n, k, s, d, o in zip(shape_of(x)[1:-1], ks[:nd], strides, dilation, op)
    ]
    outs = tuple(g[0] for g in geo)
    pads = tuple(g[1] for g in geo)
    n_in = tuple(shape_of(x)[1:-1])
    if nd == 1:
        a = dict(
            strides=(1,) + tuple(strides),
            dilation=(1,) + tuple(dilation),
            pads=(0,) + pads,
            out=(1,) + n_in,
            in_hw=(1,) + outs,
        )
        w = _prim.expand_dims(kernel, (0,))
    else:
        a = dict(strides=tuple(strides), dilation=tuple(dilation), pads=pads, out=n_in, in_hw=outs)
        w = kernel
    y = apply("conv2d_grad_input", [_as_2d(x, nd), w], groups=1, **a)
    return _from_2d(y, nd)


def conv_transpose(
    inputs,
    kernel,
    strides=1,
    padding="valid",
    output_padding=None,
    data_format=None,
    dilation_rate=1,
):
    """The gradient of conv with respect to its input, written forward: the input spread
    out by `strides` (zeros between), padded, then convolved with the flipped kernel."""
    from ._shape import flip, pad, reshape, transpose

    df = _data_format(data_format)
    _check(inputs, kernel)
    x = _to_last(inputs, df)
    nd = len(shape_of(x)) - 2
    ks = shape_of(kernel)
    ksize = ks[:nd]
    strides = _tuple(strides, nd, "strides")
    dilation = _tuple(dilation_rate, nd, "dilation_rate")
    op = (None,) * nd if output_padding is None else _tuple(output_padding, nd, "output_padding")
    if _unknown_spatial(inputs, df):
        outs = [
            None if n is None else _transpose_geometry(n, k, st, d, padding, o)[0]
            for n, k, st, d, o in zip(_spatial(inputs, df), ksize, strides, dilation, op)
        ]
        if padding.lower() not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
        dtype = result_dtype(dtype_of(inputs), dtype_of(kernel))
        return _defer(
            conv_transpose, [inputs, kernel], df, outs, ks[nd], dtype,
            strides=strides, padding=padding, dilation_rate=dilation,
            output_padding=None if output_padding is None else op,
        )  # fmt: skip
    if _use_prim(x, nd):
        return _from_last(_conv_transpose_prim(x, kernel, strides, dilation, padding, op), df)
    for a in range(nd):
        s = strides[a]
        if s == 1:
            continue
        # (.., n, ..) -> (.., n, s, ..) zero-padded -> (.., n*s, ..) -> first (n-1)*s+1
        ax = 1 + a
        shp = shape_of(x)
        n = shp[ax]
        y = _prim.expand_dims(x, (ax + 1,))
        widths = [(0, 0)] * (len(shp) + 1)
        widths[ax + 1] = (0, s - 1)
        y = pad(y, tuple(widths))
        new = tuple(-1 if d is None else d for d in shp[:ax]) + (n * s,) + tuple(shp[ax + 1 :])
        y = reshape(y, new)
        begin = [None] * len(shp)
        end = [None] * len(shp)
        end[ax] = (n - 1) * s + 1
        x = _prim.strided_slice(y, begin, end, [1] * len(shp))
    widths = [(0, 0)]
    for a in range(nd):
        n = shape_of(inputs if df == "channels_last" else _to_last(inputs, df))[1 + a]
        k, s, d = ksize[a], strides[a], dilation[a]
        ke = (k - 1) * d + 1
        # Keras's output length; TF places it by the forward conv's padding rule
        if padding.lower() not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
        if op[a] is None:
            out = n * s + max(ke - s, 0) if padding.lower() == "valid" else n * s
        else:
            p_ = ke // 2 if padding.lower() == "same" else 0
            out = (n - 1) * s + ke - 2 * p_ + op[a]
        lo_crop = max((n - 1) * s + ke - out, 0) // 2
        left = ke - 1 - lo_crop
        right = out + ke - 1 - left - ((n - 1) * s + 1)
        if left < 0 or right < 0:
            raise NotImplementedError(
                "conv_transpose: this padding/output_padding combination is not supported"
            )
        widths.append((left, right))
    widths.append((0, 0))
    x = pad(x, tuple(widths))
    w = flip(kernel, axis=tuple(range(nd)))
    w = transpose(w, tuple(range(nd)) + (nd + 1, nd))  # (*k, in, filters)
    return _from_last(conv(x, w, 1, "valid", "channels_last", dilation), df)


# ---- pooling --------------------------------------------------------------------------------
def _pool_args(inputs, pool_size, strides, data_format):
    df = _data_format(data_format)
    x = _to_last(inputs, df)
    nd = len(shape_of(x)) - 2
    if nd < 1:
        raise ValueError(f"pooling needs inputs of rank >= 3, got shape {shape_of(inputs)}")
    ps = _tuple(pool_size, nd, "pool_size")
    st = ps if strides is None else _tuple(strides, nd, "strides")
    return df, x, nd, ps, st


def _pool2d_prim(x, ps, st, padding, mode):
    nd = len(shape_of(x)) - 2
    if padding.lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    a = _geom2(shape_of(x)[1:-1], ps, st, (1,) * nd, padding)
    ksize = (1,) + tuple(ps) if nd == 1 else tuple(ps)
    y = apply(
        "pool2d",
        [_as_2d(x, nd)],
        ksize=ksize,
        strides=a["strides"],
        pads=a["pads"],
        out=a["out"],
        mode=mode,
    )
    return _from_2d(y, nd)


def _defer_pool(fn, inputs, df, ps, st, padding, dtype):
    if padding.lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    outs = [_out_len(n, k, s, padding) for n, k, s in zip(_spatial(inputs, df), ps, st)]
    channels = shape_of(inputs)[1 if df == "channels_first" else -1]
    return _defer(
        fn, [inputs], df, outs, channels, dtype, pool_size=ps, strides=st, padding=padding
    )


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """N-D max pooling.

    Args:
        inputs: The input tensor.
        pool_size: The size of the pooling window.
        strides: The step of the window along each spatial axis. Defaults to `None`.
        padding: `"valid"` or `"same"`. Defaults to `"valid"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` means
            `"channels_last"`. Defaults to `None`.

    Returns:
        A tensor.
    """
    from ._reduce import max as _max
    from ._shape import stack

    df, x, nd, ps, st = _pool_args(inputs, pool_size, strides, data_format)
    if _unknown_spatial(inputs, df):
        return _defer_pool(max_pool, inputs, df, ps, st, padding, dtype_of(inputs))
    if _use_prim(x, nd):
        return _from_last(_pool2d_prim(x, ps, st, padding, "max"), df)
    d = dtype_of(x)
    low = -np.inf if np.dtype(d).kind == "f" else np.iinfo(d).min
    wins, _, _ = _windows(x, ps, st, (1,) * nd, padding, pad_value=low)
    y = wins[0] if len(wins) == 1 else _max(stack(wins, axis=-1), axis=-1)
    return _from_last(y, df)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Padding cells do not count toward the average, as TF."""
    from ._math import divide
    from ._reduce import sum as _sum
    from ._shape import stack

    df, x, nd, ps, st = _pool_args(inputs, pool_size, strides, data_format)
    if _unknown_spatial(inputs, df):
        dtype = float_dtype(dtype_of(inputs))
        return _defer_pool(average_pool, inputs, df, ps, st, padding, dtype)
    if _use_prim(x, nd):
        return _from_last(_pool2d_prim(x, ps, st, padding, "avg"), df)
    if dtype_of(x) != float_dtype(dtype_of(x)):
        x = apply("cast", [x], dtype="float32")
    wins, outs, _ = _windows(x, ps, st, (1,) * nd, padding)
    s = wins[0] if len(wins) == 1 else _sum(stack(wins, axis=-1), axis=-1)
    if padding.lower() == "same":
        ones = np.ones((1,) + tuple(shape_of(x)[1:-1]) + (1,), dtype=np.float64)
        from ..graph.trace import as_array
        from ._create import _tensor  # noqa: F401

        cwins, _, _ = _windows(ones, ps, st, (1,) * nd, padding)
        count = np.sum([as_array(c) for c in cwins], axis=0).astype(dtype_of(x))
    else:
        count = float(np.prod(ps))
    return _from_last(divide(s, count), df)
