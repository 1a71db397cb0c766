"""The lowering rule of each op (by name) or op family (by the registry's `kernel` tag).

A rule reads the node's concrete shapes and attributes and emits the instructions of
graph/lower.py. Kernel argument layouts are csrc/runtime/program.h's contract.
"""
import numpy as np

from . import registry
from .lower import (NotLowerable, Val, broadcast_strides, codes, contiguous_strides,
                    f32_array, numel)
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
    zero = ctx.out(node.outputs[0])
    ctx.emit("fill", [], [zero], [1], [0.0])


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
    imms = []
    extra = _EWISE_ATTR_IMMS.get(node.op)
    if extra is not None:
        imms = [float(node.attrs[a]) for a in extra]
    regs = list(range(k + len(imms)))
    dst = k + len(imms)
    args = (regs + [0, 0, 0])[:3]
    out = node.outputs[0]
    ints, floats = encode_ewise(ctx, ins, out.shape, [(name, dst, *args)], imms, [dst])
    ctx.emit("ewise", [ctx.val(s) for s in ins], [ctx.out(out)], ints, floats,
             inplace_ok=True)


# ops whose scalar attributes become immediate registers after the inputs
_EWISE_ATTR_IMMS = {}


# ---- reductions ------------------------------------------------------------------------
REDUCE_NAMES = {"sum": "sum", "max": "max", "min": "min", "prod": "prod", "mean": "mean",
                "argmax": "argmax", "argmin": "argmin", "any": "any", "all": "all",
                "logsumexp": "logsumexp"}


def _reduce(ctx, node):
    x, out = node.inputs[0], node.outputs[0]
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
            outer = numel(shape[:run[0]])
            n = numel(shape[run[0]:run[-1] + 1])
            inner = numel(shape[run[-1] + 1:])
            tmp = Val(outer * inner, name=f"{node.op}-part")
            ctx.emit("reduce", [src], [tmp], [code, outer, n, inner])
            shape = shape[:run[0]] + (1,) * len(run) + shape[run[-1] + 1:]
            src = tmp
        axes = tuple(runs[0])
    outer = numel(shape[:axes[0]])
    n = numel(shape[axes[0]:axes[-1] + 1])
    inner = numel(shape[axes[-1] + 1:])
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


def _broadcast_to(ctx, node):
    x, out = node.inputs[0], node.outputs[0]
    emit_strided(ctx, ctx.val(x), ctx.out(out), out.shape,
                 broadcast_strides(tuple(x.shape), tuple(out.shape)))


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
        ctx.emit("matmul", [va, vb], [ctx.out(out)],
                 [1, numel(ba) * M, N, K, 0, int(trans_b), 0, 0], [1.0, 0.0])
        return
    batch = np.broadcast_shapes(ba, bb) if (ba or bb) else ()
    nb = numel(batch)
    if (ba and ba != batch) or (bb and bb != batch):
        raise NotLowerable("matmul with partly broadcast batch dimensions")
    sa_stride = M * K if ba else 0
    sb_stride = K * N if bb else 0
    ctx.emit("matmul", [va, vb], [ctx.out(out)],
             [nb, M, N, K, int(trans_a), int(trans_b), sa_stride, sb_stride], [1.0, 0.0])


RULES = {
    "constant": _constant, "variable": _variable, "assign": _assign,
    "shape_dim": _shape_dim, "full_like": _full_like, "reshape": _view, "squeeze": _view, "expand_dims": _view,
    "broadcast_to": _broadcast_to, "transpose": _transpose, "matmul": _matmul,
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
