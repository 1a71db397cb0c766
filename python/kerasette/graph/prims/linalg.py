"""Contractions: matmul (batched, broadcasting, numpy semantics)."""

import numpy as np

from ..registry import register
from ._util import broadcast_shapes, result_dtype


def _matmul_infer(a, b):
    sa, sb = tuple(a.shape), tuple(b.shape)
    if not sa or not sb:
        raise ValueError("matmul: scalars are not allowed; use multiply")
    va, vb = len(sa) == 1, len(sb) == 1
    sa2 = (1,) + sa if va else sa
    sb2 = sb + (1,) if vb else sb
    k1, k2 = sa2[-1], sb2[-2]
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(
            f"matmul: incompatible shapes {sa} and {sb} (inner dimensions {k1} and {k2})"
        )
    batch = broadcast_shapes(sa2[:-2], sb2[:-2])
    out = batch + (sa2[-2], sb2[-1])
    if va:
        out = out[:-2] + out[-1:]
    if vb:
        out = out[:-1]
    return out, _matmul_dtype(a.dtype, b.dtype)


def _matmul_dtype(a, b):
    d = result_dtype(a, b)
    return "int32" if d == "int8" else d  # TF multiplies int8 into int32


def _matmul_eval(a, b):
    _matmul_infer(a, b)  # its clear shape errors, eagerly too
    dt = _matmul_dtype(a.dtype, b.dtype)
    return np.asarray(np.matmul(a.astype(dt, copy=False), b.astype(dt, copy=False)), dtype=dt)


def _matmul_grad(node, g):
    from ... import ops
    from ._util import unbroadcast

    a, b = node.inputs
    if len(a.shape) == 1 or len(b.shape) == 1:
        a2 = ops.expand_dims(a, 0) if len(a.shape) == 1 else a
        b2 = ops.expand_dims(b, -1) if len(b.shape) == 1 else b
        g2 = g
        if len(a.shape) == 1:
            g2 = ops.expand_dims(g2, -2)
        if len(b.shape) == 1:
            g2 = ops.expand_dims(g2, -1)
        ga = ops.matmul(g2, ops.swapaxes(b2, -1, -2))
        gb = ops.matmul(ops.swapaxes(a2, -1, -2), g2)
        ga, gb = unbroadcast(ga, a2.shape), unbroadcast(gb, b2.shape)
        if len(a.shape) == 1:
            ga = ops.squeeze(ga, 0)
        if len(b.shape) == 1:
            gb = ops.squeeze(gb, -1)
        return [ga, gb]
    ga = ops.matmul(g, ops.swapaxes(b, -1, -2))
    gb = ops.matmul(ops.swapaxes(a, -1, -2), g)
    return [unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)]


register("matmul", infer=_matmul_infer, eval=_matmul_eval, grad=_matmul_grad, kernel="matmul")
