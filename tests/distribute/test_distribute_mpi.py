"""Data-parallel training under `mpiexec -n 2` against one process on the full batches.

2 ranks each on half of every batch (strided shards, batch B/2) with averaged gradients
take exactly the steps of 1 process on batch B: same weights, same epoch metrics once
averaged. Tolerance: the two sides sum the batch in different orders (two half-batch
means averaged vs one mean), a few float32 ulps per step over 12 steps; Adam divides by
sqrt(v), so atol 1e-5 on weights of order 0.1..1.
"""

import os

import _scenarios as sc
import numpy as np
import pytest
from _launch import run_mpi

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    out = tmp_path_factory.mktemp("mpi")
    run_mpi(2, os.path.join(HERE, "_worker.py"), str(out))
    return [dict(np.load(out / f"rank{r}.npz")) for r in range(2)]


def _reference(name, extra_callbacks=()):
    """One process, the full data, batch B, rank 0's initial weights."""
    import kerasette as ks

    x, y = sc.data()
    m = sc.model(sc.optimizer(name), weights_seed=100)
    h = m.fit(
        x,
        y,
        batch_size=sc.GLOBAL_BATCH,
        epochs=sc.EPOCHS,
        shuffle=False,
        verbose=0,
        callbacks=list(extra_callbacks),
    )
    assert isinstance(m, ks.models.Sequential)
    return np.concatenate([w.ravel() for w in m.get_weights()]), h.history, m


def test_job_shape(ranks):
    assert [int(r["size"]) for r in ranks] == [2, 2]
    assert sorted(int(r["local_rank"]) for r in ranks) == [0, 1]


@pytest.mark.parametrize("path", ["chunked", "per_batch"])
@pytest.mark.parametrize("name", list(sc.OPTIMIZERS))
def test_averaged_gradients_match_one_process(ranks, name, path):
    ref_w, ref_h, ref_m = _reference(name)
    w0, w1 = (r[f"{name}/{path}/weights"] for r in ranks)
    # Identical updates on identical starts: the ranks stay bit-identical.
    np.testing.assert_array_equal(w0, w1)
    np.testing.assert_allclose(w0, ref_w, rtol=1e-5, atol=1e-5)
    # The run moved the weights well beyond the tolerance (the check can fail).
    start = np.concatenate([w.ravel() for w in sc.initial_weights(100)])
    assert np.abs(ref_w - start).max() > 1e-2
    steps = sc.EPOCHS * sc.N_ROWS // sc.GLOBAL_BATCH
    assert [int(r[f"{name}/{path}/iterations"]) for r in ranks] == [steps, steps]
    assert ref_m.optimizer.iterations == steps
    # Epoch metrics averaged over the ranks = the one-process epoch metrics.
    for key in ("loss", "accuracy"):
        for r in ranks:
            np.testing.assert_allclose(
                r[f"{name}/{path}/avg_{key}"], ref_h[key], rtol=1e-5, atol=1e-6
            )


def test_broadcast_makes_ranks_start_identical(ranks):
    # Before fit the ranks held different initial weights...
    a, b = (r["sgd/chunked/start"] for r in ranks)
    assert np.abs(a - b).max() > 0.1
    np.testing.assert_array_equal(a, np.concatenate([w.ravel() for w in sc.initial_weights(100)]))
    # ...and ended identical and equal to the reference started from rank 0's weights
    # (checked above); without gradient averaging they drift apart even after the
    # broadcast, which shows the averaging is what keeps them together.
    p0, p1 = (r["plain/weights"] for r in ranks)
    assert np.abs(p0 - p1).max() > 1e-3


def test_metric_average_callback(ranks):
    for name in sc.OPTIMIZERS:
        for key in ("loss", "accuracy"):
            local = [r[f"{name}/chunked/local_{key}"] for r in ranks]
            avg = [r[f"{name}/chunked/avg_{key}"] for r in ranks]
            np.testing.assert_allclose(avg[0], (local[0] + local[1]) / 2, rtol=1e-12)
            np.testing.assert_array_equal(avg[0], avg[1])
    # The ranks' own losses differ (different halves of each batch).
    assert (
        np.abs(ranks[0]["sgd/chunked/local_loss"] - ranks[1]["sgd/chunked/local_loss"]).max() > 1e-4
    )


def test_collectives(ranks):
    for r in ranks:
        np.testing.assert_allclose(r["allreduce_avg"], [1.5, 5.0])
        np.testing.assert_array_equal(r["allreduce_sum"], [3, 4])
        np.testing.assert_array_equal(r["broadcast"], np.full(3, 6, np.float32))
        np.testing.assert_array_equal(r["allgather"], [[0, 0], [1, 1], [1, 1]])


def test_broadcast_copies_optimizer_state(ranks):
    """Each rank preset its own Adam state (iterations, m, v); after the broadcast all
    train like one process that starts from rank 0's weights and state."""
    import kerasette as ks

    x, y = sc.data()
    m = sc.model(ks.optimizers.Adam(learning_rate=0.01), weights_seed=100)
    sc.preset_adam_state(m, seed=0)
    m.fit(x, y, batch_size=sc.GLOBAL_BATCH, epochs=sc.EPOCHS, shuffle=False, verbose=0)
    ref = np.concatenate([w.ravel() for w in m.get_weights()])
    w0, w1 = (r["preset/weights"] for r in ranks)
    np.testing.assert_array_equal(w0, w1)
    np.testing.assert_allclose(w0, ref, rtol=1e-5, atol=1e-5)
    steps = sc.EPOCHS * sc.N_ROWS // sc.GLOBAL_BATCH
    assert [int(r["preset/iterations"]) for r in ranks] == [7 + steps] * 2
    # Rank 1's own state (iterations 8, other m/v) would have given other weights.
    m1 = sc.model(ks.optimizers.Adam(learning_rate=0.01), weights_seed=100)
    sc.preset_adam_state(m1, seed=1)
    m1.fit(x, y, batch_size=sc.GLOBAL_BATCH, epochs=sc.EPOCHS, shuffle=False, verbose=0)
    other = np.concatenate([w.ravel() for w in m1.get_weights()])
    assert np.abs(other - ref).max() > 1e-4


def test_learning_rate_warmup(ranks):
    """Horovod's formula: lr = initial_lr / size * (1 + (epoch + batch/steps) *
    (size - 1) / warmup_epochs) during warmup, initial_lr after."""
    steps = sc.N_ROWS // sc.GLOBAL_BATCH
    want = [
        0.2 / 2 * (1 + (e + b / steps) / 2) if e < 2 else 0.2
        for e in range(sc.EPOCHS)
        for b in range(steps)
    ]
    for r in ranks:
        np.testing.assert_allclose(r["warmup/lrs"], want, rtol=1e-6)
        assert float(r["warmup/final_lr"]) == pytest.approx(0.2)
