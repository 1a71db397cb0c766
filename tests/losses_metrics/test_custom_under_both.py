"""A user's Metric subclass, loss function and Loss subclass, written once against the
`keras` API and run under real Keras and under kerasette: the same numbers. The
kerasette run is also traced (Function) to check the graph path gives them too."""

import numpy as np
import pytest
from _lm_data import make_data

import kerasette
import kerasette.ops  # noqa: F401  (kerasette/__init__.py does not list `ops` yet)
from kerasette.graph.function import Function

pytestmark = pytest.mark.keras_ref


def define(keras):
    """The user's code, with `keras` being either library."""
    ops = keras.ops

    class WeightedHitRate(keras.metrics.Metric):
        """Weighted share of rows whose top class is right, and the worst row's error."""

        def __init__(self, name="weighted_hit_rate", **kwargs):
            super().__init__(name=name, **kwargs)
            self.hits = self.add_variable(shape=(), initializer="zeros", name="hits")
            self.weight = self.add_variable(shape=(), initializer="zeros", name="weight")
            self.worst = self.add_variable(shape=(), initializer="zeros", name="worst")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_true = ops.convert_to_tensor(y_true, "float32")
            y_pred = ops.convert_to_tensor(y_pred, "float32")
            hit = ops.cast(
                ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1)), "float32"
            )
            w = ops.ones_like(hit) if sample_weight is None else ops.cast(sample_weight, "float32")
            self.hits.assign_add(ops.sum(hit * w))
            self.weight.assign(self.weight + ops.sum(w))
            err = ops.max(ops.sum(ops.abs(y_true - y_pred), axis=-1))
            self.worst.assign(ops.maximum(self.worst, err))

        def result(self):
            # a made-up score: the hit rate, docked a little for the worst row
            return ops.divide(self.hits, ops.maximum(self.weight, 1e-7)) - 0.01 * self.worst

        def reset_state(self):
            for v in self.variables:
                v.assign(ops.zeros(v.shape, "float32"))

    def focal_like(y_true, y_pred):
        p = ops.clip(y_pred, 1e-6, 1.0 - 1e-6)
        return -ops.mean(y_true * ops.square(1.0 - p) * ops.log(p), axis=-1)

    class ScaledLogCosh(keras.losses.Loss):
        def __init__(self, scale=2.0, name="scaled_log_cosh", **kwargs):
            super().__init__(name=name, **kwargs)
            self.scale = scale

        def call(self, y_true, y_pred):
            x = (y_pred - y_true) * self.scale
            return ops.mean(ops.log((ops.exp(x) + ops.exp(-x)) * 0.5), axis=-1)

        def get_config(self):
            return {**super().get_config(), "scale": self.scale}

    return WeightedHitRate, focal_like, ScaledLogCosh


BATCHES = [(50, 9), (51, 4), (52, 13)]


def test_custom_metric_same_numbers(keras):
    Mine, _, _ = define(kerasette)
    Ref, _, _ = define(keras)
    mine, ref = Mine(), Ref()
    assert len(mine.variables) == len(ref.variables) == 3
    for seed, n in BATCHES:
        d = make_data(seed, n)
        a = mine(d["onehot"], d["probs"], sample_weight=d["sw"])
        b = ref(d["onehot"], d["probs"], sample_weight=d["sw"])
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6)
    for a, b in zip(mine.variables, ref.variables, strict=True):
        np.testing.assert_allclose(a.numpy(), np.asarray(b), rtol=1e-6)
    mine.reset_state()
    ref.reset_state()
    np.testing.assert_allclose(np.asarray(mine.result()), np.asarray(ref.result()))


def test_custom_metric_traced_same_numbers(keras):
    Mine, _, _ = define(kerasette)
    Ref, _, _ = define(keras)
    mine, ref = Mine(), Ref()

    def step(a):
        mine.update_state(a["t"], a["p"], sample_weight=a["w"])
        return mine.result()

    fn = Function(step)
    for seed, n in BATCHES:
        d = make_data(seed, n)
        got = fn({"t": d["onehot"], "p": d["probs"], "w": d["sw"]})
        want = ref(d["onehot"], d["probs"], sample_weight=d["sw"])
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
def test_custom_losses_same_numbers(keras, reduction):
    _, mine_fn, MineLoss = define(kerasette)
    _, ref_fn, RefLoss = define(keras)
    from keras.src.losses.losses import LossFunctionWrapper  # not exported by keras.losses

    d = make_data(60, 12)
    pairs = [
        (
            kerasette.losses.LossFunctionWrapper(mine_fn, reduction=reduction),
            LossFunctionWrapper(ref_fn, reduction=reduction),
            "multi_t",
            "multi_p",
        ),
        (MineLoss(reduction=reduction), RefLoss(reduction=reduction), "reg_t", "reg_p"),
    ]
    for mine, ref, t, p in pairs:
        for sw in (None, d["sw"]):
            a = mine(d[t], d[p], sample_weight=sw)
            b = ref(d[t], d[p], sample_weight=sw)
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-7)
        traced = Function(lambda a, loss=mine: loss(a["t"], a["p"], sample_weight=a["w"]))
        got = traced({"t": d[t], "p": d[p], "w": d["sw"]})
        np.testing.assert_allclose(
            np.asarray(got),
            np.asarray(ref(d[t], d[p], sample_weight=d["sw"])),
            rtol=1e-5,
            atol=1e-7,
        )
    assert MineLoss(scale=3.0).get_config() == RefLoss(scale=3.0).get_config()


def test_function_loss_through_get_is_wrapped(keras):
    _, mine_fn, _ = define(kerasette)
    _, ref_fn, _ = define(keras)
    loss = kerasette.losses.get(mine_fn)
    assert isinstance(loss, kerasette.losses.LossFunctionWrapper) and loss.kind is None
    d = make_data(61, 7)
    np.testing.assert_allclose(
        np.asarray(loss(d["multi_t"], d["multi_p"])),
        np.mean(np.asarray(ref_fn(d["multi_t"], d["multi_p"]))),
        rtol=1e-5,
    )
    metric = kerasette.metrics.get(mine_fn)
    ref = keras.metrics.MeanMetricWrapper(ref_fn)
    for seed, n in BATCHES:
        d = make_data(seed, n)
        metric.update_state(d["multi_t"], d["multi_p"], sample_weight=d["sw"])
        ref.update_state(d["multi_t"], d["multi_p"], sample_weight=d["sw"])
    np.testing.assert_allclose(np.asarray(metric.result()), np.asarray(ref.result()), rtol=1e-5)
