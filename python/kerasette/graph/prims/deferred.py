"""`deferred`: a composite op whose attributes depend on sizes a traced graph does not
know yet (a convolution over `Input((None, 10))`: its padding and output length follow
the sequence length).

The node holds the composite function `fn` (plain Python over `kerasette.ops`) and its
keyword arguments `kw`; its outputs have the shapes `out` with None where a size is
unknown. Keras traces such a layer with None sizes too and runs it per concrete shape.
Here the same happens in three places:

- eager (and the interpreter, and constant folding): `fn` runs on the arrays;
- `program.specialize` (concrete input shapes): `fn` is traced into the new graph, so the
  program holds the real primitives (conv2d, pool2d...) with their sizes known;
- the gradient is another deferred node, the vector-Jacobian product of `fn`, expanded
  (and differentiated) the same way once the shapes are known.
"""

import numpy as np

from ..registry import register


def expand(inputs, fn, kw, out):
    """`fn` applied to `inputs` (arrays or Syms of a graph being built): its outputs as a
    list, checked against the shapes the node promised."""
    res = fn(*inputs, **dict(kw))
    res = list(res) if isinstance(res, (tuple, list)) else [res]
    if len(res) != len(out):
        raise ValueError(f"deferred {_name(fn)}: {len(res)} outputs, the node has {len(out)}")
    for r, (shape, _) in zip(res, out):
        got = tuple(r.shape)
        if len(got) != len(shape) or any(
            a is not None and b is not None and a != b for a, b in zip(got, shape)
        ):
            raise ValueError(f"deferred {_name(fn)}: output of shape {got}, expected {shape}")
    return res


def _name(fn):
    return getattr(fn, "__name__", type(fn).__name__)


def _infer(*inputs, fn, kw, out):
    return [(tuple(s), d) for s, d in out]


def _eval(*arrays, fn, kw, out):
    res = [np.asarray(r) for r in expand(arrays, fn, kw, out)]
    return res[0] if len(res) == 1 else tuple(res)


def _vjp(*args, fn, kw, out, n_in):
    """The gradients of `fn` at the inputs args[:n_in] given the output gradients
    args[n_in:]: one per input (zeros where the outputs do not depend on it)."""
    from ... import ops
    from ..autodiff import gradients
    from ..trace import current_graph, is_symbolic

    xs, gs = list(args[:n_in]), list(args[n_in:])
    if not any(is_symbolic(a) for a in args) and current_graph() is None:
        return _vjp_eager(xs, gs, fn, kw, out)
    ys = expand(xs, fn, kw, out)
    total = None
    for y, g in zip(ys, gs):
        if np.dtype(y.dtype).kind != "f":
            continue
        # g may itself depend on xs (through the forward): it is a constant here
        term = ops.sum(ops.multiply(y, ops.stop_gradient(ops.cast(g, y.dtype))))
        total = term if total is None else ops.add(total, term)
    grads = gradients(total, xs) if total is not None else [None] * len(xs)
    return tuple(ops.zeros_like(x) if g is None else g for x, g in zip(xs, grads))


def _vjp_eager(xs, gs, fn, kw, out):
    """The same on arrays: traced on placeholders of their shapes and interpreted."""
    from ..interpreter import evaluate
    from ..ir import Graph
    from ..trace import as_sym, tracing

    graph = Graph("deferred_vjp")
    phs = [graph.placeholder(np.shape(a), np.asarray(a).dtype) for a in xs + gs]
    with tracing(graph):
        grads = _vjp(*phs, fn=fn, kw=kw, out=out, n_in=len(xs))
    grads = [as_sym(graph, g) for g in grads]
    return tuple(evaluate(grads, dict(zip(phs, [np.asarray(a) for a in xs + gs]))))


def _grad(node, *gouts):
    from ... import ops
    from ..trace import apply

    a = node.attrs
    gs = [
        ops.zeros_like(o) if g is None else g for o, g in zip(node.outputs, gouts)
    ]  # the VJP needs every output's gradient
    res = apply(
        "deferred",
        list(node.inputs) + gs,
        fn=_vjp,
        kw=(("fn", a["fn"]), ("kw", a["kw"]), ("out", a["out"]), ("n_in", len(node.inputs))),
        out=tuple((tuple(i.shape), i.dtype) for i in node.inputs),
    )
    res = list(res) if isinstance(res, tuple) else [res]
    return [r if np.dtype(i.dtype).kind == "f" else None for r, i in zip(res, node.inputs)]


# n_out > 1: `apply` returns a tuple (as long as the node's `out`); deferred() unpacks one.
register("deferred", infer=_infer, eval=_eval, grad=_grad, kernel=None, n_out=2)


def deferred(fn, inputs, out, **kw):
    """Adds a deferred node applying `fn(*inputs, **kw)` to a traced graph, its outputs
    of `out` [(shape with None, dtype)]; returns one Sym, or a tuple for several."""
    from ..trace import apply

    res = apply(
        "deferred",
        list(inputs),
        fn=fn,
        kw=tuple(sorted(kw.items())),
        out=tuple((tuple(s), str(d)) for s, d in out),
    )
    return res[0] if len(out) == 1 else tuple(res)
