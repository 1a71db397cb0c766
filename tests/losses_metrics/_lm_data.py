"""Data and helpers shared by the loss/metric tests (a uniquely named module: several
test folders have a conftest.py, so `from conftest import ...` would be ambiguous)."""

import numpy as np

N, K, T = 24, 5, 3


def make_data(seed=0, n=N):
    r = np.random.default_rng(seed)
    f = lambda a: np.asarray(a, dtype="float32")  # noqa: E731
    logits = f(r.normal(size=(n, K)) * 2)
    probs = f(np.exp(logits) / np.exp(logits).sum(1, keepdims=True))
    ids = r.integers(0, K, n)
    ids3 = r.integers(0, K, (n, T))
    l3 = f(r.normal(size=(n, T, K)))
    d = dict(
        logits=logits,
        probs=probs,
        ids=ids,
        ids_col=ids[:, None],
        onehot=f(np.eye(K)[ids]),
        # scores in tenths: ties for top-k and thresholds
        ties=f(np.round(r.random((n, K)), 1)),
        reg_t=f(r.normal(size=(n, K))),
        reg_p=f(r.normal(size=(n, K))),
        pos_t=f(r.random((n, K)) * 3),
        pos_p=f(r.random((n, K)) * 3 + 0.05),
        bin_t=f(r.random((n, 1)) > 0.5),
        bin_p=f(r.random((n, 1)) * 0.98 + 0.01),
        bin_logits=f(r.normal(size=(n, 1)) * 2),
        pm1=f(np.where(r.random((n, 1)) > 0.5, 1, -1)),
        multi_t=f(r.random((n, K)) > 0.6),
        multi_p=f(r.random((n, K))),
        acc_t=f(r.integers(0, 3, (n, 1))),
        acc_p=f(r.integers(0, 3, (n, 1))),
        t3=f(np.eye(K)[ids3]),
        p3=f(np.exp(l3) / np.exp(l3).sum(-1, keepdims=True)),
        ids3=ids3,
        reg3_t=f(r.normal(size=(n, T, K))),
        reg3_p=f(r.normal(size=(n, T, K))),
        sw=f(r.random(n) + 0.1),
        sw_col=f(r.random((n, 1)) + 0.1),
        sw2=f(r.random((n, T)) + 0.1),
        swk=f(r.random((n, K)) + 0.1),
    )
    ign = ids.copy()
    ign[::4] = -1  # every fourth label is the ignored class
    d["ids_ign"] = ign
    return d


def traced(fn, arrays):
    """fn(*placeholders) traced into a fresh graph (batch axis unknown), then run by the
    interpreter on `arrays`. Returns (outputs as arrays, the graph)."""
    from kerasette.graph import interpreter
    from kerasette.graph.ir import Graph
    from kerasette.graph.trace import tracing

    g = Graph("test")
    phs = [None if a is None else g.placeholder((None,) + a.shape[1:], _dtype(a)) for a in arrays]
    with tracing(g):
        out = fn(*phs)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    feeds = {p: a for p, a in zip(phs, arrays) if p is not None}
    effects = list(getattr(g, "updates", ()))
    values = interpreter.evaluate(outs + effects, feeds)
    return values[: len(outs)], g


def _dtype(a):
    d = str(np.asarray(a).dtype)
    return "float32" if d == "float64" else d
