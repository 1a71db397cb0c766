"""Optimizer tests: real Keras (TensorFlow backend) is the reference."""

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def keras():
    return pytest.importorskip("keras")
