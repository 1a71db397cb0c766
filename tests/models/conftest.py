"""Fixtures for the model tests: real Keras is the reference."""

import json
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def keras():
    return pytest.importorskip("keras")


@pytest.fixture
def fresh_names(keras):
    """Restarts both libraries' name counters so auto-names ("dense_1") line up."""
    from keras.src.utils import naming as keras_naming

    from kerasette.utils import naming

    keras_naming.reset_uids()
    naming.reset_uids()


def normalize(obj):
    """A config as JSON stores it (tuples -> lists), minus Keras's object ids."""
    obj = json.loads(json.dumps(obj))

    def strip(o):
        if isinstance(o, dict):
            o.pop("shared_object_id", None)
            for v in o.values():
                strip(v)
        elif isinstance(o, list):
            for v in o:
                strip(v)
        return o

    return strip(obj)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "keras" in getattr(item, "fixturenames", ()) and "models" in str(item.fspath):
            item.add_marker(pytest.mark.keras_ref)
