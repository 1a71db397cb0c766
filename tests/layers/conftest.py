"""Layer tests: real Keras (TensorFlow backend) is the reference."""

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def keras():
    return pytest.importorskip("keras")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "keras" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.keras_ref)
