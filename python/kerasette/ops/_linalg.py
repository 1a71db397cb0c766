"""Contractions: matmul (the primitive), and dot, tensordot, einsum, outer, inner, vdot,
norm, all lowered onto transpose + reshape + matmul (+ sum)."""

import string

import numpy as np

from ..graph.trace import apply
from . import _prim
from ._convert import norm_axes, operands, shape_of

__all__ = ["matmul", "dot", "tensordot", "einsum", "outer", "inner", "vdot", "norm"]


def matmul(x1, x2):
    """The matrix product of two tensors (batched over leading axes).

    Args:
        x1: The first input tensor.
        x2: The second input tensor.

    Returns:
        A tensor.
    """
    x1, x2 = operands(x1, x2)
    return apply("matmul", [x1, x2])


def _shape_for_reshape(dims):
    return tuple(-1 if d is None else d for d in dims)


def _size(dims):
    """The product of dims, or -1 when one is unknown until run time."""
    return -1 if None in dims else int(np.prod(dims, dtype=np.int64))


def tensordot(x1, x2, axes=2):
    """Tensor contraction of `x1` and `x2` over the given axes.

    Args:
        x1: The first tensor.
        x2: The second tensor.
        axes: An int `N` (sum over the last `N` axes of `x1` and the first `N` of
            `x2`) or a pair of axis lists. Defaults to `2`.

    Returns:
        The contraction, with the free axes of `x1` followed by those of `x2`.

    Limitations:
        On a traced tensor, raises `NotImplementedError` when more than one of the
        contracted or free dimensions is unknown until run time.
    """
    from ._math import multiply
    from ._shape import reshape, transpose

    x1, x2 = operands(x1, x2)
    s1, s2 = shape_of(x1), shape_of(x2)
    if isinstance(axes, (int, np.integer)):
        k = int(axes)
        a1, a2 = list(range(len(s1) - k, len(s1))), list(range(k))
    else:
        a1, a2 = axes
        a1 = [a1] if isinstance(a1, (int, np.integer)) else list(a1)
        a2 = [a2] if isinstance(a2, (int, np.integer)) else list(a2)
        a1 = [a % len(s1) for a in a1]
        a2 = [a % len(s2) for a in a2]
    if len(a1) != len(a2):
        raise ValueError(f"tensordot: axes {axes} pair {len(a1)} with {len(a2)} axes")
    for p, q in zip(a1, a2):
        if s1[p] is not None and s2[q] is not None and s1[p] != s2[q]:
            raise ValueError(
                f"tensordot: shapes {s1} and {s2} differ on contracted axes {p} and {q}"
            )
    if not a1:
        from ._shape import expand_dims

        out = multiply(expand_dims(x1, tuple(range(len(s1), len(s1) + len(s2)))) if s2 else x1, x2)
        return out
    f1 = [i for i in range(len(s1)) if i not in a1]
    f2 = [i for i in range(len(s2)) if i not in a2]
    c = [s1[i] if s1[i] is not None else s2[j] for i, j in zip(a1, a2)]
    F1, C, F2 = _size([s1[i] for i in f1]), _size(c), _size([s2[i] for i in f2])
    if (F1 == -1 and C == -1) or (F2 == -1 and C == -1):
        raise NotImplementedError("tensordot: too many dimensions unknown until run time")
    m = transpose(x1, f1 + a1) if f1 + a1 != list(range(len(s1))) else x1
    m = reshape(m, (F1, C))
    n = transpose(x2, a2 + f2) if a2 + f2 != list(range(len(s2))) else x2
    n = reshape(n, (C, F2))
    out = matmul(m, n)
    return reshape(out, _shape_for_reshape([s1[i] for i in f1] + [s2[i] for i in f2]))


def dot(x1, x2):
    """The dot product of two tensors (as `numpy.dot`).

    Args:
        x1: The first input tensor.
        x2: The second input tensor.

    Returns:
        A tensor.
    """
    from ._math import multiply
    from ._reduce import sum as _sum

    x1, x2 = operands(x1, x2)
    s1, s2 = shape_of(x1), shape_of(x2)
    if not s1 or not s2:
        return multiply(x1, x2)
    if len(s1) == 1 and len(s2) == 1:
        return _sum(multiply(x1, x2))
    if len(s2) == 1 or len(s2) == 2:
        return matmul(x1, x2)
    return tensordot(x1, x2, axes=([len(s1) - 1], [len(s2) - 2]))


def inner(x1, x2):
    """The inner product of two tensors over their last axes.

    Args:
        x1: The first input tensor.
        x2: The second input tensor.

    Returns:
        A tensor.
    """
    from ._math import multiply

    x1, x2 = operands(x1, x2)
    if not shape_of(x1) or not shape_of(x2):
        return multiply(x1, x2)
    return tensordot(x1, x2, axes=([-1], [-1]))


def outer(x1, x2):
    """The outer product of two vectors (flattened first).

    Args:
        x1: The first input tensor.
        x2: The second input tensor.

    Returns:
        A tensor.
    """
    from ._math import multiply
    from ._shape import expand_dims, ravel

    return multiply(expand_dims(ravel(x1), 1), expand_dims(ravel(x2), 0))


def vdot(x1, x2):
    """The dot product of two tensors, flattened.

    Args:
        x1: The first input tensor.
        x2: The second input tensor.

    Returns:
        A tensor.
    """
    from ._shape import ravel

    return dot(ravel(x1), ravel(x2))


# ---- einsum -------------------------------------------------------------------------------
def _parse(subscripts, shapes):
    s = subscripts.replace(" ", "")
    lhs, arrow, rhs = s.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: {subscripts!r} names {len(ins)} operands, got {len(shapes)}")
    used = set(c for c in s if c.isalpha())
    spare = [c for c in string.ascii_uppercase + string.ascii_lowercase if c not in used]
    ell_rank = 0
    for term, shape in zip(ins, shapes):
        if "..." in term:
            ell_rank = max(ell_rank, len(shape) - (len(term) - 3))
    ell = "".join(spare[:ell_rank])
    out_ins = []
    for term, shape in zip(ins, shapes):
        if "..." in term:
            k = len(shape) - (len(term) - 3)
            term = term.replace("...", ell[ell_rank - k :])
        if len(term) != len(shape):
            raise ValueError(f"einsum: operand term {term!r} does not match its rank {len(shape)}")
        if len(set(term)) != len(term):
            raise NotImplementedError(
                f"einsum: a repeated index within one operand ({term!r}) is not supported"
            )
        out_ins.append(term)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        counts = {}
        for t in out_ins:
            for ch in t:
                counts[ch] = counts.get(ch, 0) + 1
        out = ell + "".join(sorted(ch for ch, n in counts.items() if n == 1 and ch not in ell))
    return out_ins, out


def _sum_out(x, term, keep):
    from ._reduce import sum as _sum

    drop = [i for i, ch in enumerate(term) if ch not in keep]
    if not drop:
        return x, term
    return _sum(x, axis=tuple(drop)), "".join(ch for ch in term if ch in keep)


def _contract(a, ta, b, tb, keep):
    """a (term ta) times b (term tb), summing letters not in `keep`."""
    from ._shape import expand_dims, reshape, transpose

    a, ta = _sum_out(a, ta, set(tb) | keep)
    b, tb = _sum_out(b, tb, set(ta) | keep)
    batch = [ch for ch in ta if ch in tb and ch in keep]
    contract = [ch for ch in ta if ch in tb and ch not in keep]
    fa = [ch for ch in ta if ch not in tb]
    fb = [ch for ch in tb if ch not in ta]
    sa, sb = shape_of(a), shape_of(b)
    dim = {}
    for t, s in ((ta, sa), (tb, sb)):
        for ch, d in zip(t, s):
            if dim.get(ch) is None:
                dim[ch] = d
    # a -> (batch..., free_a..., C); b -> (batch..., 1 per extra free_a, C, Fb)
    order_a = [ta.index(ch) for ch in batch + fa + contract]
    if order_a != list(range(len(ta))):
        a = transpose(a, order_a)
    order_b = [tb.index(ch) for ch in batch + contract + fb]
    if order_b != list(range(len(tb))):
        b = transpose(b, order_b)
    cdims = [dim[ch] for ch in contract]
    fbdims = [dim[ch] for ch in fb]
    if len(contract) != 1:
        if None in cdims:
            raise NotImplementedError("einsum: several contracted indices, one of unknown size")
        c = int(np.prod(cdims, dtype=np.int64))
        a = reshape(a, _shape_for_reshape([dim[ch] for ch in batch + fa]) + (c,))
    if not fa:
        a = expand_dims(a, len(batch))
    if len(fb) != 1:
        if None in fbdims:
            raise NotImplementedError(
                "einsum: several free indices of one operand, one of unknown size"
            )
        f = int(np.prod(fbdims, dtype=np.int64))
        lead = [dim[ch] for ch in batch] + [1] * max(0, len(fa) - 1)
        c_size = cdims[0] if len(cdims) == 1 else int(np.prod(cdims, dtype=np.int64))
        b = reshape(b, _shape_for_reshape(lead + [c_size, f]))
    else:
        if len(contract) != 1:
            b = reshape(
                b,
                _shape_for_reshape([dim[ch] for ch in batch])
                + (int(np.prod(cdims, dtype=np.int64)), -1 if fbdims[0] is None else fbdims[0]),
            )
        if len(fa) > 1:
            b = expand_dims(b, tuple(range(len(batch), len(batch) + len(fa) - 1)))
    out = matmul(a, b)  # (batch..., free_a... or 1, Fb)
    if not fa:
        out = _prim.squeeze(out, len(batch))
    if len(fb) != 1:
        if fb:
            out = reshape(out, _shape_for_reshape([dim[ch] for ch in batch + fa] + fbdims))
        else:
            out = _prim.squeeze(out, -1)
    return out, "".join(batch + fa + fb)


def einsum(subscripts, *operands_):
    """Einstein summation over the operands, written as transposes, reshapes and
    matmuls.

    Args:
        subscripts: The equation, as in `numpy.einsum` (`"ij,jk->ik"`, `"...ij->...ji"`).
        *operands_: The tensors it names.

    Returns:
        The result of the summation.

    Limitations:
        Raises `NotImplementedError` for an index repeated within one operand (a
        diagonal, `"ii->i"`) and, on traced tensors, for several contracted or several
        free indices of one operand when one of them has a size unknown until run time.
    """
    from ._shape import transpose

    xs = list(operands(*operands_)) if len(operands_) > 1 else list(operands_)
    terms, out = _parse(subscripts, [shape_of(x) for x in xs])
    x, t = xs[0], terms[0]
    if len(xs) == 1:
        x, t = _sum_out(x, t, set(out))
    for i in range(1, len(xs)):
        keep = set(out).union(*[set(tt) for tt in terms[i + 1 :]])
        x, t = _contract(x, t, xs[i], terms[i], keep)
    x, t = _sum_out(x, t, set(out))
    if t != out:
        if sorted(t) != sorted(out):
            raise ValueError(f"einsum: output {out!r} names an index not among the inputs")
        x = transpose(x, [t.index(ch) for ch in out])
    elif len(xs) == 1 and x is xs[0]:
        from ._shape import _identity

        x = _identity(x)
    return x


def norm(x, ord=None, axis=None, keepdims=False):
    """A matrix or vector norm.

    Args:
        x: The input tensor.
        ord: The norm's order (as in `numpy.linalg.norm`). Defaults to `None`.
        axis: The axis (vector norm) or pair of axes (matrix norm); `None`: the whole
            tensor. Defaults to `None`.
        keepdims: Whether to keep the reduced axes, with size 1. Defaults to `False`.

    Returns:
        A tensor.
    """
    from ._convert import dtype_of, float_dtype
    from ._math import abs as _abs
    from ._math import power, sqrt, square
    from ._reduce import max as _max
    from ._reduce import min as _min
    from ._reduce import sum as _sum

    if dtype_of(x) != float_dtype(dtype_of(x)):
        x = apply("cast", [x], dtype="float32")
    n = len(shape_of(x))
    axes = norm_axes(axis, n) if axis is not None else tuple(range(n))
    if len(axes) == 2 and ord not in (None, "fro"):
        if ord == 1 or ord == -1:
            f = _max if ord == 1 else _min
            return f(_sum(_abs(x), axis=axes[0], keepdims=True), axis=axes, keepdims=keepdims)
        if ord in (np.inf, -np.inf):
            f = _max if ord == np.inf else _min
            return f(_sum(_abs(x), axis=axes[1], keepdims=True), axis=axes, keepdims=keepdims)
        raise NotImplementedError(f"norm: matrix ord={ord!r} is not supported")
    if ord is None or ord == "fro" or ord == 2 and len(axes) == 1:
        return sqrt(_sum(square(x), axis=axes, keepdims=keepdims))
    if ord == np.inf:
        return _max(_abs(x), axis=axes, keepdims=keepdims)
    if ord == -np.inf:
        return _min(_abs(x), axis=axes, keepdims=keepdims)
    if ord == 0:
        return _sum(
            apply("cast", [apply("not_equal", [x, 0.0])], dtype=dtype_of(x)),
            axis=axes,
            keepdims=keepdims,
        )
    return power(_sum(power(_abs(x), float(ord)), axis=axes, keepdims=keepdims), 1.0 / ord)
