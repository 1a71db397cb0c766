"""Optimizer objects against Keras 3: variables in Keras's order once built, iterations,
settable learning rate (affects training), schedules, and bad arguments."""

import numpy as np
import pytest

import kerasette as ks

CASES = [
    ("SGD", dict(momentum=0.9)),
    ("SGD", {}),
    ("Adam", {}),
    ("Adam", dict(amsgrad=True)),
    ("AdamW", {}),
    ("RMSprop", dict(momentum=0.5, centered=True)),
    ("RMSprop", {}),
    ("Adagrad", dict(initial_accumulator_value=0.3)),
    ("Adadelta", {}),
    ("Nadam", {}),
]


def _model(lib):
    return lib.Sequential([lib.Input(shape=(3,)), lib.layers.Dense(4), lib.layers.Dense(2)])


@pytest.mark.parametrize("name,kwargs", CASES)
def test_variables_in_keras_order(keras, name, kwargs):
    mine = getattr(ks.optimizers, name)(**kwargs)
    ref = getattr(keras.optimizers, name)(**kwargs)
    assert [v.name for v in mine.variables] == [v.name for v in ref.variables]
    mine.build(_model(ks).trainable_weights)
    ref.build(_model(keras).trainable_weights)
    # Keras prefixes slot names with the model's path ("sequential_dense_kernel_...") and
    # layer names, like the name of Nadam's unnamed u_product ("variable", "variable_1"),
    # carry process-wide counters: compare with those counters normalized away.
    import re

    def norm(name):
        name = re.sub(r"^variable(_\d+)?$", "variable", name)
        return re.sub(r"dense(_\d+)?", "dense", re.sub(r"^sequential(_\d+)?_", "", name))

    got = [norm(v.name) for v in mine.variables]
    want = [norm(v.name) for v in ref.variables]
    assert got == want
    assert [tuple(v.shape) for v in mine.variables] == [tuple(v.shape) for v in ref.variables]
    for a, b in zip(mine.variables, ref.variables, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b))
        assert np.dtype(a.dtype) == np.dtype(b.dtype)


def test_iterations_and_learning_rate():
    opt = ks.optimizers.Adam(learning_rate=0.01)
    assert opt.iterations == 0
    assert float(opt.learning_rate) == pytest.approx(0.01)
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == 0.5 and opt.current_learning_rate() == 0.5
    opt.learning_rate = 1  # an int is fine once the variable exists (Keras assigns it)
    assert opt.get_config()["learning_rate"] == 1.0
    opt.iterations = 7
    assert opt.iterations == 7
    sched = ks.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)
    opt = ks.optimizers.SGD(learning_rate=sched)
    opt.iterations = 25
    assert float(opt.learning_rate) == pytest.approx(0.025)
    assert opt.current_learning_rate(step=5) == pytest.approx(0.1)
    assert opt.learning_rate_schedule is sched


def test_learning_rate_setting_affects_training():
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    y = np.random.default_rng(1).normal(size=(32, 2)).astype("float32")
    m = _model(ks)
    m.compile(optimizer=ks.optimizers.SGD(learning_rate=0.1), loss="mse")
    m.fit(x, y, epochs=1, batch_size=8, verbose=0)
    m.optimizer.learning_rate = 0.0
    before = m.get_weights()
    m.fit(x, y, epochs=1, batch_size=8, verbose=0)
    for a, b in zip(before, m.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert m.optimizer.iterations == 8
    m.optimizer.learning_rate = 0.1
    m.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, m.get_weights(), strict=True))


def test_bad_optimizer_arguments(keras):
    for bad in [
        dict(learning_rate=1),
        dict(learning_rate="fast"),
        dict(clipnorm=1.0, clipvalue=1.0),
        dict(foo=1),
        dict(clipnorm=-1.0),
    ]:
        with pytest.raises(ValueError):
            ks.optimizers.Adam(**bad)
    with pytest.raises(ValueError):
        keras.optimizers.Adam(learning_rate=1)  # Keras refuses ints too
    with pytest.raises(ValueError, match="momentum"):
        ks.optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="Could not interpret optimizer"):
        ks.optimizers.get("adamm")
    with pytest.raises(ValueError, match="length of boundaries"):
        ks.optimizers.schedules.PiecewiseConstantDecay([1, 2], [0.1])


@pytest.mark.parametrize(
    "string,cls",
    [
        ("sgd", "SGD"),
        ("adam", "Adam"),
        ("adamw", "AdamW"),
        ("rmsprop", "RMSprop"),
        ("adagrad", "Adagrad"),
        ("adadelta", "Adadelta"),
        ("nadam", "Nadam"),
    ],
)
def test_strings(keras, string, cls):
    assert (
        type(ks.optimizers.get(string)).__name__
        == type(keras.optimizers.get(string)).__name__
        == cls
    )


def test_set_random_seed_repeats_training_with_shuffle_and_dropout():
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = np.random.default_rng(1).normal(size=(64, 1)).astype("float32")

    def run():
        ks.utils.set_random_seed(123)
        m = ks.Sequential(
            [
                ks.Input(shape=(3,)),
                ks.layers.Dense(8, activation="relu"),
                ks.layers.Dropout(0.3),
                ks.layers.Dense(1),
            ]
        )
        m.compile(optimizer="adam", loss="mse")
        h = m.fit(x, y, epochs=2, batch_size=16, shuffle=True, verbose=0)
        return m.get_weights(), h.history["loss"]

    (w1, l1), (w2, l2) = run(), run()
    assert l1 == l2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
