"""`kerasette.random` against `keras.random`: same signatures' behaviour (shapes,
dtypes, how each kind of seed repeats or advances) and the same distributions (the
generators differ, so the draws are compared by their statistics)."""
import numpy as np
import pytest

import kerasette as ks

N = 200_000


def _both(keras, fn, *args, **kwargs):
    return (np.asarray(getattr(keras.random, fn)(*args, **kwargs)),
            np.asarray(getattr(ks.random, fn)(*args, **kwargs)))


@pytest.mark.parametrize("fn,args,kwargs", [
    ("uniform", ((N,),), {"minval": -2.0, "maxval": 3.0}),
    ("normal", ((N,),), {"mean": 1.0, "stddev": 2.0}),
    ("truncated_normal", ((N,),), {"mean": -1.0, "stddev": 0.5}),
])
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
        np.testing.assert_allclose(np.bincount(mine[row], minlength=3) / 50_000,
                                   np.bincount(ref[row], minlength=3) / 50_000, atol=0.015)


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


@pytest.mark.parametrize("fn,args", [("gamma", ((N,), 2.5)), ("beta", ((N,), 2.0, 5.0)),
                                     ("binomial", ((N,), 10, 0.3))])
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
            self.dense, self.noise, self.out = (ks.layers.Dense(4), Noise(),
                                                ks.layers.Dense(1))

        def call(self, x, training=None):
            return self.out(self.noise(self.dense(x), training=training))

    model = Net()
    model.compile("sgd", "mse")
    model.fit(np.ones((64, 3), "float32"), np.ones((64, 1), "float32"), batch_size=16,
              epochs=2, verbose=0)
    assert float(np.asarray(model.noise.gen.state.value)) == 8.0  # one draw per step


def test_traced_eager_only_draw_raises():
    from kerasette.graph.ir import Graph
    from kerasette.graph.trace import tracing
    g = Graph("t")
    with tracing(g):
        x = g.placeholder((4,), "float32", name="x")
        with pytest.raises(NotImplementedError, match="eagerly only"):
            ks.random.shuffle(x, seed=1)
