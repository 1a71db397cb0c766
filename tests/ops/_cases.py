"""The op cases the eager, symbolic and gradient tests share: a kerasette call, its
numpy reference, inputs. References are numpy (or scipy-free closed forms), never
kerasette itself."""

import math

import numpy as np

from kerasette import ops

R = np.random.default_rng(42)


def f32(*shape, lo=None, hi=None):
    if lo is not None:
        return R.uniform(lo, hi, size=shape).astype(np.float32)
    return R.standard_normal(shape).astype(np.float32)


def away(*shape, gap=0.2):
    """Normal values at least `gap` from 0 (no kinks for abs/relu/sign)."""
    x = R.standard_normal(shape)
    return (np.sign(x) * (np.abs(x) + gap)).astype(np.float32)


def distinct(*shape):
    """A permutation of well-separated values: no ties for max/min/sort."""
    n = int(np.prod(shape))
    return (R.permutation(n).astype(np.float32) * 0.37 - n * 0.1).reshape(shape)


class Case:
    def __init__(self, name, fn, ref, args, grad=None, batch=True, rtol=1e-5, atol=1e-6, gtol=1e-5):
        self.name, self.fn, self.ref, self.args = name, fn, ref, args
        # indices of the float args to differentiate (None: all float args; (): none)
        self.grad = grad
        self.batch = batch  # trace with a None leading dimension
        self.rtol, self.atol, self.gtol = rtol, atol, gtol

    def grad_args(self):
        if self.grad is not None:
            return self.grad
        return tuple(i for i, a in enumerate(self.args) if np.asarray(a).dtype.kind == "f")

    def __repr__(self):
        return self.name


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _erf(x):
    return np.vectorize(math.erf)(x)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _lse(x, axis=None, keepdims=False):
    m = x.max(axis=axis, keepdims=True)
    out = np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


CASES = []


def case(*a, **k):
    CASES.append(Case(*a, **k))


# ---- elementwise unary ----------------------------------------------------------------------
P = f32(3, 4, lo=0.2, hi=2.0)  # positive
U = f32(3, 4, lo=-0.8, hi=0.8)  # inside (-1, 1)
G = f32(3, 4, lo=1.2, hi=3.0)  # > 1
A = away(3, 4)
for name, ref, x in [
    ("negative", np.negative, A),
    ("abs", np.abs, A),
    ("square", np.square, A),
    ("sqrt", np.sqrt, P),
    ("exp", np.exp, A),
    ("expm1", np.expm1, A),
    ("log", np.log, P),
    ("log1p", np.log1p, P),
    ("reciprocal", np.reciprocal, P),
    ("sin", np.sin, A),
    ("cos", np.cos, A),
    ("tan", np.tan, U),
    ("arcsin", np.arcsin, U),
    ("arccos", np.arccos, U),
    ("arctan", np.arctan, A),
    ("sinh", np.sinh, A),
    ("cosh", np.cosh, A),
    ("tanh", np.tanh, A),
    ("arcsinh", np.arcsinh, A),
    ("arccosh", np.arccosh, G),
    ("arctanh", np.arctanh, U),
    ("log2", np.log2, P),
    ("log10", np.log10, P),
    ("exp2", np.exp2, A),
    ("cbrt", np.cbrt, A),
    ("deg2rad", np.deg2rad, A),
    ("rad2deg", np.rad2deg, A),
]:
    case(name, getattr(ops, name), ref, [x])
case("erf", ops.erf, _erf, [A])
case("rsqrt", ops.rsqrt, lambda x: 1 / np.sqrt(x), [P])
for name, ref in [
    ("sign", np.sign),
    ("floor", np.floor),
    ("ceil", np.ceil),
    ("round", np.round),
    ("trunc", np.trunc),
]:
    case(name, getattr(ops, name), ref, [A * 3])
case("round_decimals", lambda x: ops.round(x, 1), lambda x: np.round(x, 1), [A * 3], grad=())
case("isnan", ops.isnan, np.isnan, [np.array([1.0, np.nan, np.inf], np.float32)], grad=())
case("isinf", ops.isinf, np.isinf, [np.array([1.0, np.nan, -np.inf], np.float32)], grad=())
case("isfinite", ops.isfinite, np.isfinite, [np.array([1.0, np.nan, np.inf], np.float32)], grad=())
case("logical_not", ops.logical_not, np.logical_not, [A > 0])
case("unary_size0", ops.exp, np.exp, [f32(0, 3)], grad=())
case("unary_scalar", ops.tanh, np.tanh, [np.float32(0.3)], batch=False)

# ---- elementwise binary -----------------------------------------------------------------
B1, B2 = away(3, 4), away(4)  # broadcasting (3,4) with (4,)
C1, C2 = away(2, 1, 4), away(3, 1)  # (2,1,4) with (3,1) -> (2,3,4)
for name, ref in [
    ("add", np.add),
    ("subtract", np.subtract),
    ("multiply", np.multiply),
    ("divide", np.divide),
    ("maximum", np.maximum),
    ("minimum", np.minimum),
    ("arctan2", np.arctan2),
]:
    case(name, getattr(ops, name), ref, [B1, B2])
    case(name + "_bcast3", getattr(ops, name), ref, [C1, C2])
case("power", ops.power, np.power, [P, B2])
case("power_scalar", lambda x: ops.power(x, 3), lambda x: x**3, [A])
case("mod", ops.mod, np.mod, [A * 5, np.float32(1.7)], grad=(0,))
case("floor_divide", ops.floor_divide, np.floor_divide, [A * 5, np.float32(1.7)], grad=())
case("hypot", ops.hypot, np.hypot, [B1, B2])
case("logaddexp", ops.logaddexp, np.logaddexp, [B1, B2])
case("scalar_rhs", lambda x: ops.multiply(x, 2.5), lambda x: x * 2.5, [A])
case("scalar_lhs", lambda x: ops.subtract(1.0, x), lambda x: 1.0 - x, [A])
case(
    "int_binary",
    ops.add,
    np.add,
    [np.arange(12, dtype=np.int32).reshape(3, 4), np.arange(4, dtype=np.int32)],
    grad=(),
)
case("binary_size1", ops.multiply, np.multiply, [f32(3, 1), f32(1, 4)])
case("binary_size0", ops.add, np.add, [f32(0, 4), f32(4)], grad=())
for name in ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"]:
    case(name, getattr(ops, name), getattr(np, name), [np.round(B1), np.round(B2)], grad=())
for name in ["logical_and", "logical_or", "logical_xor"]:
    case(name, getattr(ops, name), getattr(np, name), [B1 > 0, B2 > 0], grad=())
case("where", ops.where, np.where, [B1 > 0, B1, B2], grad=(1, 2))
case(
    "where_scalar",
    lambda c, x: ops.where(c, x, 0.0),
    lambda c, x: np.where(c, x, 0.0),
    [B1 > 0, B1],
    grad=(1,),
)
case("clip", lambda x: ops.clip(x, -0.5, 0.7), lambda x: np.clip(x, -0.5, 0.7), [A])
case(
    "clip_int",
    lambda x: ops.clip(x, 2, 7),
    lambda x: np.clip(x, 2, 7),
    [np.arange(12, dtype=np.int32).reshape(3, 4)],
    grad=(),
)
case("cast", lambda x: ops.cast(x, "int32"), lambda x: x.astype(np.int32), [A * 4], grad=())
case("cast_f64", lambda x: ops.cast(x, "float64"), lambda x: x.astype(np.float64), [A])
case("isclose", lambda a, b: ops.isclose(a, b), np.isclose, [B1, B1 + 1e-9], grad=())

# ---- reductions -------------------------------------------------------------------------
X = f32(3, 4, 5)
D = distinct(3, 4, 5)
for axis in [None, 0, -1, (0, 2), (-1, -2)]:
    for keep in [False, True]:
        tag = f"{axis}_{keep}".replace(" ", "")
        case(
            f"sum_{tag}",
            lambda x, a=axis, k=keep: ops.sum(x, axis=a, keepdims=k),
            lambda x, a=axis, k=keep: np.sum(x, axis=a, keepdims=k),
            [X],
        )
        case(
            f"mean_{tag}",
            lambda x, a=axis, k=keep: ops.mean(x, axis=a, keepdims=k),
            lambda x, a=axis, k=keep: np.mean(x, axis=a, keepdims=k),
            [X],
        )
        case(
            f"max_{tag}",
            lambda x, a=axis, k=keep: ops.max(x, axis=a, keepdims=k),
            lambda x, a=axis, k=keep: np.max(x, axis=a, keepdims=k),
            [D],
        )
        case(
            f"min_{tag}",
            lambda x, a=axis, k=keep: ops.min(x, axis=a, keepdims=k),
            lambda x, a=axis, k=keep: np.min(x, axis=a, keepdims=k),
            [D],
        )
        case(
            f"var_{tag}",
            lambda x, a=axis, k=keep: ops.var(x, axis=a, keepdims=k),
            lambda x, a=axis, k=keep: np.var(x, axis=a, keepdims=k),
            [X],
        )
        case(
            f"logsumexp_{tag}",
            lambda x, a=axis, k=keep: ops.logsumexp(x, axis=a, keepdims=k),
            lambda x, a=axis, k=keep: _lse(x, axis=a, keepdims=k),
            [X],
        )
case("std", lambda x: ops.std(x, axis=1), lambda x: np.std(x, axis=1), [X])
case("prod", lambda x: ops.prod(x, axis=-1), lambda x: np.prod(x, axis=-1), [A])
case(
    "prod_zero",
    lambda x: ops.prod(x, axis=-1),
    lambda x: np.prod(x, axis=-1),
    [np.array([[0.0, 2.0, 3.0], [1.5, 2.0, -1.0]], np.float32)],
    grad=(),
)
case("prod_all", lambda x: ops.prod(x), lambda x: np.prod(x), [A])
case("argmax", lambda x: ops.argmax(x, axis=-1), lambda x: np.argmax(x, axis=-1), [D], grad=())
case("argmax_none", lambda x: ops.argmax(x), lambda x: np.argmax(x), [D], grad=())
case(
    "argmin_keep",
    lambda x: ops.argmin(x, axis=1, keepdims=True),
    lambda x: np.argmin(x, axis=1, keepdims=True),
    [D],
    grad=(),
)
case("any", lambda x: ops.any(x, axis=0), lambda x: np.any(x, axis=0), [A > 1], grad=())
case(
    "all_keep",
    lambda x: ops.all(x, axis=-1, keepdims=True),
    lambda x: np.all(x, axis=-1, keepdims=True),
    [A > -1],
    grad=(),
)
case("cumsum", lambda x: ops.cumsum(x, axis=1), lambda x: np.cumsum(x, axis=1), [X])
case("cumsum_none", lambda x: ops.cumsum(x), lambda x: np.cumsum(x), [X], batch=False)
case("cumprod", lambda x: ops.cumprod(x, axis=-1), lambda x: np.cumprod(x, axis=-1), [A])
case(
    "sum_int",
    lambda x: ops.sum(x, axis=0),
    lambda x: np.sum(x, axis=0),
    [np.arange(12, dtype=np.int32).reshape(3, 4)],
    grad=(),
)
case("mean_size1", lambda x: ops.mean(x, axis=1), lambda x: np.mean(x, axis=1), [f32(3, 1)])
case(
    "sum_size0",
    lambda x: ops.sum(x, axis=0),
    lambda x: np.sum(x, axis=0),
    [f32(0, 3)],
    grad=(),
    batch=False,
)
case(
    "average",
    lambda x, w: ops.average(x, axis=1, weights=w),
    lambda x, w: np.average(x, axis=1, weights=w),
    [X, f32(4, lo=0.5, hi=1.5)],
    batch=True,
)
case(
    "count_nonzero",
    lambda x: ops.count_nonzero(x, axis=1),
    lambda x: np.count_nonzero(x, axis=1),
    [np.round(A)],
    grad=(),
)

# ---- matmul family ------------------------------------------------------------------------
case("matmul", ops.matmul, np.matmul, [f32(3, 4), f32(4, 5)])
case("matmul_batched", ops.matmul, np.matmul, [f32(2, 3, 4), f32(4, 5)])
case("matmul_bcast", ops.matmul, np.matmul, [f32(2, 1, 3, 4), f32(3, 4, 2)])
case("matmul_vec", ops.matmul, np.matmul, [f32(3, 4), f32(4)])
case("matmul_vecmat", ops.matmul, np.matmul, [f32(4), f32(4, 3)], batch=False)
case("dot", ops.dot, np.dot, [f32(3, 4), f32(4, 5)])
case("dot_nd", ops.dot, np.dot, [f32(2, 3, 4), f32(5, 4, 2)])
case("dot_vec", ops.dot, np.dot, [f32(4), f32(4)], batch=False)
case(
    "tensordot",
    lambda a, b: ops.tensordot(a, b, axes=([1, 2], [0, 1])),
    lambda a, b: np.tensordot(a, b, axes=([1, 2], [0, 1])),
    [f32(2, 3, 4), f32(3, 4, 5)],
)
case(
    "tensordot_int",
    lambda a, b: ops.tensordot(a, b, axes=1),
    lambda a, b: np.tensordot(a, b, axes=1),
    [f32(2, 3), f32(3, 4)],
)
case("outer", ops.outer, np.outer, [f32(3), f32(4)], batch=False)
case("inner", ops.inner, np.inner, [f32(2, 3), f32(4, 3)])
for spec, shapes in [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("bij,jk->bik", [(2, 3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("abc,cd->abd", [(2, 3, 4), (4, 5)]),
    ("btnh,bsnh->bnts", [(2, 3, 2, 4), (2, 5, 2, 4)]),
    ("bnts,bsnh->btnh", [(2, 2, 3, 5), (2, 5, 2, 4)]),
    ("ij->ji", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("bij->bj", [(2, 3, 4)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("...ij,jk->...ik", [(2, 3, 4), (4, 5)]),
    ("ab,cb", [(3, 4), (5, 4)]),
    ("abcd,cde->abe", [(2, 3, 4, 5), (4, 5, 6)]),
]:
    case(
        f"einsum_{spec}",
        lambda *xs, s=spec: ops.einsum(s, *xs),
        lambda *xs, s=spec: np.einsum(s, *xs),
        [f32(*s) for s in shapes],
        batch=spec[0] in "ab." and len(shapes[0]) > 1 and not spec.startswith("ij"),
    )

# ---- shape ops --------------------------------------------------------------------------------
case("reshape", lambda x: ops.reshape(x, (-1, 10)), lambda x: x.reshape(-1, 10), [X])
case("transpose", ops.transpose, np.transpose, [X])
case(
    "transpose_axes",
    lambda x: ops.transpose(x, (1, 0, 2)),
    lambda x: np.transpose(x, (1, 0, 2)),
    [X],
)
case("swapaxes", lambda x: ops.swapaxes(x, 0, -1), lambda x: np.swapaxes(x, 0, -1), [X])
case("moveaxis", lambda x: ops.moveaxis(x, 0, -1), lambda x: np.moveaxis(x, 0, -1), [X])
case(
    "moveaxis_multi",
    lambda x: ops.moveaxis(x, [0, 1], [-1, -2]),
    lambda x: np.moveaxis(x, [0, 1], [-1, -2]),
    [X],
)
case("expand_dims", lambda x: ops.expand_dims(x, -1), lambda x: np.expand_dims(x, -1), [X])
case(
    "expand_dims_multi",
    lambda x: ops.expand_dims(x, (1, 3)),
    lambda x: np.expand_dims(x, (1, 3)),
    [X],
)
case("squeeze", lambda x: ops.squeeze(x, 1), lambda x: np.squeeze(x, 1), [f32(3, 1, 4)])
case("squeeze_all", ops.squeeze, np.squeeze, [f32(3, 1, 4, 1)], batch=False)
case(
    "concatenate",
    lambda a, b: ops.concatenate([a, b], axis=-1),
    lambda a, b: np.concatenate([a, b], axis=-1),
    [f32(3, 2), f32(3, 4)],
)
case(
    "concatenate_0",
    lambda a, b: ops.concatenate([a, b]),
    lambda a, b: np.concatenate([a, b]),
    [f32(3, 2), f32(4, 2)],
)
case(
    "stack",
    lambda a, b: ops.stack([a, b], axis=1),
    lambda a, b: np.stack([a, b], axis=1),
    [f32(3, 4), f32(3, 4)],
)
case(
    "split",
    lambda x: ops.split(x, 2, axis=-1)[1],
    lambda x: np.split(x, 2, axis=-1)[1],
    [f32(3, 4)],
)
case(
    "split_points",
    lambda x: ops.split(x, [1, 3], axis=1)[1],
    lambda x: np.split(x, [1, 3], axis=1)[1],
    [f32(3, 5)],
)
case(
    "pad",
    lambda x: ops.pad(x, ((0, 0), (1, 2))),
    lambda x: np.pad(x, ((0, 0), (1, 2))),
    [f32(3, 4)],
)
case(
    "pad_value",
    lambda x: ops.pad(x, ((1, 1), (2, 0)), constant_values=3.0),
    lambda x: np.pad(x, ((1, 1), (2, 0)), constant_values=3.0),
    [f32(3, 4)],
    batch=False,
)
case(
    "pad_reflect",
    lambda x: ops.pad(x, ((0, 0), (2, 3)), mode="reflect"),
    lambda x: np.pad(x, ((0, 0), (2, 3)), mode="reflect"),
    [f32(3, 5)],
)
case(
    "pad_symmetric",
    lambda x: ops.pad(x, ((0, 0), (2, 3)), mode="symmetric"),
    lambda x: np.pad(x, ((0, 0), (2, 3)), mode="symmetric"),
    [f32(3, 5)],
)
case("tile", lambda x: ops.tile(x, (1, 3)), lambda x: np.tile(x, (1, 3)), [f32(3, 4)])
case(
    "tile_more",
    lambda x: ops.tile(x, (2, 1, 2)),
    lambda x: np.tile(x, (2, 1, 2)),
    [f32(3, 4)],
    batch=False,
)
case("repeat", lambda x: ops.repeat(x, 3, axis=1), lambda x: np.repeat(x, 3, axis=1), [f32(3, 4)])
case("repeat_none", lambda x: ops.repeat(x, 2), lambda x: np.repeat(x, 2), [f32(3, 4)], batch=False)
case(
    "repeat_counts",
    lambda x: ops.repeat(x, [1, 0, 2, 3], axis=1),
    lambda x: np.repeat(x, [1, 0, 2, 3], axis=1),
    [f32(3, 4)],
)
case("flip", lambda x: ops.flip(x, axis=1), lambda x: np.flip(x, axis=1), [X])
case("flip_all", ops.flip, np.flip, [X])
case(
    "broadcast_to",
    lambda x: ops.broadcast_to(x, (2, 3, 4)),
    lambda x: np.broadcast_to(x, (2, 3, 4)),
    [f32(3, 1)],
    batch=False,
)
case("roll", lambda x: ops.roll(x, 2, axis=1), lambda x: np.roll(x, 2, axis=1), [f32(3, 5)])
case("ravel", ops.ravel, np.ravel, [X])
case("tril", lambda x: ops.tril(x, -1), lambda x: np.tril(x, -1), [f32(4, 4)])
case("triu", ops.triu, np.triu, [f32(4, 4)])
case("diagonal", ops.diagonal, np.diagonal, [f32(4, 5)], batch=False)
case("trace", ops.trace, np.trace, [f32(4, 4)], batch=False)

# ---- indexing --------------------------------------------------------------------------------
for key in [
    (1,),
    (-1,),
    (slice(1, None),),
    (slice(None, None, 2),),
    (slice(None, None, -1),),
    (Ellipsis, 1),
    (None, Ellipsis),
    (slice(None), None, 2),
    (0, slice(1, 3), -2),
    (slice(None), slice(-3, None, 2)),
    (Ellipsis, slice(None, None, -2)),
    (slice(None), np.array([2, 0, 2])),
    (np.array([[0, 1], [2, 0]]),),
    (slice(None), 1, np.array([4, 0])),
]:
    batch = not (
        isinstance(key[0], int)
        or (isinstance(key[0], slice) and key[0] != slice(None))
        or isinstance(key[0], np.ndarray)
        or key[0] is None
    )
    case(
        f"getitem_{key}",
        lambda x, k=key: x[k] if not isinstance(x, np.ndarray) else ops.getitem(x, k),
        lambda x, k=key: x[k],
        [X],
        batch=batch,
    )
case(
    "take",
    lambda x: ops.take(x, np.array([2, 0, -1]), axis=1),
    lambda x: np.take(x, [2, 0, -1], axis=1),
    [X],
)
case(
    "take_dup",
    lambda x: ops.take(x, np.array([[1, 1], [0, 3]]), axis=-1),
    lambda x: np.take(x, [[1, 1], [0, 3]], axis=-1),
    [f32(3, 4)],
)
case(
    "take_none",
    lambda x: ops.take(x, np.array([5, 0, 7])),
    lambda x: np.take(x, [5, 0, 7]),
    [f32(3, 4)],
    batch=False,
)
case(
    "take_along_axis",
    lambda x, i: ops.take_along_axis(x, i, axis=1),
    lambda x, i: np.take_along_axis(x, i, axis=1),
    [f32(3, 4), np.array([[0, 3], [1, 1], [2, 0]], np.int32)],
)
case(
    "take_along_bcast",
    lambda x, i: ops.take_along_axis(x, i, axis=-1),
    lambda x, i: np.take_along_axis(
        np.broadcast_to(x, (3, 4)), np.broadcast_to(i, (3, 2)), axis=-1
    ),
    [f32(1, 4), np.array([[0, 3], [1, 1], [2, 0]], np.int32)[:, :2]],
    batch=False,
)
case(
    "slice",
    lambda x: ops.slice(x, (0, 1, 2), (2, 2, 3)),
    lambda x: x[0:2, 1:3, 2:5],
    [X],
    batch=False,
)
case(
    "slice_update",
    lambda x, u: ops.slice_update(x, (1, 0), u),
    lambda x, u: np.concatenate([x[:1], np.concatenate([u, x[1:3, 2:]], 1), x[3:]]),
    [f32(4, 4), f32(2, 2)],
    batch=False,
)
case(
    "one_hot",
    lambda i: ops.one_hot(i, 4),
    lambda i: np.eye(4, dtype=np.float32)[i],
    [np.array([[0, 3], [2, 1]], np.int32)],
    grad=(),
)
case(
    "one_hot_axis0",
    lambda i: ops.one_hot(i, 4, axis=0),
    lambda i: np.moveaxis(np.eye(4, dtype=np.float32)[i], -1, 0),
    [np.array([0, 3, 2], np.int32)],
    grad=(),
    batch=False,
)
case(
    "multi_hot",
    lambda i: ops.multi_hot(i, 5),
    lambda i: (np.eye(5)[i].max(axis=1)).astype(np.float32),
    [np.array([[0, 3], [2, 2]], np.int32)],
    grad=(),
)
case(
    "scatter",
    lambda v: ops.scatter(np.array([[0, 1], [2, 0], [0, 1]]), v, (3, 2)),
    lambda v: np.array([[0, v[0] + v[2]], [0, 0], [v[1], 0]], np.float32),
    [f32(3)],
    batch=False,
)
case("unstack", lambda x: ops.unstack(x, axis=1)[2], lambda x: x[:, 2], [f32(3, 4)])


# ---- nn ----------------------------------------------------------------------------------------
def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def _elu(x, a=1.0):
    return np.where(x > 0, x, a * np.expm1(np.minimum(x, 0)))


def _softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)


_SA, _SS = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
NN = away(3, 6) * 1.5
for name, ref in [
    ("relu", lambda x: np.maximum(x, 0)),
    ("relu6", lambda x: np.clip(x, 0, 6)),
    ("sigmoid", _sig),
    ("softplus", _softplus),
    ("softsign", lambda x: x / (1 + np.abs(x))),
    ("silu", lambda x: x * _sig(x)),
    ("swish", lambda x: x * _sig(x)),
    ("log_sigmoid", lambda x: -_softplus(-x)),
    ("leaky_relu", lambda x: np.where(x > 0, x, 0.2 * x)),
    ("hard_sigmoid", lambda x: np.clip(x + 3, 0, 6) / 6),
    ("hard_silu", lambda x: x * np.clip(x + 3, 0, 6) / 6),
    ("hard_swish", lambda x: x * np.clip(x + 3, 0, 6) / 6),
    ("hard_tanh", lambda x: np.clip(x, -1, 1)),
    ("elu", _elu),
    ("selu", lambda x: _SS * _elu(x, _SA)),
    ("gelu", _gelu_tanh),
    ("celu", lambda x: np.maximum(x, 0) + np.expm1(np.minimum(x, 0))),
    ("mish", lambda x: x * np.tanh(_softplus(x))),
    ("tanh_shrink", lambda x: x - np.tanh(x)),
    ("soft_shrink", lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0))),
    ("hard_shrink", lambda x: np.where(np.abs(x) > 0.5, x, 0)),
    ("squareplus", lambda x: (x + np.sqrt(x * x + 4)) / 2),
    ("sparse_plus", lambda x: np.where(x <= -1, 0, np.where(x < 1, 0.25 * (x + 1) ** 2, x))),
    ("sparse_sigmoid", lambda x: np.where(x <= -1, 0, np.where(x >= 1, 1, 0.5 * (x + 1)))),
]:
    # keep clear of the kinks at 0, +-0.5, +-1, +-3, 6
    x = NN.copy()
    for k in (0.5, 1.0, 3.0, 6.0):
        x = np.where(np.abs(np.abs(x) - k) < 0.05, x + 0.1, x).astype(np.float32)
    case(f"nn_{name}", getattr(ops, name), ref, [x])
case(
    "gelu_exact",
    lambda x: ops.gelu(x, approximate=False),
    lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))),
    [NN],
)
case("elu_alpha", lambda x: ops.elu(x, alpha=0.5), lambda x: _elu(x, 0.5), [NN])
case(
    "leaky_relu_slope",
    lambda x: ops.leaky_relu(x, 0.1),
    lambda x: np.where(x > 0, x, 0.1 * x),
    [NN],
)
case("threshold", lambda x: ops.threshold(x, 0.3, -2.0), lambda x: np.where(x > 0.3, x, -2.0), [NN])
case("glu", ops.glu, lambda x: x[:, :3] * _sig(x[:, 3:]), [NN])
case("softmax", ops.softmax, _softmax, [X])
case("softmax_axis0", lambda x: ops.softmax(x, axis=0), lambda x: _softmax(x, 0), [X], batch=False)
case(
    "softmax_tuple",
    lambda x: ops.softmax(x, axis=(1, 2)),
    lambda x: np.exp(x - _lse(x, axis=(1, 2), keepdims=True)),
    [X],
)
case("log_softmax", ops.log_softmax, lambda x: np.log(_softmax(x)), [X])
Y = np.eye(6, dtype=np.float32)[R.integers(0, 6, 3)]
PR = _softmax(f32(3, 6))
LB = (R.uniform(size=(3, 6)) > 0.5).astype(np.float32)
case(
    "binary_crossentropy",
    ops.binary_crossentropy,
    lambda t, o: (
        -(t * np.log(np.clip(o, 1e-7, 1 - 1e-7)) + (1 - t) * np.log(1 - np.clip(o, 1e-7, 1 - 1e-7)))
    ),
    [LB, f32(3, 6, lo=0.05, hi=0.95)],
    grad=(1,),
)
case(
    "binary_crossentropy_logits",
    lambda t, o: ops.binary_crossentropy(t, o, from_logits=True),
    lambda t, o: np.maximum(o, 0) - o * t + np.log1p(np.exp(-np.abs(o))),
    [LB, NN],
)
case(
    "categorical_crossentropy",
    ops.categorical_crossentropy,
    lambda t, o: -np.sum(t * np.log(np.clip(o / o.sum(-1, keepdims=True), 1e-7, 1 - 1e-7)), -1),
    [Y, PR],
    grad=(1,),
)
case(
    "categorical_crossentropy_logits",
    lambda t, o: ops.categorical_crossentropy(t, o, from_logits=True),
    lambda t, o: -np.sum(t * np.log(_softmax(o)), -1),
    [PR, NN],
)
case(
    "sparse_categorical_crossentropy_logits",
    lambda t, o: ops.sparse_categorical_crossentropy(t, o, from_logits=True),
    lambda t, o: -np.log(_softmax(o))[np.arange(len(t)), t],
    [np.array([1, 5, 0], np.int32), NN],
)
case(
    "sparse_categorical_crossentropy",
    ops.sparse_categorical_crossentropy,
    lambda t, o: (
        -np.log(
            np.clip(o, 1e-7, 1 - 1e-7)[np.arange(len(t)), t] / np.clip(o, 1e-7, 1 - 1e-7).sum(-1)
        )
    ),
    [np.array([1, 5, 0], np.int32), PR],
)
case("moments_mean", lambda x: ops.moments(x, axes=(0, 1))[0], lambda x: x.mean(axis=(0, 1)), [X])
case(
    "moments_var",
    lambda x: ops.moments(x, axes=(0, 1), keepdims=True)[1],
    lambda x: x.var(axis=(0, 1), keepdims=True),
    [X],
)
case(
    "batch_normalization",
    lambda x, m, v, b, g: ops.batch_normalization(x, m, v, axis=1, offset=b, scale=g),
    lambda x, m, v, b, g: (x - m[:, None]) / np.sqrt(v[:, None] + 1e-3) * g[:, None] + b[:, None],
    [X, f32(4), f32(4, lo=0.5, hi=2), f32(4), f32(4)],
)
case("normalize", ops.normalize, lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True), [X])
case(
    "normalize_l1",
    lambda x: ops.normalize(x, order=1),
    lambda x: x / np.abs(x).sum(-1, keepdims=True),
    [A],
)
case(
    "layer_normalization",
    lambda x, g, b: ops.layer_normalization(x, g, b),
    lambda x, g, b: (
        (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-7) * g + b
    ),
    [X, f32(5), f32(5)],
    rtol=1e-4,
    atol=1e-5,
)
case(
    "rms_normalization",
    lambda x, s: ops.rms_normalization(x, s),
    lambda x, s: x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-7) * s,
    [X, f32(5)],
)


# ---- conv / pool: a direct loop reference -----------------------------------------------------
def conv_ref(x, k, strides, padding, dilation):
    """channels_last N-D correlation, by loops over output positions."""
    nd = x.ndim - 2
    strides = (strides,) * nd if np.ndim(strides) == 0 else tuple(strides)
    dilation = (dilation,) * nd if np.ndim(dilation) == 0 else tuple(dilation)
    ks = k.shape[:nd]
    pads = []
    for n, kk, s, d in zip(x.shape[1:-1], ks, strides, dilation):
        ke = (kk - 1) * d + 1
        if padding == "same":
            out = -(-n // s)
            t = max((out - 1) * s + ke - n, 0)
            pads.append((t // 2, t - t // 2))
        else:
            pads.append((0, 0))
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    outs = [
        (xp.shape[1 + i] - ((ks[i] - 1) * dilation[i] + 1)) // strides[i] + 1 for i in range(nd)
    ]
    y = np.zeros((x.shape[0],) + tuple(outs) + (k.shape[-1],), np.float64)
    for pos in np.ndindex(*outs):
        for off in np.ndindex(*ks):
            idx = tuple(p * s + o * d for p, s, o, d in zip(pos, strides, off, dilation))
            y[(slice(None),) + pos] += xp[(slice(None),) + idx] @ k[off]
    return y


def pool_ref(x, ps, strides, padding, kind):
    nd = x.ndim - 2
    pads = []
    for n, p, s in zip(x.shape[1:-1], ps, strides):
        if padding == "same":
            out = -(-n // s)
            t = max((out - 1) * s + p - n, 0)
            pads.append((t // 2, t - t // 2))
        else:
            pads.append((0, 0))
    fill = -np.inf if kind == "max" else np.nan
    xp = np.pad(x.astype(np.float64), [(0, 0)] + pads + [(0, 0)], constant_values=fill)
    outs = [(xp.shape[1 + i] - ps[i]) // strides[i] + 1 for i in range(nd)]
    y = np.zeros((x.shape[0],) + tuple(outs) + (x.shape[-1],))
    for pos in np.ndindex(*outs):
        win = xp[
            (slice(None),) + tuple(slice(p * s, p * s + q) for p, s, q in zip(pos, strides, ps))
        ]
        flat = win.reshape(x.shape[0], -1, x.shape[-1])
        y[(slice(None),) + pos] = flat.max(1) if kind == "max" else np.nanmean(flat, 1)
    return y


for nd, xs, ks, st, pad, dil in [
    (1, (2, 9, 3), (3, 3, 4), 1, "valid", 1),
    (1, (2, 9, 3), (3, 3, 4), 2, "same", 1),
    (1, (2, 10, 3), (3, 3, 2), 1, "same", 2),
    (2, (2, 6, 7, 3), (3, 3, 3, 4), 1, "valid", 1),
    (2, (2, 6, 7, 3), (3, 2, 3, 4), 2, "same", 1),
    (2, (2, 7, 7, 2), (2, 2, 2, 3), 1, "same", 2),
    (3, (1, 4, 5, 4, 2), (2, 3, 2, 2, 3), 1, "valid", 1),
]:
    case(
        f"conv{nd}d_{st}_{pad}_{dil}",
        lambda x, k, s=st, p=pad, d=dil: ops.conv(x, k, strides=s, padding=p, dilation_rate=d),
        lambda x, k, s=st, p=pad, d=dil: conv_ref(x, k, s, p, d),
        [f32(*xs), f32(*ks)],
        rtol=1e-4,
        atol=1e-5,
    )
case(
    "conv2d_channels_first",
    lambda x, k: ops.conv(x, k, padding="same", data_format="channels_first"),
    lambda x, k: np.moveaxis(conv_ref(np.moveaxis(x, 1, -1), k, 1, "same", 1), -1, 1),
    [f32(2, 3, 5, 6), f32(3, 3, 3, 4)],
    rtol=1e-4,
    atol=1e-5,
)
case(
    "conv1d_groups",
    lambda x, k: ops.conv(x, k),
    lambda x, k: np.concatenate(
        [
            conv_ref(x[..., :2], k[..., :2], 1, "valid", 1),
            conv_ref(x[..., 2:], k[..., 2:], 1, "valid", 1),
        ],
        -1,
    ),
    [f32(2, 7, 4), f32(3, 2, 4)],
    rtol=1e-4,
    atol=1e-5,
)


def _dw_ref(x, k, s, p, d):
    c, m = k.shape[-2:]
    outs = [conv_ref(x[..., i : i + 1], k[..., i : i + 1, :], s, p, d) for i in range(c)]
    return np.concatenate(outs, -1)


case(
    "depthwise_conv2d",
    lambda x, k: ops.depthwise_conv(x, k, padding="same"),
    lambda x, k: _dw_ref(x, k, 1, "same", 1),
    [f32(2, 5, 6, 3), f32(3, 3, 3, 2)],
    rtol=1e-4,
    atol=1e-5,
)
case(
    "depthwise_conv1d_strided",
    lambda x, k: ops.depthwise_conv(x, k, strides=2),
    lambda x, k: _dw_ref(x, k, 2, "valid", 1),
    [f32(2, 9, 3), f32(3, 3, 1)],
    rtol=1e-4,
    atol=1e-5,
)
case(
    "separable_conv2d",
    lambda x, dk, pk: ops.separable_conv(x, dk, pk, padding="same"),
    lambda x, dk, pk: conv_ref(_dw_ref(x, dk, 1, "same", 1), pk, 1, "valid", 1),
    [f32(2, 5, 5, 3), f32(3, 3, 3, 2), f32(1, 1, 6, 4)],
    rtol=1e-4,
    atol=1e-5,
)
for nd, xs, ps, st, pad in [
    (1, (2, 9, 3), (2,), (2,), "valid"),
    (1, (2, 9, 3), (3,), (2,), "same"),
    (2, (2, 6, 7, 3), (2, 2), (2, 2), "valid"),
    (2, (2, 5, 7, 2), (3, 3), (2, 2), "same"),
    (2, (2, 6, 6, 2), (3, 3), (1, 1), "valid"),
]:
    for kind in ("max", "average"):
        fn = getattr(ops, f"{kind}_pool")
        src = distinct(*xs) if kind == "max" else f32(*xs)
        case(
            f"{kind}_pool{nd}d_{ps}_{st}_{pad}",
            lambda x, f=fn, p=ps, s=st, q=pad: f(x, p, s, q),
            lambda x, p=ps, s=st, q=pad, k=kind: pool_ref(x, p, s, q, k),
            [src],
            rtol=1e-5,
            atol=1e-5,
        )
