"""Activation and noise/regularization layers against real Keras: same outputs on the
same inputs (weights copied), same get_config, config round trips; the random layers'
training statistics and inference identity."""

import numpy as np
import pytest

import kerasette as ks

from ._layer_helpers import data, normalize

pytestmark = pytest.mark.keras_ref

CASES = [
    ("Softmax", {}),
    ("Softmax", {"axis": 1}),
    ("Softmax", {"axis": [1, 2]}),
    ("ReLU", {}),
    ("ReLU", {"max_value": 1.0}),
    ("ReLU", {"negative_slope": 0.1}),
    ("ReLU", {"max_value": 1.5, "negative_slope": 0.2, "threshold": 0.3}),
    ("ReLU", {"threshold": 0.5}),
    ("LeakyReLU", {}),
    ("LeakyReLU", {"negative_slope": 0.05}),
    ("ELU", {}),
    ("ELU", {"alpha": 0.5}),
    ("PReLU", {}),
    ("PReLU", {"shared_axes": [1]}),
    ("PReLU", {"alpha_initializer": "ones"}),
    ("UnitNormalization", {}),
    ("UnitNormalization", {"axis": [1, 2]}),
    ("GaussianNoise", {"stddev": 0.3, "seed": 1}),
    ("GaussianDropout", {"rate": 0.3}),
    ("AlphaDropout", {"rate": 0.2}),
    ("ActivityRegularization", {"l1": 0.1, "l2": 0.01}),
]


def _pair(keras, name, kwargs):
    return getattr(ks.layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_forward_and_config(keras, name, kwargs):
    x = data(4, 3, 5, seed=3)
    if name == "UnitNormalization":
        x[0, 0] = 0.0  # a zero vector: the 1e-12 floor
    mine, ref = _pair(keras, name, kwargs)
    expected = np.asarray(ref(x))
    if ref.weights:
        alpha = np.random.default_rng(1).uniform(0.1, 0.5, ref.weights[0].shape)
        ref.set_weights([alpha.astype("float32")])
        expected = np.asarray(ref(x))
        mine.build(x.shape)
        mine.set_weights(ref.get_weights())
    got = np.asarray(mine(x))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    mc, rc = normalize(mine.get_config()), normalize(ref.get_config())
    mc.pop("name"), rc.pop("name")
    assert mc == rc
    again = type(mine).from_config(mine.get_config())
    assert normalize(again.get_config()) == normalize(mine.get_config())


def test_softmax_mask(keras):
    x = data(2, 5, seed=4)
    mask = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], bool)
    got = np.asarray(ks.layers.Softmax()(x, mask=mask))
    expected = np.asarray(keras.layers.Softmax()(x, mask=mask))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


def test_activity_regularization_loss(keras):
    x = data(4, 6, seed=5)
    mine = ks.layers.ActivityRegularization(l1=0.1, l2=0.01)
    ref = keras.layers.ActivityRegularization(l1=0.1, l2=0.01)
    mine(x), ref(x)
    np.testing.assert_allclose(
        float(np.asarray(mine.losses[0])), float(np.asarray(ref.losses[0])), rtol=1e-5
    )


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("GaussianNoise", {"stddev": 0.5}),
        ("GaussianDropout", {"rate": 0.4}),
        ("AlphaDropout", {"rate": 0.3}),
    ],
)
def test_noise_statistics(keras, name, kwargs):
    """Training draws: the same distribution as Keras (moments of a large draw), a new
    draw each call; inference is the identity."""
    x = np.full((2000, 50), 0.7, "float32")
    mine, ref = _pair(keras, name, kwargs)
    a, b = np.asarray(mine(x, training=True)), np.asarray(mine(x, training=True))
    r = np.asarray(ref(x, training=True))
    assert abs(a.mean() - r.mean()) < 0.01 and abs(a.std() - r.std()) < 0.01
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(np.asarray(mine(x)), x)


def test_noise_layers_train_in_a_model():
    x = data(64, 5, seed=6)
    y = x[:, :1] * 2.0
    model = ks.Sequential(
        [
            ks.layers.Input((5,)),
            ks.layers.Dense(8),
            ks.layers.GaussianNoise(0.1),
            ks.layers.GaussianDropout(0.1),
            ks.layers.AlphaDropout(0.1),
            ks.layers.PReLU(),
            ks.layers.ActivityRegularization(l2=1e-3),
            ks.layers.Dense(1),
        ]
    )
    model.compile("adam", "mse")
    hist = model.fit(x, y, epochs=3, batch_size=16, verbose=0).history["loss"]
    assert np.all(np.isfinite(hist))
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_prelu_gradients_match_keras(keras):
    """PReLU trained one step in both from the same weights: same alpha after."""
    x = data(16, 4, seed=7)
    y = data(16, 1, seed=8)
    k_model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3), keras.layers.PReLU(), keras.layers.Dense(1)]
    )
    m_model = ks.Sequential(
        [ks.layers.Input((4,)), ks.layers.Dense(3), ks.layers.PReLU(), ks.layers.Dense(1)]
    )
    weights = [w + 0.1 for w in k_model.get_weights()]
    k_model.set_weights(weights)
    m_model.set_weights(weights)
    k_model.compile(keras.optimizers.SGD(0.1), "mse")
    m_model.compile(ks.optimizers.SGD(0.1), "mse")
    kh = k_model.fit(x, y, epochs=3, batch_size=16, verbose=0, shuffle=False).history["loss"]
    mh = m_model.fit(x, y, epochs=3, batch_size=16, verbose=0, shuffle=False).history["loss"]
    np.testing.assert_allclose(mh, kh, rtol=1e-4)
    for a, b in zip(m_model.get_weights(), k_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
