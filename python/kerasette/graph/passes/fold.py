"""Constant folding: a node whose inputs are all constants is run once now, with its
numpy implementation, and becomes a constant.

Not folded: placeholders and variables (their value comes at run time), effect ops (they
must run each time), random ops (each run draws anew), ops with a Variable among their
attributes (read at run time), and results over MAX_ELEMENTS elements (a fold must not
turn a small graph into a huge constant: broadcast_to of a scalar, say)."""

import numpy as np

from .. import registry
from ..ir import unknown_rank
from . import body, finish, start, with_all_effects

MAX_ELEMENTS = 1 << 20


def _has_variable(attrs):
    from ...variables import Variable

    def walk(v):
        if isinstance(v, Variable):
            return True
        if isinstance(v, (list, tuple)):
            return any(walk(x) for x in v)
        if isinstance(v, dict):
            return any(walk(x) for x in v.values())
        return False

    return any(walk(v) for v in attrs.values())


def _foldable(node, is_const):
    if node.op in ("placeholder", "variable", "constant"):
        return False
    try:
        opdef = registry.get(node.op)
    except KeyError:
        return False
    if opdef.effect or opdef.random or opdef.eval is None:
        return False
    if not all(is_const(i) for i in node.inputs) or _has_variable(node.attrs):
        return False
    for o in node.outputs:
        if o.dtype == "bfloat16":  # numpy has no bfloat16: leave it to the kernels
            return False
        if not unknown_rank(o.shape) and None not in o.shape:
            if int(np.prod(o.shape, dtype=np.int64)) > MAX_ELEMENTS:
                return False
    return True


def _evaluate(node, args):
    """The node's output arrays, or None if it cannot be folded (it raised, or made a
    result too big or not of its declared dtype/shape)."""
    try:
        with np.errstate(all="ignore"):  # inf/nan fold as they would compute
            out = registry.get(node.op).eval(*args, **node.attrs)
    except Exception:  # the run will raise it where it belongs
        return None
    outs = out if isinstance(out, tuple) else (out,)
    if len(outs) != len(node.outputs):
        return None
    arrays = []
    for sym, val in zip(node.outputs, outs):
        val = np.asarray(val)
        if val.size > MAX_ELEMENTS:
            return None
        if not unknown_rank(sym.shape) and (
            len(sym.shape) != val.ndim
            or any(d is not None and d != v for d, v in zip(sym.shape, val.shape))
        ):
            return None
        arrays.append(val.astype(sym.dtype, copy=False))
    return arrays


def run(fn):
    fn = with_all_effects(fn)
    rb = start(fn, "fold")
    consts = {}  # id(new constant sym) -> its value
    for node in body(fn):
        if node.op == "constant":
            (out,) = rb.copy(node)
            consts[id(out)] = node.attrs["value"]
            continue
        new_inputs = [rb[i] for i in node.inputs]
        if _foldable(node, lambda s: id(rb[s]) in consts):
            arrays = _evaluate(node, [consts[id(s)] for s in new_inputs])
            if arrays is not None:
                for old, val in zip(node.outputs, arrays):
                    (new,) = rb.graph.add("constant", [], {"value": val}, [(val.shape, val.dtype)])
                    new.name = old.name
                    consts[id(new)] = val
                    rb.alias(old, new)
                continue
        rb.copy(node)
    return finish(rb, fn)
