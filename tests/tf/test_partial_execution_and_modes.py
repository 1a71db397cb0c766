"""Issue 7 points 5 and 6: partial execution (eager layers, shared-weight sub-models, pop,
intermediate activations) and training/inference modes following the call, vs Keras."""

import numpy as np
import pytest

import kerasette as ks


@pytest.fixture
def keras():
    return pytest.importorskip("keras")


RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 6)).astype(np.float32)


def twin(ks_layer, keras_layer, x):
    """Builds both layers on x's shape and gives Keras kerasette's weights."""
    ks_layer.build((None,) + x.shape[1:])
    keras_layer.build((None,) + x.shape[1:])
    keras_layer.set_weights(ks_layer.get_weights())
    return ks_layer, keras_layer


LAYERS = {
    "Dense": (lambda m: m.Dense(5, activation="tanh"), X),
    "Activation": (lambda m: m.Activation("softmax"), X),
    "Dropout": (lambda m: m.Dropout(0.5), X),
    "Flatten": (lambda m: m.Flatten(), X.reshape(16, 2, 3)),
    "Reshape": (lambda m: m.Reshape((3, 2)), X),
    "BatchNormalization": (lambda m: m.BatchNormalization(), X),
    "LayerNormalization": (lambda m: m.LayerNormalization(), X),
    "Embedding": (lambda m: m.Embedding(10, 3), (np.abs(X[:, :4]) * 3).astype(np.int64) % 10),
}


@pytest.mark.keras_ref
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_every_layer_is_callable_eagerly_like_keras(name, keras):
    make, x = LAYERS[name]
    ours, ref = twin(make(ks.layers), make(keras.layers), x)
    if name == "BatchNormalization":  # non-trivial moving statistics
        stats = [RNG.normal(size=6).astype(np.float32), RNG.uniform(0.5, 2, 6).astype(np.float32)]
        for layer in (ours, ref):
            layer.set_weights(layer.get_weights()[:2] + stats)
    out = ours(x)
    # a kerasette Tensor, as Keras returns a backend tensor; numpy reads it without a copy
    assert isinstance(out, ks.Tensor) and np.asarray(out) is out.numpy()
    np.testing.assert_allclose(out, np.asarray(ref(x)), rtol=1e-5, atol=1e-5)


def build_model(dropout=0.0, seed=0):
    ks.utils.set_random_seed(seed)
    model = ks.Sequential(
        [
            ks.Input((6,)),
            ks.layers.Dense(8, activation="relu"),
            ks.layers.Dropout(dropout),
            ks.layers.BatchNormalization(),
            ks.layers.Dense(3),
        ]
    )
    model.compile(optimizer=ks.optimizers.SGD(0.05), loss="mse")
    return model


def test_submodel_shares_weights_both_ways():
    model = build_model()
    head = ks.Sequential(model.layers[:3])
    tail = ks.Sequential(model.layers[3:])
    np.testing.assert_allclose(
        tail.predict(head.predict(X, verbose=0), verbose=0),
        model.predict(X, verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )
    assert head.layers[0].kernel is model.layers[0].kernel
    # training the original changes what the sub-model computes ...
    before = head.predict(X, verbose=0)
    model.fit(X, RNG.normal(size=(16, 3)), epochs=2, verbose=0)
    after = head.predict(X, verbose=0)
    assert not np.allclose(before, after)
    np.testing.assert_array_equal(head.layers[0].get_weights()[0], model.get_weights()[0])
    # ... and training a sub-model changes the original
    head.compile(optimizer=ks.optimizers.SGD(0.1), loss="mse")
    w0 = model.layers[0].get_weights()[0].copy()
    head.fit(X, RNG.normal(size=(16, 8)), epochs=1, verbose=0)
    assert not np.array_equal(model.layers[0].get_weights()[0], w0)
    np.testing.assert_allclose(
        tail.predict(head.predict(X, verbose=0), verbose=0),
        model.predict(X, verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )


def test_intermediate_activations_layer_by_layer():
    model = build_model()
    model.fit(X, RNG.normal(size=(16, 3)), epochs=1, verbose=0)
    h = X
    activations = []
    for layer in model.layers:
        h = layer(h)  # eager, inference mode
        activations.append(h)
    np.testing.assert_allclose(h, model.predict(X, verbose=0), rtol=1e-5, atol=1e-6)
    relu_out = ks.Sequential(model.layers[:1]).predict(X, verbose=0)
    np.testing.assert_allclose(activations[0], relu_out, rtol=1e-6)
    assert (relu_out >= 0).all()


@pytest.mark.keras_ref
def test_pop_like_keras(keras):
    model = build_model()
    ref = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.0),
            keras.layers.BatchNormalization(),
            keras.layers.Dense(3),
        ]
    )
    ref.set_weights(model.get_weights())
    popped = model.pop()
    ref.pop()
    assert isinstance(popped, ks.layers.Dense) and len(model.layers) == len(ref.layers) == 3
    np.testing.assert_allclose(
        model.predict(X, verbose=0), ref.predict(X, verbose=0), rtol=1e-5, atol=1e-5
    )
    model.add(ks.layers.Dense(2))
    assert model.predict(X, verbose=0).shape == (16, 2)
    while model.layers:
        model.pop()
    with pytest.raises(TypeError, match="no layers"):
        model.pop()


def test_dropout_mode_follows_the_call():
    ks.utils.set_random_seed(1)
    model = ks.Sequential([ks.Input((200,)), ks.layers.Dropout(0.5)])
    x = np.ones((4, 200), np.float32)
    np.testing.assert_array_equal(model(x), x)  # model(x): inference
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)  # predict: inference
    y = model(x, training=True)  # training=True: drops
    assert set(np.unique(y)) == {0.0, 2.0}  # kept units scaled 1/(1-rate)
    assert 0.35 < np.mean(y == 0) < 0.65
    layer = model.layers[0]
    np.testing.assert_array_equal(layer(x), x)
    assert set(np.unique(layer(x, training=True))) == {0.0, 2.0}


def test_fit_and_train_on_batch_train_evaluate_does_not():
    model = build_model(dropout=0.9)
    y = RNG.normal(size=(16, 3)).astype(np.float32)
    model.fit(X, y, epochs=1, verbose=0)
    ev = model.evaluate(X, y, batch_size=16, verbose=0)
    pred_loss = float(np.mean((model.predict(X, verbose=0) - y) ** 2))
    assert ev == pytest.approx(pred_loss, rel=1e-5)  # evaluate: inference mode
    assert model.test_on_batch(X, y) == pytest.approx(pred_loss, rel=1e-5)
    # train_on_batch runs dropout (rate 0.9): its loss is not the inference loss
    losses = {round(float(np.ravel(model.train_on_batch(X, y))[0]), 6) for _ in range(3)}
    assert pred_loss not in losses and len(losses) == 3


@pytest.mark.keras_ref
def test_batchnorm_statistics_follow_the_mode(keras):
    ks.utils.set_random_seed(0)
    bn = ks.layers.BatchNormalization(momentum=0.5)
    model = ks.Sequential([ks.Input((6,)), bn])
    model.compile(optimizer=ks.optimizers.SGD(0.0), loss="mse")
    x = (X * 3 + 1).astype(np.float32)
    mean, var = x.mean(0), x.var(0)
    # inference: moving stats (0, 1) -> x / sqrt(1 + eps); nothing is updated
    np.testing.assert_allclose(model(x), x / np.sqrt(1 + 1e-3), rtol=1e-5)
    model.predict(x, verbose=0)
    model.evaluate(x, x, verbose=0)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), 0)
    # training call: batch statistics, and the moving statistics move (as in Keras)
    np.testing.assert_allclose(
        model(x, training=True), (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4
    )
    ref = keras.layers.BatchNormalization(momentum=0.5)
    ref.build((None, 6))
    ref(x, training=True)
    np.testing.assert_allclose(bn.moving_mean.numpy(), np.asarray(ref.moving_mean), rtol=1e-5)
    np.testing.assert_allclose(
        bn.moving_variance.numpy(), np.asarray(ref.moving_variance), rtol=1e-4
    )
    # fit trains: moving statistics keep moving toward the data's
    before = bn.moving_mean.numpy().copy()
    model.fit(x, x, batch_size=16, epochs=3, verbose=0)
    assert np.abs(bn.moving_mean.numpy() - mean).max() < np.abs(before - mean).max()
