"""Reverse-mode autodiff: the backward graph is built once, from the ops' grad rules.

`gradients(loss, xs)` walks the nodes `loss` depends on in reverse and calls each op's
grad rule, which is itself written in ops, so the gradients are nodes of the same
graph (and pass through the same compiler passes as the forward).
"""

import numpy as np

from . import registry
from .ir import producers_of


def _differentiable(sym):
    return np.dtype(sym.dtype).kind == "f"


def gradients(loss, xs):
    """d(sum of loss)/dx for each Sym in xs (None where loss does not depend on it)."""
    from .. import ops

    nodes = producers_of([loss])
    # Only nodes on a path from some x to the loss need a gradient.
    wanted = {id(x) for x in xs}
    on_path = set(wanted)
    for node in nodes:
        if any(id(i) in on_path for i in node.inputs):
            on_path.update(id(o) for o in node.outputs)
    grads = {id(loss): ops.ones_like(loss)}
    for node in reversed(nodes):
        if not any(id(o) in on_path for o in node.outputs):
            continue
        gouts = [grads.get(id(o)) for o in node.outputs]
        if all(g is None for g in gouts):
            continue
        needs = [id(i) in on_path and _differentiable(i) for i in node.inputs]
        if not any(needs):
            continue
        rule = registry.get(node.op).grad
        if rule is None:
            raise NotImplementedError(f"op {node.op!r} has no gradient rule")
        gins = rule(node, *gouts)
        for inp, g, need in zip(node.inputs, gins, needs):
            if g is None or not need:
                continue
            prev = grads.get(id(inp))
            grads[id(inp)] = g if prev is None else ops.add(prev, g)
    return [grads.get(id(x)) for x in xs]
