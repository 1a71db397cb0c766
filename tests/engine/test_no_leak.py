"""No leaks (issue 4 point 4): 10,000 predict calls and 200 fit calls on a small model
grow the resident set by under 10 MB."""

import gc

import numpy as np
import pytest

import kerasette
from kerasette import layers

psutil = pytest.importorskip("psutil")


def _rss_mb():
    gc.collect()
    return psutil.Process().memory_info().rss / 2**20


def test_predict_and_fit_do_not_leak():
    m = kerasette.models.Sequential(
        [
            layers.Input((16,)),
            layers.Dense(32, activation="relu"),
            layers.Dropout(0.1),
            layers.Dense(4, activation="softmax"),
        ]
    )
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    r = np.random.default_rng(0)
    x = r.normal(size=(64, 16)).astype("float32")
    y = r.integers(0, 4, 64)
    x1 = x[:1].copy()
    # warm up: plan, workspace, history objects and allocator pools reach steady state
    for _ in range(200):
        m.predict(x1, verbose=0)
    for _ in range(10):
        m.fit(x, y, batch_size=16, epochs=1, verbose=0)
    start = _rss_mb()
    for _ in range(10_000):
        m.predict(x1, verbose=0)
    for _ in range(200):
        m.fit(x, y, batch_size=16, epochs=1, verbose=0)
    grown = _rss_mb() - start
    assert grown < 10.0, f"RSS grew by {grown:.1f} MB"
