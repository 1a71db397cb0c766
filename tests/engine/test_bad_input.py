"""Bad input raises a clear Python exception before any C++ work (issue 3 point 10)."""

import numpy as np
import pytest

import kerasette
from kerasette import layers


def _model(compiled=True, loss="sparse_categorical_crossentropy"):
    m = kerasette.models.Sequential(
        [
            layers.Input((4,)),
            layers.Dense(5, activation="relu", name="hidden"),
            layers.Dense(3, activation="softmax"),
        ]
    )
    if compiled:
        m.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return m


X = np.random.default_rng(0).normal(size=(10, 4)).astype("float32")
Y = np.arange(10) % 3


def test_wrong_feature_count_names_layer_and_shapes():
    m = _model()
    with pytest.raises(ValueError, match=r'layer "hidden".*\(None, 4\).*\(10, 7\)'):
        m.fit(np.zeros((10, 7), "float32"), Y, verbose=0)
    with pytest.raises(ValueError, match=r'"hidden"'):
        m.predict(np.zeros((2, 7), "float32"), verbose=0)


def test_label_shape_not_fitting_loss():
    m = _model(loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="shape"):
        m.fit(X, Y, verbose=0)  # integer ids given to categorical CE
    m2 = _model()
    with pytest.raises(ValueError, match="class ids"):
        m2.fit(X, np.zeros((10, 3)), verbose=0)


def test_sparse_labels_out_of_range():
    m = _model()
    with pytest.raises(ValueError, match=r"label value of 3 .*\[0, 3\)"):
        m.fit(X, Y + 1, verbose=0)
    with pytest.raises(ValueError, match="label value of -1"):
        m.fit(X, Y - 1, verbose=0)


def test_strings_and_objects():
    m = _model()
    with pytest.raises(ValueError, match="numeric"):
        m.fit(np.array([["a"] * 4] * 10), Y, verbose=0)
    with pytest.raises(ValueError, match="numeric"):
        m.predict(np.array([[object()] * 4], dtype=object), verbose=0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs(bad):
    # fit refuses non-finite data (clearer than Keras's silent NaN loss); inference
    # follows Keras: each row is what the model's ops make of it, the others unaffected.
    m = _model()
    x = X.copy()
    x[3, 2] = bad
    with pytest.raises(ValueError, match="NaN or infinite"):
        m.fit(x, Y, verbose=0)
    clean = m.predict(X, verbose=0)
    got = m.predict(x, verbose=0)
    rows = np.arange(len(X)) != 3
    np.testing.assert_array_equal(got[rows], clean[rows])
    one = m.predict(x[3:4], verbose=0)  # the one-row fast path
    np.testing.assert_array_equal(one[0], got[3])


@pytest.mark.keras_ref
@pytest.mark.parametrize("bad", [np.nan])  # inf - inf inside a GEMM is order-dependent
def test_non_finite_rows_as_keras(bad):
    import keras

    m = _model()
    ref = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(5, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    ref.set_weights(m.get_weights())
    x = X.copy()
    x[3, 2] = bad
    got, want = m.predict(x, verbose=0), ref.predict(x, verbose=0)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(np.nan_to_num(got), np.nan_to_num(want), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("verbose", [0, 1])
def test_non_finite_in_a_later_predict_batch(verbose):
    # A bad value in the last batch changes that row only, and the model is unchanged.
    m = _model()
    x = np.random.default_rng(0).standard_normal((300, 4)).astype("float32")
    before = m.predict(x, batch_size=64, verbose=0)
    bad = x.copy()
    bad[-1, 0] = np.nan
    got = m.predict(bad, batch_size=64, verbose=verbose)
    np.testing.assert_array_equal(got[:-1], before[:-1])
    np.testing.assert_array_equal(m.predict(x, batch_size=64, verbose=0), before)


def test_empty_arrays():
    m = _model()
    with pytest.raises(ValueError, match="empty"):
        m.fit(np.zeros((0, 4), "float32"), np.zeros((0,)), verbose=0)
    with pytest.raises(ValueError, match="empty"):
        m.predict(np.zeros((0, 4), "float32"), verbose=0)


def test_fit_before_compile():
    m = _model(compiled=False)
    with pytest.raises(RuntimeError, match="compile"):
        m.fit(X, Y, verbose=0)
    with pytest.raises(RuntimeError, match="compile"):
        m.evaluate(X, Y, verbose=0)


def test_predict_before_build():
    m = kerasette.models.Sequential()
    with pytest.raises(ValueError, match="built|layers"):
        m.predict(X, verbose=0)


def test_mismatched_sample_counts_and_weights():
    m = _model()
    with pytest.raises(ValueError, match="samples"):
        m.fit(X, Y[:7], verbose=0)
    with pytest.raises(ValueError, match="sample_weight"):
        m.fit(X, Y, sample_weight=np.ones(3), verbose=0)


def test_bad_arguments():
    m = _model()
    with pytest.raises(ValueError, match="batch_size"):
        m.fit(X, Y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        m.fit(X, Y, validation_split=1.5, verbose=0)


def test_embedding_ids_out_of_range_raise_not_crash():
    m = kerasette.models.Sequential(
        [layers.Input((2,)), layers.Embedding(5, 3), layers.Flatten(), layers.Dense(1)]
    )
    m.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="Embedding|input_dim|outside"):
        m.fit(np.array([[1, 9]], "float32"), np.zeros((1, 1)), verbose=0)
    # the model still works afterwards
    assert m.predict(np.array([[1, 4]], "float32"), verbose=0).shape == (1, 1)


def test_non_contiguous_and_other_dtypes_are_accepted():
    m = _model()
    x64 = np.asfortranarray(X.astype("float64"))
    a = m.predict(x64, verbose=0)
    b = m.predict(X, verbose=0)
    np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(m.predict(X[::2], verbose=0), b[::2], rtol=1e-6)
