"""The graph passes (dce, fold, cse, run_passes): same results with each on or off, the
node counts they promise, effects kept, input graphs untouched; and the printer."""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerasette import ops
from kerasette.graph import interpreter, ir, registry, trace
from kerasette.graph.fnir import FnIR
from kerasette.graph.passes import cse, dce, disabled_passes, fold, run_passes
from kerasette.graph.printer import format_fn
from kerasette.variables import Variable

PASSES = {"dce": dce.run, "fold": fold.run, "cse": cse.run}

_draws = itertools.count()


def _random_eval(x, tag):
    return np.asarray(x) + np.float32(next(_draws))  # a new value every evaluation


if "test_random_draw" not in registry.all_ops():
    registry.register(
        "test_random_draw", infer=lambda x, tag: (x.shape, x.dtype), eval=_random_eval, random=True
    )


def _draw(x, tag=0):
    return trace.apply("test_random_draw", [x], tag=tag)


def run(fn, feeds):
    """fn's outputs for feeds (by position of fn.inputs)."""
    with np.errstate(all="ignore"):
        return interpreter.evaluate(fn.outputs + fn.effects, dict(zip(fn.inputs, feeds)))[
            : len(fn.outputs)
        ]


def body_ops(fn):
    inputs = {id(s) for s in fn.inputs}
    return [n.op for n in fn.nodes if not all(id(o) in inputs for o in n.outputs)]


def snapshot(g):
    return [
        (n.id, n.op, [id(i) for i in n.inputs], [id(o) for o in n.outputs], sorted(n.attrs))
        for n in g.nodes
    ]


# ---- random graphs: every pass on or off gives the same values ------------------------------
SHAPES = [(2, 3), (1, 3), (2, 1), ()]


@st.composite
def random_fn(draw):
    g = ir.Graph("random")
    x = g.placeholder((None, 3), name="x")  # the batch is unknown, as in a model
    y = g.placeholder((2, 3), name="y")
    z = g.placeholder((1, 3), name="z")
    unused = g.placeholder((4,), name="unused")
    pool = [x, y, z]
    vals = draw(st.lists(st.floats(-2, 2, width=32), min_size=6, max_size=6))
    c = np.asarray(vals, np.float32).reshape(2, 3)
    # Two constant nodes with one value (CSE merges them), a scalar, a row.
    pool.append(g.add("constant", [], {"value": c}, [((2, 3), "float32")])[0])
    pool.append(g.add("constant", [], {"value": c.copy()}, [((2, 3), "float32")])[0])
    pool.append(g.constant(np.float32(draw(st.floats(0.5, 2, width=32)))))
    pool.append(g.constant(c[:1].copy()))
    steps = []
    for _ in range(draw(st.integers(1, 14))):
        kind = draw(
            st.sampled_from(
                [
                    "add",
                    "subtract",
                    "multiply",
                    "divide",
                    "exp",
                    "square",
                    "negative",
                    "sum0",
                    "sum1",
                    "sumall",
                    "reshape_id",
                    "reshape_trip",
                    "cast_id",
                    "matmul",
                    "repeat",
                    "repeat",
                ]
            )
        )
        if kind == "repeat" and steps:  # the same op on the same operands: CSE's case
            kind, args = steps[draw(st.integers(0, len(steps) - 1))]
        else:
            n = 2 if kind in ("add", "subtract", "multiply", "divide") else 1
            args = [draw(st.integers(0, len(pool) - 1)) for _ in range(n)]
            if kind == "repeat":
                kind = "negative"
        steps.append((kind, args))
        a = [pool[i] for i in args]
        p = a[0]
        if kind in ("add", "subtract", "multiply", "divide"):
            out = getattr(ops, kind)(a[0], a[1])
        elif kind == "exp":
            out = ops.exp(ops.multiply(p, 0.5))
        elif kind in ("square", "negative"):
            out = getattr(ops, kind)(p)
        elif kind == "sum0":
            out = ops.sum(p, axis=0, keepdims=True) if p.ndim == 2 else p
        elif kind == "sum1":
            out = ops.sum(p, axis=1, keepdims=True) if p.ndim == 2 else p
        elif kind == "sumall":
            out = ops.sum(p)
        elif kind == "reshape_id":
            out = ops.reshape(p, tuple(-1 if d is None else d for d in p.shape))
        elif kind == "reshape_trip":
            if p.shape == (2, 3):
                out = ops.reshape(ops.reshape(p, (3, 2)), (2, 3))
            else:
                out = (
                    ops.reshape(
                        ops.reshape(p, (-1,)), tuple(-1 if d is None else d for d in p.shape)
                    )
                    if p.ndim
                    else p
                )
        elif kind == "cast_id":
            out = ops.cast(p, "float32")
        else:  # matmul: [.., 3] @ [3, 3] keeps the shape
            if p.ndim == 2 and p.shape[1] == 3:
                w = ops.reshape(ops.add(pool[3], pool[4]), (3, 2))
                out = ops.matmul(p, ops.matmul(w, ops.reshape(pool[3], (2, 3))))
            else:
                out = p
        pool.append(out)
    k = draw(st.integers(1, 3))
    outs = [pool[draw(st.integers(0, len(pool) - 1))] for _ in range(k)]
    fn = FnIR(g, [x, y, z, unused], outs)
    batch = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    feeds = [
        rng.standard_normal((batch, 3)).astype(np.float32),
        rng.standard_normal((2, 3)).astype(np.float32),
        rng.standard_normal((1, 3)).astype(np.float32),
        np.zeros(4, np.float32),
    ]
    return fn, feeds


def _broadcastable(fn, feeds):
    """x's batch must broadcast against y's 2 rows where the graph mixes them."""
    try:
        run(fn, feeds)
        return True
    except ValueError:
        return False


def _same(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b):
        assert u.shape == v.shape and u.dtype == v.dtype
        np.testing.assert_array_equal(u, v)  # NaN == NaN here; same evals, same bits


CONFIGS = [
    (),
    ("dce",),
    ("fold",),
    ("cse",),
    ("fold", "cse"),
    ("dce", "cse"),
    ("dce", "fold"),
    ("all",),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_fn())
def test_random_graphs_every_pass_on_or_off_gives_the_same_values(case):
    fn, feeds = case
    if not _broadcastable(fn, feeds):
        feeds[0] = feeds[0][:1]  # a batch of 1 broadcasts against anything
    want = run(fn, feeds)
    fn.graph.finalize()  # the passes must not need to add to the user's graph
    before = snapshot(fn.graph)
    n = len(fn.nodes)
    for name, p in PASSES.items():
        out = p(fn)
        _same(run(out, feeds), want)
        assert len(out.nodes) <= n, name
        assert [s.shape for s in out.inputs] == [s.shape for s in fn.inputs]
        assert [(s.shape, s.dtype) for s in out.outputs] == [
            (s.shape, s.dtype) for s in fn.outputs
        ], name
    for off in CONFIGS:
        out = run_passes(fn, disabled=off)
        _same(run(out, feeds), want)
        assert len(out.nodes) <= n
    assert snapshot(fn.graph) == before  # the input graph is untouched
    # After all the passes: no constant-only computation and no duplicate left.
    final = run_passes(fn)
    consts = {id(nd.outputs[0]) for nd in final.nodes if nd.op == "constant"}
    keys = set()
    for nd in final.nodes:
        if nd.op in ("placeholder",):
            continue
        if nd.op != "constant" and nd.inputs:
            assert not all(id(i) in consts for i in nd.inputs), format_fn(final)
        key = (
            nd.op,
            tuple(id(i) for i in nd.inputs),
            tuple(sorted((k, cse.attr_key(v)) for k, v in nd.attrs.items())),
        )
        assert key not in keys, format_fn(final)
        keys.add(key)
    # The passes reach a fixed point: running them again changes nothing.
    assert body_ops(run_passes(final)) == body_ops(final)


# ---- hand-made cases: what each pass removes ------------------------------------------------
def _fn(build):
    g = ir.Graph("hand")
    x = g.placeholder((None, 4), name="x")
    outs, effects = build(g, x)
    return FnIR(g, [x], outs, effects)


def test_dce_drops_dead_nodes_and_identity_reshapes_and_casts():
    def build(g, x):
        ops.exp(x)  # dead
        ops.square(ops.negative(x))  # dead chain
        a = ops.cast(ops.reshape(x, (-1, 4)), "float32")  # identities
        b = ops.reshape(a, (-1, 2, 2))  # a real reshape
        c = ops.cast(b, "float16")  # a real cast
        return [ops.add(c, 1.0)], []

    fn = _fn(build)
    assert body_ops(fn) == ["reshape", "cast", "reshape", "cast", "constant", "add"]
    out = dce.run(fn)
    assert body_ops(out) == ["reshape", "cast", "constant", "add"]
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    _same(run(out, [x]), run(fn, [x]))
    assert len(fn.graph.nodes) == 10  # the dead nodes are still in the input graph


def test_dce_keeps_reshapes_it_cannot_prove_identity():
    g = ir.Graph("r")
    x = g.placeholder((None, None), name="x")
    y = ops.reshape(x, (-1, 3))  # (None, 3): not x's shape
    fn = FnIR(g, [x], [y])
    assert body_ops(dce.run(fn)) == ["reshape"]
    u = g.placeholder(ir.UnknownRank(), name="u")
    fn = FnIR(g, [u], [ops.cast(u, "float32"), ops.reshape(u, (-1,))])
    assert body_ops(dce.run(fn)) == ["reshape"]  # the cast is an identity; the reshape not


def test_dce_keeps_an_unused_input():
    g = ir.Graph("u")
    x, y = g.placeholder((2,), name="x"), g.placeholder((3,), name="y")
    out = dce.run(FnIR(g, [x, y], [ops.exp(x)]))
    assert [s.shape for s in out.inputs] == [(2,), (3,)]
    assert [s.name for s in out.inputs] == ["x", "y"]


def test_fold_turns_constant_computations_into_constants():
    def build(g, x):
        c = g.constant(np.arange(4, dtype=np.float32))
        k = ops.exp(ops.multiply(ops.add(c, 1.0), 0.5))  # all constant
        m = ops.sum(ops.square(c))  # constant scalar
        return [ops.add(ops.multiply(x, k), m)], []

    fn = _fn(build)
    out = fold.run(fn)
    assert body_ops(out).count("constant") == 2
    assert [o for o in body_ops(out) if o != "constant"] == ["multiply", "add"]
    x = np.ones((3, 4), np.float32)
    _same(run(out, [x]), run(fn, [x]))
    folded = [n.attrs["value"] for n in out.nodes if n.op == "constant"]
    assert all(v.dtype == np.float32 for v in folded)


def test_fold_leaves_variables_placeholders_random_and_effects():
    v = Variable(np.ones(4, np.float32))

    def build(g, x):
        c = g.constant(np.full(4, 2.0, np.float32))
        r = _draw(c)  # random: drawn at run time
        w = ops.multiply(v, c)  # reads a variable
        a = trace.apply("assign", [ops.add(c, c)], var=v)  # an effect with constant input
        return [ops.add(ops.add(x, r), w)], [a]

    g = ir.Graph("hand")
    x = g.placeholder((None, 4), name="x")
    with trace.tracing(g):
        outs, effects = build(g, x)
    fn = FnIR(g, [x], outs, effects)
    out = fold.run(fn)
    got = body_ops(out)
    assert "test_random_draw" in got and "variable" in got and "assign" in got
    assert got.count("add") == 2 and "multiply" in got  # add(c, c) folded, the rest not
    assert len(out.effects) == 1 and out.effects[0].node.op == "assign"


def test_fold_size_cap(monkeypatch):
    g = ir.Graph("big")
    x = g.placeholder((), name="x")
    c = g.constant(np.float32(1.0))
    big = ops.broadcast_to(c, (2048, 1024))  # 2M elements: not folded
    fn = FnIR(g, [x], [ops.add(ops.sum(big), x)])
    assert "broadcast_to" in body_ops(fold.run(fn))
    monkeypatch.setattr(fold, "MAX_ELEMENTS", 4)
    small = ops.broadcast_to(c, (2, 3))  # 6 > 4 now
    assert "broadcast_to" in body_ops(fold.run(FnIR(g, [x], [ops.add(small, x)])))
    monkeypatch.setattr(fold, "MAX_ELEMENTS", 1 << 20)
    assert "broadcast_to" not in body_ops(fold.run(FnIR(g, [x], [ops.add(small, x)])))


def test_fold_keeps_a_node_whose_eval_raises():
    g = ir.Graph("bad")
    x = g.placeholder((2,), name="x")
    c = g.constant(np.arange(6, dtype=np.float32))
    node_out = g.add("reshape", [c], {"shape": (4, 2)}, [((4, 2), "float32")])[0]  # invalid
    fn = FnIR(g, [x], [node_out])
    assert body_ops(fold.run(fn)) == ["constant", "reshape"]


def test_cse_merges_equal_nodes_only():
    v1 = Variable(np.ones(3, np.float32))
    v2 = Variable(np.ones(3, np.float32))  # same value, another variable

    g = ir.Graph("cse")
    x = g.placeholder((None, 3), name="x")
    with trace.tracing(g):
        a1, a2 = ops.exp(x), ops.exp(x)  # merged
        s0, s1 = ops.sum(a1, axis=0), ops.sum(a2, axis=1)  # attrs differ: kept
        s0b = ops.sum(a2, axis=0)  # == s0 after a2 -> a1
        c1 = g.add("constant", [], {"value": np.ones(3, np.float32)}, [((3,), "float32")])[0]
        c2 = g.add("constant", [], {"value": np.ones(3, np.float32)}, [((3,), "float32")])[0]
        c3 = g.add("constant", [], {"value": np.ones(3, np.float64)}, [((3,), "float64")])[0]
        r1, r2 = _draw(x), _draw(x)  # random: never merged
        w1 = ops.multiply(x, v1)
        w1b = ops.multiply(x, g.variable(v1))  # the same variable read
        w2 = ops.multiply(x, v2)  # another variable
        outs = [
            s0,
            s0b,
            s1,
            ops.add(x, c1),
            ops.add(x, c2),
            ops.add(x, ops.cast(c3, "float32")),
            r1,
            r2,
            w1,
            w1b,
            w2,
        ]
    fn = FnIR(g, [x], outs)
    out = cse.run(fn)
    got = body_ops(out)
    assert got.count("exp") == 1
    assert got.count("sum") == 2
    assert got.count("test_random_draw") == 2
    assert got.count("variable") == 2
    assert got.count("multiply") == 2
    assert got.count("constant") == 2  # float32 ones merged; float64 ones kept
    assert out.outputs[0] is out.outputs[1]
    xv = np.arange(6, dtype=np.float32).reshape(2, 3)
    want, got_vals = run(fn, [xv]), run(out, [xv])
    for i in (0, 1, 2, 3, 4, 5, 8, 9, 10):
        np.testing.assert_array_equal(got_vals[i], want[i])


def test_cse_attribute_keys():
    k = cse.attr_key
    assert k(1) != k(1.0) != k(True)
    assert k(0.0) != k(-0.0)
    assert k((1, 2)) == k((1, 2)) and k((1, 2)) != k([1, 2])
    assert k(np.zeros(2, np.float32)) == k(np.zeros(2, np.float32))
    assert k(np.zeros(2, np.float32)) != k(np.zeros(2, np.float64))
    assert k(np.zeros((2, 1))) != k(np.zeros((1, 2)))
    assert k({"a": 1, "b": [2]}) == k({"b": [2], "a": 1})
    v = Variable(np.zeros(2, np.float32))
    assert k(v) == k(v) and k(v) != k(Variable(np.zeros(2, np.float32)))


def test_effects_survive_every_pass():
    v = Variable(np.zeros(3, np.float32))
    g = ir.Graph("eff")
    x = g.placeholder((3,), name="x")
    with trace.tracing(g):
        c = g.constant(np.full(3, 2.0, np.float32))
        a1 = trace.apply("assign", [ops.add(x, c)], var=v)
        a2 = trace.apply("assign", [ops.add(x, c)], var=v)  # equal, but two writes
        orphan = trace.apply("assign", [ops.multiply(c, 3.0)], var=v)  # in no list
        y = ops.exp(x)
    fn = FnIR(g, [x], [y], [a1, a2])
    for name, p in list(PASSES.items()) + [("all", run_passes)]:
        out = p(fn)
        assigns = [n for n in out.nodes if n.op == "assign"]
        assert len(assigns) == 3, name
        assert {id(n.outputs[0]) for n in assigns} <= {id(s) for s in out.effects}, name
    # The writes happen, in graph order: the orphan (6) last.
    out = run_passes(fn)
    run(out, [np.ones(3, np.float32)])
    np.testing.assert_array_equal(v.numpy(), np.full(3, 6.0))
    assert orphan.node.op == "assign"


def test_passes_compile_a_finalized_graph():
    from kerasette import graph as kg

    kg.reset_default_graph()
    a = kg.placeholder(shape=[None, 2], name="a")
    k = ops.add(np.ones(2, np.float32), 1.0)  # eager: a Tensor
    b = ops.exp(ops.multiply(a, k))
    c = ops.exp(ops.multiply(a, k))
    d = ops.add(b, c)
    kg.get_default_graph().finalize()
    before = snapshot(a.graph)
    fn = FnIR(a.graph, [a], [d])
    out = run_passes(fn)
    assert body_ops(out) == ["constant", "multiply", "exp", "add"]
    assert out.graph is not a.graph and not out.graph.finalized
    assert snapshot(a.graph) == before
    x = np.ones((2, 2), np.float32)
    _same(run(out, [x]), [kg.Session().run(d, {a: x})])
    kg.reset_default_graph()


# ---- the switch ---------------------------------------------------------------------------
def _chain():
    g = ir.Graph("sw")
    x = g.placeholder((2,), name="x")
    c = g.constant(np.ones(2, np.float32))
    e1, e2 = ops.exp(x), ops.exp(x)
    return FnIR(g, [x], [ops.add(ops.add(e1, e2), ops.add(c, c))])


def test_disable_passes_by_argument_and_environment(monkeypatch):
    monkeypatch.delenv("KERASETTE_DISABLE_PASSES", raising=False)
    fn = _chain()
    assert body_ops(run_passes(fn)) == ["exp", "add", "constant", "add"]
    assert body_ops(run_passes(fn, disabled=("fold",))).count("constant") == 1
    assert body_ops(run_passes(fn, disabled=("fold",))).count("exp") == 1
    assert body_ops(run_passes(fn, disabled=("cse",))).count("exp") == 2
    monkeypatch.setenv("KERASETTE_DISABLE_PASSES", "fold, cse")
    assert disabled_passes() == {"fold", "cse"}
    got = body_ops(run_passes(fn))
    assert got.count("exp") == 2 and got.count("add") == 3
    monkeypatch.setenv("KERASETTE_DISABLE_PASSES", "all")
    assert run_passes(fn) is fn
    monkeypatch.setenv("KERASETTE_DISABLE_PASSES", "fusion,memory")  # later stages' names
    assert disabled_passes() == set()
    assert body_ops(run_passes(fn)) == ["exp", "add", "constant", "add"]
    monkeypatch.setenv("KERASETTE_DISABLE_PASSES", "fusion_typo")
    with pytest.raises(ValueError, match="fusion_typo"):
        run_passes(fn)


# ---- the printer ----------------------------------------------------------------------------
def test_listing_has_one_line_per_node_before_and_after_the_passes():
    g = ir.Graph("print")
    x = g.placeholder((None, 4), name="x")
    u = g.placeholder(ir.UnknownRank(), name="u")
    v = Variable(np.ones((4, 2), np.float32))
    with trace.tracing(g):
        w = g.add("constant", [], {"value": "a\nb"}, [((), "float32")])[0]  # odd attr
        h = ops.matmul(ops.add(x, ops.add(np.ones(4, np.float32), 1.0)), v)
        y = ops.add(ops.sum(h, axis=1), ops.sum(h, axis=1))
        a = trace.apply("assign", [ops.multiply(v, 2.0)], var=v)
    fn = FnIR(g, [x, u], [y, ops.exp(u), w], [a])
    for f in (fn, run_passes(fn)):
        text = format_fn(f)
        lines = text.splitlines()
        n_body = len(body_ops(f))
        assert len(lines) == n_body + 2, text
        assert lines[0].startswith("{ lambda ; ") and "f32[?,4]" in lines[0]
        assert "f32[*]" in lines[0]
        assert lines[-1].startswith("  in (") and "effects" in lines[-1]
        for line, op in zip(lines[1:-1], body_ops(f)):
            assert f" = {op}" in line, line
        assert repr(f) == text
    after = format_fn(run_passes(fn)).splitlines()
    assert any(
        "constant[[2.0,2.0,2.0,2.0]]" in ln.replace(" ", "") or "constant[[2.,2.,2.,2.]]" in ln
        for ln in after
    ), "\n".join(after)
