"""2-D convolution and pooling over NHWC tensors, as primitives so that compiled programs
run the C++ `conv2d` / `pool2d` kernels (im2col + the packed GEMM) instead of the
strided-slice composites in ops/_conv.py.

Attributes (all static; ops/_conv.py computes them from the padding mode):
    strides (sh, sw), dilation (dh, dw), pads (top, left), out (OH, OW), groups.
Only the top/left padding is explicit: taps that fall past the bottom/right edge read
zeros, which is how 'same' and 'causal' both come out (csrc/include/kerasette/conv.h).

    conv2d(x (N,H,W,C), w (KH,KW,C/groups,O))           -> (N,OH,OW,O)
    conv2d_grad_input(dy, w; in_hw=(H, W))               -> (N,H,W,C)
    conv2d_grad_filter(x, dy; ksize=(KH, KW))            -> (KH,KW,C/groups,O)
    pool2d(x; ksize, strides, pads, out, mode)           -> (N,OH,OW,C)  mode 'max'|'avg'
    pool2d_grad(x, dy; same attrs, relu_mask=False)     -> (N,H,W,C)
relu_mask (set by the fusion pass, graph/passes/conv_fusion.py): dx also times (x > 0),
the gradient of the relu whose output x is, folded into the pooling's backward.
Max pooling ignores padding; average pooling divides by the in-image count (TF's rule).
"""

import numpy as np

from ..registry import register
from ._util import float_dtype, result_dtype


def _ops():
    from ... import ops

    return ops


def _apply(op, inputs, **attrs):
    from ..trace import apply

    return apply(op, inputs, **attrs)


# ---- numpy: every kernel tap is a strided view of the padded image ----------------------
def _padded(x, H, W, KH, KW, strides, dilation, pads, out, fill=0.0):
    """x padded so that every tap of every output pixel is inside it."""
    (sh, sw), (dh, dw), (pt, pl), (OH, OW) = strides, dilation, pads, out
    need_h = max(pt + H, (OH - 1) * sh + (KH - 1) * dh + 1) if OH else pt + H
    need_w = max(pl + W, (OW - 1) * sw + (KW - 1) * dw + 1) if OW else pl + W
    return np.pad(
        x, ((0, 0), (pt, need_h - pt - H), (pl, need_w - pl - W), (0, 0)), constant_values=fill
    )


def _tap(a, kh, kw, strides, dilation, out):
    (sh, sw), (dh, dw), (OH, OW) = strides, dilation, out
    h0, w0 = kh * dh, kw * dw
    return (
        slice(None),
        slice(h0, h0 + (OH - 1) * sh + 1 if OH else h0, sh),
        slice(w0, w0 + (OW - 1) * sw + 1 if OW else w0, sw),
    )


def _conv_eval(x, w, strides, dilation, pads, out, groups):
    N, H, W, C = x.shape
    KH, KW, Cg, O = w.shape
    dt = result_dtype(x.dtype, w.dtype)
    xp = _padded(x.astype(dt, copy=False), H, W, KH, KW, strides, dilation, pads, out)
    y = np.zeros((N, out[0], out[1], groups, O // groups), dtype=dt)
    wg = w.astype(dt, copy=False).reshape(KH, KW, Cg, groups, O // groups)
    for kh in range(KH):
        for kw in range(KW):
            xs = xp[_tap(xp, kh, kw, strides, dilation, out)]
            xs = xs.reshape(N, out[0], out[1], groups, Cg)
            y += np.einsum("nhwgc,cgo->nhwgo", xs, wg[kh, kw])
    return y.reshape(N, out[0], out[1], O)


def _conv_grad_input_eval(dy, w, strides, dilation, pads, out, groups, in_hw):
    N = dy.shape[0]
    H, W = in_hw
    KH, KW, Cg, O = w.shape
    dt = result_dtype(dy.dtype, w.dtype)
    dxp = _padded(np.zeros((N, H, W, Cg * groups), dt), H, W, KH, KW, strides, dilation, pads, out)
    dyg = dy.astype(dt, copy=False).reshape(N, out[0], out[1], groups, O // groups)
    wg = w.astype(dt, copy=False).reshape(KH, KW, Cg, groups, O // groups)
    for kh in range(KH):
        for kw in range(KW):
            idx = _tap(dxp, kh, kw, strides, dilation, out)
            part = np.einsum("nhwgo,cgo->nhwgc", dyg, wg[kh, kw])
            dxp[idx] += part.reshape(N, out[0], out[1], groups * Cg)
    pt, pl = pads
    return np.ascontiguousarray(dxp[:, pt : pt + H, pl : pl + W, :])


def _conv_grad_filter_eval(x, dy, strides, dilation, pads, out, groups, ksize):
    N, H, W, C = x.shape
    KH, KW = ksize
    O = dy.shape[-1]
    Cg = C // groups
    dt = result_dtype(x.dtype, dy.dtype)
    xp = _padded(x.astype(dt, copy=False), H, W, KH, KW, strides, dilation, pads, out)
    dyg = dy.astype(dt, copy=False).reshape(N, out[0], out[1], groups, O // groups)
    dw = np.zeros((KH, KW, Cg, groups, O // groups), dt)
    for kh in range(KH):
        for kw in range(KW):
            xs = xp[_tap(xp, kh, kw, strides, dilation, out)].reshape(N, out[0], out[1], groups, Cg)
            dw[kh, kw] = np.einsum("nhwgc,nhwgo->cgo", xs, dyg)
    return dw.reshape(KH, KW, Cg, O)


def _pool_taps(x, ksize, strides, pads, out, fill):
    N, H, W, C = x.shape
    xp = _padded(x, H, W, ksize[0], ksize[1], strides, (1, 1), pads, out, fill)
    return xp, [(kh, kw) for kh in range(ksize[0]) for kw in range(ksize[1])]


def _counts(H, W, ksize, strides, pads, out):
    """In-image cells of each window, (OH, OW, 1)."""
    ones = np.ones((1, H, W, 1), np.float64)
    xp, taps = _pool_taps(ones, ksize, strides, pads, out, 0.0)
    return sum(xp[_tap(xp, kh, kw, strides, (1, 1), out)] for kh, kw in taps)[0]


def _pool_eval(x, ksize, strides, pads, out, mode):
    N, H, W, C = x.shape
    dt = float_dtype(x.dtype) if mode == "avg" else x.dtype
    x = x.astype(dt, copy=False)
    if mode == "max":
        low = -np.inf if np.dtype(dt).kind == "f" else np.iinfo(dt).min
        xp, taps = _pool_taps(x, ksize, strides, pads, out, low)
        return np.max([xp[_tap(xp, kh, kw, strides, (1, 1), out)] for kh, kw in taps], axis=0)
    xp, taps = _pool_taps(x, ksize, strides, pads, out, 0.0)
    s = sum(xp[_tap(xp, kh, kw, strides, (1, 1), out)] for kh, kw in taps)
    return (s / _counts(H, W, ksize, strides, pads, out).astype(dt)).astype(dt)


def _pool_grad_eval(x, dy, ksize, strides, pads, out, mode, relu_mask=False):
    N, H, W, C = x.shape
    dt = float_dtype(result_dtype(x.dtype, dy.dtype))
    pt, pl = pads
    dxp = _padded(np.zeros((N, H, W, C), dt), H, W, ksize[0], ksize[1], strides, (1, 1), pads, out)
    if mode == "max":
        xp, taps = _pool_taps(x.astype(dt), ksize, strides, pads, out, -np.inf)
        stack = np.stack([xp[_tap(xp, kh, kw, strides, (1, 1), out)] for kh, kw in taps])
        first = np.argmax(stack, axis=0)  # the first maximum gets the gradient, as the kernel
        for t, (kh, kw) in enumerate(taps):
            dxp[_tap(dxp, kh, kw, strides, (1, 1), out)] += np.where(first == t, dy, 0)
    else:
        g = dy.astype(dt) / _counts(H, W, ksize, strides, pads, out).astype(dt)
        for kh in range(ksize[0]):
            for kw in range(ksize[1]):
                dxp[_tap(dxp, kh, kw, strides, (1, 1), out)] += g
    dx = np.ascontiguousarray(dxp[:, pt : pt + H, pl : pl + W, :])
    return np.where(x > 0, dx, 0).astype(dt) if relu_mask else dx


# ---- shape rules -----------------------------------------------------------------------
def _check4(name, *xs):
    for x in xs:
        if len(x.shape) != 4:
            raise ValueError(f"{name}: expects rank-4 (NHWC) operands, got {tuple(x.shape)}")


def _conv_infer(x, w, strides, dilation, pads, out, groups):
    _check4("conv2d", x, w)
    C, (_, _, Cg, O) = x.shape[-1], w.shape
    if C is not None and (C != Cg * groups or O % groups):
        raise ValueError(
            f"conv2d: input channels {C}, kernel {tuple(w.shape)} and groups={groups} do not fit"
        )
    return (x.shape[0], out[0], out[1], O), float_dtype(result_dtype(x.dtype, w.dtype))


def _conv_grad_input_infer(dy, w, strides, dilation, pads, out, groups, in_hw):
    _check4("conv2d_grad_input", dy, w)
    return (
        (dy.shape[0], in_hw[0], in_hw[1], w.shape[2] * groups),
        float_dtype(result_dtype(dy.dtype, w.dtype)),
    )


def _conv_grad_filter_infer(x, dy, strides, dilation, pads, out, groups, ksize):
    _check4("conv2d_grad_filter", x, dy)
    return (
        (ksize[0], ksize[1], x.shape[-1] // groups, dy.shape[-1]),
        float_dtype(result_dtype(x.dtype, dy.dtype)),
    )


def _pool_infer(x, ksize, strides, pads, out, mode):
    _check4("pool2d", x)
    dt = float_dtype(x.dtype) if mode == "avg" else x.dtype
    return (x.shape[0], out[0], out[1], x.shape[-1]), dt


def _pool_grad_infer(x, dy, ksize, strides, pads, out, mode, relu_mask=False):
    _check4("pool2d_grad", x, dy)
    return tuple(x.shape), float_dtype(result_dtype(x.dtype, dy.dtype))


# ---- gradient rules: each op is linear in each operand, so its adjoints are the others --
def _geom(a):
    return {k: a[k] for k in ("strides", "dilation", "pads", "out", "groups")}


def _conv_grad(node, g):
    x, w = node.inputs
    a = _geom(node.attrs)
    dx = _apply("conv2d_grad_input", [g, w], in_hw=tuple(x.shape[1:3]), **a)
    dw = _apply("conv2d_grad_filter", [x, g], ksize=tuple(w.shape[:2]), **a)
    return [dx, dw]


def _conv_grad_input_grad(node, g):
    dy, w = node.inputs
    a = _geom(node.attrs)
    return [
        _apply("conv2d", [g, w], **a),
        _apply("conv2d_grad_filter", [g, dy], ksize=tuple(w.shape[:2]), **a),
    ]


def _conv_grad_filter_grad(node, g):
    x, dy = node.inputs
    a = _geom(node.attrs)
    return [
        _apply("conv2d_grad_input", [dy, g], in_hw=tuple(x.shape[1:3]), **a),
        _apply("conv2d", [x, g], **a),
    ]


def _pool_attrs(a):
    return {k: a[k] for k in ("ksize", "strides", "pads", "out", "mode")}


def _pool_grad(node, g):
    return [_apply("pool2d_grad", [node.inputs[0], g], **_pool_attrs(node.attrs))]


def _pool_grad_grad(node, g):
    a = _pool_attrs(node.attrs)
    if a["mode"] != "avg":
        raise NotImplementedError("second derivatives through max pooling are not supported")
    return [None, _apply("pool2d", [g], **a)]  # average pooling's adjoint is linear in dy


# ---- lowering onto the Program's kernels (ints layouts: csrc/runtime/program.h) ----------
def _conv_ints(x_shape, w_shape, a):
    N, H, W, C = x_shape
    KH, KW, _, O = w_shape
    (sh, sw), (dh, dw), (pt, pl), (OH, OW) = a["strides"], a["dilation"], a["pads"], a["out"]
    return [N, H, W, C, O, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, a["groups"]]


def _scratch(ctx, ints):
    floats = conv_scratch_floats(ints)
    return ctx.new(floats, name="conv_scratch") if floats else None


SMALL_K = 32  # ConvShape::kSmallK (csrc/include/kerasette/conv.h)
SMALL_FILTER_PARTS = 32  # ConvShape::kSmallFilterParts


def conv_scratch_floats(ints):
    """ConvShape::scratch(): the small-K filter gradient's partial sums (a fixed number of
    image parts, each a KH x KW x C x O block); 0 for the im2col paths, whose unrolled rows
    live in per-thread buffers."""
    N, H, W, C, O, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, groups = ints
    k = KH * KW * (C // groups)
    if groups != 1 or k > SMALL_K or O <= 0:
        return 0
    return min(N, SMALL_FILTER_PARTS) * k * O


def _need_f32(node):
    from ..lower import NotLowerable

    for s in list(node.inputs) + list(node.outputs):
        if str(s.dtype) != "float32":
            raise NotLowerable(f"{node.op} on {s.dtype}: the kernel is float32")


def _lower_conv(ctx, node):
    _need_f32(node)
    a, out = node.attrs, node.outputs[0]
    if node.op == "conv2d":
        x, w = node.inputs
        ints = _conv_ints(tuple(x.shape), tuple(w.shape), a)
    elif node.op == "conv2d_grad_input":
        dy, w = node.inputs
        ints = _conv_ints(tuple(out.shape), tuple(w.shape), a)
    else:
        x, dy = node.inputs
        ints = _conv_ints(tuple(x.shape), tuple(out.shape), a)
    ins = [ctx.val(s) for s in node.inputs]
    ctx.emit(node.op, ins, [ctx.out(out), _scratch(ctx, ints)], ints)


def _lower_pool(ctx, node):
    _need_f32(node)
    a = node.attrs
    N, H, W, C = node.inputs[0].shape
    ints = [
        N,
        H,
        W,
        C,
        a["ksize"][0],
        a["ksize"][1],
        a["strides"][0],
        a["strides"][1],
        a["pads"][0],
        a["pads"][1],
        a["out"][0],
        a["out"][1],
        int(a["mode"] == "avg") | (2 if a.get("relu_mask") else 0),
    ]
    ctx.emit(node.op, [ctx.val(s) for s in node.inputs], [ctx.out(node.outputs[0])], ints)


def _register():
    register("conv2d", infer=_conv_infer, eval=_conv_eval, grad=_conv_grad, kernel="conv2d")
    register(
        "conv2d_grad_input",
        infer=_conv_grad_input_infer,
        eval=_conv_grad_input_eval,
        grad=_conv_grad_input_grad,
        kernel="conv2d",
    )
    register(
        "conv2d_grad_filter",
        infer=_conv_grad_filter_infer,
        eval=_conv_grad_filter_eval,
        grad=_conv_grad_filter_grad,
        kernel="conv2d",
    )
    register("pool2d", infer=_pool_infer, eval=_pool_eval, grad=_pool_grad, kernel="pool2d")
    register(
        "pool2d_grad",
        infer=_pool_grad_infer,
        eval=_pool_grad_eval,
        grad=_pool_grad_grad,
        kernel="pool2d",
    )


def _install_rules():
    from .. import lower_rules

    for name in ("conv2d", "conv2d_grad_input", "conv2d_grad_filter"):
        lower_rules.RULES[name] = _lower_conv
    for name in ("pool2d", "pool2d_grad"):
        lower_rules.RULES[name] = _lower_pool


# Rules first: if the core cannot be loaded, nothing is half-registered for a retry.
_install_rules()
_register()
