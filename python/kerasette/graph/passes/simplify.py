"""Algebraic identities that leave a value unchanged: x * 1, x / 1, x + 0, x - 0, and a
cast to the dtype x already has. The batch-size bookkeeping of a traced step (counts,
means over a batch axis of known size) leaves many of these once shapes are concrete.

Once shapes are concrete, `broadcast_like(x, ref)` becomes `broadcast_to(x, shape)` (or
x itself): it read ref only for its shape, and dropping that edge lets a gradient's seed
be computed before the value whose shape it borrowed (fusion pairs a loss's rows with
their gradient that way)."""

import numpy as np

from ..fnir import Rebuilder

_IDENTITY = {"multiply": 1.0, "divide": 1.0, "add": 0.0, "subtract": 0.0}


def _const(sym):
    if sym.node.op != "constant":
        return None
    v = np.asarray(sym.node.attrs["value"])
    return float(v.reshape(())) if v.size == 1 else None


def _passthrough(node):
    """The input a node passes through unchanged, or None."""
    out = node.outputs[0] if len(node.outputs) == 1 else None
    if out is None:
        return None
    if node.op == "cast" and node.inputs[0].dtype == out.dtype:
        src = node.inputs[0]
        return src if tuple(src.shape) == tuple(out.shape) else None
    unit = _IDENTITY.get(node.op)
    if unit is None:
        return None
    a, b = node.inputs
    cands = [(a, b)] + ([(b, a)] if node.op in ("multiply", "add") else [])
    for x, c in cands:
        if _const(c) == unit and tuple(x.shape) == tuple(out.shape) and x.dtype == out.dtype:
            return x
    return None


def _full(node):
    """full_like on a concrete shape: a constant (it reads only x's shape)."""
    if node.op != "full_like":
        return None
    out = node.outputs[0]
    if any(d is None for d in out.shape) or int(np.prod(out.shape)) > 1024:
        return None
    return np.full(out.shape, node.attrs["value"], dtype=out.dtype)


def _concrete_broadcast(node):
    """broadcast_like on a concrete output shape: that shape, else None."""
    if node.op != "broadcast_like":
        return None
    shape = tuple(node.outputs[0].shape)
    return None if any(d is None for d in shape) else shape


def run(fn):
    if not any(
        _passthrough(n) is not None or _full(n) is not None or _concrete_broadcast(n) is not None
        for n in fn.nodes
    ):
        return fn
    rb = Rebuilder(fn.graph.name)
    for s in fn.inputs:
        (new,) = rb.graph.add("placeholder", [], {"name": s.name}, [(s.shape, s.dtype)])
        new.name = s.name
        rb.alias(s, new)
    input_ids = {id(s) for s in fn.inputs}
    for node in fn.nodes:
        if node.op == "placeholder" and id(node.outputs[0]) in input_ids:
            continue
        src = _passthrough(node)
        full = _full(node)
        shape = _concrete_broadcast(node)
        if shape is not None:
            x = node.inputs[0]
            if tuple(x.shape) == shape:
                rb.alias(node.outputs[0], rb[x])
            else:
                (out,) = rb.emit("broadcast_to", [rb[x]], {"shape": shape}, like=node)
                rb.alias(node.outputs[0], out)
        elif src is not None:
            rb.alias(node.outputs[0], rb[src])
        elif full is not None:
            rb.alias(node.outputs[0], rb.graph.constant(full))
        else:
            rb.copy(node)
    return rb.finish(fn)
