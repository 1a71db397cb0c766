"""`conv2d_pool_grad_filter`(x, y, g) -> (dw, db): a small-K Conv2D's filter and bias
gradients when its output y is pooled by disjoint windows and g is the pooling's
output gradient, i.e.

    dz = pool2d_grad(y, g)               (relu_mask: also times y > 0)
    dw = conv2d_grad_filter(x, dz),  db = sum(dz, axis=(0, 1, 2))

from one kernel that never stores dz (csrc/kernels/cpu/conv_pool.cc). Made by the
fusion pass (graph/passes/conv_fusion.py), never by users; no gradient rule.

Attributes: the convolution's (strides, dilation, pads, out, groups, ksize) and the
pooling's as pool_ksize, pool_strides, pool_pads, pool_out, mode, relu_mask.
"""

import numpy as np

from ..prims import conv as _conv
from ..registry import register

KPARTS = 32  # conv_pool.cc's kParts: the images' fixed number of parts


def _pool_attrs(a):
    return {
        "ksize": a["pool_ksize"],
        "strides": a["pool_strides"],
        "pads": a["pool_pads"],
        "out": a["pool_out"],
        "mode": a["mode"],
        "relu_mask": a["relu_mask"],
    }


def _conv_attrs(a):
    return {k: a[k] for k in ("strides", "dilation", "pads", "out", "groups", "ksize")}


def _eval(x, y, g, **a):
    dz = _conv._pool_grad_eval(y, g, **_pool_attrs(a))
    dw = _conv._conv_grad_filter_eval(x, dz, **_conv_attrs(a))
    return dw, np.sum(dz, axis=(0, 1, 2), dtype=np.float64).astype(dw.dtype)


def _infer(x, y, g, **a):
    KH, KW = a["ksize"]
    C, O = x.shape[-1], y.shape[-1]
    return [((KH, KW, C, O), "float32"), ((O,), "float32")]


BAND_FLOATS = 6144  # kConvPoolBandFloats (csrc/kernels/cpu/conv_pool_isa.h)


def scratch_floats(ints):
    """conv_pool_grad_scratch() (csrc/include/kerasette/conv.h) for the instruction's ints:
    each part's dw and db sums and its band of dz (a few rows of windows' conv rows)."""
    N, C, O, KH, KW, OW = ints[0], ints[3], ints[4], ints[5], ints[6], ints[14]
    PKH, PSH, PH = ints[16], ints[18], ints[22]
    rows = max(1, min(PH, BAND_FLOATS // max(1, PSH * OW * O)))
    band = ((rows - 1) * PSH + PKH) * OW * O
    return max(1, min(N, KPARTS)) * (KH * KW * C * O + O + band)


def _lower(ctx, node):
    _conv._need_f32(node)
    x, y, g = node.inputs
    a = node.attrs
    w_shape = (*a["ksize"], x.shape[-1], y.shape[-1])
    ints = _conv._conv_ints(tuple(x.shape), w_shape, a)
    ints += [
        *a["pool_ksize"],
        *a["pool_strides"],
        *a["pool_pads"],
        *a["pool_out"],
        int(a["mode"] == "avg") | (2 if a["relu_mask"] else 0),
    ]
    dw, db = node.outputs
    scratch = ctx.new(scratch_floats(ints), name="conv_pool_scratch")
    ctx.emit(
        "conv2d_pool_grad_filter",
        [ctx.val(x), ctx.val(y), ctx.val(g)],
        [ctx.out(dw), ctx.out(db), scratch],
        ints,
    )


register("conv2d_pool_grad_filter", infer=_infer, eval=_eval, kernel="conv2d", n_out=2)


def _install_rules():
    from .. import lower_rules

    lower_rules.RULES["conv2d_pool_grad_filter"] = _lower


_install_rules()
