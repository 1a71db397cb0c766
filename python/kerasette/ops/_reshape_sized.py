"""A reshape whose target takes sizes from other tensors, for layers traced with sizes
unknown until run time: `(None, None, 8)` split into heads is `(B, T, 2, 4)` where B and
T are the input's, and numpy's reshape allows one -1 only.

An entry of `shape` is an int (-1 allowed once) or `(k, axis)`: the size of `like[k]` at
`axis`. When every such size is known this is `ops.reshape`; otherwise a `deferred` node
(graph/prims/deferred.py) with None there, reshaped for real once shapes are known."""

import numpy as np

from ._convert import dtype_of, shape_of


def _target(shape, likes):
    return tuple(likes[e[0]][e[1]] if isinstance(e, tuple) else int(e) for e in shape)


def _run(x, *like, shape):
    from ._shape import reshape

    return reshape(x, _target(shape, [shape_of(t) for t in like]))


def reshape_sized(x, shape, like=()):
    """`x` reshaped to `shape`, whose `(k, axis)` entries are sizes of `like[k]`."""
    from ..graph.prims.deferred import deferred
    from ._shape import reshape

    shape = tuple(shape)
    target = _target(shape, [shape_of(t) for t in like])
    if None not in target:
        return reshape(x, target)
    out = list(target)
    if -1 in out:  # inferable only when the other sizes and x's are all known
        i = out.index(-1)
        known = [d for j, d in enumerate(out) if j != i]
        xs = shape_of(x)
        out[i] = (
            int(np.prod(xs)) // int(np.prod(known))
            if None not in known and None not in xs
            else None
        )
    return deferred(_run, [x] + list(like), [(tuple(out), dtype_of(x))], shape=shape)
