"""Common-subexpression elimination: two nodes with the same op, the same inputs (after
earlier merges) and equal attributes become one. Effect and random ops are never merged
(two writes, or two draws, are two), nor placeholders (each is its own input)."""

import numpy as np

from .. import registry
from . import body, finish, start, with_all_effects


class _Unique:
    """An attribute value that equals nothing but itself (unhashable, or unknown)."""

    __slots__ = ()


def attr_key(v):
    """A hashable value equal for equal attributes: arrays by dtype, shape and bytes,
    Variables (and anything else with no value equality) by identity, Python scalars
    with their type (1, 1.0 and True are three attributes; 0.0 and -0.0 are two)."""
    from ...variables import Variable

    if isinstance(v, np.ndarray):
        return ("ndarray", v.dtype.str, v.shape, np.ascontiguousarray(v).tobytes())
    if isinstance(v, np.generic):
        return ("npscalar", v.dtype.str, v.tobytes())
    if isinstance(v, Variable):
        return ("variable", id(v))
    if isinstance(v, float):
        return ("float", v.hex())
    if isinstance(v, (bool, int, str, bytes, type(None))):
        return (type(v).__name__, v)
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, tuple(attr_key(x) for x in v))
    if isinstance(v, dict):
        return ("dict", tuple(sorted((str(k), attr_key(x)) for k, x in v.items())))
    if isinstance(v, np.dtype):
        return ("dtype", v.str)
    try:
        hash(v)
    except TypeError:
        return ("id", id(v))  # keeps v's id meaningful: the node holds v
    return (type(v).__name__, "obj", v)


def _mergeable(op):
    if op == "placeholder":
        return False
    try:
        opdef = registry.get(op)
    except KeyError:
        return False
    return not (opdef.effect or opdef.random)


def run(fn):
    fn = with_all_effects(fn)
    rb = start(fn, "cse")
    seen = {}  # (op, input ids, attrs key) -> the new node's outputs
    for node in body(fn):
        key = None
        if _mergeable(node.op):
            key = (
                node.op,
                tuple(id(rb[i]) for i in node.inputs),
                tuple(sorted((k, attr_key(v)) for k, v in node.attrs.items())),
            )
            hit = seen.get(key)
            if hit is not None and all(
                h.shape == o.shape and h.dtype == o.dtype for h, o in zip(hit, node.outputs)
            ):
                for old, new in zip(node.outputs, hit):
                    rb.alias(old, new)
                continue
        outs = rb.copy(node)
        if key is not None:
            seen[key] = outs
    return finish(rb, fn)
