"""kerasette.distribute in one process: the API's checks, the engine's gradient hook,
and a job of size 1 (where DistributedOptimizer must change nothing)."""

import pickle

import _scenarios as sc
import numpy as np
import pytest

import kerasette as ks
import kerasette.distribute as kd


@pytest.fixture
def mpi():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        pytest.skip("mpi4py is not installed (pip install mpi4py mpich)")
    kd.init()
    yield kd
    kd.shutdown()


def _flat(m):
    return np.concatenate([w.ravel() for w in m.get_weights()])


def _fit(m, **kw):
    x, y = sc.data()
    return m.fit(x, y, batch_size=sc.GLOBAL_BATCH, epochs=2, shuffle=False, verbose=0, **kw)


# ---- before init ----------------------------------------------------------------------
def test_not_initialized_raises():
    kd.shutdown()
    for fn in (kd.rank, kd.size, kd.local_rank, kd.comm):
        with pytest.raises(ValueError, match="init"):
            fn()
    with pytest.raises(ValueError, match="init"):
        kd.DistributedOptimizer(ks.optimizers.SGD())


def test_shard_explicit_rank_and_size():
    x = np.arange(22).reshape(11, 2)
    y = np.arange(11)
    xs, ys = kd.shard(x, y, rank=1, size=3)
    np.testing.assert_array_equal(ys, [1, 4, 7])  # 11 -> 9 rows, every 3rd from 1
    np.testing.assert_array_equal(xs, x[[1, 4, 7]])
    assert xs.flags.c_contiguous
    assert len(kd.shard(y, rank=2, size=3, drop_remainder=False)) == 3
    d = kd.shard({"a": np.arange(4), "b": list("wxyz")}, rank=0, size=2)
    np.testing.assert_array_equal(d["a"], [0, 2])
    assert list(d["b"]) == ["w", "y"]
    pd = pytest.importorskip("pandas")
    df = kd.shard(pd.DataFrame({"c": range(5)}), rank=1, size=2)
    assert list(df["c"]) == [1, 3]


@pytest.mark.parametrize(
    "kw,match",
    [
        ({"rank": 2, "size": 2}, "rank must be in"),
        ({"rank": -1, "size": 2}, "rank must be an int"),
        ({"rank": 0, "size": 0}, "size must be an int"),
        ({"rank": 0.5, "size": 2}, "rank must be an int"),
    ],
)
def test_shard_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        kd.shard(np.arange(4), **kw)


def test_shard_bad_data():
    with pytest.raises(ValueError, match="different lengths"):
        kd.shard(np.arange(4), np.arange(5), rank=0, size=2)
    with pytest.raises(ValueError, match="cannot give each"):
        kd.shard(np.arange(1), rank=0, size=2)
    with pytest.raises(TypeError, match="expected arrays"):
        kd.shard(3, rank=0, size=2)
    with pytest.raises(ValueError, match="at least one"):
        kd.shard()


# ---- the engine's gradient hook (no MPI needed) ------------------------------------------
class _Recorder:
    def __init__(self, scale=None, fail=False):
        self.calls, self.ptrs, self.scale, self.fail = [], [], scale, fail

    def __call__(self, grads):
        if self.fail:
            raise RuntimeError("hook failed on purpose")
        self.calls.append(grads.copy())
        self.ptrs.append(grads.ctypes.data)
        if self.scale is not None:
            grads *= self.scale


def test_gradient_hook_sees_every_step_and_can_edit_the_gradients():
    m = sc.model(ks.optimizers.SGD(0.1), weights_seed=100)
    rec = _Recorder()
    m.optimizer._gradient_hook = rec
    _fit(m)
    steps = 2 * sc.N_ROWS // sc.GLOBAL_BATCH
    assert len(rec.calls) == steps
    # The buffer is the whole gradient arena: every trainable weight's gradient lies in
    # it (the engine pads each to 64 bytes), at the same place on every step.
    n_params = sum(w.size for w in m.get_weights())
    g = rec.calls[0]
    assert g.dtype == np.float32 and g.ndim == 1 and n_params <= g.size <= n_params + 64
    assert len(set(rec.ptrs)) == 1
    plan = m._lp.plan
    offsets = [(plan.grad_view(pid).ctypes.data - rec.ptrs[0]) // 4 for pid, _ in m._lp.trainable]
    # The first step's gradients are those of the plain SGD step: w1 = w0 - lr * g0.
    m2 = sc.model(ks.optimizers.SGD(0.1), weights_seed=100)
    x, y = sc.data()
    m2.train_on_batch(x[: sc.GLOBAL_BATCH], y[: sc.GLOBAL_BATCH])
    for (pid, var), off, w0, w1 in zip(
        m._lp.trainable, offsets, sc.initial_weights(100), m2.get_weights(), strict=True
    ):
        grad = g[off : off + var.value.size].reshape(w0.shape)
        np.testing.assert_allclose(w0 - 0.1 * grad, w1, rtol=1e-6, atol=1e-7)
    w0 = np.concatenate([w.ravel() for w in sc.initial_weights(100)])
    # A hook that zeroes the gradients freezes SGD.
    m3 = sc.model(ks.optimizers.SGD(0.1), weights_seed=100)
    m3.optimizer._gradient_hook = _Recorder(scale=0.0)
    _fit(m3)
    np.testing.assert_array_equal(_flat(m3), w0)


def test_gradient_hook_error_propagates():
    m = sc.model(ks.optimizers.SGD(0.1), weights_seed=100)
    m.optimizer._gradient_hook = _Recorder(fail=True)
    with pytest.raises(RuntimeError, match="on purpose"):
        _fit(m)
    x, y = sc.data()
    with pytest.raises(RuntimeError, match="on purpose"):
        m.train_on_batch(x[:4], y[:4])


def test_plan_rejects_a_non_callable_hook():
    m = sc.model(ks.optimizers.SGD(0.1), weights_seed=100)
    m.optimizer._gradient_hook = 3
    with pytest.raises(TypeError, match="callable"):
        _fit(m)


# ---- a job of size 1 -------------------------------------------------------------------
def test_size_one_job(mpi):
    assert (kd.rank(), kd.size(), kd.local_rank(), kd.local_size()) == (0, 1, 0, 1)
    assert (kd.cross_rank(), kd.cross_size()) == (0, 1)
    np.testing.assert_array_equal(kd.allreduce([1.0, 2.0]), [1.0, 2.0])
    np.testing.assert_array_equal(kd.broadcast(np.arange(3), 0), np.arange(3))
    np.testing.assert_array_equal(kd.allgather(np.ones((2, 2))), np.ones((2, 2)))


@pytest.mark.parametrize("name", list(sc.OPTIMIZERS))
def test_distributed_optimizer_of_size_one_changes_nothing(mpi, name):
    plain = sc.model(sc.optimizer(name), weights_seed=100)
    h1 = _fit(plain)
    dist = sc.model(kd.DistributedOptimizer(sc.optimizer(name)), weights_seed=100)
    h2 = _fit(
        dist,
        callbacks=[
            kd.callbacks.BroadcastGlobalVariablesCallback(0),
            kd.callbacks.MetricAverageCallback(),
        ],
    )
    np.testing.assert_array_equal(_flat(dist), _flat(plain))
    assert h1.history == h2.history


def test_distributed_optimizer_keeps_class_config_and_pickles(mpi):
    base = ks.optimizers.Adam(learning_rate=0.003, beta_1=0.8, name="my_adam")
    dist = kd.DistributedOptimizer(base)
    assert isinstance(dist, ks.optimizers.Adam) and type(dist).__name__ == "Adam"
    assert dist.get_config() == base.get_config()
    assert ks.optimizers.serialize(dist)["class_name"] == "Adam"
    assert isinstance(kd.DistributedOptimizer("sgd"), ks.optimizers.SGD)
    assert kd.DistributedOptimizer(base, name="other").name == "other"
    m = sc.model(dist, weights_seed=100)
    _fit(m)
    back = pickle.loads(pickle.dumps(dist))
    assert type(back) is type(dist) and back.get_config() == dist.get_config()
    assert back.iterations == dist.iterations and back._gradient_hook.op == kd.Average
    m2 = pickle.loads(pickle.dumps(m))  # the model (and its optimizer) pickle too
    np.testing.assert_array_equal(_flat(m2), _flat(m))


@pytest.mark.parametrize(
    "kw,match",
    [
        ({"op": "max"}, "Average or .Sum"),
        ({"compression": "fp16"}, "compression"),
        ({"backward_passes_per_step": 2}, "backward_passes_per_step"),
        ({"gradient_predivide_factor": 2.0}, "gradient_predivide_factor"),
    ],
)
def test_distributed_optimizer_bad_arguments(mpi, kw, match):
    with pytest.raises(ValueError, match=match):
        kd.DistributedOptimizer(ks.optimizers.SGD(), **kw)


def test_distributed_optimizer_bad_optimizer(mpi):
    with pytest.raises(ValueError, match="Could not interpret optimizer"):
        kd.DistributedOptimizer("not-an-optimizer")
    with pytest.raises(ValueError, match="already distributed"):
        kd.DistributedOptimizer(kd.DistributedOptimizer("sgd"))


def test_callbacks_bad_arguments(mpi):
    with pytest.raises(ValueError, match="root_rank"):
        kd.callbacks.BroadcastGlobalVariablesCallback(root_rank=1)
    with pytest.raises(ValueError, match="root_rank"):
        kd.broadcast(np.zeros(2), root_rank=-1)
    with pytest.raises(ValueError, match="initial_lr"):
        kd.callbacks.LearningRateWarmupCallback(0)
    with pytest.raises(ValueError, match="warmup_epochs"):
        kd.callbacks.LearningRateWarmupCallback(0.1, warmup_epochs=0)
    with pytest.raises(TypeError, match="numbers"):
        kd.allreduce(np.array(["a"]))
    with pytest.raises(ValueError, match="op must be"):
        kd.allreduce([1.0], op="mean")


def test_epoch_hooks_keep_the_cpp_epoch_loop(mpi):
    """The broadcast and metric-average callbacks use epoch hooks only, so fit still
    runs whole epochs in C++ (no per-batch Python)."""
    from kerasette.callbacks import CallbackList

    cbs = CallbackList(
        [kd.callbacks.BroadcastGlobalVariablesCallback(0), kd.callbacks.MetricAverageCallback()]
    )
    assert not cbs.needs_batch_hooks("train")
    warm = kd.callbacks.LearningRateWarmupCallback(0.1, warmup_epochs=1)
    assert warm.needs_batch_hooks("train")
    warm.on_epoch_begin(1)
    assert not warm.needs_batch_hooks("train")


def test_init_without_mpi4py_says_what_to_install(monkeypatch):
    import sys

    from kerasette.distribute import _mpi

    monkeypatch.setattr(_mpi, "_MPI", None)
    monkeypatch.setattr(_mpi, "_comm", None)
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(ImportError, match="pip install mpi4py mpich"):
        kd.init()
