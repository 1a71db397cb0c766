"""kerasette.graph's TF1 API: placeholder, default graph, Session.run, partial runs,
finalize; errors as TensorFlow words them (checked side by side with real TF)."""

import collections
import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from kerasette import graph, ops
from kerasette.graph import errors, registry, trace
from kerasette.graph.default import tensor_name

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(autouse=True)
def fresh_default_graph():
    graph.reset_default_graph()
    yield
    graph.reset_default_graph()


# ---- the seed's example, verbatim ------------------------------------------------------
def test_seed_partial_run_example():
    from kerasette import graph, ops

    a, b, c = (graph.placeholder(shape=[]) for _ in range(3))
    r1 = ops.add(a, b)
    r2 = ops.multiply(r1, c)  # noqa: E702
    sess = graph.Session()
    h = sess.partial_run_setup([r1, r2], [a, b, c])
    res = sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
    assert res == 3
    res = sess.partial_run(h, r2, feed_dict={c: res})
    assert res == 9
    assert isinstance(res, np.float32)  # a 0-d fetch comes back a numpy scalar, as in TF


# ---- placeholders, graphs, run -------------------------------------------------------------
def test_placeholder_shapes_and_names():
    p = graph.placeholder(shape=[None, 3], name="x")
    q = graph.placeholder()
    r = graph.placeholder(shape=[2], dtype="int32")
    assert p.shape == (None, 3) and p.dtype == "float32"
    assert q.shape.rank is None
    assert r.dtype == "int32"
    assert tensor_name(p) == "x:0"
    assert tensor_name(q) == "Placeholder:0"
    assert tensor_name(graph.placeholder()) == "Placeholder_2:0"  # r took "Placeholder_1"
    assert tensor_name(graph.placeholder(name="x")) == "x_1:0"
    assert graph.get_default_graph().get_tensor_by_name("x:0") is p


def test_placeholder_accepts_tf1_argument_order():
    p = graph.placeholder("float32", shape=[None, 3], name="tf1")
    q = graph.placeholder("int32", [2])
    r = graph.placeholder(np.float64)
    s = graph.placeholder([4], "float16", "mine")
    assert (p.shape, p.dtype, tensor_name(p)) == ((None, 3), "float32", "tf1:0")
    assert (q.shape, q.dtype) == ((2,), "int32")
    assert r.shape.rank is None and r.dtype == "float64"
    assert (s.shape, s.dtype, tensor_name(s)) == ((4,), "float16", "mine:0")
    assert graph.placeholder(dtype="float").dtype == "float32"  # TF's name for float32
    with pytest.raises(TypeError, match="multiple values"):
        graph.placeholder([2], shape=[3])


def test_operators_and_ops_add_nodes_to_the_placeholders_graph():
    g = graph.get_default_graph()
    a, b = graph.placeholder(shape=[2]), graph.placeholder(shape=[2])
    n = len(g.nodes)
    c = a + b
    d = ops.multiply(c, 2.0)
    e = 1.0 - d / a
    assert c.graph is g and d.graph is g and e.graph is g
    assert len(g.nodes) > n
    out = graph.Session().run(e, {a: [1, 2], b: [3, 4]})
    np.testing.assert_allclose(out, 1 - 2 * np.array([4, 6]) / np.array([1, 2]))


def test_unknown_rank_placeholder_accepts_any_shape():
    x, y = graph.placeholder(), graph.placeholder()
    z = x * y + 1.0
    assert z.shape.rank is None
    s = graph.Session()
    assert s.run(z, {x: 3, y: 4.5}) == 14.5
    np.testing.assert_allclose(s.run(z, {x: [[1, 2], [3, 4]], y: 2}), [[3, 5], [7, 9]])
    np.testing.assert_allclose(s.run(ops.sum(z), {x: np.ones((2, 3, 4)), y: 1}), 48)


def test_run_fetch_structures():
    a, b = graph.placeholder(shape=[]), graph.placeholder(shape=[])
    c = a + b
    Pair = collections.namedtuple("Pair", "x y")
    s = graph.Session()
    feed = {a: 1, b: 2}
    assert s.run(c, feed) == 3
    assert s.run([c, a], feed) == [3, 1]
    assert s.run((c,), feed) == (3,)
    assert s.run({"c": c, "n": [a, (b, c)]}, feed) == {"c": 3, "n": [1, (2, 3)]}
    assert s.run(Pair(c, [a]), feed) == Pair(3, [1])
    assert s.run([], feed) == []
    od = s.run(collections.OrderedDict(z=c, a=a), feed)
    assert isinstance(od, collections.OrderedDict) and list(od) == ["z", "a"]
    assert s.run("Placeholder:0", {a: 5}) == 5  # a tensor by name


def test_feeds_convert_to_the_placeholder_dtype():
    a = graph.placeholder(shape=[None])
    i = graph.placeholder(shape=[], dtype="int32")
    s = graph.Session()
    out = s.run(a, {a: [1, 2]})
    assert out.dtype == np.float32
    assert s.run(i, {i: 3}).dtype == np.int32
    assert s.run(a, {a: np.arange(3.0)}).dtype == np.float32
    from kerasette.tensor import Tensor

    np.testing.assert_allclose(s.run(a * 2, {a: Tensor(np.ones(2, np.float32))}), [2, 2])


def test_feed_an_intermediate_tensor():
    a, b, c = (graph.placeholder(shape=[]) for _ in range(3))
    r1 = a + b
    r2 = r1 * c
    assert graph.Session().run(r2, {r1: 10, c: 2}) == 20  # a and b are not needed


def test_run_feed_and_fetch_by_name():
    a = graph.placeholder(shape=[], name="in")
    b = a * 3.0
    assert graph.Session().run(b, {"in:0": 2}) == 6


def test_graph_as_default_and_session_graph():
    g = graph.Graph()
    with g.as_default():
        assert graph.get_default_graph() is g
        a = graph.placeholder(shape=[])
        b = a + 1.0
        with graph.Graph().as_default() as inner:
            assert graph.get_default_graph() is inner
        assert graph.get_default_graph() is g
        s_in = graph.Session()
    assert graph.get_default_graph() is not g
    assert a.graph is g and b.graph is g
    assert s_in.graph is g and s_in.run(b, {a: 1}) == 2
    assert graph.Session(graph=g).run(b, {a: 2}) == 3
    # The default graph's stack is per thread, as TF's.
    seen = []
    with g.as_default():
        t = threading.Thread(target=lambda: seen.append(graph.get_default_graph()))
        t.start()
        t.join()
    assert seen[0] is not g


def test_reset_default_graph():
    g0 = graph.get_default_graph()
    graph.placeholder()
    graph.reset_default_graph()
    g1 = graph.get_default_graph()
    assert g1 is not g0 and len(g1.nodes) == 0
    with graph.Graph().as_default():
        with pytest.raises(AssertionError, match="Do not use tf.reset_default_graph"):
            graph.reset_default_graph()


def test_session_context_manager_and_close():
    a = graph.placeholder(shape=[])
    g = graph.Graph()
    with graph.Session(graph=g) as s:
        assert graph.get_default_graph() is g  # TF makes the session's graph default
    assert graph.get_default_graph() is a.graph
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        s.run(a, {a: 1})
    s2 = graph.Session()
    s2.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        s2.partial_run_setup([a], [a])


def test_fetch_a_variable():
    from kerasette.variables import Variable

    v = Variable(np.array([1.0, 2.0], np.float32))
    a = graph.placeholder(shape=[2])
    y = a * v
    s = graph.Session()
    np.testing.assert_allclose(s.run(y, {a: [3, 4]}), [3, 8])
    np.testing.assert_allclose(s.run(v), [1, 2])
    u = Variable(np.array([5.0], np.float32))
    graph.get_default_graph().finalize()
    n = len(graph.get_default_graph().nodes)
    assert s.run(u)[0] == 5  # never read by the graph: its value, no new node
    assert len(graph.get_default_graph().nodes) == n


# ---- errors ------------------------------------------------------------------------------
def test_missing_feed_is_tf_invalid_argument():
    a = graph.placeholder(shape=[])
    p = graph.placeholder(shape=[None, 3], name="p")
    q = graph.placeholder(dtype="int32", name="q")
    r = graph.placeholder(shape=[2], dtype="float64", name="r")
    s = graph.Session()
    with pytest.raises(
        graph.InvalidArgumentError,
        match="You must feed a value for placeholder tensor 'Placeholder' with dtype float$",
    ):
        s.run(a + 1.0)
    with pytest.raises(
        errors.InvalidArgumentError,
        match=r"tensor 'p' with dtype float and "
        r"shape \[\?,3\]",
    ):
        s.run(ops.sum(p))
    with pytest.raises(errors.InvalidArgumentError, match="'q' with dtype int32$"):
        s.run(q)
    with pytest.raises(
        errors.InvalidArgumentError,
        match=r"'r' with dtype double and "
        r"shape \[2\]",
    ):
        s.run(r * 2.0, {})
    assert issubclass(graph.InvalidArgumentError, errors.OpError)
    assert graph.InvalidArgumentError is errors.InvalidArgumentError


def test_bad_feed_shape_is_value_error():
    a = graph.placeholder(shape=[])
    p = graph.placeholder(shape=[None, 3], name="p")
    s = graph.Session()
    with pytest.raises(
        ValueError,
        match=r"^Cannot feed value of shape \(2,\) for Tensor "
        r"Placeholder:0, which has shape \(\)$",
    ):
        s.run(a, {a: [1, 2]})
    with pytest.raises(
        ValueError,
        match=r"^Cannot feed value of shape \(1, 2\) for Tensor "
        r"p:0, which has shape \(None, 3\)$",
    ):
        s.run(p, {p: [[1, 2]]})
    with pytest.raises(ValueError, match=r"shape \(3,\) for Tensor p:0"):
        s.run(p, {p: [1, 2, 3]})
    np.testing.assert_allclose(s.run(p, {p: np.zeros((5, 3))}), np.zeros((5, 3)))


def test_bad_fetches_and_feeds():
    a = graph.placeholder(shape=[])
    s = graph.Session()
    with pytest.raises(TypeError, match="Cannot be None"):
        s.run(None)
    with pytest.raises(TypeError, match="must be a string or Tensor"):
        s.run(3)
    with pytest.raises(TypeError, match="The value of a feed cannot be a tf.Tensor"):
        s.run(a, {a: a})
    with pytest.raises(TypeError, match="Cannot interpret feed_dict key"):
        s.run(a, {"nope:0": 1.0})
    with graph.Graph().as_default():
        other = graph.placeholder(shape=[])
    with pytest.raises(ValueError, match="is not an element of this graph"):
        s.run(other, {other: 1})
    with pytest.raises(TypeError, match="is not an element of this graph"):
        s.run(a, {a: 1, other: 1})
    with pytest.raises(ValueError):
        a + other  # tensors from two graphs do not mix


def test_finalize():
    g = graph.get_default_graph()
    a, b = graph.placeholder(shape=[]), graph.placeholder(shape=[])
    c = a * b
    g.finalize()
    assert g.finalized
    n = len(g.nodes)
    with pytest.raises(RuntimeError, match=r"^Graph is finalized and cannot be modified\.$"):
        a + b
    with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified."):
        ops.exp(a)
    with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified."):
        graph.placeholder()
    s = graph.Session()
    assert s.run(c, {a: 2, b: 3}) == 6  # running existing nodes still works
    h = s.partial_run_setup([c], [a, b])
    assert s.partial_run(h, c, {a: 2, b: 4}) == 8
    assert len(g.nodes) == n
    graph.reset_default_graph()
    assert not graph.get_default_graph().finalized


# ---- partial runs ---------------------------------------------------------------------------
def test_partial_run_errors():
    a, b, c, d = (graph.placeholder(shape=[], name=n) for n in "abcd")
    r1 = a + b
    r2 = r1 * c
    r3 = r1 + d
    s = graph.Session()
    h = s.partial_run_setup([r1, r2], [a, b, c])
    E = graph.InvalidArgumentError
    with pytest.raises(E, match=r"^The feed d:0 was not specified in partial_run_setup\.$"):
        s.partial_run(h, r1, {a: 1, b: 2, d: 3})
    with pytest.raises(
        E,
        match=r"^The fetch add_1:0 was not specified in "
        r"partial_run_setup\.$",
    ):
        s.partial_run(h, r3, {a: 1, b: 2})
    with pytest.raises(
        E,
        match=r"^Fetch c:0 can't be computed from the feeds that have "
        r"been fed so far\.$",
    ):
        s.partial_run(h, r2, {a: 1, b: 2})
    assert s.partial_run(h, r1, {a: 1, b: 2}) == 3  # the failed steps changed nothing
    with pytest.raises(E, match=r"^The feed a:0 has already been fed\.$"):
        s.partial_run(h, r2, {a: 1, c: 2})
    with pytest.raises(E, match=r"^The fetch add:0 has already been fetched\.$"):
        s.partial_run(h, r1, {})
    assert s.partial_run(h, r2, {c: 2}) == 6
    with pytest.raises(E, match=r"^Must run 'setup' before performing partial runs!$"):
        s.partial_run(h, r2, {})  # done: TF released the run
    with pytest.raises(E, match="Must run 'setup' before performing partial runs!"):
        s.partial_run("bogus", r1, {a: 1})
    with pytest.raises(E, match=r"^add:0 is both fed and fetched\.$"):
        s.partial_run_setup([r1], [a, r1])
    h2 = s.partial_run_setup([r3], [a, b])
    with pytest.raises(
        E, match="You must feed a value for placeholder tensor 'd' with dtype float"
    ):
        s.partial_run(h2, r3, {a: 1, b: 2})
    h3 = s.partial_run_setup([r1], [a, b])
    with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2,\) for Tensor a:0"):
        s.partial_run(h3, r1, {a: [1, 2], b: 1})


def test_partial_runs_are_independent():
    a, b, c = (graph.placeholder(shape=[]) for _ in range(3))
    r1 = a + b
    r2 = r1 * c
    s = graph.Session()
    h1 = s.partial_run_setup([r1, r2], [a, b, c])
    h2 = s.partial_run_setup([r1, r2], [a, b, c])
    assert h1 != h2
    assert s.partial_run(h1, r1, {a: 1, b: 2}) == 3
    assert s.partial_run(h2, r1, {a: 10, b: 20}) == 30
    assert s.partial_run(h1, r2, {c: 2}) == 6
    assert s.partial_run(h2, r2, {c: 2}) == 60
    assert s.run(r2, {a: 1, b: 1, c: 1}) == 2  # run beside partial runs


_COUNTS = collections.Counter()


def _counted_eval(x, tag):
    _COUNTS[tag] += 1
    return np.asarray(x) + 0


if "test_counted_identity" not in registry.all_ops():
    registry.register(
        "test_counted_identity", infer=lambda x, tag: (x.shape, x.dtype), eval=_counted_eval
    )


def _counted(x, tag):
    return trace.apply("test_counted_identity", [x], tag=tag)


def test_partial_run_never_recomputes_a_node():
    _COUNTS.clear()
    a, b, c = (graph.placeholder(shape=[]) for _ in range(3))
    t = _counted(a * b, "t")  # computed in step 1, not fetched there
    r1 = _counted(t + 1.0, "r1")
    r2 = _counted(t * c, "r2")  # step 2 reads t again: it must be kept, not redone
    r3 = _counted(r2 + r1, "r3")
    s = graph.Session()
    h = s.partial_run_setup([r1, r2, r3], [a, b, c])
    assert s.partial_run(h, r1, {a: 2, b: 3}) == 7
    assert dict(_COUNTS) == {"t": 1, "r1": 1}
    assert s.partial_run(h, r2, {c: 10}) == 60
    assert dict(_COUNTS) == {"t": 1, "r1": 1, "r2": 1}
    assert s.partial_run(h, r3, {}) == 67
    assert dict(_COUNTS) == {"t": 1, "r1": 1, "r2": 1, "r3": 1}
    # A fetch computed on the way to an earlier one is kept, not computed again.
    _COUNTS.clear()
    h = s.partial_run_setup([r1, r3], [a, b, c])
    assert s.partial_run(h, r3, {a: 2, b: 3, c: 10}) == 67
    assert s.partial_run(h, r1, {}) == 7
    assert dict(_COUNTS) == {"t": 1, "r1": 1, "r2": 1, "r3": 1}
    # A plain run evaluates each node once too, however often the fetches mention it.
    _COUNTS.clear()
    assert s.run([r3, r1, r3, t], {a: 1, b: 1, c: 1}) == [3, 2, 3, 1]
    assert dict(_COUNTS) == {"t": 1, "r1": 1, "r2": 1, "r3": 1}


def test_partial_run_fed_intermediate_skips_its_producers():
    _COUNTS.clear()
    a, b, c = (graph.placeholder(shape=[]) for _ in range(3))
    r1 = _counted(a + b, "r1")
    r2 = r1 * c
    s = graph.Session()
    h = s.partial_run_setup([r2], [c, r1])
    assert s.partial_run(h, r2, {r1: 10, c: 2}) == 20
    assert _COUNTS["r1"] == 0
    # TF's rule: a declared feed still unfed above a fed intermediate is an error.
    h = s.partial_run_setup([r2], [a, b, c, r1])
    with pytest.raises(graph.InvalidArgumentError, match="can't be computed"):
        s.partial_run(h, r2, {r1: 10, c: 2})


# ---- side by side with TensorFlow's partial runs ----------------------------------------------
@pytest.fixture(scope="module")
def tf_results():
    pytest.importorskip("tensorflow")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "_tf_partial_run.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _kerasette_results():
    from _pr_scenarios import SCENARIOS, play

    def build():
        graph.reset_default_graph()
        a, b, c, d = (graph.placeholder(shape=[], name=n) for n in "abcd")
        e = graph.placeholder(shape=[None, 2], name="e")
        r1 = a + b
        r2 = r1 * c
        return {
            "a": a,
            "b": b,
            "c": c,
            "d": d,
            "e": e,
            "r1": r1,
            "r2": r2,
            "r3": r1 + d,
            "r4": r2 * r1,
            "s": ops.sum(e) * a,
        }

    return play(build, graph.Session, (errors.OpError, ValueError, TypeError), SCENARIOS)


def _same(ours, theirs, where):
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and set(ours) == set(theirs), where
        for k in theirs:
            _same(ours[k], theirs[k], where)
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), where
        for o, t in zip(ours, theirs):
            _same(o, t, where)
    elif theirs is None:
        assert ours is None, where
    else:
        np.testing.assert_allclose(ours, theirs, err_msg=where)


@pytest.mark.keras_ref
def test_partial_run_matches_tensorflow(tf_results):
    from _pr_scenarios import SCENARIOS

    ours = _kerasette_results()
    assert set(ours) == set(SCENARIOS) == set(tf_results)
    for name in SCENARIOS:
        assert len(ours[name]) == len(tf_results[name]), name
        for i, (o, t) in enumerate(zip(ours[name], tf_results[name])):
            where = f"{name} step {i}: ours {o} vs TF {t}"
            assert ("err" in o) == ("err" in t), where
            if "err" in t:
                assert o["err"] == t["err"], where
                # TF prefixes "Graph execution error:" and appends node context.
                assert o["msg"] in t["msg"], where
            else:
                _same(o["ok"], t["ok"], where)
