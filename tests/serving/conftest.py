"""Fixtures for the serving tests (helpers live in serving_helpers.py)."""

import numpy as np
import pytest
from serving_helpers import IN_DIM, Server, make_model, save_model


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One saved model, and a batching server for it with a 1 MiB body limit."""
    tmp = tmp_path_factory.mktemp("served")
    model = make_model(seed=1)
    path = save_model(model, str(tmp / "mlp.keras"))
    server = Server(path, "mlp", "--max-body-bytes", str(1 << 20), log_dir=str(tmp))
    yield model, server
    server.stop()


@pytest.fixture
def xs():
    return np.random.default_rng(0).standard_normal((5, IN_DIM)).astype(np.float32)
