"""`conv2d_bias_act` = act(conv2d(x, w) + bias): a Conv2D layer's forward with the bias
and an elementwise activation applied by the convolution's GEMM epilogue (or its
small-K direct kernel) instead of a separate pass over the output. Made by the fusion
pass (graph/passes/conv_fusion.py), never by users; no gradient rule (the backward is
already built when the pass runs)."""

import numpy as np

from ..prims import conv as _conv
from ..registry import register
from . import conv_pool  # noqa: F401  (registers conv2d_pool_grad_filter)
from .matmul import _act_np


def _eval(x, w, b, strides, dilation, pads, out, groups, act="linear", act_param=0.0):
    z = _conv._conv_eval(x, w, strides, dilation, pads, out, groups)
    z = (z + np.asarray(b, np.float32).reshape(-1)).astype(np.float32)
    return z if act == "linear" else _act_np(z, act, act_param)


def _infer(x, w, b, strides, dilation, pads, out, groups, act="linear", act_param=0.0):
    return _conv._conv_infer(x, w, strides, dilation, pads, out, groups)


def _lower(ctx, node):
    from ...backend import core

    _conv._need_f32(node)
    x, w, b = node.inputs
    ints = _conv._conv_ints(tuple(x.shape), tuple(w.shape), node.attrs)
    ctx.emit(
        "conv2d_bias_act",
        [ctx.val(x), ctx.val(w), ctx.val(b)],
        [ctx.out(node.outputs[0]), _conv._scratch(ctx, ints)],
        ints + [core.ACTIVATIONS[node.attrs.get("act", "linear")]],
        [node.attrs.get("act_param", 0.0)],
    )


register("conv2d_bias_act", infer=_infer, eval=_eval, kernel="conv2d")


def _install_rules():
    from .. import lower_rules

    lower_rules.RULES["conv2d_bias_act"] = _lower


_install_rules()
