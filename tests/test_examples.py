"""The seed example of issue 3, verbatim but for the import, and the README's main job."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_seed_example_runs_unchanged_and_returns_what_keras_returns():
    rng = np.random.default_rng(0)
    x_train = rng.standard_normal((256, 100)).astype("float32")
    y_train = np.eye(10, dtype="float32")[rng.integers(0, 10, 256)]
    x_test = rng.standard_normal((64, 100)).astype("float32")
    y_test = np.eye(10, dtype="float32")[rng.integers(0, 10, 64)]

    from kerasette.layers import Dense
    from kerasette.models import Sequential

    model = Sequential()
    model.add(Dense(units=64, activation="relu", input_dim=100))
    model.add(Dense(units=10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5, batch_size=32, verbose=0)
    loss_and_metrics = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    classes = model.predict(x_test, batch_size=128, verbose=0)

    # Keras returns [loss, accuracy] as Python floats and softmax rows.
    assert isinstance(loss_and_metrics, list) and len(loss_and_metrics) == 2
    assert all(isinstance(v, float) for v in loss_and_metrics)
    assert classes.shape == (64, 10) and classes.dtype == np.float32
    np.testing.assert_allclose(classes.sum(axis=1), 1.0, rtol=1e-5)
    # evaluate's loss is the categorical cross-entropy of predict's output.
    ce = -np.mean(np.sum(y_test * np.log(np.clip(classes, 1e-7, 1.0)), axis=1))
    assert loss_and_metrics[0] == pytest.approx(ce, rel=1e-4)
    acc = np.mean(classes.argmax(1) == y_test.argmax(1))
    assert loss_and_metrics[1] == pytest.approx(acc, abs=1e-6)


@pytest.mark.slow
def test_readme_main_job_reaches_095_on_digits():
    env = dict(os.environ)
    p = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "train_digits.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    m = re.search(r"test accuracy ([0-9.]+)", p.stdout)
    assert m, p.stdout[-2000:]
    assert float(m.group(1)) >= 0.95
    assert "Epoch 30/30" in p.stdout and "━" in p.stdout  # Keras's progress bar was shown
