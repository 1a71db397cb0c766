"""Adamax, Ftrl, Lion and Lamb against Keras 3 (TensorFlow backend): fit from copied
weights (weights and every optimizer variable after several steps), get_config equal to
Keras's and round-tripped, names for `optimizers.get`, and `.keras` files both ways with
the optimizer's state (training resumes in step with Keras)."""

import numpy as np
import pytest

import kerasette as ks

pytestmark = pytest.mark.keras_ref

OPTIMIZERS = {
    "adamax": lambda lib: lib.optimizers.Adamax(0.01),
    "adamax_wd": lambda lib: lib.optimizers.Adamax(
        0.02, beta_1=0.8, beta_2=0.95, epsilon=1e-4, weight_decay=0.05
    ),
    "ftrl": lambda lib: lib.optimizers.Ftrl(0.05),
    "ftrl_reg": lambda lib: lib.optimizers.Ftrl(
        0.1,
        learning_rate_power=-0.6,
        initial_accumulator_value=0.3,
        l1_regularization_strength=0.001,
        l2_regularization_strength=0.01,
        l2_shrinkage_regularization_strength=0.02,
        beta=0.2,
    ),
    "lion": lambda lib: lib.optimizers.Lion(0.001),
    "lion_wd": lambda lib: lib.optimizers.Lion(
        0.002, beta_1=0.8, beta_2=0.9, weight_decay=0.1, clipnorm=1.0
    ),
    "lamb": lambda lib: lib.optimizers.Lamb(0.01),
    "lamb_wd": lambda lib: lib.optimizers.Lamb(
        0.02, beta_1=0.8, epsilon=1e-5, weight_decay=0.01, global_clipnorm=2.0
    ),
}


def data(n=64, seed=0):
    r = np.random.default_rng(seed)
    x = r.normal(size=(n, 5)).astype("float32")
    y = np.tanh(x @ r.normal(size=(5, 2))).astype("float32")
    return x, y


def build(lib, opt, seed=0):
    lib.utils.set_random_seed(seed)
    L = lib.layers
    m = lib.Sequential(
        [L.Input(shape=(5,)), L.Dense(12, activation="tanh", name="h"), L.Dense(2, name="out")],
        name="net",
    )
    m.compile(optimizer=OPTIMIZERS[opt](lib), loss="mse")
    return m


def twins(keras, opt):
    ours, theirs = build(ks, opt), build(keras, opt)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    return ours, theirs


def opt_arrays(model):
    return [np.asarray(v.numpy()) for v in model.optimizer.variables]


def opt_paths(model):
    return [v.path for v in model.optimizer.variables]


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_fit_matches_keras(keras, opt):
    x, y = data()
    ours, theirs = twins(keras, opt)
    hm = ours.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    hk = theirs.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(hm.history["loss"], hk.history["loss"], rtol=2e-4)
    for u, v in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(u, v, rtol=5e-4, atol=5e-5)
    assert len(opt_arrays(ours)) == len(opt_arrays(theirs))
    assert [p.split("/")[-1] for p in opt_paths(ours)] == [
        p.split("/")[-1] for p in opt_paths(theirs)
    ]
    for u, v in zip(opt_arrays(ours), opt_arrays(theirs)):
        np.testing.assert_allclose(u, np.asarray(v).astype(u.dtype), rtol=5e-4, atol=5e-5)
    # the weights moved: a no-op optimizer would fail the comparison above only by luck
    assert not np.allclose(ours.get_weights()[0], build(keras, opt).get_weights()[0])


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_get_config_equals_keras_and_round_trips(keras, opt):
    o, k = OPTIMIZERS[opt](ks), OPTIMIZERS[opt](keras)
    ours, theirs = o.get_config(), k.get_config()
    ours.pop("name"), theirs.pop("name")
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert ours[key] == pytest.approx(theirs[key]), key
    again = type(o).from_config(o.get_config())
    assert again.get_config() == o.get_config()
    assert type(ks.optimizers.deserialize(ks.optimizers.serialize(o))) is type(o)
    # Keras builds the same optimizer from kerasette's config
    assert type(k).from_config(o.get_config()).get_config()["name"] == o.name


@pytest.mark.parametrize(
    "name,cls", [("adamax", "Adamax"), ("ftrl", "Ftrl"), ("lion", "Lion"), ("lamb", "Lamb")]
)
def test_names_and_defaults(keras, name, cls):
    o = ks.optimizers.get(name)  # Keras 3.15's `get` misses "lamb"; kerasette has it
    assert type(o).__name__ == cls
    want = getattr(keras.optimizers, cls)().get_config()
    got = o.get_config()
    for key in want:
        if key != "name":
            assert got[key] == pytest.approx(want[key]), key


@pytest.mark.parametrize(
    "kwargs,err",
    [
        ({"learning_rate_power": 0.5}, "learning_rate_power"),
        ({"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
        ({"l1_regularization_strength": -0.1}, "l1_regularization_strength"),
        ({"l2_shrinkage_regularization_strength": -0.1}, "l2_shrinkage"),
    ],
)
def test_ftrl_refuses_bad_settings(kwargs, err):
    with pytest.raises(ValueError, match=err):
        ks.optimizers.Ftrl(**kwargs)


def test_lion_refuses_bad_beta_1():
    with pytest.raises(ValueError, match="beta_1"):
        ks.optimizers.Lion(beta_1=0.0)


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_kerasette_file_loads_in_keras(tmp_path, keras, opt):
    x, y = data()
    ours, theirs_ref = twins(keras, opt)
    ours.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    ours.save(tmp_path / "m.keras")
    theirs = keras.models.load_model(tmp_path / "m.keras")
    assert type(theirs.optimizer).__name__ == type(ours.optimizer).__name__
    for u, v in zip(opt_arrays(ours), opt_arrays(theirs)):
        np.testing.assert_array_equal(u, np.asarray(v).astype(u.dtype))
    # both continue in step
    ours.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    theirs.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for u, v in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(u, v, rtol=5e-4, atol=5e-5)


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_keras_file_resumes_in_kerasette(tmp_path, keras, opt):
    x, y = data()
    theirs = build(keras, opt)
    theirs.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    theirs.save(tmp_path / "k.keras")
    ours = ks.models.load_model(tmp_path / "k.keras")
    assert type(ours.optimizer).__name__ == type(theirs.optimizer).__name__
    for u, v in zip(opt_arrays(ours), opt_arrays(theirs)):
        np.testing.assert_array_equal(u, np.asarray(v).astype(u.dtype))
    ours.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    theirs.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    for u, v in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(u, v, rtol=5e-4, atol=5e-5)
    assert int(opt_arrays(ours)[0]) == int(opt_arrays(theirs)[0]) == 4 * 4
