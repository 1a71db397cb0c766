"""Hashing (and HashedCrossing) on NUMERIC model inputs, against real Keras: Keras hashes
an int (a float truncated first) as the FarmHash of its decimal string, which cannot run
in kerasette's float32 graph, so these calls run before the graph (the model's front,
models/string_front.py). Functional and Sequential models, int and float inputs, every
output mode, salt and mask_value, fit on top, and .keras files both ways."""

import numpy as np
import pytest

import kerasette as ks

pytestmark = pytest.mark.keras_ref

N = 24


def _func_int(lib):
    inp = lib.Input((1,), dtype="int64", name="a")
    return lib.Model(inp, lib.layers.Hashing(7, name="h")(inp))


def _func_one_hot(lib):
    inp = lib.Input((1,), dtype="int64", name="a")
    h = lib.layers.Hashing(6, output_mode="one_hot", name="h")(inp)
    return lib.Model(inp, lib.layers.Dense(1, activation="sigmoid", name="d")(h))


def _func_multi_hot_float_salt(lib):
    inp = lib.Input((3,), name="f")
    h = lib.layers.Hashing(8, output_mode="multi_hot", salt=[5, 11], name="h")(inp)
    return lib.Model(inp, lib.layers.Dense(1, activation="sigmoid", name="d")(h))


def _func_two_inputs(lib):
    """An int input hashed with a mask value, a float input both hashed and read by the
    graph directly."""
    a = lib.Input((1,), dtype="int64", name="a")
    b = lib.Input((2,), name="b")
    ha = lib.layers.Hashing(6, mask_value=0, output_mode="one_hot", name="ha")(a)
    hb = lib.layers.Hashing(4, output_mode="multi_hot", salt=7, name="hb")(b)
    h = lib.layers.Concatenate(name="cat")([ha, hb, b])
    return lib.Model([a, b], lib.layers.Dense(1, activation="sigmoid", name="d")(h))


def _func_crossed(lib):
    a = lib.Input((1,), dtype="int64", name="a")
    b = lib.Input((1,), dtype="int64", name="b")
    c = lib.layers.HashedCrossing(11, output_mode="one_hot", name="x")([a, b])
    return lib.Model([a, b], lib.layers.Dense(1, activation="sigmoid", name="d")(c))


def _seq_int(lib):
    return lib.Sequential(
        [lib.Input((1,), dtype="int64"), lib.layers.Hashing(5, mask_value=3, name="h")]
    )


def _seq_one_hot(lib):
    return lib.Sequential(
        [
            lib.Input((1,), dtype="int64"),
            lib.layers.Hashing(5, output_mode="one_hot", name="h"),
            lib.layers.Dense(1, activation="sigmoid", name="d"),
        ]
    )


def _seq_multi_hot_float(lib):
    return lib.Sequential(
        [
            lib.Input((2,)),
            lib.layers.Hashing(9, output_mode="multi_hot", salt=3, name="h"),
            lib.layers.Dense(1, activation="sigmoid", name="d"),
        ]
    )


MODELS = {
    "func_int": _func_int,
    "func_one_hot": _func_one_hot,
    "func_multi_hot_float_salt": _func_multi_hot_float_salt,
    "func_two_inputs": _func_two_inputs,
    "func_crossed": _func_crossed,
    "seq_int": _seq_int,
    "seq_one_hot": _seq_one_hot,
    "seq_multi_hot_float": _seq_multi_hot_float,
}
TRAINABLE = [k for k in MODELS if not k.endswith("_int")]

_rng = np.random.default_rng(0)
INTS = _rng.integers(-40, 400, (N, 1)).astype("int64")
INTS[::5] = 0  # the mask value
INTS2 = _rng.integers(0, 30, (N, 1)).astype("int64")
FLOATS3 = (_rng.normal(0, 60, (N, 3))).astype("float32")  # truncated before hashing
FLOATS2 = FLOATS3[:, :2].copy()
Y = _rng.integers(0, 2, (N, 1)).astype("float32")


def _x(what):
    return {
        "func_int": INTS,
        "func_one_hot": INTS,
        "func_multi_hot_float_salt": FLOATS3,
        "func_two_inputs": [INTS, FLOATS2],
        "func_crossed": [INTS, INTS2],
        "seq_int": INTS,
        "seq_one_hot": INTS,
        "seq_multi_hot_float": FLOATS2,
    }[what]


def _pair(keras, what):
    mine, ref = MODELS[what](ks), MODELS[what](keras)
    ref.set_weights(mine.get_weights())
    return mine, ref


@pytest.mark.parametrize("what", sorted(MODELS))
def test_call_and_predict(keras, what):
    mine, ref = _pair(keras, what)
    x = _x(what)
    want = np.asarray(ref.predict(x, verbose=0))
    np.testing.assert_allclose(np.asarray(ref(x)), want, rtol=1e-6)  # the reference agrees
    np.testing.assert_allclose(np.asarray(mine(x)), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mine.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mine.predict(x, batch_size=5, verbose=0), want, rtol=1e-5, atol=1e-6)


def test_functional_ints_are_keras_bins(keras):
    """The issue's repro: bins, not the raw ints passed through."""
    x = np.array([[1], [2], [37], [123456]], np.int64)

    def build(lib):
        inp = lib.Input((1,), dtype="int64")
        return lib.Model(inp, lib.layers.Hashing(5)(inp))

    want = np.asarray(build(keras).predict(x, verbose=0)).ravel()
    np.testing.assert_array_equal(want, [4, 4, 0, 3])
    got = np.asarray(build(ks).predict(x, verbose=0)).ravel()
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("what", TRAINABLE)
def test_fit_same_loss_history(keras, what):
    mine, ref = _pair(keras, what)
    for m in (mine, ref):
        m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    x = _x(what)
    got = mine.fit(x, Y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    want = ref.fit(x, Y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(got.history["loss"], want.history["loss"], rtol=1e-4)
    np.testing.assert_allclose(got.history["accuracy"], want.history["accuracy"])
    np.testing.assert_allclose(
        mine.evaluate(x, Y, verbose=0), ref.evaluate(x, Y, verbose=0), rtol=1e-4
    )
    for a, b in zip(mine.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("what", sorted(MODELS))
@pytest.mark.parametrize("direction", ["kerasette->keras", "keras->kerasette"])
def test_files_both_ways(keras, tmp_path, what, direction):
    src_lib, dst_lib = (ks, keras) if direction == "kerasette->keras" else (keras, ks)
    mine, ref = _pair(keras, what)
    src = mine if src_lib is ks else ref
    src.save(tmp_path / "m.keras")
    loaded = dst_lib.models.load_model(tmp_path / "m.keras")
    x = _x(what)
    want = np.asarray(ref.predict(x, verbose=0))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6)


def test_hashing_a_computed_tensor_raises():
    """Hashing numbers the graph computed cannot run before it: a clear error, not the
    numbers passed through."""
    inp = ks.Input((1,))
    scaled = ks.layers.Rescaling(2.0)(inp)
    with pytest.raises(ValueError, match="hashes raw values"):
        ks.layers.Hashing(5)(scaled)
    seq = ks.Sequential([ks.Input((1,)), ks.layers.Rescaling(2.0), ks.layers.Hashing(5)])
    with pytest.raises(ValueError, match="hashes raw values"):
        seq.predict(np.ones((2, 1), "float32"), verbose=0)


def test_sequential_without_input_hashes_ints(keras):
    x = np.array([[1], [2], [37], [123456]], np.int64)
    for mode in ("int", "one_hot"):
        want = keras.Sequential([keras.layers.Hashing(5, output_mode=mode)]).predict(x, verbose=0)
        got = ks.Sequential([ks.layers.Hashing(5, output_mode=mode)]).predict(x, verbose=0)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
