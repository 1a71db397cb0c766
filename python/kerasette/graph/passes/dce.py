"""Dead-code elimination: keep only what the outputs and effects need, and drop
reshapes, casts and broadcasts that do not change anything (same shape, same dtype)."""

from ..ir import unknown_rank
from . import body, finish, start, with_all_effects


def _one_unknown_at_most(shape):
    return not unknown_rank(shape) and sum(d is None for d in shape) <= 1


def is_identity(node):
    """True when node's output is its input, whatever the input's value."""
    if len(node.inputs) != 1 or len(node.outputs) != 1:
        return False
    x, y = node.inputs[0], node.outputs[0]
    if x.dtype != y.dtype or x.shape != y.shape:
        return False
    if node.op == "reshape":
        # With one unknown size, equal shapes mean the -1 stands where the None is.
        return _one_unknown_at_most(x.shape)
    if node.op == "cast":
        return True
    if node.op == "broadcast_to":
        return not unknown_rank(x.shape) and None not in x.shape
    return False


def run(fn):
    fn = with_all_effects(fn)
    rb = start(fn, "dce")
    for node in body(fn):
        if is_identity(node):
            rb.alias(node.outputs[0], rb[node.inputs[0]])
        else:
            rb.copy(node)
    return finish(rb, fn)


__all__ = ["run", "is_identity"]
