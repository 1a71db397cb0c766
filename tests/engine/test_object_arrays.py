"""Object arrays that hold only numbers (what pandas often produces) are read as float32:
fit/evaluate/predict give what real Keras gives on the float32 array (Keras itself
refuses the object array); objects that are not numbers still raise."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import kerasette as ks  # noqa: E402

pytestmark = pytest.mark.keras_ref


def _model(lib):
    return lib.Sequential(
        [lib.Input((3,)), lib.layers.Dense(4, activation="tanh"), lib.layers.Dense(1)]
    )


def test_object_arrays_of_numbers_train_like_keras_on_float32():
    keras = pytest.importorskip("keras")
    r = np.random.default_rng(0)
    xf = r.normal(size=(24, 3)).astype("float32")
    yf = r.normal(size=(24,)).astype("float32")
    # mixed Python ints, floats, numpy scalars and bools, as a DataFrame's .values gives
    x = xf.astype(object)
    x[0, 0], x[1, 1], x[2, 2] = 1, np.float64(-0.5), True
    xf[0, 0], xf[1, 1], xf[2, 2] = 1.0, -0.5, 1.0
    y = yf.astype(object)
    ref, ours = _model(keras), _model(ks)
    ours.set_weights(ref.get_weights())
    with pytest.raises(Exception, match="(?i)dtype"):
        ref.predict(x, verbose=0)  # what Keras does with the object array
    for m, lib in ((ref, keras), (ours, ks)):
        m.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
    hk = ref.fit(xf, yf, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    hm = ours.fit(
        x,
        y,
        batch_size=8,
        epochs=2,
        shuffle=False,
        verbose=0,
        sample_weight=np.ones(24, dtype=object),
    ).history["loss"]
    np.testing.assert_allclose(hm, hk, rtol=1e-5)
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), ref.predict(xf, verbose=0), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        ours.evaluate(x, y, verbose=0), ref.evaluate(xf, yf, verbose=0), rtol=1e-5
    )


@pytest.mark.parametrize("bad", [object(), "1.5", None])
def test_object_arrays_with_non_numbers_still_raise(bad):
    m = _model(ks)
    x = np.array([[1.0, 2.0, bad]], dtype=object)
    with pytest.raises(ValueError, match="numeric"):
        m.predict(x, verbose=0)
