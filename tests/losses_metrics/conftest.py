"""Fixtures for the loss/metric tests: real Keras (TF backend) is the reference."""

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def keras():
    return pytest.importorskip("keras")


@pytest.fixture(scope="session")
def data():
    from _lm_data import make_data

    return make_data()
