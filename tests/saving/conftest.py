import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


@pytest.fixture(scope="session")
def keras():
    """Real Keras 3 (the reference), imported once per session."""
    keras = pytest.importorskip("keras")
    return keras


@pytest.fixture(scope="session")
def h5py():
    return pytest.importorskip("h5py")


def pytest_collection_modifyitems(config, items):
    # Tests that take the `keras` fixture compare against real Keras.
    for item in items:
        if "keras" in getattr(item, "fixturenames", ()) and "saving" in str(item.fspath):
            item.add_marker(pytest.mark.keras_ref)
