"""Ops that move, view or place data: no arithmetic.

kernel "copy"    reshape(shape), expand_dims(axis), squeeze(axis): the same bytes, a new
                 shape (a compiled program may alias them).
kernel "strided" transpose(axes), broadcast_to(shape), broadcast_like, strided_slice
                 (begin, end, strides), tile(reps), repeat(repeats, axis): each output
                 element reads one input element at a computed offset.
kernel "strided_write" strided_slice_grad, pad(pad_width, constant_value),
                 concatenate(axis): outputs written region by region.

Shapes may hold None (known at run time): rules keep it where they can.
"""

import numpy as np

from ..registry import register
from ._util import broadcast_shapes, norm_axes, result_dtype, unbroadcast


def _ops():
    from ... import ops

    return ops


def _prim():
    from ...ops import _prim

    return _prim


def _dt(d):
    return str(np.dtype(d))


def _fill_unknown(shape):
    """A shape with None as -1 (for a reshape); at most one dimension may be unknown."""
    if sum(d is None for d in shape) > 1:
        raise NotImplementedError(
            f"cannot reshape to {shape}: more than one dimension is unknown until run time"
        )
    return tuple(-1 if d is None else d for d in shape)


# ---- reshape, expand_dims, squeeze -----------------------------------------------------
def _reshape_infer(x, shape):
    shape = tuple(int(d) for d in shape)
    if shape.count(-1) > 1:
        raise ValueError(f"reshape: only one dimension can be -1, got {shape}")
    known = tuple(x.shape)
    if None in known:
        return tuple(None if d == -1 else d for d in shape), _dt(x.dtype)
    total = int(np.prod(known, dtype=np.int64))
    if -1 in shape:
        rest = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
        if rest == 0 or total % rest:
            raise ValueError(f"Cannot reshape a tensor of shape {known} to {shape}")
        return tuple(total // rest if d == -1 else d for d in shape), _dt(x.dtype)
    if total != int(np.prod(shape, dtype=np.int64)):
        raise ValueError(f"Cannot reshape a tensor of shape {known} (size {total}) to {shape}")
    return shape, _dt(x.dtype)


def _reshape_grad(node, g):
    return [_ops().reshape(g, _fill_unknown(node.inputs[0].shape))]


register(
    "reshape",
    infer=_reshape_infer,
    eval=lambda x, shape: np.reshape(x, shape),
    grad=_reshape_grad,
    kernel="copy",
)


def _expand_infer(x, axis):
    out = list(x.shape)
    for a in sorted(axis):
        out.insert(a, 1)
    return tuple(out), _dt(x.dtype)


register(
    "expand_dims",
    infer=_expand_infer,
    eval=lambda x, axis: np.expand_dims(x, tuple(axis)),
    grad=lambda node, g: [_prim().squeeze(g, node.attrs["axis"])],
    kernel="copy",
)


def _squeeze_infer(x, axis):
    for a in axis:
        if x.shape[a] not in (1, None):
            raise ValueError(
                f"Cannot squeeze axis {a} of a tensor of shape {tuple(x.shape)}: its size is not 1"
            )
    return tuple(d for i, d in enumerate(x.shape) if i not in axis), _dt(x.dtype)


def _squeeze_eval(x, axis):
    _squeeze_infer(x, axis)
    return np.squeeze(x, tuple(axis))


register(
    "squeeze",
    infer=_squeeze_infer,
    eval=_squeeze_eval,
    grad=lambda node, g: [_prim().expand_dims(g, node.attrs["axis"])],
    kernel="copy",
)


# ---- transpose ---------------------------------------------------------------------------
def _transpose_infer(x, axes):
    if sorted(axes) != list(range(len(x.shape))):
        raise ValueError(
            f"transpose: axes {axes} are not a permutation of the "
            f"{len(x.shape)} axes of a tensor of shape {tuple(x.shape)}"
        )
    return tuple(x.shape[a] for a in axes), _dt(x.dtype)


register(
    "transpose",
    infer=_transpose_infer,
    eval=lambda x, axes: (_transpose_infer(x, axes), np.array(np.transpose(x, axes), order="C"))[1],
    grad=lambda node, g: [_ops().transpose(g, tuple(np.argsort(node.attrs["axes"]).tolist()))],
    kernel="strided",
)


# ---- broadcast_to, broadcast_like ----------------------------------------------------------
def _bt_target(xshape, shape):
    """shape with None resolved from x (right-aligned): None may only stand where x has
    that same dimension."""
    off = len(shape) - len(xshape)
    if off < 0:
        raise ValueError(f"Cannot broadcast a tensor of shape {tuple(xshape)} to {shape}")
    out = []
    for i, t in enumerate(shape):
        xd = xshape[i - off] if i >= off else 1
        if t is None:
            if xd == 1:
                raise ValueError(
                    f"broadcast_to: target {shape} leaves axis {i} unknown "
                    "where the input has size 1; use a known size"
                )
            out.append(xd)
        else:
            if xd not in (1, t, None):
                raise ValueError(f"Cannot broadcast a tensor of shape {tuple(xshape)} to {shape}")
            out.append(t)
    return tuple(out)


register(
    "broadcast_to",
    infer=lambda x, shape: (_bt_target(tuple(x.shape), tuple(shape)), _dt(x.dtype)),
    eval=lambda x, shape: np.array(
        np.broadcast_to(x, _bt_target(x.shape, tuple(shape))), order="C"
    ),
    grad=lambda node, g: [unbroadcast(g, node.inputs[0].shape)],
    kernel="strided",
)

# x broadcast against `ref` (read for its shape only): for gradients, whose target shape
# may hold dimensions known only at run time.
register(
    "broadcast_like",
    infer=lambda x, ref: (broadcast_shapes(tuple(x.shape), tuple(ref.shape)), _dt(x.dtype)),
    eval=lambda x, ref: np.array(
        np.broadcast_to(x, np.broadcast_shapes(x.shape, ref.shape)), order="C"
    ),
    grad=lambda node, g: [unbroadcast(g, node.inputs[0].shape), None],
    kernel="strided",
)


# ---- strided_slice and its gradient -----------------------------------------------------
# begin/end/strides: one entry per axis, Python slice semantics (None, negative indices,
# negative strides), resolved against the run-time shape.
def _slices(begin, end, strides):
    return tuple(slice(b, e, s) for b, e, s in zip(begin, end, strides))


def _slice_len(d, b, e, s):
    if d is not None:
        return len(range(*slice(b, e, s).indices(d)))
    if s == 1 and b is not None and e is not None and (b >= 0) == (e >= 0):
        return max(0, e - b)
    if s == 1 and b is not None and b < 0 and e is None:
        return -b
    return None


def _ss_check(x, begin, end, strides):
    n = len(x.shape)
    if not len(begin) == len(end) == len(strides) == n:
        raise ValueError(f"strided_slice: begin/end/strides need {n} entries")
    if any(s == 0 for s in strides):
        raise ValueError("slice step cannot be zero")


def _ss_infer(x, begin, end, strides):
    _ss_check(x, begin, end, strides)
    return (
        tuple(_slice_len(d, b, e, s) for d, b, e, s in zip(x.shape, begin, end, strides)),
        _dt(x.dtype),
    )


register(
    "strided_slice",
    infer=_ss_infer,
    eval=lambda x, begin, end, strides: np.array(x[_slices(begin, end, strides)], order="C"),
    grad=lambda node, g: [_prim().strided_slice_grad(g, node.inputs[0], **node.attrs)],
    kernel="strided",
)


def _ssg_eval(g, x, begin, end, strides):
    out = np.zeros(x.shape, dtype=g.dtype)
    out[_slices(begin, end, strides)] = g
    return out


# zeros shaped like x (read for its shape only) with g written where the slice read.
register(
    "strided_slice_grad",
    infer=lambda g, x, begin, end, strides: (tuple(x.shape), _dt(g.dtype)),
    eval=_ssg_eval,
    grad=lambda node, gg: [_prim().strided_slice(gg, **node.attrs), None],
    kernel="strided_write",
)


# ---- pad (constant) ------------------------------------------------------------------------
def _pad_infer(x, pad_width, constant_value=0):
    if len(pad_width) != len(x.shape):
        raise ValueError(
            f"pad: pad_width has {len(pad_width)} pairs for a tensor of rank {len(x.shape)}"
        )
    return (
        tuple(None if d is None else d + lo + hi for d, (lo, hi) in zip(x.shape, pad_width)),
        _dt(x.dtype),
    )


def _pad_grad(node, g):
    pw = node.attrs["pad_width"]
    n = len(pw)
    return [
        _prim().strided_slice(
            g, tuple(lo for lo, _ in pw), tuple(-hi if hi else None for _, hi in pw), (1,) * n
        )
    ]


register(
    "pad",
    infer=_pad_infer,
    eval=lambda x, pad_width, constant_value=0: np.pad(
        x, pad_width, mode="constant", constant_values=constant_value
    ),
    grad=_pad_grad,
    kernel="strided_write",
)


# ---- concatenate -------------------------------------------------------------------------
def _concat_infer(*xs, axis):
    if not xs:
        raise ValueError("concatenate needs at least one tensor")
    n = len(xs[0].shape)
    if n == 0:
        raise ValueError("concatenate: zero-dimensional tensors cannot be concatenated")
    axis = norm_axes(axis, n)[0]
    out = list(xs[0].shape)
    for x in xs[1:]:
        if len(x.shape) != n:
            raise ValueError(
                "concatenate: all tensors need the same rank, got shapes "
                f"{[tuple(t.shape) for t in xs]}"
            )
        for i, d in enumerate(x.shape):
            if i == axis:
                continue
            if out[i] is None:
                out[i] = d
            elif d is not None and d != out[i]:
                raise ValueError(
                    "concatenate: shapes must match except on axis "
                    f"{axis}, got {[tuple(t.shape) for t in xs]}"
                )
    sizes = [x.shape[axis] for x in xs]
    out[axis] = None if None in sizes else int(sum(sizes))
    return tuple(out), result_dtype(*[x.dtype for x in xs])


def _concat_eval(*xs, axis):
    _, dt = _concat_infer(*xs, axis=axis)
    return np.concatenate([x.astype(dt, copy=False) for x in xs], axis=axis)


def _concat_grad(node, g):
    xs = node.inputs
    n = len(g.shape)
    axis = norm_axes(node.attrs["axis"], n)[0]
    sizes = [x.shape[axis] for x in xs]
    if sizes.count(None) > 1:
        raise NotImplementedError(
            "concatenate's gradient needs all but one input size along the axis known"
        )
    # Offsets from the front up to the unknown input, from the back after it.
    u = sizes.index(None) if None in sizes else len(sizes)
    bounds = []
    pos = 0
    for s in sizes[:u]:
        bounds.append((pos, pos + s))
        pos += s
    tail = []
    pos = 0
    for s in reversed(sizes[u + 1 :]):
        tail.append((-(pos + s), -pos if pos else None))
        pos += s
    if u < len(sizes):
        bounds.append((bounds[-1][1] if bounds else 0, tail[-1][0] if tail else None))
    bounds += list(reversed(tail))
    out = []
    for _x, (b, e) in zip(xs, bounds):
        begin = tuple(b if i == axis else None for i in range(n))
        end = tuple(e if i == axis else None for i in range(n))
        gi = _prim().strided_slice(g, begin, end, (1,) * n)
        out.append(gi)
    return out


register(
    "concatenate", infer=_concat_infer, eval=_concat_eval, grad=_concat_grad, kernel="strided_write"
)


# ---- tile, repeat ------------------------------------------------------------------------
def _tile_infer(x, reps):
    if len(reps) != len(x.shape):
        raise ValueError(f"tile: reps {reps} needs one entry per axis of {tuple(x.shape)}")
    return tuple(None if d is None else d * r for d, r in zip(x.shape, reps)), _dt(x.dtype)


def _tile_grad(node, g):
    # (r0*d0, r1*d1, ...) -> (r0, d0, r1, d1, ...) summed over the r axes
    ops = _ops()
    x = node.inputs[0]
    split, sum_axes = [], []
    for d, r in zip(x.shape, node.attrs["reps"]):
        if r != 1:
            sum_axes.append(len(split))
            split.append(r)
        split.append(d)
    if not sum_axes:
        return [g]
    return [ops.sum(ops.reshape(g, _fill_unknown(split)), axis=tuple(sum_axes))]


register(
    "tile",
    infer=_tile_infer,
    eval=lambda x, reps: np.tile(x, reps),
    grad=_tile_grad,
    kernel="strided",
)


def _repeat_infer(x, repeats, axis):
    axis = norm_axes(axis, len(x.shape))[0]
    out = list(x.shape)
    out[axis] = None if out[axis] is None else out[axis] * repeats
    return tuple(out), _dt(x.dtype)


def _repeat_grad(node, g):
    # (..., d*r, ...) -> (..., d, r, ...) summed over r
    ops = _ops()
    x = node.inputs[0]
    r = node.attrs["repeats"]
    axis = norm_axes(node.attrs["axis"], len(x.shape))[0]
    split = list(x.shape)
    split.insert(axis + 1, r)
    return [ops.sum(ops.reshape(g, _fill_unknown(split)), axis=axis + 1)]


register(
    "repeat",
    infer=_repeat_infer,
    eval=lambda x, repeats, axis: np.repeat(x, repeats, axis=axis),
    grad=_repeat_grad,
    kernel="strided",
)


# ---- stop_gradient ---------------------------------------------------------------------
# The identity forward; autodiff sends nothing through it.
register(
    "stop_gradient",
    infer=lambda x: (tuple(x.shape), _dt(x.dtype)),
    eval=lambda x: x,
    grad=lambda node, g: [None],
    kernel="copy",
)
