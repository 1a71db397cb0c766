"""Fusion patterns for convolutions:

    act(conv2d(x, w) + bias)                   -> conv2d_bias_act (GEMM epilogue)
    pool2d_grad(y, g) * cast(y > 0)            -> pool2d_grad(y, g, relu_mask=True)
    conv2d_grad_filter(x, dz = pool2d_grad(y, g)), sum(dz, axis=(0, 1, 2))
                                               -> conv2d_pool_grad_filter(x, y, g)

The second is a relu's gradient (y = relu(...), graph/prims/elementwise.py) met right
after the backward of the pooling that read y: one pass over dx instead of two.

A Conv2D layer's forward (ops.conv, ops.add of the bias, the activation) becomes one
kernel that applies the bias and the activation in the GEMM's epilogue, as dense_act
does for Dense. The pattern stops where another op still reads an intermediate (the
pre-bias or pre-activation value): those must stay materialised. The backward never
reads them for a Conv2D (its gradients read x, w and the activation's output).

The third is the backward of a first conv layer (few taps: small-K) pooled by disjoint
windows, whose input needs no gradient: dz, the layer's largest tensor, is read only
by the filter and bias gradients, so one kernel makes both from bands of dz it never
stores (graph/fused/conv_pool.py). Any other reader of dz keeps the three ops apart.
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


def _is_bias_sum(node, dz):
    """`node` = sum(dz, axis=(0, 1, 2)) of shape (O,): a Conv2D's bias gradient."""
    if node.op != "sum" or len(node.inputs) != 1 or node.attrs.get("keepdims"):
        return False
    axis = node.attrs.get("axis")
    if axis is None or isinstance(axis, int):
        return False
    out = node.outputs[0]
    return (
        sorted(int(a) % 4 for a in axis) == [0, 1, 2]
        and tuple(out.shape) == (dz.shape[-1],)
        and str(out.dtype) == "float32"
    )


def _pool_grad_plan(node, users, pos):
    """(filter-gradient node, bias-sum node or None) when `node` (a pool2d_grad) can fuse
    with its readers into conv2d_pool_grad_filter, else None."""
    a = node.attrs
    (kh, kw), (sh, sw) = a["ksize"], a["strides"]
    dz = node.outputs[0]
    if sh < kh or sw < kw or str(dz.dtype) != "float32" or len(dz.shape) != 4:
        return None  # overlapping windows: the kernel writes each band once
    if any(str(i.dtype) != "float32" for i in node.inputs):
        return None
    us = users.get(id(dz), [])
    if not us or any(u is None for u in us):
        return None
    gfs = [u for u in us if u.op == "conv2d_grad_filter"]
    sums = [u for u in us if _is_bias_sum(u, dz)]
    if len(gfs) != 1 or len(sums) > 1 or len(us) != 1 + len(sums):
        return None
    gf = gfs[0]
    x = gf.inputs[0]
    if gf.inputs[1] is not dz or x is dz or str(x.dtype) != "float32":
        return None
    KH, KW = gf.attrs["ksize"]
    C = x.shape[-1]
    small_k = C is not None and gf.attrs["groups"] == 1 and KH * KW * C <= _SMALL_K
    if not small_k or tuple(gf.attrs["out"]) != tuple(dz.shape[1:3]):
        return None
    first = min(pos[id(u)] for u in us)
    if pos.get(id(x.node), -1) >= first:  # x must exist where the fused op goes
        return None
    return gf, (sums[0] if sums else None)


_SMALL_K = 32  # ConvShape::kSmallK (csrc/include/kerasette/conv.h)


def fuse_conv_pool_grad(fn):
    from ...backend import core

    if "conv2d_pool_grad_filter" not in getattr(core, "PROGRAM_KERNELS", ()):
        return fn
    users = _consumers(fn)
    nodes = fn.nodes
    pos = {id(n): i for i, n in enumerate(nodes)}
    plan = {}  # id(pool2d_grad) -> (pool2d_grad, filter gradient, bias sum or None)
    for node in nodes:
        if node.op == "pool2d_grad":
            found = _pool_grad_plan(node, users, pos)
            if found is not None:
                plan[id(node)] = (node, *found)
    if not plan:
        return fn
    # the fused op goes where the first of its two readers was
    at = {}
    for pool, gf, bsum in plan.values():
        first = gf if bsum is None or pos[id(gf)] < pos[id(bsum)] else bsum
        at[id(first)] = (pool, gf, bsum)
    skip = {id(n) for t in plan.values() for n in t if n is not None}
    rb = Rebuilder(fn.graph.name)
    _inputs(rb, fn)
    for node in nodes:
        if node.op == "placeholder" and _is_input(fn, node):
            continue
        if id(node) in at:
            pool, gf, bsum = at[id(node)]
            y, g = pool.inputs
            attrs = {k: gf.attrs[k] for k in (*_GEOM, "ksize")}
            pa = pool.attrs
            attrs.update(
                pool_ksize=pa["ksize"],
                pool_strides=pa["strides"],
                pool_pads=pa["pads"],
                pool_out=pa["out"],
                mode=pa["mode"],
                relu_mask=bool(pa.get("relu_mask")),
            )
            dw, db = rb.emit(
                "conv2d_pool_grad_filter", [rb[gf.inputs[0]], rb[y], rb[g]], attrs, like=None
            )
            rb.alias(gf.outputs[0], dw)
            if bsum is not None:
                rb.alias(bsum.outputs[0], db)
            continue
        if id(node) in skip:
            continue
        rb.copy(node)
    return rb.finish(fn)
