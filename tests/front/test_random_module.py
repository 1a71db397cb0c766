"""`kerasette.random` against `keras.random`: same signatures' behaviour (shapes,
dtypes, how each kind of seed repeats or advances) and the same distributions (the
generators differ, so the draws are compared by their statistics)."""

import numpy as np
import pytest

import kerasette as ks

N = 200_000


def _both(keras, fn, *args, **kwargs):
    return (
        np.asarray(getattr(keras.random, fn)(*args, **kwargs)),
        np.asarray(getattr(ks.random, fn)(*args, **kwargs)),
    )


@pytest.mark.parametrize(
    "fn,args,kwargs",
    [
        ("uniform", ((N,),), {"minval": -2.0, "maxval": 3.0}),
        ("normal", ((N,),), {"mean": 1.0, "stddev": 2.0}),
        ("truncated_normal", ((N,),), {"mean": -1.0, "stddev": 0.5}),
    ],
)
def test_float_distributions_match_keras(keras, fn, args, kwargs):
    ref, mine = _both(keras, fn, *args, seed=7, **kwargs)
    assert mine.shape == ref.shape and mine.dtype == ref.dtype
    np.testing.assert_allclose(mine.mean(), ref.mean(), atol=0.02)
    np.testing.assert_allclose(mine.std(), ref.std(), rtol=0.02)
    if fn != "normal":  # bounded: the same bounds
        np.testing.assert_allclose(mine.min(), ref.min(), atol=0.02)
        np.testing.assert_allclose(mine.max(), ref.max(), atol=0.02)


def test_randint_matches_keras(keras):
    ref, mine = _both(keras, "randint", (N,), 3, 9, seed=1)
    assert mine.dtype == ref.dtype == np.int32
    assert mine.min() == ref.min() and mine.max() == ref.max()
    np.testing.assert_allclose(np.bincount(mine) / N, np.bincount(ref) / N, atol=0.01)


def test_categorical_matches_keras(keras):
    logits = np.log(np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]], "float32"))
    ref, mine = _both(keras, "categorical", logits, 50_000, seed=3)
    assert mine.shape == ref.shape and mine.dtype == ref.dtype
    for row in range(2):
        np.testing.assert_allclose(
            np.bincount(mine[row], minlength=3) / 50_000,
            np.bincount(ref[row], minlength=3) / 50_000,
            atol=0.015,
        )


def test_dropout_matches_keras(keras):
    x = np.ones((400, 500), "float32")
    ref, mine = _both(keras, "dropout", x, 0.3, seed=5)
    assert set(np.unique(mine)) == set(np.unique(ref))  # {0, 1/0.7}
    np.testing.assert_allclose((mine == 0).mean(), (ref == 0).mean(), atol=0.01)


def test_shuffle_permutes_like_keras(keras):
    x = np.arange(24, dtype="float32").reshape(6, 4)
    ref, mine = _both(keras, "shuffle", x, seed=2)
    assert mine.shape == ref.shape
    # whole rows move, as in Keras
    assert sorted(map(tuple, mine)) == sorted(map(tuple, ref)) == sorted(map(tuple, x))


@pytest.mark.parametrize(
    "fn,args", [("gamma", ((N,), 2.5)), ("beta", ((N,), 2.0, 5.0)), ("binomial", ((N,), 10, 0.3))]
)
def test_eager_only_distributions_match_keras(keras, fn, args):
    ref, mine = _both(keras, fn, *args, seed=4)
    assert mine.shape == ref.shape and mine.dtype == ref.dtype
    np.testing.assert_allclose(mine.mean(), ref.mean(), rtol=0.02)
    np.testing.assert_allclose(mine.std(), ref.std(), rtol=0.03)


def test_seed_kinds_repeat_or_advance_as_in_keras(keras):
    for lib in (keras, ks):
        a = np.asarray(lib.random.normal((5,), seed=11))
        b = np.asarray(lib.random.normal((5,), seed=11))
        np.testing.assert_array_equal(a, b)  # an int seed repeats
        gen = lib.random.SeedGenerator(11)
        c = np.asarray(lib.random.normal((5,), seed=gen))
        d = np.asarray(lib.random.normal((5,), seed=gen))
        assert not np.allclose(c, d)  # a generator advances
        e = np.asarray(lib.random.normal((5,)))
        f = np.asarray(lib.random.normal((5,)))
        assert not np.allclose(e, f)  # None draws new numbers
        assert lib.random.SeedGenerator(3).get_config()["seed"] == 3


def test_bad_seed_raises_like_keras(keras):
    for lib in (keras, ks):
        with pytest.raises(ValueError):
            lib.random.normal((2,), seed="x")


def test_generator_in_a_layer_draws_a_new_mask_each_step():
    class Noise(ks.layers.Layer):
        def __init__(self):
            super().__init__()
            self.gen = ks.random.SeedGenerator(1)

        def call(self, x, training=None):
            return ks.random.dropout(x, 0.5, seed=self.gen) if training else x

    class Net(ks.Model):
        def __init__(self):
            super().__init__()
            self.dense, self.noise, self.out = (ks.layers.Dense(4), Noise(), ks.layers.Dense(1))

        def call(self, x, training=None):
            return self.out(self.noise(self.dense(x), training=training))

    model = Net()
    model.compile("sgd", "mse")
    model.fit(
        np.ones((64, 3), "float32"), np.ones((64, 1), "float32"), batch_size=16, epochs=2, verbose=0
    )
    assert float(np.asarray(model.noise.gen.state.value)) == 8.0  # one draw per step


def test_traced_eager_only_draw_raises():
    from kerasette.graph.ir import Graph
    from kerasette.graph.trace import tracing

    g = Graph("t")
    with tracing(g):
        x = g.placeholder((4,), "float32", name="x")
        with pytest.raises(NotImplementedError, match="eagerly only"):
            ks.random.shuffle(x, seed=1)


def _noise_layer(lib, stddev=2.0):
    class Noise(lib.layers.Layer):
        def call(self, x):
            batch, dim = lib.ops.shape(x)[0], lib.ops.shape(x)[1]
            return x + lib.random.normal(shape=(batch, dim), stddev=stddev)

    return Noise()


def test_draw_sized_by_the_traced_batch_matches_keras(keras):
    """`keras.random.normal(shape=(ops.shape(x)[0], d))` in a layer (a VAE's sampling):
    the batch is known only when the step runs. 20_500 rows in batches of 1000: the
    last batch is partial."""

    def build(lib):
        inp = lib.Input((3,))
        return lib.Model(inp, _noise_layer(lib)(inp))

    x = np.zeros((20_500, 3), "float32")
    ref = np.asarray(build(keras).predict(x, batch_size=1000, verbose=0))
    mine = np.asarray(build(ks).predict(x, batch_size=1000, verbose=0))
    assert mine.shape == ref.shape
    np.testing.assert_allclose(mine.std(), ref.std(), rtol=0.03)
    np.testing.assert_allclose(mine.mean(), ref.mean(), atol=0.05)
    np.testing.assert_allclose(mine[-500:].std(), 2.0, rtol=0.15)
    # each batch of the predict loop draws new numbers, as Keras's
    assert not np.allclose(mine[:1000], mine[1000:2000])


def test_draw_sized_by_the_batch_in_an_eager_layer_call_matches_keras(keras):
    """The layer called on arrays: each call's batch sizes its draw."""
    for n in (5_000, 7):
        ref = np.asarray(_noise_layer(keras)(np.zeros((n, 4), "float32")))
        mine = np.asarray(_noise_layer(ks)(np.zeros((n, 4), "float32")))
        assert mine.shape == ref.shape == (n, 4)
    big = np.asarray(_noise_layer(ks)(np.zeros((50_000, 4), "float32")))
    np.testing.assert_allclose(big.std(), 2.0, rtol=0.02)


def _sampling_model(lib, stddev):
    """keras-io's VAE sampling step, z = mean + exp(log_var / 2) * eps, with eps sized
    by the traced batch; the gradient flows through mean and log_var."""

    class Sampling(lib.layers.Layer):
        def call(self, inputs):
            mean, log_var = inputs
            eps = lib.random.normal(
                shape=(lib.ops.shape(mean)[0], lib.ops.shape(mean)[1]), stddev=stddev
            )
            return mean + lib.ops.exp(0.5 * log_var) * eps

    inp = lib.Input((4,))
    mean = lib.layers.Dense(2)(inp)
    log_var = lib.layers.Dense(2)(inp)
    out = lib.layers.Dense(1)(Sampling()([mean, log_var]))
    model = lib.Model(inp, out)
    model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
    return model


def test_fit_through_a_batch_sized_draw_matches_keras(keras):
    """With stddev 0 the draw is zeros and the model deterministic: fit (batches of 16
    over 50 rows, the last one partial) and predict give Keras's numbers from the same
    weights, so the draw's shape and its place in the gradient are right."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 4)).astype("float32")
    y = rng.normal(size=(50, 1)).astype("float32")
    ref, mine = _sampling_model(keras, 0.0), _sampling_model(ks, 0.0)
    mine.set_weights(ref.get_weights())
    h_ref = ref.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    h_mine = mine.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(h_mine["loss"], h_ref["loss"], rtol=1e-4)
    for a, b in zip(mine.get_weights(), ref.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        mine.predict(x, batch_size=16, verbose=0),
        ref.predict(x, batch_size=16, verbose=0),
        rtol=1e-4,
        atol=1e-5,
    )


def test_fit_with_a_batch_sized_draw_trains():
    """With noise the draw changes each step and the model still trains."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 4)).astype("float32")
    y = x[:, :1] * 2.0
    model = _sampling_model(ks, 1.0)
    hist = model.fit(x, y, batch_size=32, epochs=20, verbose=0).history["loss"]
    assert np.all(np.isfinite(hist)) and hist[-1] < 0.5 * hist[0]


def test_draw_with_an_unknown_size_outside_a_traced_call_raises():
    with pytest.raises(ValueError, match="all its sizes known"):
        ks.random.normal(shape=(None, 3))
