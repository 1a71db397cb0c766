"""keras.datasets read Keras's cache folder (files made here: no download in tests), and
the keras.config / keras.backend settings scripts call."""

import os

import numpy as np
import pytest

import kerasette


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    os.makedirs(tmp_path / "datasets")
    return tmp_path / "datasets"


def test_mnist_reads_the_cached_file(keras_home):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 255, (6, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 6, dtype=np.uint8),
        "x_test": rng.integers(0, 255, (2, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 2, dtype=np.uint8),
    }
    np.savez(keras_home / "mnist.npz", **arrays)
    from kerasette.datasets import mnist

    (xt, yt), (xs, ys) = mnist.load_data()
    for got, key in ((xt, "x_train"), (yt, "y_train"), (xs, "x_test"), (ys, "y_test")):
        np.testing.assert_array_equal(got, arrays[key])
        assert got.dtype == np.uint8


def test_boston_housing_splits_as_keras(keras_home):
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((50, 13)), rng.standard_normal(50)
    np.savez(keras_home / "boston_housing.npz", x=x, y=y)
    (xt, yt), (xs, ys) = kerasette.datasets.boston_housing.load_data(test_split=0.2, seed=113)
    idx = np.arange(50)
    np.random.RandomState(113).shuffle(idx)  # Keras's split, written out
    np.testing.assert_array_equal(xt, x[idx][:40])
    np.testing.assert_array_equal(ys, y[idx][40:])


def test_a_missing_file_that_cannot_be_fetched_says_where(keras_home, monkeypatch):
    import urllib.request

    def offline(*a, **k):
        raise OSError("no network")

    monkeypatch.setattr(urllib.request, "urlretrieve", offline)
    with pytest.raises(OSError, match="mnist.npz is not in"):
        kerasette.datasets.mnist.load_data()
    assert not any(keras_home.iterdir())  # no half-written file left


@pytest.mark.keras_ref
def test_config_settings_as_keras():
    import keras

    assert kerasette.backend.epsilon() == keras.backend.epsilon() == 1e-7
    assert kerasette.config.floatx() == keras.config.floatx()
    assert kerasette.config.image_data_format() == keras.config.image_data_format()
    kerasette.config.disable_traceback_filtering()
    assert kerasette.config.is_traceback_filtering_enabled() is False
