"""Losses: the fast kernels against the double-precision C++ reference and the float64
numpy oracle; numpy's gradients against finite differences; values and gradients
against real keras.losses (sum_over_batch_size, sample weights, from_logits, label
smoothing, Huber delta, hinge label conversion, probability clipping)."""

import sys
from pathlib import Path

import numpy as np
import pytest

from kerasette.backend import core

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference"))
import numpy_ref as ref  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

NAMES = ref.LOSS_NAMES


CE = ("binary_ce", "categorical_ce", "sparse_categorical_ce")
SMOOTHABLE = ("binary_ce", "categorical_ce")
SHAPES = [(1, 1), (1, 7), (7, 17), (33, 10), (1000, 3), (5, 33), (0, 4)]


def cases():
    for name in NAMES:
        for fl in (False, True) if name in CE else (False,):
            for ls in (0.0, 0.2) if name in SMOOTHABLE else (0.0,):
                yield name, fl, ls


def make(name, from_logits, N, K, seed, edges=True):
    """(pred, target) in each loss's natural domain, with clipping edges mixed in."""
    rng = np.random.default_rng(seed)
    if from_logits or name in ("mse", "mae", "huber", "hinge"):
        pred = rng.standard_normal((N, K)) * 3
    else:
        pred = rng.uniform(0.0, 1.0, (N, K))
        if name == "categorical_ce":
            pred = pred / pred.sum(-1, keepdims=True)
        if edges and pred.size > 4:
            flat = pred.reshape(-1)
            flat[rng.choice(flat.size, 3, replace=False)] = [0.0, 1.0, 1e-9]
            if name == "categorical_ce":  # rows must not sum to 0
                pred[pred.sum(-1) == 0] = 0.5
    if name == "sparse_categorical_ce":
        target = rng.integers(0, K, N).astype(np.float32)
    elif name == "hinge":
        target = rng.integers(0, 2, (N, K)).astype(np.float32)
    elif name in ("binary_ce",):
        target = rng.integers(0, 2, (N, K)).astype(np.float32)
    elif name == "categorical_ce":
        target = np.eye(K, dtype=np.float32)[rng.integers(0, K, N)] if K else np.zeros((N, K))
    elif name == "poisson":
        target = rng.poisson(2.0, (N, K)).astype(np.float32)
    else:
        target = rng.uniform(0, 1, (N, K))
    return pred.astype(np.float32), np.asarray(target, np.float32)


def assert_value(got, want, n_terms):
    assert abs(got - want) <= 2e-6 * n_terms + 2e-6 * abs(want), (got, want)


def assert_grad(got, want):
    want = np.asarray(want, np.float64)
    scale = np.abs(want).max() if want.size else 1.0
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6 * max(scale, 1e-30))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name,from_logits,ls", list(cases()))
def test_fast_and_ref_match_numpy(isa, name, from_logits, ls, shape):
    N, K = shape
    pred, target = make(name, from_logits, N, K, seed=N * 100 + K)
    sw = np.random.default_rng(1).uniform(0, 2, N).astype(np.float32)
    for weights in (None, sw):
        want_v, want_g = ref.loss_forward_backward(
            name, pred, target, weights, from_logits, ls, 1.0, 1.0 / max(N, 1)
        )
        for fn in (core.loss_forward_backward, core.loss_forward_backward_ref):
            v, g = fn(name, pred, target, weights, from_logits, ls, 1.0, 1.0 / max(N, 1))
            assert g.shape == (N, K) and g.dtype == np.float32
            assert_value(v, want_v, N * K)
            assert_grad(g, want_g)


@pytest.mark.parametrize("delta", [0.1, 1.0, 2.5])
def test_huber_delta(delta):
    pred, target = make("huber", False, 9, 5, 3)
    want_v, want_g = ref.loss_forward_backward("huber", pred, target, delta=delta)
    v, g = core.loss_forward_backward("huber", pred, target, delta=delta)
    assert_value(v, want_v, 45)
    assert_grad(g, want_g)


def test_want_grad_false_and_out():
    pred, target = make("mse", False, 6, 4, 0)
    v, g = core.loss_forward_backward("mse", pred, target, want_grad=False)
    assert g is None
    out = np.full((6, 4), np.nan, np.float32)
    v2, g2 = core.loss_forward_backward("mse", pred, target, out=out)
    assert v2 == v and np.shares_memory(g2, out)
    assert_grad(out, ref.loss_forward_backward("mse", pred, target)[1])


def test_sparse_target_shapes_and_ids():
    pred, target = make("sparse_categorical_ce", True, 8, 5, 4)
    v1, g1 = core.loss_forward_backward("sparse_categorical_ce", pred, target, from_logits=True)
    v2, g2 = core.loss_forward_backward(
        "sparse_categorical_ce", pred, target.reshape(8, 1).astype(np.int64), from_logits=True
    )
    assert v1 == v2
    np.testing.assert_array_equal(g1, g2)
    for bad in (np.full(8, 5.0), np.full(8, -1.0), np.full(8, np.nan)):
        with pytest.raises(ValueError, match="class id"):
            core.loss_forward_backward("sparse_categorical_ce", pred, bad)
    with pytest.raises(ValueError):
        core.loss_forward_backward("sparse_categorical_ce", pred, np.zeros(7))


def test_bad_arguments():
    pred, target = make("mse", False, 4, 3, 0)
    with pytest.raises(ValueError, match="from_logits"):
        core.loss_forward_backward("mse", pred, target, from_logits=True)
    with pytest.raises(ValueError, match="label_smoothing"):
        core.loss_forward_backward("mse", pred, target, label_smoothing=0.1)
    with pytest.raises(ValueError, match="label_smoothing"):
        core.loss_forward_backward("binary_ce", np.full((4, 3), 0.5), target, label_smoothing=1.5)
    with pytest.raises(ValueError, match="same shape"):
        core.loss_forward_backward("mse", pred, target[:, :2])
    with pytest.raises(ValueError, match="2-D"):
        core.loss_forward_backward("mse", pred[0], target[0])
    with pytest.raises(ValueError, match="sample_weight"):
        core.loss_forward_backward("mse", pred, target, sample_weight=np.ones(3))
    with pytest.raises(ValueError):
        core.loss_forward_backward("nope", pred, target)
    with pytest.raises(TypeError):
        core.loss_forward_backward("mse", pred.astype(complex), target)
    with pytest.raises(ValueError):
        core.loss_forward_backward("mse", pred, target, out=np.zeros((4, 3)))


def test_loss_names():
    assert [core.LOSSES[n] for n in NAMES] == list(range(len(NAMES)))
    assert core.LOSSES["categorical_crossentropy"] == core.LOSSES["categorical_ce"]


@pytest.mark.parametrize("name,from_logits,ls", list(cases()))
def test_numpy_gradient_matches_finite_differences(name, from_logits, ls):
    pred, target = make(name, from_logits, 4, 5, 7, edges=False)
    pred = pred.astype(np.float64)
    if not from_logits and name in ("binary_ce", "categorical_ce", "sparse_categorical_ce", "kld"):
        pred = np.clip(pred, 0.02, 0.98)  # stay off the clipping edges
    if name in ("mae", "huber", "hinge"):
        pred = pred + 0.01  # away from kinks with overwhelming probability
    sw = np.array([0.5, 1.0, 2.0, 0.0])
    _, g = ref.loss_forward_backward(name, pred, target, sw, from_logits, ls)
    h = 1e-6
    fd = np.zeros_like(pred)
    for i in np.ndindex(pred.shape):
        p1, p2 = pred.copy(), pred.copy()
        p1[i] += h
        p2[i] -= h
        fd[i] = (
            ref.loss_forward_backward(name, p1, target, sw, from_logits, ls)[0]
            - ref.loss_forward_backward(name, p2, target, sw, from_logits, ls)[0]
        ) / (2 * h)
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-7)


def test_hinge_label_conversion_is_batch_wide():
    pred, _ = make("hinge", False, 4, 3, 2)
    pm = np.sign(np.random.default_rng(0).standard_normal((4, 3))).astype(np.float32)
    binary = (pm > 0).astype(np.float32)
    v_b, _ = core.loss_forward_backward("hinge", pred, binary)
    v_pm, _ = core.loss_forward_backward("hinge", pred, pm)
    assert v_b == pytest.approx(v_pm, rel=1e-6)
    mixed = binary.copy()
    mixed[0, 0] = 0.5  # one non-binary label: nothing converted
    assert core.loss_forward_backward("hinge", pred, mixed)[0] == pytest.approx(
        ref.loss_forward_backward("hinge", pred, mixed)[0], rel=1e-6
    )


# ---------------------------------------------------------------------------------------
# Against real Keras 3 (TensorFlow backend)
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keras_tf():
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    return keras, tf


def keras_loss(keras, name, from_logits, ls, delta=1.0):
    L = keras.losses
    if name == "mse":
        return L.MeanSquaredError()
    if name == "mae":
        return L.MeanAbsoluteError()
    if name == "huber":
        return L.Huber(delta=delta)
    if name == "binary_ce":
        return L.BinaryCrossentropy(from_logits=from_logits, label_smoothing=ls)
    if name == "categorical_ce":
        return L.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=ls)
    if name == "sparse_categorical_ce":
        return L.SparseCategoricalCrossentropy(from_logits=from_logits)
    if name == "kld":
        return L.KLDivergence()
    if name == "hinge":
        return L.Hinge()
    if name == "poisson":
        return L.Poisson()
    raise ValueError(name)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name,from_logits,ls", list(cases()))
@pytest.mark.keras_ref
def test_matches_keras(keras_tf, name, from_logits, ls, weighted):
    keras, tf = keras_tf
    N, K = 12, 5
    pred, target = make(name, from_logits, N, K, seed=5)
    sw = np.random.default_rng(9).uniform(0, 3, N).astype(np.float32) if weighted else None
    loss = keras_loss(keras, name, from_logits, ls)
    pv = tf.Variable(pred)
    tk = target.astype(np.int64) if name == "sparse_categorical_ce" else target
    with tf.GradientTape() as tape:
        lk = loss(tk, pv, sample_weight=sw)
    gk = tape.gradient(lk, pv).numpy()
    v, g = core.loss_forward_backward(name, pred, target, sw, from_logits, ls, 1.0, 1.0 / N)
    assert v / N == pytest.approx(float(lk), rel=2e-5, abs=1e-6)
    assert_grad(g, gk)


@pytest.mark.parametrize("delta", [0.3, 2.0])
@pytest.mark.keras_ref
def test_huber_delta_matches_keras(keras_tf, delta):
    keras, tf = keras_tf
    pred, target = make("huber", False, 10, 4, 6)
    pv = tf.Variable(pred)
    with tf.GradientTape() as tape:
        lk = keras.losses.Huber(delta=delta)(target, pv)
    v, g = core.loss_forward_backward("huber", pred, target, delta=delta, grad_scale=0.1)
    assert v / 10 == pytest.approx(float(lk), rel=2e-5)
    assert_grad(g, tape.gradient(lk, pv).numpy())


@pytest.mark.keras_ref
def test_hinge_plus_minus_one_labels_match_keras(keras_tf):
    keras, tf = keras_tf
    pred, _ = make("hinge", False, 7, 3, 1)
    t = np.where(np.random.default_rng(3).random((7, 3)) > 0.5, 1.0, -1.0).astype(np.float32)
    lk = float(keras.losses.Hinge()(t, pred))
    assert core.loss_forward_backward("hinge", pred, t)[0] / 7 == pytest.approx(lk, rel=1e-5)
