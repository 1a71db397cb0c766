"""The numpy side of the random ops (interpreter, eager ops) draws the compiled program's
numbers: graph/prims/_rng.py against the C++ kernels bit for bit, and seeded random ops,
layers and models in training mode, compiled against KERASETTE_INTERPRET=1."""

import numpy as np
import pytest

import kerasette
from kerasette import layers, ops
from kerasette.backend import core
from kerasette.graph.function import Function
from kerasette.graph.prims import _rng

COUNTERS = [0, 7, -3, 2**24 + 3, 2**40 + 1]
STREAMS = [0, 12345, 2**62 - 1]


def _kernel(kind, n, counter, stream, floats, x=None):
    """One instruction keyed as the lowering keys a graph random op: the counter as a
    one-float seed state, the op's seed as the stream."""
    y = np.full(n, -7.25, np.float32)
    p = core.Program(0)
    p.seed, p.step = 99, 4  # replaced by the seed state
    st = p.ext(np.array([counter], np.float32))
    if kind == "dropout":
        p.add("dropout", [p.ext(x), st], [p.ext(y), -1], [n, stream], floats)
    else:
        p.add(kind, [st], [p.ext(y)], [n, stream], floats)
    p.run()
    return y


@pytest.mark.parametrize("counter", COUNTERS)
@pytest.mark.parametrize("stream", STREAMS)
@pytest.mark.parametrize("n", [1, 2, 2001])
def test_rng_is_the_kernels(counter, stream, n):
    key = _rng.counter_key(counter)
    got = _kernel("random_uniform", n, counter, stream, [-2.0, 3.3])
    np.testing.assert_array_equal(got, _rng.uniform(key, stream, n, -2.0, 3.3))
    got = _kernel("random_normal", n, counter, stream, [0.5, 3.0])
    np.testing.assert_array_equal(got, _rng.normal(key, stream, n, 0.5, 3.0))
    x = np.random.default_rng(n).standard_normal(n).astype(np.float32)
    for rate in (0.3, 0.5, 1.0 - 2.0**-24):
        got = _kernel("dropout", n, counter, stream, [rate], x)
        np.testing.assert_array_equal(got, x * _rng.dropout_mask(key, stream, n, rate))


def test_counter_is_read_as_a_float32():
    """The program stores the counter as a float: 2^24 + 1 keys as 2^24 there, so here."""
    assert _rng.counter_key(2**24 + 1) == _rng.counter_key(2**24)
    assert _rng.counter_key(2**24 + 2) != _rng.counter_key(2**24)


def test_normal_rounding_guard_repairs_a_different_log(monkeypatch):
    """numpy's float64 log is not libm's to the last bit on every CPU. With a log off by
    2^-44 (relative), the unguarded float32 rounding misses the kernel's on this draw;
    the guard's libm recomputation gives the kernel's numbers exactly."""
    n, counter, stream = 1 << 18, 8, 5
    want = _kernel("random_normal", n, counter, stream, [0.0, 1.0])
    log = np.log
    monkeypatch.setattr(np, "log", lambda a: log(a) * (1 + 2.0**-44))
    key = _rng.counter_key(counter)
    unguarded = _rng.normal64(key, stream, n, 0.0, 1.0)[0].astype(np.float32)
    assert (unguarded != want).sum() > 0
    np.testing.assert_array_equal(_rng.normal(key, stream, n, 0.0, 1.0), want)


def _both(make_fn, x, steps=3, env=()):
    """Outputs of `steps` calls compiled and with KERASETTE_INTERPRET=1, each run on a
    fresh function from make_fn (so counters start equal)."""
    mp = pytest.MonkeyPatch()
    try:
        for k, v in env:
            mp.setenv(k, v)
        got = []
        for interpret in (False, True):
            if interpret:
                mp.setenv("KERASETTE_INTERPRET", "1")
            f = Function(make_fn())
            got.append([np.asarray(f(x)) for _ in range(steps)])
            assert f.get(x).runner.compiled != interpret, "the function fell back"
        return got
    finally:
        mp.undo()


X = np.random.default_rng(0).standard_normal((6, 8)).astype(np.float32)


def _ops_case(name):
    gen = kerasette.random.SeedGenerator(11)
    r = kerasette.random
    return {
        "dropout": lambda x: r.dropout(x, 0.4, seed=gen),
        "dropout_noise_shape": lambda x: r.dropout(x, 0.5, noise_shape=(1, 8), seed=gen),
        "uniform": lambda x: r.uniform((6, 8), -1.0, 2.0, seed=gen),
        "normal": lambda x: r.normal((6, 8), 0.5, 2.0, seed=gen),
        "normal_batch": lambda x: r.normal(ops.shape(x), seed=gen),
        "truncated_normal": lambda x: r.truncated_normal((6, 8), seed=gen),
        # an int seed draws the same numbers each call; the batch size makes it a node
        "int_seed": lambda x: r.normal(ops.shape(x), seed=3) + r.uniform(ops.shape(x), seed=4),
    }[name]


@pytest.mark.parametrize(
    "case",
    [
        "dropout",
        "dropout_noise_shape",
        "uniform",
        "normal",
        "normal_batch",
        "truncated_normal",
        "int_seed",
    ],
)
@pytest.mark.parametrize("passes", ["", "all"])
def test_random_ops_compiled_equal_interpreted(case, passes):
    env = [("KERASETTE_DISABLE_PASSES", passes)] if passes else []
    compiled, interpreted = _both(lambda: _ops_case(case), X, env=env)
    for a, b in zip(compiled, interpreted):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(compiled[0], compiled[1]) or case == "int_seed"


LAYERS = {
    "Dropout": lambda: layers.Dropout(0.5, seed=3),
    "Dropout_noise_shape": lambda: layers.Dropout(0.5, noise_shape=(6, 1, 4), seed=3),
    "SpatialDropout1D": lambda: layers.SpatialDropout1D(0.3, seed=4),
    "GaussianNoise": lambda: layers.GaussianNoise(0.3, seed=5),
    "GaussianDropout": lambda: layers.GaussianDropout(0.2, seed=6),
    "AlphaDropout": lambda: layers.AlphaDropout(0.2, seed=7),
    "AlphaDropout_noise_shape": lambda: layers.AlphaDropout(0.2, noise_shape=(6, 1, 4), seed=7),
    "LSTM": lambda: layers.LSTM(3, dropout=0.3, recurrent_dropout=0.3, seed=2),
    "GRU": lambda: layers.GRU(3, dropout=0.3, recurrent_dropout=0.3, seed=2),
    "MultiHeadAttention": lambda: layers.MultiHeadAttention(2, 3, dropout=0.4, seed=2),
}
X3 = np.random.default_rng(1).standard_normal((6, 5, 4)).astype(np.float32)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_random_layers_compiled_equal_interpreted(name):
    def make():
        kerasette.utils.set_random_seed(0)  # the same weights in both runs
        layer = LAYERS[name]()
        if name == "MultiHeadAttention":
            return lambda x: layer(x, x, training=True)
        return lambda x: layer(x, training=True)

    compiled, interpreted = _both(make, X3)
    for a, b in zip(compiled, interpreted):
        # the draws are exact; the layers' float arithmetic after them may round apart
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
        if name.startswith("Dropout") or name.startswith("Spatial"):
            np.testing.assert_array_equal(a == 0, b == 0)
    assert not np.array_equal(compiled[0], compiled[1])  # the counter advances


def _model():
    kerasette.utils.set_random_seed(1)
    return kerasette.Sequential(
        [
            layers.Input((8, 8, 3)),
            layers.RandomFlip(seed=1),
            layers.RandomRotation(0.2, seed=2),
            layers.RandomContrast(0.3, seed=4),
            layers.Conv2D(4, 3),
            layers.SpatialDropout2D(0.3, seed=5),
            layers.Flatten(),
            layers.Dense(16),
            layers.Dropout(0.5, seed=3),
            layers.GaussianNoise(0.3, seed=4),
            layers.GaussianDropout(0.2, seed=5),
            layers.AlphaDropout(0.2, seed=6),
            layers.Dense(2),
        ]
    )


def test_seeded_model_in_training_compiled_equals_interpreted():
    x = np.random.default_rng(2).standard_normal((4, 8, 8, 3)).astype(np.float32)

    def make():
        m = _model()
        return lambda t: m(t, training=True)

    compiled, interpreted = _both(make, x)
    for a, b in zip(compiled, interpreted):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert np.abs(compiled[0] - compiled[1]).max() > 0.1  # new draws each step


def test_eager_draws_are_the_compiled_draws():
    """keras.random with an int seed, eagerly (numpy) and in a compiled function (sized
    by the traced batch, so the draws run in the program, not at trace time)."""
    r = kerasette.random
    shape = X.shape
    eager = [r.normal(shape, 0.5, 2.0, seed=3), r.uniform(shape, -1.0, 1.0, seed=3)]
    eager.append(r.dropout(X, 0.5, seed=3))
    f = Function(
        lambda x: [
            r.normal(ops.shape(x), 0.5, 2.0, seed=3),
            r.uniform(ops.shape(x), -1.0, 1.0, seed=3),
            r.dropout(x, 0.5, seed=3),
        ]
    )
    compiled = f(X)
    assert f.get(X).runner.compiled
    for a, b in zip(eager, compiled):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_eager_dropout_zeroes_dropped_inf_and_nan():
    """Keras (TF) writes 0 where it drops, whatever the input; x * 0 would be NaN."""
    x = np.full(64, np.inf, np.float32)
    x[::3] = np.nan
    y = np.asarray(kerasette.random.dropout(x, 0.5, seed=3))
    kept = np.asarray(kerasette.random.dropout(np.ones(64, np.float32), 0.5, seed=3)) != 0
    assert kept.any() and not kept.all()
    np.testing.assert_array_equal(y[~kept], 0)
    np.testing.assert_array_equal(y[kept], x[kept])
