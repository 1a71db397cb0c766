"""One ONNX lowering rule per kerasette primitive (graph/prims/*, graph/fused/recurrent.py).

A rule is `rule(g, node) -> [ONNX name per node output]`, each holding the output's
dtype; `g` is an OnnxGraph (onnx_builder.py). Every layer is written in kerasette.ops,
so a layer exports once the primitives its inference forward traces to have a rule
here. Rules follow each primitive's numpy `eval` (the reference), not TensorFlow:
kerasette casts operands to the result dtype itself, so the rules insert those casts,
which ONNX never does implicitly. Opset 18 or later (axes as inputs everywhere).
"""

import numpy as np

from ..graph.prims._util import norm_axes, result_dtype

RULES = {}

_INT64_MAX = np.iinfo(np.int64).max
_INT64_MIN = np.iinfo(np.int64).min

# Primitives with no rule, and why: export names the primitive and the reason.
UNSUPPORTED = {
    "random_uniform": "ONNX's random operators draw from another generator, so the exported "
    "model could not reproduce kerasette's numbers",
    "random_normal": "ONNX's random operators draw from another generator",
    "random_normal_like": "ONNX's random operators draw from another generator",
    "dropout": "it only runs in training; export traces the inference forward",
    "cumprod": "ONNX has no cumulative product operator",
    "assign": "a state write: exported models are pure functions",
    "deferred": "its attributes follow sizes unknown when traced (a convolution over "
    "Input((None, 10))); export such a model with those sizes fixed",
}


def rule(*names):
    def deco(fn):
        for n in names:
            RULES[n] = fn
        return fn

    return deco


def _out_dt(node, i=0):
    return node.outputs[i].dtype


def _is_float(dtype):
    return np.dtype(dtype).kind == "f"


def _rank(sym):
    return len(sym.shape)


# ---- elementwise: unary ------------------------------------------------------------------
_UNARY = {
    "negative": "Neg",
    "abs": "Abs",
    "sign": "Sign",
    "floor": "Floor",
    "ceil": "Ceil",
    "exp": "Exp",
    "log": "Log",
    "sqrt": "Sqrt",
    "reciprocal": "Reciprocal",
    "sin": "Sin",
    "cos": "Cos",
    "tan": "Tan",
    "arcsin": "Asin",
    "arccos": "Acos",
    "arctan": "Atan",
    "sinh": "Sinh",
    "cosh": "Cosh",
    "arcsinh": "Asinh",
    "arccosh": "Acosh",
    "arctanh": "Atanh",
    "tanh": "Tanh",
    "erf": "Erf",
    "sigmoid": "Sigmoid",
}


@rule(*_UNARY)
def _unary(g, node):
    return [g.op(_UNARY[node.op], [g.val(node.inputs[0], _out_dt(node))])]


@rule("round")
def _round(g, node):
    x = g.val(node.inputs[0], _out_dt(node))
    # ONNX's Round rounds half to even, as numpy; integers are already whole
    return [g.op("Round", [x]) if _is_float(_out_dt(node)) else g.op("Identity", [x])]


@rule("trunc")
def _trunc(g, node):
    dt = _out_dt(node)
    x = g.val(node.inputs[0], dt)
    if not _is_float(dt):
        return [g.op("Identity", [x])]
    neg = g.op("Less", [x, g.scalar(0, dt)])
    return [g.op("Where", [neg, g.op("Ceil", [x]), g.op("Floor", [x])])]


@rule("relu")
def _relu(g, node):
    dt = _out_dt(node)
    x = g.val(node.inputs[0], dt)
    return [g.op("Relu", [x]) if _is_float(dt) else g.op("Max", [x, g.scalar(0, dt)])]


@rule("square")
def _square(g, node):
    x = g.val(node.inputs[0], _out_dt(node))
    return [g.op("Mul", [x, x])]


@rule("expm1")
def _expm1(g, node):
    dt = _out_dt(node)
    return [g.op("Sub", [g.op("Exp", [g.val(node.inputs[0], dt)]), g.scalar(1, dt)])]


@rule("log1p")
def _log1p(g, node):
    dt = _out_dt(node)
    return [g.op("Log", [g.op("Add", [g.val(node.inputs[0], dt), g.scalar(1, dt)])])]


@rule("rsqrt")
def _rsqrt(g, node):
    return [g.op("Reciprocal", [g.op("Sqrt", [g.val(node.inputs[0], _out_dt(node))])])]


@rule("logical_not")
def _not(g, node):
    return [g.op("Not", [g.val(node.inputs[0], "bool")])]


def _never(g, x, value):
    """A bool tensor shaped like x, all `value` (isnan/isinf of integers)."""
    same = g.op("Equal", [x, x])
    return same if value else g.op("Not", [same])


@rule("isnan", "isinf", "isfinite")
def _float_class(g, node):
    x = node.inputs[0]
    xv = g.val(x)
    if not _is_float(x.dtype):
        return [_never(g, xv, node.op == "isfinite")]
    if node.op == "isnan":
        return [g.op("IsNaN", [xv])]
    if node.op == "isinf":
        return [g.op("IsInf", [xv])]
    return [g.op("Not", [g.op("Or", [g.op("IsNaN", [xv]), g.op("IsInf", [xv])])])]


# ---- elementwise: binary -----------------------------------------------------------------
_BINARY = {
    "add": "Add",
    "subtract": "Sub",
    "multiply": "Mul",
    "divide": "Div",
    "power": "Pow",
    "maximum": "Max",
    "minimum": "Min",
}


def _pair(g, node, dt):
    a, b = node.inputs
    return g.val(a, dt), g.val(b, dt)


@rule(*_BINARY)
def _binary(g, node):
    return [g.op(_BINARY[node.op], list(_pair(g, node, _out_dt(node))))]


@rule("floor_divide")
def _floor_divide(g, node):
    dt = _out_dt(node)
    a, b = _pair(g, node, dt)
    if _is_float(dt):
        return [g.op("Floor", [g.op("Div", [a, b])])]
    # integers: ONNX's Div truncates; (a - floor_mod(a, b)) / b is exact
    return [g.op("Div", [g.op("Sub", [a, g.op("Mod", [a, b], fmod=0)]), b])]


@rule("mod")
def _mod(g, node):
    dt = _out_dt(node)
    a, b = _pair(g, node, dt)
    if not _is_float(dt):
        return [g.op("Mod", [a, b], fmod=0)]  # floor mod: the divisor's sign, as numpy
    r = g.op("Mod", [a, b], fmod=1)  # C fmod: the dividend's sign
    zero = g.scalar(0, dt)
    fix = g.op(
        "And",
        [
            g.op("Not", [g.op("Equal", [r, zero])]),
            g.op("Xor", [g.op("Less", [r, zero]), g.op("Less", [b, zero])]),
        ],
    )
    return [g.op("Where", [fix, g.op("Add", [r, b]), r])]


@rule("arctan2")
def _arctan2(g, node):
    dt = _out_dt(node)
    y, x = _pair(g, node, dt)
    zero, pi = g.scalar(0, dt), g.scalar(np.pi, dt)
    base = g.op("Atan", [g.op("Div", [y, x])])
    y_neg = g.op("Less", [y, zero])
    shift = g.op("Where", [y_neg, g.op("Neg", [pi]), pi])
    left = g.op("Add", [base, shift])  # x < 0
    half = g.op("Where", [y_neg, g.scalar(-np.pi / 2, dt), g.scalar(np.pi / 2, dt)])
    on_axis = g.op("Where", [g.op("Equal", [y, zero]), zero, half])  # x == 0
    out = g.op("Where", [g.op("Less", [x, zero]), left, on_axis])
    return [g.op("Where", [g.op("Greater", [x, zero]), base, out])]


_COMPARE = {
    "equal": "Equal",
    "less": "Less",
    "less_equal": "LessOrEqual",
    "greater": "Greater",
    "greater_equal": "GreaterOrEqual",
}


@rule(*_COMPARE, "not_equal")
def _compare(g, node):
    a, b = node.inputs
    ct = result_dtype(a.dtype, b.dtype)
    if ct == "bool" and node.op not in ("equal", "not_equal"):
        ct = "int32"  # ONNX orders numbers only
    av, bv = g.val(a, ct), g.val(b, ct)
    if node.op == "not_equal":
        return [g.op("Not", [g.op("Equal", [av, bv])])]
    return [g.op(_COMPARE[node.op], [av, bv])]


_LOGICAL = {"logical_and": "And", "logical_or": "Or", "logical_xor": "Xor"}


@rule(*_LOGICAL)
def _logical(g, node):
    return [g.op(_LOGICAL[node.op], list(_pair(g, node, "bool")))]


@rule("where")
def _where(g, node):
    c, a, b = node.inputs
    dt = _out_dt(node)
    return [g.op("Where", [g.val(c, "bool"), g.val(a, dt), g.val(b, dt)])]


@rule("cast")
def _cast(g, node):
    # float -> int truncates toward zero in ONNX's Cast, as the eval's np.trunc
    return [g.op("Identity", [g.val(node.inputs[0], _out_dt(node))])]


@rule("full_like")
def _full_like(g, node):
    from onnx import numpy_helper

    dt = _out_dt(node)
    value = numpy_helper.from_array(np.asarray([node.attrs["value"]], dtype=dt))
    return [g.op("ConstantOfShape", [g.shape_of(g.val(node.inputs[0]))], value=value)]


# ---- reductions and scans --------------------------------------------------------------------
_REDUCE = {
    "sum": "ReduceSum",
    "prod": "ReduceProd",
    "max": "ReduceMax",
    "min": "ReduceMin",
    "any": "ReduceMax",
    "all": "ReduceMin",
}


@rule(*_REDUCE)
def _reduce(g, node):
    x = node.inputs[0]
    dt = _out_dt(node)
    axes = norm_axes(node.attrs.get("axis"), _rank(x))
    keep = int(bool(node.attrs.get("keepdims", False)))
    if node.op in ("any", "all"):  # over 0/1 integers, then back to bool
        xv = g.cast(g.val(x, "bool"), "bool", "int32")
    else:
        xv = g.val(x, dt)
    if not axes:  # a scalar, or axis=(): nothing to reduce
        out = g.op("Identity", [xv])
    else:
        out = g.op(_REDUCE[node.op], [xv, g.ints(axes)], keepdims=keep)
    return [g.cast(out, "int32", "bool") if node.op in ("any", "all") else out]


@rule("argmax", "argmin")
def _arg(g, node):
    x = node.inputs[0]
    xv = g.val(x, "int32" if x.dtype == "bool" else None)
    axis = node.attrs.get("axis")
    keep = bool(node.attrs.get("keepdims", False))
    op = "ArgMax" if node.op == "argmax" else "ArgMin"
    if axis is None:  # over the flattened tensor
        flat = g.op("Reshape", [xv, g.ints([-1])])
        out = g.op(op, [flat], axis=0, keepdims=0, select_last_index=0)
        if keep:
            out = g.op("Reshape", [out, g.ints([1] * _rank(x))])
    else:
        a = norm_axes(axis, _rank(x))[0]
        out = g.op(op, [xv], axis=a, keepdims=int(keep), select_last_index=0)
    return [g.cast(out, "int64", "int32")]


@rule("cumsum")
def _cumsum(g, node):
    x = node.inputs[0]
    a = norm_axes(node.attrs["axis"], _rank(x))[0]
    return [
        g.op(
            "CumSum",
            [g.val(x, _out_dt(node)), g.const(np.int64(a))],
            reverse=int(bool(node.attrs.get("reverse", False))),
            exclusive=0,
        )
    ]


# ---- shapes ------------------------------------------------------------------------------
@rule("reshape")
def _reshape(g, node):
    shape = [int(d) for d in node.attrs["shape"]]
    return [g.op("Reshape", [g.val(node.inputs[0]), g.ints(shape)], allowzero=int(0 in shape))]


@rule("expand_dims")
def _expand_dims(g, node):
    return [g.op("Unsqueeze", [g.val(node.inputs[0]), g.ints(sorted(node.attrs["axis"]))])]


@rule("squeeze")
def _squeeze(g, node):
    axes = norm_axes(tuple(node.attrs["axis"]), _rank(node.inputs[0]))
    if not axes:
        return [g.op("Identity", [g.val(node.inputs[0])])]
    return [g.op("Squeeze", [g.val(node.inputs[0]), g.ints(axes)])]


@rule("transpose")
def _transpose(g, node):
    return [g.op("Transpose", [g.val(node.inputs[0])], perm=list(node.attrs["axes"]))]


@rule("broadcast_to")
def _broadcast_to(g, node):
    # Expand broadcasts both ways: a 1 where the target is unknown keeps x's size there
    shape = [1 if d is None else int(d) for d in node.attrs["shape"]]
    return [g.op("Expand", [g.val(node.inputs[0]), g.ints(shape)])]


@rule("broadcast_like")
def _broadcast_like(g, node):
    x, ref = node.inputs
    return [g.op("Expand", [g.val(x), g.shape_of(g.val(ref))])]


@rule("stop_gradient")
def _identity(g, node):
    return [g.op("Identity", [g.val(node.inputs[0])])]


@rule("strided_slice")
def _strided_slice(g, node):
    a = node.attrs
    starts, ends, axes, steps = [], [], [], []
    for i, (b, e, s) in enumerate(zip(a["begin"], a["end"], a["strides"])):
        if b is None and e is None and s == 1:
            continue
        # None ends are sentinels ONNX clamps exactly as Python's slices do
        starts.append(b if b is not None else (0 if s > 0 else _INT64_MAX))
        ends.append(e if e is not None else (_INT64_MAX if s > 0 else _INT64_MIN))
        axes.append(i)
        steps.append(s)
    x = g.val(node.inputs[0])
    if not axes:
        return [g.op("Identity", [x])]
    return [g.op("Slice", [x, g.ints(starts), g.ints(ends), g.ints(axes), g.ints(steps)])]


@rule("pad")
def _pad(g, node):
    pw = node.attrs["pad_width"]
    dt = _out_dt(node)
    pads = [int(lo) for lo, _ in pw] + [int(hi) for _, hi in pw]
    value = g.scalar(node.attrs.get("constant_value", 0), dt)
    return [g.op("Pad", [g.val(node.inputs[0]), g.ints(pads), value], mode="constant")]


@rule("concatenate")
def _concatenate(g, node):
    dt = _out_dt(node)
    axis = norm_axes(node.attrs["axis"], _rank(node.inputs[0]))[0]
    return [g.op("Concat", [g.val(x, dt) for x in node.inputs], axis=axis)]


@rule("tile")
def _tile(g, node):
    return [g.op("Tile", [g.val(node.inputs[0]), g.ints(node.attrs["reps"])])]


@rule("repeat")
def _repeat(g, node):
    # each element r times along axis: (.., d, ..) -> (.., d, r, ..) -> (.., d*r, ..)
    x = node.inputs[0]
    r = int(node.attrs["repeats"])
    a = norm_axes(node.attrs["axis"], _rank(x))[0]
    xv = g.val(x)
    up = g.op("Unsqueeze", [xv, g.ints([a + 1])])
    reps = [1] * (_rank(x) + 1)
    reps[a + 1] = r
    tiled = g.op("Tile", [up, g.ints(reps)])
    out = list(node.outputs[0].shape)
    if sum(d is None for d in out) <= 1:
        shape = g.ints([-1 if d is None else d for d in out])
    else:
        shp = g.shape_of(xv)
        parts = [
            g.ints([d]) if d is not None else g.op("Gather", [shp, g.ints([i])], axis=0)
            for i, d in enumerate(out)
        ]
        if out[a] is None:
            parts[a] = g.op("Mul", [g.op("Gather", [shp, g.ints([a])], axis=0), g.ints([r])])
        shape = g.op("Concat", parts, axis=0)
    return [g.op("Reshape", [tiled, shape])]


@rule("shape_dim")
def _shape_dim(g, node):
    x = node.inputs[0]
    a = norm_axes(node.attrs["axis"], _rank(x))[0]
    dim = g.op("Gather", [g.shape_of(g.val(x)), g.const(np.int64(a))], axis=0)
    return [g.cast(dim, "int64", "int32")]


# ---- contractions, normalised exponentials, crossentropies ------------------------------
@rule("matmul")
def _matmul(g, node):
    return [g.op("MatMul", list(_pair(g, node, _out_dt(node))))]


@rule("softmax", "log_softmax")
def _softmax(g, node):
    x = node.inputs[0]
    a = norm_axes(node.attrs["axis"], _rank(x))[0]
    op = "Softmax" if node.op == "softmax" else "LogSoftmax"
    return [g.op(op, [g.val(x, _out_dt(node))], axis=a)]


@rule("softmax_cross_entropy")
def _sce(g, node):
    logits, labels = node.inputs
    dt = _out_dt(node)
    a = norm_axes(node.attrs["axis"], _rank(logits))[0]
    ls = g.op("LogSoftmax", [g.val(logits, dt)], axis=a)
    s = g.op("ReduceSum", [g.op("Mul", [g.val(labels, dt), ls]), g.ints([a])], keepdims=0)
    return [g.op("Neg", [s])]


@rule("sparse_softmax_cross_entropy")
def _ssce(g, node):
    logits, labels = node.inputs
    ls = g.op("LogSoftmax", [g.val(logits, _out_dt(node))], axis=_rank(logits) - 1)
    idx = g.op("Unsqueeze", [g.val(labels, "int64"), g.ints([-1])])
    picked = g.op("GatherElements", [ls, idx], axis=_rank(logits) - 1)
    return [g.op("Neg", [g.op("Squeeze", [picked, g.ints([-1])])])]


# ---- indexed reads -----------------------------------------------------------------------
@rule("take")
def _take(g, node):
    x, idx = node.inputs
    a = norm_axes(node.attrs["axis"], _rank(x))[0]
    return [g.op("Gather", [g.val(x), g.val(idx, "int64")], axis=a)]


@rule("take_along_axis")
def _take_along_axis(g, node):
    x, idx = node.inputs
    a = norm_axes(node.attrs["axis"], _rank(x))[0]
    return [g.op("GatherElements", [g.val(x), g.val(idx, "int64")], axis=a)]


@rule("one_hot")
def _one_hot(g, node):
    # indices == arange(k): an index out of [0, k) gives a zero row, as the eval (ONNX's
    # OneHot would wrap negative indices instead)
    idx = node.inputs[0]
    k = int(node.attrs["num_classes"])
    hot = g.op("Equal", [g.op("Unsqueeze", [g.val(idx, "int64"), g.ints([-1])]), g.ints(range(k))])
    out = g.cast(hot, "bool", _out_dt(node))
    rank = _rank(idx) + 1
    a = norm_axes(node.attrs["axis"], rank)[0]
    if a != rank - 1:
        perm = list(range(rank - 1))
        perm.insert(a, rank - 1)
        out = g.op("Transpose", [out], perm=perm)
    return [out]


# ---- convolution and pooling (NHWC primitives on ONNX's NCHW operators) -----------------
_TO_NCHW, _TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]


def _fit_rows(g, x, H, W, need_h, need_w):
    """x (NHWC) cut to the rows/columns the windows reach, when they reach fewer."""
    if need_h >= H and need_w >= W:
        return x
    return g.op(
        "Slice", [x, g.ints([0, 0]), g.ints([min(H, need_h), min(W, need_w)]), g.ints([1, 2])]
    )


@rule("conv2d")
def _conv2d(g, node):
    x, w = node.inputs
    a = node.attrs
    dt = _out_dt(node)
    _, H, W, _ = x.shape
    KH, KW = w.shape[:2]
    (sh, sw), (dh, dw), (pt, pl), (OH, OW) = a["strides"], a["dilation"], a["pads"], a["out"]
    need_h = (OH - 1) * sh + (KH - 1) * dh + 1 - pt  # input rows the last window reaches
    need_w = (OW - 1) * sw + (KW - 1) * dw + 1 - pl
    xv = _fit_rows(g, g.val(x, dt), H, W, need_h, need_w)
    pads = [pt, pl, max(0, need_h - H), max(0, need_w - W)]
    y = g.op(
        "Conv",
        [
            g.op("Transpose", [xv], perm=_TO_NCHW),
            g.op("Transpose", [g.val(w, dt)], perm=[3, 2, 0, 1]),
        ],
        strides=[sh, sw],
        dilations=[dh, dw],
        pads=pads,
        group=int(a["groups"]),
    )
    return [g.op("Transpose", [y], perm=_TO_NHWC)]


@rule("conv2d_grad_input")
def _conv_transpose(g, node):
    # the input gradient of conv2d (Conv*DTranspose's forward): ONNX's ConvTranspose
    dy, w = node.inputs
    a = node.attrs
    dt = _out_dt(node)
    KH, KW = w.shape[:2]
    (sh, sw), (dh, dw), (pt, pl), (OH, OW) = a["strides"], a["dilation"], a["pads"], a["out"]
    H, W = a["in_hw"]
    full_h = (OH - 1) * sh + (KH - 1) * dh + 1
    full_w = (OW - 1) * sw + (KW - 1) * dw + 1
    end_h, end_w = full_h - pt - H, full_w - pl - W
    y = g.op(
        "ConvTranspose",
        [
            g.op("Transpose", [g.val(dy, dt)], perm=_TO_NCHW),
            g.op("Transpose", [g.val(w, dt)], perm=[3, 2, 0, 1]),
        ],
        strides=[sh, sw],
        dilations=[dh, dw],
        group=int(a["groups"]),
        pads=[pt, pl, max(end_h, 0), max(end_w, 0)],
    )
    if end_h < 0 or end_w < 0:  # rows past every tap: zeros
        y = g.op(
            "Pad",
            [y, g.ints([0, 0, 0, 0, 0, 0, max(-end_h, 0), max(-end_w, 0)]), g.scalar(0, dt)],
            mode="constant",
        )
    return [g.op("Transpose", [y], perm=_TO_NHWC)]


@rule("pool2d")
def _pool2d(g, node):
    x = node.inputs[0]
    a = node.attrs
    dt = _out_dt(node)
    _, H, W, _ = x.shape
    (KH, KW), (sh, sw), (pt, pl), (OH, OW) = a["ksize"], a["strides"], a["pads"], a["out"]
    need_h = (OH - 1) * sh + KH - pt
    need_w = (OW - 1) * sw + KW - pl
    xv = _fit_rows(g, g.val(x, dt), H, W, need_h, need_w)
    attrs = dict(
        kernel_shape=[KH, KW],
        strides=[sh, sw],
        pads=[pt, pl, max(0, need_h - H), max(0, need_w - W)],
    )
    xt = g.op("Transpose", [xv], perm=_TO_NCHW)
    if a["mode"] == "max":
        y = g.op("MaxPool", [xt], **attrs)  # padding never wins a max
    else:  # divides by the in-image cells, as the eval (TF's rule)
        y = g.op("AveragePool", [xt], count_include_pad=0, **attrs)
    return [g.op("Transpose", [y], perm=_TO_NHWC)]


# ---- recurrent sequences: an ONNX Scan over time whose body is one cell step -------------
def _scan(g, node, states, seqs, step):
    """Runs `step(body, state_names, slice_names) -> (new_states, per_step_outputs)` over
    axis 1 of `seqs`; returns the per-step outputs stacked on axis 1."""
    from onnx import helper

    from .onnx_builder import value_info

    body = g.child()
    s_in = [body.fresh("state") for _ in states]
    x_in = [body.fresh("step") for _ in seqs]
    new, per_step = step(body, s_in, x_in)
    outs = [body.op("Identity", [n]) for n in list(new) + list(per_step)]
    graph = helper.make_graph(
        body.nodes,
        body.fresh("cell"),
        [value_info(n, "float32", None) for n in s_in + x_in],
        [value_info(n, "float32", None) for n in outs],
    )
    res = g.op(
        "Scan",
        list(states) + list(seqs),
        n_out=len(outs),
        body=graph,
        num_scan_inputs=len(seqs),
        scan_input_axes=[1] * len(seqs),
        scan_output_axes=[1] * len(per_step),
    )
    res = res if isinstance(res, list) else [res]
    return res[len(states) :]


def _rnn_inputs(g, node, n_fixed):
    """The float32 inputs, and the mask as a float32 (B, T) when the node has one."""
    ins = [g.val(s, "float32") for s in node.inputs[:n_fixed]]
    mask = None
    if node.attrs.get("masked", False):
        m = g.val(node.inputs[-1], "bool")
        mask = g.cast(m, "bool", "float32")
    return ins, mask


def _carry(b, m, new, old):
    """m * new + (1 - m) * old: a masked step keeps the state (the eval's formula)."""
    m = b.op("Unsqueeze", [m, b.ints([1])])
    keep = b.op("Sub", [b.scalar(1, "float32"), m])
    return b.op("Add", [b.op("Mul", [m, new]), b.op("Mul", [keep, old])])


def _split(b, x, n, u):
    return b.op("Split", [x, b.ints([u] * n)], n_out=n, axis=1)


@rule("lstm_seq")
def _lstm(g, node):
    (xp, h0, c0, U), mask = _rnn_inputs(g, node, 4)
    u = node.inputs[3].shape[0]

    def step(b, st, xs):
        h, c = st
        z = b.op("Add", [xs[0], b.op("MatMul", [h, U])])
        i, f, gg, o = _split(b, z, 4, u)
        i, f, o = (b.op("Sigmoid", [v]) for v in (i, f, o))
        gg = b.op("Tanh", [gg])
        cn = b.op("Add", [b.op("Mul", [f, c]), b.op("Mul", [i, gg])])
        hn = b.op("Mul", [o, b.op("Tanh", [cn])])
        if mask is not None:
            cn, hn = _carry(b, xs[1], cn, c), _carry(b, xs[1], hn, h)
        gates = b.op("Concat", [i, f, gg, o], axis=1)
        return [hn, cn], [hn, cn, gates]

    return _scan(g, node, [h0, c0], [xp] + ([mask] if mask is not None else []), step)


@rule("gru_seq")
def _gru(g, node):
    reset_after = node.attrs.get("reset_after", True)
    (xp, h0, U), mask = _rnn_inputs(g, node, 3)
    u = node.inputs[2].shape[0]
    rb = g.val(node.inputs[3], "float32") if reset_after else None
    if not reset_after:
        U_zr = g.op("Slice", [U, g.ints([0]), g.ints([2 * u]), g.ints([1])])
        U_h = g.op("Slice", [U, g.ints([2 * u]), g.ints([3 * u]), g.ints([1])])

    def step(b, st, xs):
        (h,) = st
        xz, xr, xh = _split(b, xs[0], 3, u)
        if reset_after:
            rec = b.op("Add", [b.op("MatMul", [h, U]), rb])
            rz, rr, extra = _split(b, rec, 3, u)
            z = b.op("Sigmoid", [b.op("Add", [xz, rz])])
            r = b.op("Sigmoid", [b.op("Add", [xr, rr])])
            hh = b.op("Tanh", [b.op("Add", [xh, b.op("Mul", [r, extra])])])
        else:
            rz, rr = _split(b, b.op("MatMul", [h, U_zr]), 2, u)
            z = b.op("Sigmoid", [b.op("Add", [xz, rz])])
            r = b.op("Sigmoid", [b.op("Add", [xr, rr])])
            extra = b.op("Mul", [r, h])
            hh = b.op("Tanh", [b.op("Add", [xh, b.op("MatMul", [extra, U_h])])])
        one_minus = b.op("Sub", [b.scalar(1, "float32"), z])
        hn = b.op("Add", [b.op("Mul", [z, h]), b.op("Mul", [one_minus, hh])])
        if mask is not None:
            hn = _carry(b, xs[1], hn, h)
        return [hn], [hn, b.op("Concat", [z, r, hh, extra], axis=1)]

    return _scan(g, node, [h0], [xp] + ([mask] if mask is not None else []), step)


_RNN_ACT = {"tanh": "Tanh", "relu": "Relu", "linear": "Identity"}


@rule("rnn_seq")
def _simple_rnn(g, node):
    (xp, h0, U), mask = _rnn_inputs(g, node, 3)
    act = _RNN_ACT[node.attrs.get("act", "tanh")]

    def step(b, st, xs):
        (h,) = st
        hn = b.op(act, [b.op("Add", [xs[0], b.op("MatMul", [h, U])])])
        if mask is not None:
            hn = _carry(b, xs[1], hn, h)
        return [hn], [hn]

    return _scan(g, node, [h0], [xp] + ([mask] if mask is not None else []), step)
