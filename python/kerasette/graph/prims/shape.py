"""Ops that move or view data: reshape, expand_dims, broadcast_to."""
import numpy as np

from ..registry import register


def _reshape_infer(x, shape):
    shape = tuple(int(d) for d in shape)
    if shape.count(-1) > 1:
        raise ValueError(f"reshape: only one dimension can be -1, got {shape}")
    known = [d for d in x.shape]
    if -1 in shape:
        if None in known:
            return tuple(None if d == -1 else d for d in shape), x.dtype
        total = int(np.prod(known))
        rest = int(np.prod([d for d in shape if d != -1]))
        if rest == 0 or total % rest:
            raise ValueError(f"Cannot reshape a tensor of shape {tuple(x.shape)} to {shape}")
        return tuple(total // rest if d == -1 else d for d in shape), x.dtype
    if None not in known and int(np.prod(known)) != int(np.prod(shape)):
        raise ValueError(f"Cannot reshape a tensor of shape {tuple(x.shape)} to {shape}")
    return shape, x.dtype


def _reshape_grad(node, g):
    from ... import ops
    x = node.inputs[0]
    return [ops.reshape(g, tuple(-1 if d is None else d for d in x.shape))]


register("reshape", infer=_reshape_infer, eval=lambda x, shape: np.reshape(x, shape),
         grad=_reshape_grad, kernel="copy")


def _bt_infer(x, shape):
    return tuple(shape), x.dtype


def _bt_grad(node, g):
    from ._util import unbroadcast
    return [unbroadcast(g, node.inputs[0].shape)]


def _bt_eval(x, shape):
    return np.ascontiguousarray(np.broadcast_to(x, tuple(shape)))


register("broadcast_to", infer=_bt_infer, eval=_bt_eval, grad=_bt_grad, kernel="broadcast")
