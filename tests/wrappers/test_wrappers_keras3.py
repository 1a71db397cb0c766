"""SKLearnClassifier / SKLearnRegressor / SKLearnTransformer (Keras 3's wrapper API).

Oracle: the same compiled kerasette model fitted by hand on the one-hot (or
column) target the wrapper documents, after the same seed.
"""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from wrapper_models import compiled_mlp

import kerasette as ks
from kerasette.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(200, 5, n_informative=3, n_classes=3, random_state=0)
    return X.astype(np.float32), y


def test_classifier_matches_hand_fit_on_one_hot(data):
    X, y = data
    clf = SKLearnClassifier(
        compiled_mlp,
        model_kwargs={"hidden": (6,)},
        fit_kwargs={"epochs": 2, "verbose": 0},
        random_state=3,
    )
    clf.fit(X, y, epochs=4, batch_size=16)  # fit() arguments win over fit_kwargs
    ks.utils.set_random_seed(3)
    onehot = np.eye(3, dtype=np.float32)[y]
    ref = compiled_mlp(X, onehot, hidden=(6,))
    ref.fit(X, onehot, epochs=4, batch_size=16, verbose=0)
    raw = ref.predict(X, verbose=0)
    np.testing.assert_allclose(clf.model_.predict(X, verbose=0), raw, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(clf.predict(X), raw.argmax(axis=1))
    np.testing.assert_allclose(clf.decision_function(X), raw, rtol=1e-6, atol=1e-7)
    assert len(clf.history_["loss"]) == 4 and clf.epoch_ == 4


def test_binary_decision_function_is_a_signed_margin():
    X, y = make_classification(200, 4, random_state=2)
    clf = SKLearnClassifier(
        compiled_mlp, fit_kwargs={"epochs": 10, "verbose": 0}, random_state=0
    ).fit(X, np.where(y == 1, "b", "a"))
    margin = clf.decision_function(X)
    assert margin.shape == (200,)
    np.testing.assert_array_equal(clf.predict(X), np.where(margin > 0, "b", "a"))


def test_regressor_with_compiled_instance_is_cloned_unless_warm_start():
    X, y = make_regression(150, 3, random_state=0)
    y = y / y.std()
    model = compiled_mlp(X, y.reshape(-1, 1), loss="mse")
    before = model.get_weights()[0].copy()
    reg = SKLearnRegressor(model, fit_kwargs={"epochs": 20, "verbose": 0}, random_state=0).fit(X, y)
    assert reg.model_ is not model
    np.testing.assert_array_equal(model.get_weights()[0], before)
    pred = reg.predict(X)
    assert pred.shape == (150,) and pred.dtype == np.float64
    np.testing.assert_allclose(pred, reg.model_.predict(X, verbose=0)[:, 0], rtol=1e-6)
    warm = SKLearnRegressor(model, warm_start=True, fit_kwargs={"epochs": 2, "verbose": 0})
    warm.fit(X, y)
    assert warm.model_ is model
    warm.fit(X, y)
    assert warm.model_ is model and warm.epoch_ == 4


def test_transformer_outputs_model_predictions(data):
    X, y = data
    trs = SKLearnTransformer(
        compiled_mlp,
        model_kwargs={"loss": "mse"},
        fit_kwargs={"epochs": 1, "verbose": 0},
        random_state=0,
    )
    out = trs.fit(X, np.eye(3)[y]).transform(X)
    np.testing.assert_array_equal(out, trs.model_.predict(X, verbose=0))


def test_errors_name_what_was_wrong(data):
    X, y = data
    with pytest.raises(ValueError, match="Only binary and multiclass"):
        SKLearnClassifier(compiled_mlp).fit(X, np.eye(3, dtype=int)[y][:, :2])
    with pytest.raises(ValueError, match="only one class"):
        SKLearnClassifier(compiled_mlp).fit(X, np.zeros(len(y)))

    def uncompiled(X, y):
        return ks.Sequential([ks.Input((X.shape[1],)), ks.layers.Dense(y.shape[1])])

    with pytest.raises(TypeError, match="compiled"):
        SKLearnClassifier(uncompiled).fit(X, y)
    with pytest.raises(TypeError, match="model must be"):
        SKLearnRegressor(42).fit(X, y.astype(float))
