"""fit / evaluate / predict parity with real Keras 3 (TensorFlow backend).

Same architecture, same initial weights (copied with get_weights/set_weights), same data,
fit(shuffle=False) for several epochs; then weights, per-epoch losses/metrics, evaluate
and predict must agree.

Tolerances: both sides compute in float32 but sum in different orders (blocked GEMM vs
oneDNN/Eigen), so each op differs by a few ulps (~1e-7 relative). Over ~40 steps these
differences stay of order 1e-6..1e-5 relative on weights of order 0.1..1; Adam/RMSprop
divide by sqrt(v) so a parameter whose gradient is ~0 can move by lr * O(1) on
noise, which the atol of 1e-4 (0.1 x lr) covers. Losses are averaged over the epoch:
rtol 1e-4.
"""

import numpy as np
import pytest
from _keras_ref import assert_weights_close, compile_both, keras, twin  # noqa: F401

OPTIMIZERS = [
    ("SGD", {"learning_rate": 0.05}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"learning_rate": 1e-3}),
    ("Adam", {"learning_rate": 1e-3, "amsgrad": True}),
    ("AdamW", {"learning_rate": 1e-3, "weight_decay": 0.01}),
    ("RMSprop", {"learning_rate": 1e-3}),
    ("RMSprop", {"learning_rate": 1e-3, "momentum": 0.5, "centered": True}),
    ("Adagrad", {"learning_rate": 0.05}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Nadam", {"learning_rate": 1e-3}),
]


def _data(n=96, c=12, k=4, seed=0):
    r = np.random.default_rng(seed)
    x = r.normal(size=(n, c)).astype("float32")
    y = np.argmax(x @ r.normal(size=(c, k)), axis=1)
    return x, y


@pytest.mark.parametrize(
    "opt,kw", OPTIMIZERS, ids=[f"{o}-{i}" for i, (o, _) in enumerate(OPTIMIZERS)]
)
def test_fit_matches_keras_per_optimizer(opt, kw):
    x, y = _data()
    spec = [
        ("Dense", dict(units=16, activation="relu")),
        ("Dense", dict(units=4, activation="softmax")),
    ]
    ks, km = twin(spec, (12,))
    compile_both(ks, km, opt, "sparse_categorical_crossentropy", ["accuracy"], **kw)
    hk = ks.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0)
    hr = km.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(hk.history["loss"], hr.history["loss"], rtol=1e-4)
    np.testing.assert_allclose(hk.history["accuracy"], hr.history["accuracy"], atol=1e-6)
    assert_weights_close(ks, km, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(
        ks.predict(x, verbose=0), km.predict(x, verbose=0), rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(
        ks.evaluate(x, y, verbose=0), km.evaluate(x, y, verbose=0), rtol=1e-4
    )


@pytest.mark.parametrize(
    "loss,act,k",
    [
        ("categorical_crossentropy", "softmax", 4),
        ("binary_crossentropy", "sigmoid", 1),
        ("mse", "linear", 3),
        ("mae", "tanh", 2),
        ("huber", "linear", 2),
    ],
)
def test_fit_matches_keras_per_loss(loss, act, k):
    r = np.random.default_rng(1)
    x = r.normal(size=(64, 6)).astype("float32")
    if loss == "categorical_crossentropy":
        y = np.eye(k, dtype="float32")[r.integers(0, k, 64)]
    elif loss == "binary_crossentropy":
        y = (x[:, :1] > 0).astype("float32")
    else:
        y = r.normal(size=(64, k)).astype("float32")
    spec = [("Dense", dict(units=8, activation="tanh")), ("Dense", dict(units=k, activation=act))]
    ks, km = twin(spec, (6,))
    metrics = ["accuracy"] if "crossentropy" in loss else ["mae"]
    compile_both(ks, km, "Adam", loss, metrics, learning_rate=0.01)
    hk = ks.fit(x, y, batch_size=10, epochs=3, shuffle=False, verbose=0)
    hr = km.fit(x, y, batch_size=10, epochs=3, shuffle=False, verbose=0)
    for key in hr.history:
        np.testing.assert_allclose(
            hk.history[key], hr.history[key], rtol=1e-4, atol=1e-6, err_msg=key
        )
    assert_weights_close(ks, km, rtol=1e-4, atol=1e-4)


def test_fit_with_bn_dropout_regularizers_validation_matches_keras():
    """BatchNormalization (moving stats), l2 regularizer (in the loss), max_norm,
    validation_split (last fraction), sample weights. Dropout rate 0 keeps RNGs out."""
    x, y = _data(n=120, seed=3)
    sw = np.linspace(0.5, 1.5, 120).astype("float32")
    spec = [
        (
            "Dense",
            dict(
                units=16,
                activation="relu",
                kernel_regularizer="l2",
                kernel_constraint={"class_name": "MaxNorm", "config": {"max_value": 1.0}},
            ),
        ),
        ("BatchNormalization", dict(momentum=0.9)),
        ("Dropout", dict(rate=0.0)),
        ("Dense", dict(units=4, activation="softmax")),
    ]
    ks, km = twin(spec, (12,))
    compile_both(ks, km, "SGD", "sparse_categorical_crossentropy", ["accuracy"], learning_rate=0.1)
    kw = dict(
        batch_size=20, epochs=3, shuffle=False, verbose=0, validation_split=0.25, sample_weight=sw
    )
    hk, hr = ks.fit(x, y, **kw), km.fit(x, y, **kw)
    assert sorted(hk.history) == sorted(hr.history)
    for key in hr.history:
        np.testing.assert_allclose(
            hk.history[key], hr.history[key], rtol=2e-4, atol=1e-6, err_msg=key
        )
    assert_weights_close(ks, km, rtol=2e-4, atol=1e-4)


def test_evaluate_return_forms_match_keras():
    x, y = _data()
    spec = [("Dense", dict(units=4, activation="softmax"))]
    ks, km = twin(spec, (12,))
    compile_both(ks, km, "SGD", "sparse_categorical_crossentropy", ["accuracy", "acc"])
    a, b = ks.evaluate(x, y, verbose=0), km.evaluate(x, y, verbose=0)
    assert len(a) == len(b) == 3
    np.testing.assert_allclose(a, b, rtol=1e-5)
    da, db = (m.evaluate(x, y, verbose=0, return_dict=True) for m in (ks, km))
    assert list(da) == list(db)
    ks2, km2 = twin(spec, (12,))
    compile_both(ks2, km2, "SGD", "sparse_categorical_crossentropy")
    assert isinstance(ks2.evaluate(x, y, verbose=0), float)
    np.testing.assert_allclose(
        ks2.evaluate(x, y, verbose=0), km2.evaluate(x, y, verbose=0), rtol=1e-5
    )


def test_activity_regularizer_and_python_fallback_metric_match_keras():
    """activity_regularizer (Keras 3 divides it by the batch size) and a metric the core
    does not accumulate (AUC, updated from Python on each batch's predictions)."""
    r = np.random.default_rng(5)
    x = r.normal(size=(80, 5)).astype("float32")
    y = (x[:, 0] - x[:, 2] > 0).astype("float32")
    spec = [
        (
            "Dense",
            dict(
                units=6,
                activation="relu",
                activity_regularizer={"class_name": "L1L2", "config": {"l1": 0.01, "l2": 0.02}},
            ),
        ),
        ("Dense", dict(units=1, activation="sigmoid")),
    ]
    ks, km = twin(spec, (5,))
    import kerasette

    ks.compile(
        optimizer="adam",
        loss="binary_crossentropy",
        metrics=["accuracy", kerasette.metrics.AUC(name="auc")],
    )
    km.compile(
        optimizer="adam",
        loss="binary_crossentropy",
        metrics=["accuracy", keras.metrics.AUC(name="auc")],
    )
    hk = ks.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    hr = km.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    for key in hr.history:
        np.testing.assert_allclose(
            hk.history[key], hr.history[key], rtol=1e-4, atol=1e-6, err_msg=key
        )
    assert_weights_close(ks, km, rtol=1e-4, atol=1e-4)
