"""The lowering rule of each op (by name) or op family (by the registry's `kernel` tag).

A rule reads the node's concrete shapes and attributes and emits the instructions of
graph/lower.py. Kernel argument layouts are csrc/runtime/program.h's contract.
"""

import numpy as np

from . import registry
from .lower import NotLowerable, Val, broadcast_strides, codes, contiguous_strides, f32_array, numel
from .prims._util import norm_axes


# ---- values that come from outside -------------------------------------------------
def _constant(ctx, node):
    arr = f32_array(node.attrs["value"])
    ctx.define(node.outputs[0], ctx.ext(arr, name="const"))


def _variable(ctx, node):
    var = node.attrs["var"]
    arr = var.value
    if arr.dtype != np.float32 or not arr.flags.c_contiguous or not arr.flags.writeable:
        raise NotLowerable(f"Variable {var.path!r} ({arr.dtype}) is not float32 storage")
    ctx.variables.append((var, arr))
    ctx.define(node.outputs[0], ctx.ext(arr.reshape(-1), name=var.path))


def _assign(ctx, node):
    var = node.attrs["var"]
    arr = var.value
    if arr.dtype != np.float32 or not arr.flags.c_contiguous:
        raise NotLowerable(f"Variable {var.path!r} ({arr.dtype}) is not float32 storage")
    ctx.variables.append((var, arr))
    src = ctx.val(node.inputs[0])
    dst = ctx.ext(arr.reshape(-1), name=var.path)
    ctx.emit("copy", [src], [dst], [arr.size])
    effect_done(ctx, node)


def effect_done(ctx, node):
    """The dummy scalar output of a state write: a constant zero, no instruction."""
    ctx.define(node.outputs[0], ctx.ext(np.zeros(1, np.float32), name="done"))


def _full_like(ctx, node):
    out = node.outputs[0]
    ctx.emit("fill", [], [ctx.out(out)], [numel(out.shape)], [float(node.attrs["value"])])


def _shape_dim(ctx, node):
    dim = node.inputs[0].shape[node.attrs["axis"]]
    ctx.define(node.outputs[0], ctx.ext(np.full(1, dim, np.float32), name="dim"))


# ---- elementwise -----------------------------------------------------------------------
def ewise_code(op, attrs, in_dtype):
    """The ewise kernel's code name for elementwise op `op`."""
    if op == "cast":
        kind = np.dtype(attrs["dtype"]).kind
        if kind == "b":
            return "cast_bool"
        if kind in "iu" and np.dtype(in_dtype).kind == "f":
            return "cast_int"
        return "identity"
    return op


def encode_ewise(ctx, in_syms, out_shape, program, imms, out_regs):
    """ints/floats of one `ewise` instruction. program: [(code name, dst, a, b, c)]."""
    table = codes("EWISE_CODES")
    rank = len(out_shape)
    ints = [rank, *out_shape, len(in_syms)]
    for s in in_syms:
        ints += broadcast_strides(tuple(s.shape), tuple(out_shape)) if rank else []
    ints.append(len(program))
    for name, dst, a, b, c in program:
        if name not in table:
            raise NotLowerable(f"the ewise kernel has no code {name!r}")
        ints += [table[name], dst, a, b, c]
    ints.append(len(out_regs))
    ints += list(out_regs)
    return ints, [float(f) for f in imms]


def _ewise(ctx, node):
    name = ewise_code(node.op, node.attrs, node.inputs[0].dtype if node.inputs else "float32")
    ins = list(node.inputs)
    k = len(ins)
    args = (list(range(k)) + [0, 0, 0])[:3]
    out = node.outputs[0]
    ints, floats = encode_ewise(ctx, ins, out.shape, [(name, k, *args)], [], [k])
    ctx.emit("ewise", [ctx.val(s) for s in ins], [ctx.out(out)], ints, floats, inplace_ok=True)


# ---- reductions ------------------------------------------------------------------------
REDUCE_NAMES = {
    "sum": "sum",
    "max": "max",
    "min": "min",
    "prod": "prod",
    "mean": "mean",
    "argmax": "argmax",
    "argmin": "argmin",
    "any": "any",
    "all": "all",
    "logsumexp": "logsumexp",
}


def _reduce(ctx, node):
    x, out = node.inputs[0], node.outputs[0]
    if node.op not in REDUCE_NAMES:
        raise NotLowerable(f"reduction {node.op!r} has no kernel")
    code = codes("REDUCE_CODES")[REDUCE_NAMES[node.op]]
    shape = tuple(x.shape)
    axes = norm_axes(node.attrs.get("axis"), len(shape))
    src = ctx.val(x)
    if not shape or not axes:
        ctx.define(out, src if out.dtype == x.dtype else src)
        if node.op in ("argmax", "argmin"):
            raise NotLowerable("argmax over no axis")
        return
    if axes != tuple(range(axes[0], axes[-1] + 1)):
        if node.op not in ("sum", "max", "min", "prod", "any", "all"):
            raise NotLowerable(f"{node.op} over non-adjacent axes")
        # Reduce one adjacent run at a time, last axes first.
        runs, cur = [], [axes[0]]
        for a in axes[1:]:
            if a == cur[-1] + 1:
                cur.append(a)
            else:
                runs.append(cur)
                cur = [a]
        runs.append(cur)
        for run in reversed(runs[1:]):
            outer = numel(shape[: run[0]])
            n = numel(shape[run[0] : run[-1] + 1])
            inner = numel(shape[run[-1] + 1 :])
            tmp = Val(outer * inner, name=f"{node.op}-part")
            ctx.emit("reduce", [src], [tmp], [code, outer, n, inner])
            shape = shape[: run[0]] + (1,) * len(run) + shape[run[-1] + 1 :]
            src = tmp
        axes = tuple(runs[0])
    outer = numel(shape[: axes[0]])
    n = numel(shape[axes[0] : axes[-1] + 1])
    inner = numel(shape[axes[-1] + 1 :])
    if n == 1 and node.op in ("sum", "max", "min", "prod", "mean") and id(out) not in ctx.pinned:
        ctx.define(out, Val(src.size, base=src, name="view"))  # nothing to reduce
        return
    ctx.emit("reduce", [src], [ctx.out(out)], [code, outer, n, inner])


# ---- data movement ----------------------------------------------------------------------
def _view(ctx, node):
    """reshape / squeeze / expand_dims: the same buffer seen with another shape."""
    src = ctx.val(node.inputs[0])
    out = node.outputs[0]
    pinned = ctx.pinned.get(id(out))
    if pinned is not None:
        ctx.emit("copy", [src], [ctx.out(out)], [src.size])
        return
    ctx.define(out, Val(src.size, base=src, name="view"))


def emit_strided(ctx, src_val, out_val, shape, strides, offset=0):
    shape = list(shape)
    ctx.emit("strided", [src_val], [out_val], [len(shape), offset, *shape, *strides])


def emit_permuted(ctx, src_val, shape, perm, out_val=None, name="perm"):
    """A copy of contiguous `src_val` (of `shape`) with its axes in `perm` order; returns
    (the copy's Val, its shape). Kernels that work on the last (or first) axis run on
    any axis this way: move it, run, move it back with the inverse perm."""
    st = contiguous_strides(shape)
    pshape = [shape[p] for p in perm]
    dst = out_val if out_val is not None else Val(numel(shape), name=name)
    emit_strided(ctx, src_val, dst, pshape, [st[p] for p in perm])
    return dst, tuple(pshape)


def inverse_perm(perm):
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return inv


def _broadcast_to(ctx, node):
    x, out = node.inputs[0], node.outputs[0]
    emit_strided(
        ctx,
        ctx.val(x),
        ctx.out(out),
        out.shape,
        broadcast_strides(tuple(x.shape), tuple(out.shape)),
    )


def _transpose(ctx, node):
    x, out = node.inputs[0], node.outputs[0]
    axes = node.attrs.get("axes")
    rank = len(x.shape)
    axes = tuple(reversed(range(rank))) if axes is None else tuple(a % rank for a in axes)
    st = contiguous_strides(x.shape)
    emit_strided(ctx, ctx.val(x), ctx.out(out), out.shape, [st[a] for a in axes])


# ---- contractions -----------------------------------------------------------------------
def _matmul(ctx, node):
    a, b = node.inputs
    out = node.outputs[0]
    trans_a = bool(node.attrs.get("transpose_a", False))
    trans_b = bool(node.attrs.get("transpose_b", False))
    sa, sb = tuple(a.shape), tuple(b.shape)
    if len(sa) == 1:
        sa = (sa[0], 1) if trans_a else (1, sa[0])
    if len(sb) == 1:
        sb = (1, sb[0]) if trans_b else (sb[0], 1)
    M, K = (sa[-1], sa[-2]) if trans_a else (sa[-2], sa[-1])
    N = sb[-2] if trans_b else sb[-1]
    ba, bb = sa[:-2], sb[:-2]
    va, vb = ctx.val(a), ctx.val(b)
    if not bb and not trans_a:
        # (..., M, K) @ (K, N): the batch folds into M, one GEMM.
        ctx.emit(
            "matmul",
            [va, vb],
            [ctx.out(out)],
            [1, numel(ba) * M, N, K, 0, int(trans_b), 0, 0],
            [1.0, 0.0],
        )
        return
    batch = np.broadcast_shapes(ba, bb) if (ba or bb) else ()
    nb = numel(batch)
    # a batch broadcast only in part ((2, 3, M, K) @ (3, K, N), (1, M, K) @ (4, K, N)):
    # that operand is copied out to the full batch first
    if ba and ba != batch:
        va = _broadcast_operand(ctx, va, sa, batch, "matmul-a")
        ba = batch
    if bb and bb != batch:
        vb = _broadcast_operand(ctx, vb, sb, batch, "matmul-b")
        bb = batch
    sa_stride = M * K if ba else 0
    sb_stride = K * N if bb else 0
    ctx.emit(
        "matmul",
        [va, vb],
        [ctx.out(out)],
        [nb, M, N, K, int(trans_a), int(trans_b), sa_stride, sb_stride],
        [1.0, 0.0],
    )


def _broadcast_operand(ctx, v, shape, batch, name):
    full = tuple(batch) + tuple(shape[-2:])
    dst = Val(numel(full), name=name)
    emit_strided(ctx, v, dst, full, broadcast_strides(tuple(shape), full))
    return dst


# ---- softmax / log_softmax ------------------------------------------------------------
def _act(ctx, node):
    from ..backend import core

    x, out = node.inputs[0], node.outputs[0]
    rank = len(x.shape)
    if rank == 0:
        raise NotLowerable(f"{node.op} of a scalar")
    a = node.attrs.get("axis", -1) % rank
    cols = x.shape[a]
    ints = [core.ACTIVATIONS[node.op], numel(x.shape) // max(cols, 1), cols]
    if a == rank - 1:
        ctx.emit("act", [ctx.val(x)], [ctx.out(out)], ints, [0.0])
        return
    # the kernel works on rows: move the axis last, run, move it back
    perm = [i for i in range(rank) if i != a] + [a]
    moved, mshape = emit_permuted(ctx, ctx.val(x), tuple(x.shape), perm, name=f"{node.op}-in")
    res = Val(moved.size, name=f"{node.op}-rows")
    ctx.emit("act", [moved], [res], ints, [0.0])
    emit_permuted(ctx, res, mshape, inverse_perm(perm), ctx.out(out))


# ---- argmax / argmin: one axis ------------------------------------------------------------
def _arg(ctx, node):
    x, out = node.inputs[0], node.outputs[0]
    axis = node.attrs.get("axis")
    shape = tuple(x.shape)
    if axis is None:
        outer, n, inner = 1, numel(shape), 1
    else:
        a = norm_axes(axis, len(shape))[0]
        outer, n, inner = numel(shape[:a]), shape[a], numel(shape[a + 1 :])
    code = codes("REDUCE_CODES")[node.op]
    ctx.emit("reduce", [ctx.val(x)], [ctx.out(out)], [code, outer, n, inner])


# ---- slicing, padding, concatenation ----------------------------------------------------------
def _slice_plan(shape, begin, end, strides):
    """(offset, out shape, element strides) of x[begin:end:strides] on a contiguous x."""
    st = contiguous_strides(shape)
    offset, oshape, ostr = 0, [], []
    for d, b, e, s, c in zip(shape, begin, end, strides, st):
        start, stop, step = slice(b, e, s).indices(d)
        n = len(range(start, stop, step))
        oshape.append(n)
        ostr.append(c * step)
        offset += c * start if n else 0
    return offset, oshape, ostr


def _strided_slice(ctx, node):
    x, out = node.inputs[0], node.outputs[0]
    a = node.attrs
    off, shape, st = _slice_plan(tuple(x.shape), a["begin"], a["end"], a["strides"])
    emit_strided(ctx, ctx.val(x), ctx.out(out), shape, st, off)


def _write_into(ctx, src_val, dst_val, dst_shape, offset, shape, strides, accumulate=0):
    ctx.emit(
        "strided_write", [src_val], [dst_val], [len(shape), offset, accumulate, *shape, *strides]
    )


def _strided_slice_grad(ctx, node):
    g, x = node.inputs
    out = node.outputs[0]
    a = node.attrs
    dst = ctx.out(out)
    ctx.emit("fill", [], [dst], [numel(out.shape)], [0.0])
    off, shape, st = _slice_plan(tuple(x.shape), a["begin"], a["end"], a["strides"])
    if numel(shape):
        _write_into(ctx, ctx.val(g), dst, out.shape, off, shape, st)


def _pad(ctx, node):
    x, out = node.inputs[0], node.outputs[0]
    pw = node.attrs["pad_width"]
    dst = ctx.out(out)
    ctx.emit("fill", [], [dst], [numel(out.shape)], [float(node.attrs.get("constant_value", 0))])
    st = contiguous_strides(out.shape)
    off = sum(lo * c for (lo, _), c in zip(pw, st))
    if numel(x.shape):
        _write_into(ctx, ctx.val(x), dst, out.shape, off, list(x.shape), st)


def _concatenate(ctx, node):
    out = node.outputs[0]
    rank = len(out.shape)
    axis = norm_axes(node.attrs["axis"], rank)[0]
    dst = ctx.out(out)
    st = contiguous_strides(out.shape)
    at = 0
    for x in node.inputs:
        if numel(x.shape):
            _write_into(ctx, ctx.val(x), dst, out.shape, at * st[axis], list(x.shape), st)
        at += x.shape[axis]


def _tile(ctx, node):
    x, out = node.inputs[0], node.outputs[0]
    reps = node.attrs["reps"]
    # out viewed as (r0, d0, r1, d1, ...): x broadcast along every r axis
    shape, strides = [], []
    for d, r, c in zip(x.shape, reps, contiguous_strides(x.shape)):
        shape += [r, d]
        strides += [0, c]
    emit_strided(ctx, ctx.val(x), ctx.out(out), shape, strides)


def _repeat(ctx, node):
    x, out = node.inputs[0], node.outputs[0]
    axis = norm_axes(node.attrs["axis"], len(x.shape))[0]
    r = node.attrs["repeats"]
    if not isinstance(r, int):
        raise NotLowerable("repeat with per-element counts")
    shape = list(x.shape[: axis + 1]) + [r] + list(x.shape[axis + 1 :])
    st = contiguous_strides(x.shape)
    strides = st[: axis + 1] + [0] + st[axis + 1 :]
    emit_strided(ctx, ctx.val(x), ctx.out(out), shape, strides)


def _broadcast_like(ctx, node):
    x, out = node.inputs[0], node.outputs[0]
    emit_strided(
        ctx,
        ctx.val(x),
        ctx.out(out),
        out.shape,
        broadcast_strides(tuple(x.shape), tuple(out.shape)),
    )


# ---- gathers and scatters ----------------------------------------------------------------------
def _axis_first(shape, axis):
    """(outer, V, inner) of shape around axis, and the strides that read it as
    (V, outer, inner)."""
    outer, V, inner = numel(shape[:axis]), shape[axis], numel(shape[axis + 1 :])
    return outer, V, inner, [inner, V * inner, 1]


def _take(ctx, node):
    x, idx = node.inputs
    out = node.outputs[0]
    shape = tuple(x.shape)
    axis = norm_axes(node.attrs["axis"], len(shape))[0]
    R = numel(idx.shape)
    if axis == 0:
        ctx.emit(
            "gather", [ctx.val(x), ctx.val(idx)], [ctx.out(out)], [R, shape[0], numel(shape[1:])]
        )
        return
    # Gather rows of x seen as (V, outer, inner), then put the axis back in its place.
    outer, V, inner, st = _axis_first(shape, axis)
    table = Val(V * outer * inner, name="take-table")
    emit_strided(ctx, ctx.val(x), table, [V, outer, inner], st)
    rows = Val(R * outer * inner, name="take-rows")
    ctx.emit("gather", [table, ctx.val(idx)], [rows], [R, V, outer * inner])
    emit_strided(ctx, rows, ctx.out(out), [outer, R, inner], [inner, outer * inner, 1])


def _sole_fill(ctx, sym):
    """The fill instruction that wrote `sym` (a full_like, e.g. the zeros an Embedding's
    gradient is scattered into) when nothing else reads it, else None."""
    if sym.node.op != "full_like" or any(sym is o for o in ctx.fn.outputs):
        return None
    if sum(1 for n in ctx.fn.nodes for i in n.inputs if i is sym) != 1:
        return None
    v = ctx.val(sym)
    for ins in ctx.instrs:
        if ins.kernel == "fill" and len(ins.outs) == 1 and ins.outs[0] is v:
            return ins
    return None


def _index_add(ctx, node):
    x, idx, upd = node.inputs
    out = node.outputs[0]
    axis = norm_axes(node.attrs["axis"], len(x.shape))[0]
    rows = [numel(idx.shape), x.shape[axis], numel(x.shape) // max(x.shape[axis], 1)]
    # updates broadcast (as np.add.at's do) to x's shape with the indices' axes at `axis`
    full = tuple(x.shape[:axis]) + tuple(idx.shape) + tuple(x.shape[axis + 1 :])
    vu = ctx.val(upd)
    if tuple(upd.shape) != full:
        vu = Val(numel(full), name="index_add-upd-full")
        emit_strided(ctx, ctx.val(upd), vu, full, broadcast_strides(tuple(upd.shape), full))
    if axis == 0:
        dst = ctx.out(out)
        fill = _sole_fill(ctx, x)
        if fill is not None:  # x is a constant only this reads: fill dst itself, no copy
            fill.outs = [dst]
        else:
            ctx.emit("copy", [ctx.val(x)], [dst], [numel(x.shape)])
        ctx.emit("scatter_add", [vu, ctx.val(idx)], [dst], rows)
        return
    # the kernel scatters rows along axis 0: move the axis (and the updates' index axes)
    # to the front, scatter, move it back
    rank, k = len(x.shape), len(idx.shape)
    perm = [axis] + [i for i in range(rank) if i != axis]
    dst, mshape = emit_permuted(ctx, ctx.val(x), tuple(x.shape), perm, name="index_add-x")
    uperm = list(range(axis, axis + k)) + [i for i in range(len(full)) if not axis <= i < axis + k]
    moved_upd, _ = emit_permuted(ctx, vu, full, uperm, name="index_add-upd")
    ctx.emit("scatter_add", [moved_upd, ctx.val(idx)], [dst], rows)
    emit_permuted(ctx, dst, mshape, inverse_perm(perm), ctx.out(out))


def _along(x_shape, idx_shape, axis):
    a = norm_axes(axis, len(x_shape))[0]
    return numel(x_shape[:a]), x_shape[a], idx_shape[a], numel(x_shape[a + 1 :])


def _take_along_axis(ctx, node):
    x, idx = node.inputs
    out = node.outputs[0]
    if tuple(idx.shape) != tuple(out.shape) or any(
        i != a and d != e
        for i, (d, e) in enumerate(zip(x.shape, idx.shape))
        for a in [norm_axes(node.attrs["axis"], len(x.shape))[0]]
    ):
        raise NotLowerable("take_along_axis with broadcast indices")
    ctx.emit(
        "take_along_axis",
        [ctx.val(x), ctx.val(idx)],
        [ctx.out(out)],
        list(_along(tuple(x.shape), tuple(idx.shape), node.attrs["axis"])),
    )


def _scatter_add_along_axis(ctx, node):
    x, idx, upd = node.inputs
    out = node.outputs[0]
    dst = ctx.out(out)
    ctx.emit("copy", [ctx.val(x)], [dst], [numel(x.shape)])
    ctx.emit(
        "put_along_axis_add",
        [ctx.val(upd), ctx.val(idx)],
        [dst],
        list(_along(tuple(x.shape), tuple(idx.shape), node.attrs["axis"])),
    )


def _one_hot(ctx, node):
    idx, out = node.inputs[0], node.outputs[0]
    rank = len(out.shape)
    axis = norm_axes(node.attrs.get("axis", -1), rank)[0]
    ints = [numel(idx.shape), node.attrs["num_classes"]]
    if axis == rank - 1:
        ctx.emit("one_hot", [ctx.val(idx)], [ctx.out(out)], ints)
        return
    # the kernel puts the classes last: move them to `axis` after
    hot = Val(numel(out.shape), name="one_hot-last")
    ctx.emit("one_hot", [ctx.val(idx)], [hot], ints)
    last_shape = tuple(idx.shape) + (node.attrs["num_classes"],)
    perm = list(range(axis)) + [rank - 1] + list(range(axis, rank - 1))
    emit_permuted(ctx, hot, last_shape, perm, ctx.out(out))


def _scan(ctx, node):
    x, out = node.inputs[0], node.outputs[0]
    shape = tuple(x.shape)
    a = norm_axes(node.attrs["axis"], len(shape))[0]
    outer, n, inner = numel(shape[:a]), shape[a], numel(shape[a + 1 :])
    src = ctx.val(x)
    if node.attrs.get("reverse") and n > 1:  # scan the flipped axis, flip back
        st = contiguous_strides(shape)
        flipped = [-c if i == a else c for i, c in enumerate(st)]
        start = (n - 1) * st[a]
        flip = Val(src.size, name="scan-flip")
        emit_strided(ctx, src, flip, shape, flipped, start)
        tmp = Val(src.size, name="scan-rev")
        ctx.emit(node.op, [flip], [tmp], [outer, n, inner])
        emit_strided(ctx, tmp, ctx.out(out), shape, flipped, start)
        return
    ctx.emit(node.op, [src], [ctx.out(out)], [outer, n, inner])


# ---- random ------------------------------------------------------------------------------
def _stream(node):
    return int(node.attrs.get("seed", 0) or 0) % (1 << 62)


def _dropout(ctx, node):
    x, out = node.inputs[0], node.outputs[0]
    rate = float(node.attrs["rate"])
    if rate <= 0.0:
        ctx.emit("copy", [ctx.val(x)], [ctx.out(out)], [numel(x.shape)])
        return
    # The layer's counter input keys the draw (with its seed as the stream): the same
    # seed and counter give the same mask in every program, as Keras's seeded Dropout.
    ins = [ctx.val(x)] + ([ctx.val(node.inputs[1])] if len(node.inputs) > 1 else [])
    ctx.emit("dropout", ins, [ctx.out(out), None], [numel(x.shape), _stream(node)], [rate])


def _random(ctx, node):
    out = node.outputs[0]
    a = node.attrs
    if node.op == "random_uniform":
        floats = [a.get("minval", 0.0), a.get("maxval", 1.0)]
    else:
        floats = [a.get("mean", 0.0), a.get("stddev", 1.0)]
    ins = [ctx.val(node.inputs[0])] if node.inputs else []  # the counter keys the draw
    ctx.emit(node.op, ins, [ctx.out(out)], [numel(out.shape), _stream(node)], floats)


# ---- crossentropies on logits: the loss kernel's from_logits rows ----------------------------
def _softmax_xent(ctx, node):
    from ..backend import core

    logits, labels = node.inputs
    out = node.outputs[0]
    rank = len(logits.shape)
    sparse = node.op == "sparse_softmax_cross_entropy"
    vl, vy = ctx.val(logits), ctx.val(labels)
    a = rank - 1 if sparse else node.attrs.get("axis", -1) % rank
    if a != rank - 1:
        # the kernel reads rows: move the class axis last in both (the other axes keep
        # their order, which is the output's)
        perm = [i for i in range(rank) if i != a] + [a]
        vl, _ = emit_permuted(ctx, vl, tuple(logits.shape), perm, name="xent-logits")
        vy, _ = emit_permuted(ctx, vy, tuple(labels.shape), perm, name="xent-labels")
    K = logits.shape[a]
    R = numel(logits.shape) // max(K, 1)
    kind = "sparse_categorical_crossentropy" if sparse else "categorical_crossentropy"
    ctx.emit("loss", [vl, vy, None], [ctx.out(out), None], [core.LOSSES[kind], R, K, 1], [0.0, 1.0])


RULES = {
    "constant": _constant,
    "variable": _variable,
    "assign": _assign,
    "shape_dim": _shape_dim,
    "full_like": _full_like,
    "reshape": _view,
    "squeeze": _view,
    "expand_dims": _view,
    "broadcast_to": _broadcast_to,
    "transpose": _transpose,
    "matmul": _matmul,
    "stop_gradient": _view,
    "softmax": _act,
    "log_softmax": _act,
    "argmax": _arg,
    "argmin": _arg,
    "strided_slice": _strided_slice,
    "strided_slice_grad": _strided_slice_grad,
    "pad": _pad,
    "concatenate": _concatenate,
    "tile": _tile,
    "repeat": _repeat,
    "broadcast_like": _broadcast_like,
    "take": _take,
    "index_add": _index_add,
    "take_along_axis": _take_along_axis,
    "scatter_add_along_axis": _scatter_add_along_axis,
    "one_hot": _one_hot,
    "dropout": _dropout,
    "random_uniform": _random,
    "random_normal": _random,
    "softmax_cross_entropy": _softmax_xent,
    "sparse_softmax_cross_entropy": _softmax_xent,
    "cumsum": _scan,
    "cumprod": _scan,
}
FAMILIES = {"ewise": _ewise, "reduce": _reduce}


def rule_for(op):
    """The rule for op `op`: its own, else its kernel family's, else None."""
    rule = RULES.get(op)
    if rule is None:
        try:
            rule = FAMILIES.get(registry.get(op).kernel)
        except KeyError:
            return None
    return rule
