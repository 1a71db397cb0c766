"""KerasClassifier / KerasRegressor: routing, targets, weights, warm starts.

The oracle for most tests is the same kerasette script written by hand: seed,
build, compile with the routed objects, fit. The wrapper must give identical
predictions, which shows each parameter reached its destination.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.class_weight import compute_sample_weight
from wrapper_models import mlp

import kerasette as ks
from kerasette.wrappers import KerasClassifier, KerasRegressor

QUIET = {"verbose": 0}


@pytest.fixture(scope="module")
def multiclass():
    X, y = make_classification(240, 6, n_informative=4, n_classes=3, random_state=0)
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(200, 5, n_informative=3, random_state=1)
    return X.astype(np.float32), np.where(y == 1, "yes", "no")


def _meta(X, n_out, target):
    meta = {"n_features_in_": X.shape[1], "n_outputs_expected_": n_out, "target_type_": target}
    if target != "continuous":  # classifiers' meta carries n_classes_, regressors' does not
        meta["n_classes_"] = max(n_out, 2)
    return meta


def _by_hand(X, y_net, n_out, target, seed, hidden, optimizer, loss, **fit_kwargs):
    """The script the wrapper stands for: seed, build, compile, fit; returns the model."""
    ks.utils.set_random_seed(seed)
    model = mlp(_meta(X, n_out, target), hidden=hidden)
    model.compile(optimizer=optimizer, loss=loss)
    model.fit(X, y_net, verbose=0, **fit_kwargs)
    return model


def test_routed_params_match_hand_written_model(multiclass):
    X, y = multiclass
    clf = KerasClassifier(
        mlp,
        model__hidden=(7,),
        optimizer="adam",
        optimizer__learning_rate=0.01,
        optimizer__beta_1=0.8,
        loss="sparse_categorical_crossentropy",
        epochs=1,
        fit__epochs=3,
        batch_size=100,
        fit__batch_size=16,
        predict__batch_size=5,
        random_state=7,
        **QUIET,
    )
    clf.fit(X, y)
    ref = _by_hand(
        X,
        y.astype(np.int32),
        3,
        "multiclass",
        7,
        (7,),
        ks.optimizers.Adam(learning_rate=0.01, beta_1=0.8),
        "sparse_categorical_crossentropy",
        epochs=3,
        batch_size=16,
    )
    np.testing.assert_allclose(
        clf.predict_proba(X), ref.predict(X, verbose=0), rtol=1e-6, atol=1e-7
    )
    assert len(clf.history_["loss"]) == 3
    assert clf.model_.optimizer.beta_1 == pytest.approx(0.8)
    assert clf.model_.optimizer.learning_rate == pytest.approx(0.01)


def test_fit_argument_beats_prefixed_beats_plain(multiclass):
    X, y = multiclass
    clf = KerasClassifier(mlp, epochs=2, fit__epochs=3, random_state=0, **QUIET)
    assert len(clf.fit(X, y).history_["loss"]) == 3
    assert len(clf.fit(X, y, epochs=4).history_["loss"]) == 4
    assert (
        len(KerasClassifier(mlp, epochs=2, random_state=0, **QUIET).fit(X, y).history_["loss"]) == 2
    )


def test_loss_routing_and_one_hot_targets(multiclass):
    X, y = multiclass
    clf = KerasClassifier(
        mlp,
        loss=ks.losses.CategoricalCrossentropy,
        loss__label_smoothing=0.2,
        optimizer="sgd",
        optimizer__learning_rate=0.1,
        epochs=2,
        random_state=3,
        **QUIET,
    )
    clf.fit(X, y)
    assert clf.model_.loss.label_smoothing == pytest.approx(0.2)
    ref = _by_hand(
        X,
        np.eye(3, dtype=np.float32)[y],
        3,
        "multiclass",
        3,
        (8,),
        ks.optimizers.SGD(learning_rate=0.1),
        ks.losses.CategoricalCrossentropy(label_smoothing=0.2),
        epochs=2,
    )
    np.testing.assert_allclose(
        clf.predict_proba(X), ref.predict(X, verbose=0), rtol=1e-6, atol=1e-7
    )


def test_binary_string_labels_proba_and_score(binary):
    X, y = binary
    clf = KerasClassifier(
        mlp, optimizer="adam", optimizer__learning_rate=0.05, epochs=30, random_state=0, **QUIET
    ).fit(X, y)
    assert list(clf.classes_) == ["no", "yes"]
    assert clf.model_.output_shape[-1] == 1  # one sigmoid unit, binary cross-entropy
    proba = clf.predict_proba(X)
    p1 = clf.model_.predict(X, verbose=0)[:, 0]
    np.testing.assert_allclose(proba[:, 1], p1, rtol=1e-6)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    pred = clf.predict(X)
    np.testing.assert_array_equal(pred, np.where(p1 > 0.5, "yes", "no"))
    assert clf.score(X, y) == pytest.approx(accuracy_score(y, pred))
    assert clf.score(X, y) > 0.85


def test_multiclass_predict_is_argmax_of_model(multiclass):
    X, y = multiclass
    labels = np.array([10, 20, 30])[y]
    clf = KerasClassifier(
        mlp, optimizer="adam", optimizer__learning_rate=0.02, epochs=20, random_state=0, **QUIET
    )
    clf.fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, [10, 20, 30])
    raw = clf.model_.predict(X, verbose=0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[raw.argmax(axis=1)])
    assert clf.score(X, labels) > 0.7


def test_multilabel_targets():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)).astype(np.float32)
    y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 2] > 0]).astype(int)
    clf = KerasClassifier(
        mlp, optimizer="adam", optimizer__learning_rate=0.05, epochs=40, random_state=0, **QUIET
    ).fit(X, y)
    assert clf.target_type_ == "multilabel-indicator"
    proba = clf.predict_proba(X)
    assert proba.shape == (300, 3)
    np.testing.assert_allclose(proba, clf.model_.predict(X, verbose=0), rtol=1e-6)
    pred = clf.predict(X)
    assert pred.dtype == y.dtype
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))
    assert (pred == y).mean() > 0.9


def test_regressor_matches_hand_written_model_and_r2():
    X, y = make_regression(300, 5, noise=5.0, random_state=0)
    y = (y / y.std()).astype(np.float32)
    reg = KerasRegressor(
        mlp,
        model__hidden=(16,),
        optimizer="adam",
        optimizer__learning_rate=0.02,
        epochs=30,
        batch_size=32,
        random_state=4,
        **QUIET,
    ).fit(X, y)
    ref = _by_hand(
        X.astype(np.float32),
        y.reshape(-1, 1),
        1,
        "continuous",
        4,
        (16,),
        ks.optimizers.Adam(learning_rate=0.02),
        "mean_squared_error",
        epochs=30,
        batch_size=32,
    )
    pred = reg.predict(X)
    assert pred.shape == (300,) and pred.dtype == np.float64
    np.testing.assert_allclose(
        pred, ref.predict(X.astype(np.float32), verbose=0)[:, 0], rtol=1e-5, atol=1e-6
    )
    assert reg.score(X, y) == pytest.approx(r2_score(y, pred))
    assert reg.score(X, y) > 0.9


def test_regressor_integer_targets_are_regression_not_classes():
    # type_of_target calls integer targets "multiclass"; a regressor must still regress.
    X, y = make_regression(300, 4, noise=1.0, random_state=0)
    y_int = np.round(3 * y / y.std()).astype(np.int64)
    reg = KerasRegressor(
        mlp,
        model__hidden=(16,),
        optimizer="adam",
        optimizer__learning_rate=0.02,
        epochs=40,
        random_state=0,
        **QUIET,
    )
    reg.fit(X, y_int)
    assert "classes_" not in vars(reg) and reg.model_.output_shape[-1] == 1
    assert reg.score(X, y_int) > 0.9
    np.testing.assert_allclose(reg.predict(X), clone_fit_float(reg, X, y_int), rtol=1e-6)


def clone_fit_float(reg, X, y):
    from sklearn.base import clone

    return clone(reg).fit(X, y.astype(np.float64)).predict(X)


def test_regressor_multi_output():
    X, y = make_regression(200, 4, n_targets=2, random_state=0)
    reg = KerasRegressor(mlp, optimizer="adam", epochs=5, random_state=0, **QUIET)
    assert reg.fit(X, y / 100).predict(X).shape == (200, 2)


def test_sample_weight_and_class_weight_reach_fit(binary):
    X, y = binary
    rng = np.random.default_rng(0)
    sw = rng.uniform(0.1, 2.0, len(y)).astype(np.float32)
    cw = {"no": 1.0, "yes": 3.0}
    clf = KerasClassifier(
        mlp, optimizer="sgd", epochs=2, random_state=5, class_weight=cw, **QUIET
    ).fit(X, y, sample_weight=sw)
    combined = sw * np.where(y == "yes", 3.0, 1.0).astype(np.float32)
    ref = _by_hand(
        X,
        (y == "yes").astype(np.float32).reshape(-1, 1),
        1,
        "binary",
        5,
        (8,),
        "sgd",
        "binary_crossentropy",
        epochs=2,
        sample_weight=combined,
    )
    np.testing.assert_allclose(
        clf.predict_proba(X)[:, 1], ref.predict(X, verbose=0)[:, 0], rtol=1e-6
    )
    routed = KerasClassifier(
        mlp, optimizer="sgd", epochs=2, random_state=5, fit__class_weight=cw, **QUIET
    ).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(routed.predict_proba(X), clf.predict_proba(X))
    balanced = KerasClassifier(
        mlp, optimizer="sgd", epochs=2, random_state=5, class_weight="balanced", **QUIET
    ).fit(X, y)
    ref = _by_hand(
        X,
        (y == "yes").astype(np.float32).reshape(-1, 1),
        1,
        "binary",
        5,
        (8,),
        "sgd",
        "binary_crossentropy",
        epochs=2,
        sample_weight=compute_sample_weight("balanced", y).astype(np.float32),
    )
    np.testing.assert_allclose(
        balanced.predict_proba(X)[:, 1], ref.predict(X, verbose=0)[:, 0], rtol=1e-6
    )


def test_bad_weights_raise_before_training(binary):
    X, y = binary
    clf = KerasClassifier(mlp, **QUIET)
    with pytest.raises(ValueError, match="at least one non-zero"):
        clf.fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="sample_weight.shape"):
        clf.fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="class_weight"):
        KerasRegressor(mlp, **QUIET).fit(X, np.zeros(len(y)), class_weight={0: 1.0})


def test_partial_fit_continues_and_accepts_classes(multiclass):
    X, y = multiclass
    clf = KerasClassifier(mlp, optimizer="adam", random_state=2, **QUIET)
    first = y != 2
    clf.partial_fit(X[first], y[first], classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    w1 = [w.copy() for w in clf.model_.get_weights()]
    clf.partial_fit(X, y)
    clf.partial_fit(X, y)
    assert len(clf.history_["loss"]) == 3
    assert not np.allclose(w1[0], clf.model_.get_weights()[0])
    # By hand: seed per call (base seed + call index), one epoch each.
    ks.utils.set_random_seed(2)
    ref = mlp(_meta(X, 3, "multiclass"))
    ref.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    ref.fit(X[first], y[first].astype(np.int32), epochs=1, verbose=0)
    for call in (1, 2):
        ks.utils.set_random_seed(2 + call)
        ref.fit(X, y.astype(np.int32), epochs=1, verbose=0)
    np.testing.assert_allclose(
        clf.predict_proba(X), ref.predict(X, verbose=0), rtol=1e-6, atol=1e-7
    )
    with pytest.raises(ValueError, match="not seen"):
        clf.partial_fit(X, y + 5)


def test_warm_start_keeps_weights_cold_start_repeats(multiclass):
    X, y = multiclass
    cold = KerasClassifier(mlp, optimizer="adam", epochs=3, random_state=1, **QUIET)
    p1 = cold.fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(cold.fit(X, y).predict_proba(X), p1)  # idempotent
    warm = KerasClassifier(
        mlp, optimizer="adam", epochs=3, random_state=1, warm_start=True, **QUIET
    )
    np.testing.assert_array_equal(warm.fit(X, y).predict_proba(X), p1)
    model = warm.model_
    warm.fit(X, y)
    assert warm.model_ is model and len(warm.history_["loss"]) == 6
    assert warm.history_["loss"][3] < cold.history_["loss"][0]
    assert not np.allclose(warm.predict_proba(X), p1)


def test_dataframe_input_sets_feature_names(multiclass):
    X, y = multiclass
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = KerasClassifier(mlp, epochs=2, random_state=0, **QUIET).fit(df, pd.Series(y))
    np.testing.assert_array_equal(clf.feature_names_in_, df.columns)
    assert clf.n_features_in_ == X.shape[1]
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        np.testing.assert_array_equal(clf.predict(df), clf.predict(X.copy()))
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(df.rename(columns={"f0": "other"}))
    with pytest.raises(ValueError, match="features"), pytest.warns(UserWarning):
        clf.predict(X[:, :3])


def test_metrics_and_validation_split_in_history(multiclass):
    X, y = multiclass
    clf = KerasClassifier(
        mlp, metrics=["accuracy"], validation_split=0.25, epochs=2, random_state=0, **QUIET
    ).fit(X, y)
    assert set(clf.history_) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(clf.history_["val_loss"]) == 2


def test_callbacks_param_and_fit_argument_reach_model_fit(multiclass):
    X, y = multiclass
    epochs_seen = []
    log = ks.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: epochs_seen.append(epoch))
    KerasClassifier(mlp, callbacks=[log], epochs=3, random_state=0, **QUIET).fit(X, y)
    assert epochs_seen == [0, 1, 2]
    stop = ks.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e9)
    clf = KerasClassifier(mlp, epochs=10, random_state=0, **QUIET).fit(X, y, callbacks=[stop])
    # Keras's EarlyStopping: epoch 0 sets the best loss, epoch 1 fails min_delta -> stop.
    assert len(clf.history_["loss"]) == 2


def test_build_fn_receives_meta_compile_kwargs_and_params(multiclass):
    X, y = multiclass
    seen = {}

    def build(meta, compile_kwargs, params, hidden=4):
        seen.update(meta=meta, compile_kwargs=compile_kwargs, params=params, hidden=hidden)
        model = mlp(meta, hidden=(hidden,))
        model.compile(**compile_kwargs)
        return model

    KerasClassifier(
        build,
        model__hidden=5,
        optimizer="adam",
        optimizer__learning_rate=0.3,
        random_state=0,
        **QUIET,
    ).fit(X, y)
    assert seen["hidden"] == 5
    assert seen["meta"]["n_classes_"] == 3 and seen["meta"]["n_features_in_"] == 6
    assert isinstance(seen["compile_kwargs"]["optimizer"], ks.optimizers.Adam)
    assert seen["compile_kwargs"]["optimizer"].learning_rate == pytest.approx(0.3)
    assert seen["params"]["model__hidden"] == 5


def test_compiled_model_param_is_cloned_not_mutated(multiclass):
    X, y = multiclass
    template = mlp(_meta(X, 3, "multiclass"))
    template.compile(optimizer=ks.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy")
    before = [w.copy() for w in template.get_weights()]
    clf = KerasClassifier(template, epochs=10, random_state=0, **QUIET).fit(X, y)
    assert clf.model_.optimizer.learning_rate == pytest.approx(0.02)  # compiled like the template
    assert clf.model_ is not template
    for a, b in zip(before, template.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert clf.score(X, y) > 0.5


def test_get_set_params_with_routed_names():
    clf = KerasClassifier(mlp, model__hidden=(3,), optimizer__learning_rate=0.1)
    params = clf.get_params()
    assert params["model__hidden"] == (3,) and params["optimizer__learning_rate"] == 0.1
    clf.set_params(model__hidden=(5,), epochs=7, fit__shuffle=False)
    assert clf.model__hidden == (5,) and clf.epochs == 7 and clf.fit__shuffle is False
    assert "model__hidden" not in vars(clf)  # routed params live in _routed_params
    with pytest.raises(ValueError, match="Invalid parameter 'epoch'"):
        clf.set_params(epoch=3)  # a typo is caught, as in scikit-learn
    extra = KerasClassifier(mlp, hidden=(4,))  # a plain extra reaches a build fn naming it
    assert extra.set_params(hidden=(6,)).get_params()["hidden"] == (6,)


def test_bad_input_raises_clear_errors(multiclass):
    X, y = multiclass
    with pytest.raises(ValueError, match="needs model="):
        KerasClassifier(**QUIET).fit(X, y)
    with pytest.raises(TypeError, match="model__nope"):
        KerasClassifier(mlp, model__nope=1, **QUIET).fit(X, y)
    with pytest.raises(InvalidParameterError, match="epochs"):
        KerasClassifier(mlp, epochs=-1, **QUIET).fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        KerasClassifier(mlp, **QUIET).fit(X, np.linspace(0, 1, len(y)))
    with pytest.raises(ValueError, match="NaN"):
        KerasClassifier(mlp, **QUIET).fit(np.full_like(X, np.nan), y)
    clf = KerasClassifier(mlp, **QUIET)
    with pytest.raises(Exception, match="not fitted"):
        clf.predict(X)


def test_import_kerasette_does_not_import_sklearn():
    import subprocess
    import sys

    code = (
        "import sys, kerasette; assert 'sklearn' not in sys.modules; "
        "kerasette.wrappers; assert 'sklearn' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
