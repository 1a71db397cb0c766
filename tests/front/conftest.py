"""Shared helpers for the front-end tests: real Keras is the reference."""

import json
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def keras():
    return pytest.importorskip("keras")


def normalize(obj):
    """A config as JSON would store it (tuples -> lists), minus Keras's object ids."""
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


def core_has(*names):
    """True when the native core in this build exposes every name (kernels land in turns)."""
    try:
        from kerasette.backend import core
    except ImportError:
        return False
    return all(hasattr(core, n) for n in names)


@pytest.fixture
def fresh_names(keras):
    """Restarts both libraries' name counters so auto-names ("dense_1") line up."""
    from keras.src.utils import naming as keras_naming

    from kerasette.utils import naming

    keras_naming.reset_uids()
    naming.reset_uids()


def pytest_collection_modifyitems(config, items):
    # Tests that take the `keras` fixture compare against real Keras.
    for item in items:
        if "keras" in getattr(item, "fixturenames", ()) and "front" in str(item.fspath):
            item.add_marker(pytest.mark.keras_ref)
