"""Training options against real Keras: gradient clipping (clipnorm, clipvalue,
global_clipnorm), each kernel/bias constraint, weighted_metrics with sample weights,
top-k metrics, loss_weights, label smoothing and from_logits losses."""

import numpy as np
import pytest
from _keras_ref import assert_weights_close, keras, twin  # noqa: F401

import kerasette

R = np.random.default_rng(11)
X = R.normal(size=(60, 6)).astype("float32")
Y = np.argmax(X @ R.normal(size=(6, 5)), axis=1)


def _fit_both(
    spec,
    ks_opt,
    kr_opt,
    loss="sparse_categorical_crossentropy",
    metrics=(),
    weighted=(),
    compile_kw=None,
    **fit_kw,
):
    ks, km = twin(spec, (6,))
    compile_kw = compile_kw or {}
    ks.compile(
        optimizer=ks_opt,
        loss=loss,
        metrics=list(metrics),
        weighted_metrics=list(weighted) or None,
        **compile_kw,
    )
    km.compile(
        optimizer=kr_opt,
        loss=loss,
        metrics=list(metrics),
        weighted_metrics=list(weighted) or None,
        **compile_kw,
    )
    kw = dict(batch_size=12, epochs=3, shuffle=False, verbose=0, **fit_kw)
    hk, hr = ks.fit(X, Y, **kw), km.fit(X, Y, **kw)
    assert sorted(hk.history) == sorted(hr.history)
    for key in hr.history:
        np.testing.assert_allclose(
            hk.history[key], hr.history[key], rtol=1e-4, atol=1e-6, err_msg=key
        )
    assert_weights_close(ks, km, rtol=1e-4, atol=1e-4)


SPEC = [("Dense", dict(units=8, activation="relu")), ("Dense", dict(units=5, activation="softmax"))]


@pytest.mark.parametrize(
    "clip", [dict(clipnorm=0.1), dict(clipvalue=0.01), dict(global_clipnorm=0.2)], ids=str
)
def test_gradient_clipping(clip):
    _fit_both(SPEC, kerasette.optimizers.SGD(0.5, **clip), keras.optimizers.SGD(0.5, **clip))


@pytest.mark.parametrize(
    "constraint",
    [
        {"class_name": "MaxNorm", "config": {"max_value": 0.5, "axis": 0}},
        {"class_name": "NonNeg", "config": {}},
        {"class_name": "UnitNorm", "config": {"axis": 0}},
        {
            "class_name": "MinMaxNorm",
            "config": {"min_value": 0.2, "max_value": 0.6, "rate": 0.7, "axis": 0},
        },
    ],
    ids=lambda c: c["class_name"],
)
def test_constraints(constraint):
    spec = [
        (
            "Dense",
            dict(
                units=8, activation="relu", kernel_constraint=constraint, bias_constraint=constraint
            ),
        ),
        ("Dense", dict(units=5, activation="softmax")),
    ]
    _fit_both(spec, kerasette.optimizers.SGD(0.3), keras.optimizers.SGD(0.3))


def test_weighted_metrics_and_top_k():
    sw = np.linspace(0.2, 2.0, 60).astype("float32")
    _fit_both(
        SPEC,
        kerasette.optimizers.Adam(0.01),
        keras.optimizers.Adam(0.01),
        metrics=["accuracy", "sparse_top_k_categorical_accuracy"],
        weighted=["accuracy"],
        sample_weight=sw,
    )


def test_loss_weights_and_from_logits_and_label_smoothing():
    spec = [("Dense", dict(units=8, activation="tanh")), ("Dense", dict(units=5))]
    y1h = np.eye(5, dtype="float32")[Y]
    ks, km = twin(spec, (6,))
    ks.compile(
        optimizer=kerasette.optimizers.SGD(0.2),
        loss_weights=[0.5],
        loss=kerasette.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
        metrics=["top_k_categorical_accuracy", "categorical_accuracy"],
    )
    km.compile(
        optimizer=keras.optimizers.SGD(0.2),
        loss_weights=[0.5],
        loss=keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
        metrics=["top_k_categorical_accuracy", "categorical_accuracy"],
    )
    kw = dict(batch_size=12, epochs=3, shuffle=False, verbose=0)
    hk, hr = ks.fit(X, y1h, **kw), km.fit(X, y1h, **kw)
    for key in hr.history:
        np.testing.assert_allclose(hk.history[key], hr.history[key], rtol=1e-4, err_msg=key)
    assert_weights_close(ks, km, rtol=1e-4, atol=1e-4)


def test_class_weight_with_validation_split():
    """class_weight applies to the training part only (Keras refuses it together with
    sample_weight, and so do we)."""
    ks, _ = twin(SPEC, (6,))
    ks.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="class_weight"):
        ks.fit(X, Y, class_weight={0: 1.0}, sample_weight=np.ones(60), verbose=0)
    _fit_both(
        SPEC,
        kerasette.optimizers.SGD(0.2),
        keras.optimizers.SGD(0.2),
        metrics=["accuracy"],
        weighted=["accuracy"],
        class_weight={0: 1.0, 1: 0.5, 2: 2.0, 3: 1.0, 4: 0.7},
        validation_split=0.3,
    )


def test_generator_runs_out_of_data_stops_with_warning():
    ks, _ = twin(SPEC, (6,))
    ks.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")

    def gen():
        for i in range(0, 60, 20):
            yield X[i : i + 20], Y[i : i + 20]

    with pytest.warns(UserWarning, match="ran out of data"):
        h = ks.fit(gen(), epochs=3, verbose=0)
    assert len(h.history["loss"]) == 1
