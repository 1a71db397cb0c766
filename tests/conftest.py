import os
import sys

import numpy as np
import pytest

# Keep TensorFlow (the reference) quiet and on the CPU.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


@pytest.fixture
def rng():
    return np.random.default_rng(0)
