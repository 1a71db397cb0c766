"""Fusion patterns for convolutions:

    act(conv2d(x, w) + bias)                   -> conv2d_bias_act (GEMM epilogue)
    pool2d_grad(y, g) * cast(y > 0)            -> pool2d_grad(y, g, relu_mask=True)

The second is a relu's gradient (y = relu(...), graph/prims/elementwise.py) met right
after the backward of the pooling that read y: one pass over dx instead of two.

A Conv2D layer's forward (ops.conv, ops.add of the bias, the activation) becomes one
kernel that applies the bias and the activation in the GEMM's epilogue, as dense_act
does for Dense. The pattern stops where another op still reads an intermediate (the
pre-bias or pre-activation value): those must stay materialised. The backward never
reads them for a Conv2D (its gradients read x, w and the activation's output).
"""

import numpy as np

from .. import fused  # noqa: F401  (registers the fused ops)
from ..fnir import Rebuilder

# graph ops that are an elementwise activation of the GEMM epilogue (csrc activation.h)
from .fusion import _ACTS, _consumers, _inputs, _is_input

_GEOM = ("strides", "dilation", "pads", "out", "groups")


def _core_supports():
    """Both patterns need a core built with conv2d_bias_act and pool2d_grad's relu mask
    (they came together): a core built before them (a developer's older build) keeps
    the unfused ops rather than failing to compile a conv net."""
    from ...backend import core

    return "conv2d_bias_act" in getattr(core, "PROGRAM_KERNELS", ())


def _bias_of(add, y):
    """The bias operand of `add` = y + bias (either order), if it is (O,) or (1, ..., O)."""
    if len(add.inputs) != 2:
        return None
    b = add.inputs[1] if add.inputs[0] is y else add.inputs[0]
    if b is y or b.dtype != "float32" or tuple(add.outputs[0].shape) != tuple(y.shape):
        return None
    shape, O = tuple(b.shape), y.shape[-1]
    if not shape or shape[-1] != O or any(d != 1 for d in shape[:-1]):
        return None
    return b


def fuse_conv_bias_act(fn):
    if not _core_supports():
        return fn
    users = _consumers(fn)
    skip, plan = set(), {}
    for node in fn.nodes:
        if node.op != "conv2d":
            continue
        y = node.outputs[0]
        if y.dtype != "float32" or any(i.dtype != "float32" for i in node.inputs):
            continue
        ys = users.get(id(y), [])
        if len(ys) != 1 or ys[0] is None or ys[0].op != "add":
            continue
        add = ys[0]
        b = _bias_of(add, y)
        if b is None:
            continue
        act, last = "linear", add
        adds = users.get(id(add.outputs[0]), [])
        if (
            len(adds) == 1
            and adds[0] is not None
            and adds[0].op in _ACTS
            and len(adds[0].inputs) == 1
        ):
            act, last = _ACTS[adds[0].op], adds[0]
        skip.update({id(node), id(add), id(last)})
        plan[id(last)] = (node, b, act)
    if not plan:
        return fn
    rb = Rebuilder(fn.graph.name)
    _inputs(rb, fn)
    for node in fn.nodes:
        if node.op == "placeholder" and _is_input(fn, node):
            continue
        if id(node) in plan:
            conv, b, act = plan[id(node)]
            attrs = {k: conv.attrs[k] for k in _GEOM}
            attrs.update(act=act, act_param=0.0)
            x, w = conv.inputs
            (out,) = rb.emit("conv2d_bias_act", [rb[x], rb[w], rb[b]], attrs, like=node)
            rb.alias(node.outputs[0], out)
            continue
        if id(node) in skip:
            continue
        rb.copy(node)
    return rb.finish(fn)


def _relu_mask_of(mul, p):
    """The other operand of `mul` = p * cast(greater(y, 0)) when it is that mask for the
    pooling's own input y, else None."""
    if len(mul.inputs) != 2:
        return None
    m = mul.inputs[1] if mul.inputs[0] is p else mul.inputs[0]
    if m is p or m.node.op != "cast" or str(m.dtype) != "float32":
        return None
    gt = m.node.inputs[0].node
    if gt.op != "greater" or len(gt.inputs) != 2 or gt.inputs[0] is not p.node.inputs[0]:
        return None
    zero = gt.inputs[1].node
    if zero.op != "constant" or np.any(np.asarray(zero.attrs.get("value")) != 0):
        return None
    return m


def fuse_pool_relu_grad(fn):
    if not _core_supports():
        return fn
    users = _consumers(fn)
    plan = {}  # id(multiply) -> pool2d_grad node
    for node in fn.nodes:
        if node.op != "pool2d_grad" or node.attrs.get("relu_mask"):
            continue
        p = node.outputs[0]
        ps = users.get(id(p), [])
        if str(p.dtype) != "float32" or len(ps) != 1 or ps[0] is None or ps[0].op != "multiply":
            continue
        mul = ps[0]
        if tuple(mul.outputs[0].shape) != tuple(p.shape) or _relu_mask_of(mul, p) is None:
            continue
        plan[id(mul)] = node
    if not plan:
        return fn
    skip = {id(n) for n in plan.values()}
    rb = Rebuilder(fn.graph.name)
    _inputs(rb, fn)
    for node in fn.nodes:
        if node.op == "placeholder" and _is_input(fn, node):
            continue
        if id(node) in plan:
            pool = plan[id(node)]
            attrs = dict(pool.attrs, relu_mask=True)
            (out,) = rb.emit("pool2d_grad", [rb[i] for i in pool.inputs], attrs, like=node)
            rb.alias(node.outputs[0], out)
            continue
        if id(node) in skip:
            continue
        rb.copy(node)
    return rb.finish(fn)
