"""Every built-in loss against Keras 3 (TF backend) on random inputs: each reduction,
1-D and 2-D sample weights, from_logits both ways, label smoothing, ignore_class, the
function and string forms, configs.

Tolerance: float32 sums over a few hundred terms in another order differ by ~1e-6
relative; rtol 1e-5 keeps a margin while a formula error (>1e-3) fails.
"""

import numpy as np
import pytest

import kerasette as ks

pytestmark = pytest.mark.keras_ref

# (class, kwargs, y_true key, y_pred key)
CASES = [
    ("MeanSquaredError", {}, "reg_t", "reg_p"),
    ("MeanAbsoluteError", {}, "reg_t", "reg_p"),
    ("MeanAbsolutePercentageError", {}, "reg_t", "reg_p"),
    ("MeanSquaredLogarithmicError", {}, "pos_t", "pos_p"),
    ("Huber", {}, "reg_t", "reg_p"),
    ("Huber", dict(delta=0.4), "reg_t", "reg_p"),
    ("LogCosh", {}, "reg_t", "reg_p"),
    ("BinaryCrossentropy", {}, "bin_t", "bin_p"),
    ("BinaryCrossentropy", dict(label_smoothing=0.1), "bin_t", "bin_p"),
    ("BinaryCrossentropy", dict(from_logits=True), "bin_t", "bin_logits"),
    ("BinaryCrossentropy", dict(from_logits=True, label_smoothing=0.2), "multi_t", "logits"),
    ("BinaryCrossentropy", {}, "multi_t", "multi_p"),
    ("CategoricalCrossentropy", {}, "onehot", "probs"),
    ("CategoricalCrossentropy", dict(label_smoothing=0.2), "onehot", "probs"),
    ("CategoricalCrossentropy", dict(from_logits=True), "onehot", "logits"),
    ("CategoricalCrossentropy", dict(from_logits=True, label_smoothing=0.1), "onehot", "logits"),
    ("CategoricalCrossentropy", {}, "onehot", "ties"),  # unnormalised scores
    ("SparseCategoricalCrossentropy", {}, "ids", "probs"),
    ("SparseCategoricalCrossentropy", {}, "ids_col", "probs"),
    ("SparseCategoricalCrossentropy", dict(from_logits=True), "ids", "logits"),
    ("SparseCategoricalCrossentropy", dict(ignore_class=-1), "ids_ign", "probs"),
    ("SparseCategoricalCrossentropy", dict(ignore_class=-1, from_logits=True), "ids_ign", "logits"),
    ("KLDivergence", {}, "onehot", "probs"),
    ("KLDivergence", {}, "multi_p", "probs"),
    ("Poisson", {}, "pos_t", "pos_p"),
    ("Hinge", {}, "bin_t", "bin_logits"),
    ("Hinge", {}, "pm1", "bin_logits"),
    ("SquaredHinge", {}, "multi_t", "logits"),
    ("CategoricalHinge", {}, "onehot", "logits"),
]
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]


def _ids(case):
    name, kw, t, p = case
    return f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}-{t}-{p}"


def _both(keras, name, kwargs, **extra):
    return (
        getattr(ks.losses, name)(**kwargs, **extra),
        getattr(keras.losses, name)(**kwargs, **extra),
    )


@pytest.mark.parametrize("case", CASES, ids=_ids)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weights", [None, "sw", "sw_col"])
def test_loss_matches_keras(keras, data, case, reduction, weights):
    name, kwargs, t, p = case
    mine, ref = _both(keras, name, kwargs, reduction=reduction)
    sw = None if weights is None else data[weights]
    a = mine(data[t], data[p], sample_weight=sw)
    b = np.asarray(ref(data[t], data[p], sample_weight=sw))
    assert np.shape(a) == b.shape
    np.testing.assert_allclose(np.asarray(a), b, rtol=1e-5, atol=1e-6)


# Per-timestep losses (N, T) with 2-D sample weights (N, T).
TEMPORAL = [
    ("MeanSquaredError", {}, "reg3_t", "reg3_p"),
    ("MeanAbsoluteError", {}, "reg3_t", "reg3_p"),
    ("Huber", {}, "reg3_t", "reg3_p"),
    ("CategoricalCrossentropy", {}, "t3", "p3"),
    ("CategoricalCrossentropy", dict(label_smoothing=0.1), "t3", "p3"),
    ("SparseCategoricalCrossentropy", {}, "ids3", "p3"),
    ("BinaryCrossentropy", {}, "t3", "p3"),
    ("KLDivergence", {}, "t3", "p3"),
]


@pytest.mark.parametrize("case", TEMPORAL, ids=_ids)
@pytest.mark.parametrize(
    "reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight", "none"]
)
@pytest.mark.parametrize("weights", [None, "sw", "sw2"])
def test_temporal_loss_with_2d_weights(keras, data, case, reduction, weights):
    name, kwargs, t, p = case
    mine, ref = _both(keras, name, kwargs, reduction=reduction)
    sw = None if weights is None else data[weights]
    if weights == "sw":  # Keras needs (N, 1) to weigh (N, T) values per sample
        sw = sw[:, None]
    a = mine(data[t], data[p], sample_weight=sw)
    b = np.asarray(ref(data[t], data[p], sample_weight=sw))
    np.testing.assert_allclose(np.asarray(a), b, rtol=1e-5, atol=1e-6)


FUNCTIONS = [
    ("mean_squared_error", {}, "reg_t", "reg_p"),
    ("mean_absolute_error", {}, "reg_t", "reg_p"),
    ("huber", dict(delta=0.5), "reg_t", "reg_p"),
    ("log_cosh", {}, "reg_t", "reg_p"),
    ("binary_crossentropy", dict(from_logits=True), "multi_t", "logits"),
    ("categorical_crossentropy", dict(label_smoothing=0.1), "onehot", "probs"),
    ("sparse_categorical_crossentropy", dict(from_logits=True), "ids", "logits"),
    ("kl_divergence", {}, "onehot", "probs"),
    ("poisson", {}, "pos_t", "pos_p"),
    ("hinge", {}, "bin_t", "bin_logits"),
    ("squared_hinge", {}, "bin_t", "bin_logits"),
    ("categorical_hinge", {}, "onehot", "logits"),
    ("mean_absolute_percentage_error", {}, "reg_t", "reg_p"),
    ("mean_squared_logarithmic_error", {}, "pos_t", "pos_p"),
]


@pytest.mark.parametrize("case", FUNCTIONS, ids=_ids)
def test_loss_functions_match_keras(keras, data, case):
    name, kwargs, t, p = case
    a = getattr(ks.losses, name)(data[t], data[p], **kwargs)
    b = np.asarray(getattr(keras.losses, name)(data[t], data[p], **kwargs))
    assert np.shape(a) == b.shape
    np.testing.assert_allclose(np.asarray(a), b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "string",
    [
        "mse",
        "mae",
        "mape",
        "msle",
        "huber",
        "log_cosh",
        "binary_crossentropy",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "kld",
        "poisson",
        "hinge",
        "squared_hinge",
        "categorical_hinge",
    ],
)
def test_loss_strings_give_keras_values(keras, data, string):
    mine = ks.losses.get(string)
    t, p = {
        "sparse_categorical_crossentropy": ("ids", "probs"),
        "binary_crossentropy": ("bin_t", "bin_p"),
        "categorical_crossentropy": ("onehot", "probs"),
        "kld": ("onehot", "probs"),
        "poisson": ("pos_t", "pos_p"),
        "msle": ("pos_t", "pos_p"),
    }.get(string, ("reg_t", "reg_p"))
    ref = keras.losses.get(string)
    np.testing.assert_allclose(
        np.asarray(mine(data[t], data[p])), np.mean(np.asarray(ref(data[t], data[p]))), rtol=1e-5
    )


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_loss_config_round_trip(keras, case):
    name, kwargs, _, _ = case
    mine, ref = _both(keras, name, kwargs)
    assert mine.get_config() == ref.get_config() or name == "Huber"
    again = type(mine).from_config(mine.get_config())
    assert again.get_config() == mine.get_config()
    assert ks.losses.deserialize(ks.losses.serialize(mine)).get_config() == mine.get_config()


def test_engine_attributes_kept():
    """The trainer lowers built-in losses by these attributes."""
    cce = ks.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
    assert (cce.kind, cce.from_logits, cce.label_smoothing) == (
        "categorical_crossentropy",
        True,
        0.1,
    )
    sce = ks.losses.SparseCategoricalCrossentropy()
    assert sce.kind == "sparse_categorical_crossentropy" and sce.sparse
    assert ks.losses.Huber(delta=0.3).delta == 0.3
    assert ks.losses.SparseCategoricalCrossentropy(ignore_class=0).kind is None
    assert ks.losses.MeanSquaredError()._ks_builtin

    class Mine(ks.losses.MeanSquaredError):
        pass

    assert not Mine()._ks_builtin


def test_bad_inputs_raise_clearly():
    mse = ks.losses.MeanSquaredError()
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4, 2\)"):
        mse(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"in \[0, 3\)"):
        ks.losses.SparseCategoricalCrossentropy()(np.array([0, 3]), np.full((2, 3), 1 / 3))
    with pytest.raises(TypeError, match="numeric"):
        mse(np.array([["a"]]), np.zeros((1, 1)))
    with pytest.raises(ValueError, match="sample_weight"):
        mse(np.zeros((4, 2)), np.zeros((4, 2)), sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="reduction"):
        ks.losses.MeanSquaredError(reduction="average")
    with pytest.raises(ValueError, match="label_smoothing"):
        ks.losses.BinaryCrossentropy(label_smoothing=2.0)
