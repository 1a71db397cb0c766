"""Issue 14 item 6, the drop-in proof: public Keras scripts, transcribed call for call in
tests/dropin/scripts/ (each names its source; only the import line is changed, to
`import kerasette as keras`), run in a fresh process on local data of the same shape
that this test writes where the script's unchanged data loader looks for it. Each must
run to the end and reach a held-out accuracy that shows it learned (the data is
learnable; chance is 10% for the digits, 50% for the reviews)."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from . import _local_data

pytestmark = pytest.mark.slow  # whole scripts: a minute or more each

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run_script(name, cwd, keras_home, epochs=2, timeout=600, path=None, **extra_env):
    env = dict(
        os.environ,
        KERAS_HOME=str(keras_home),
        DROPIN_EPOCHS=str(epochs),
        **extra_env,
        PYTHONPATH=os.pathsep.join(
            [os.path.join(ROOT, "python")]
            + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        ),
    )
    r = subprocess.run(
        [sys.executable, path or os.path.join(HERE, "scripts", name)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert r.returncode == 0, f"{name} stopped:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r.stdout


def accuracy(out, label="Test accuracy:"):
    m = re.findall(re.escape(label) + r"\s*([0-9.]+)", out)
    assert m, f"no '{label}' line in the output:\n{out[-2000:]}"
    return float(m[-1])


def test_mnist_convnet(tmp_path):
    _local_data.mnist_npz(tmp_path / "datasets")
    out = run_script("mnist_convnet.py", tmp_path, tmp_path, epochs=3)
    assert "x_train shape: (3000, 28, 28, 1)" in out
    assert accuracy(out) > 0.8


def test_imdb_lstm(tmp_path):
    _local_data.imdb_npz(tmp_path / "datasets")
    out = run_script("imdb_lstm.py", tmp_path, tmp_path, epochs=2)
    assert "x_train shape: (1500, 80)" in out
    assert accuracy(out) > 0.75


def test_imbalanced_data(tmp_path):
    pytest.importorskip("tensorflow")
    pytest.importorskip("pandas")
    csv = tmp_path / "creditcard.csv"
    _local_data.creditcard_csv(csv)
    out = run_script("imbalanced_data.py", tmp_path, tmp_path, epochs=5, DROPIN_CSV=str(csv))
    assert "Positive: " in out and "Total Fraudulent Transactions:" in out
    # Keras 3's metrics_names is ["loss", "compile_metrics"], so the notebook's loops
    # print those two: baseline, class-weighted and resampled test results
    losses = [float(v) for v in re.findall(r"^loss :\s+([0-9.e-]+)", out, re.M)]
    assert len(losses) == 3 and all(np.isfinite(losses))
    assert len(re.findall(r"^compile_metrics :", out, re.M)) == 3
    assert losses[0] < 0.1  # well below the zero-bias start (log 2)


def _aclimdb_archive(tmp_path):
    import tarfile

    _local_data.aclimdb_tree(tmp_path / "src", n_train=2000, n_test=400)
    archive = tmp_path / "aclImdb_v1.tar.gz"
    with tarfile.open(archive, "w:gz") as t:
        t.add(tmp_path / "src" / "aclImdb", arcname="aclImdb")
    (tmp_path / "run").mkdir()
    return archive.as_uri()


def test_text_classification(tmp_path):
    """The notebook as written: its `text_batch.numpy()[i]` loop prints the first
    batch's reviews and labels as TensorFlow does (text as bytes)."""
    pytest.importorskip("tensorflow")
    url = _aclimdb_archive(tmp_path)
    out = run_script(
        "text_classification.py", tmp_path / "run", tmp_path, epochs=10, DROPIN_URL=url
    )
    assert "Review b'" in out
    assert re.search(r"^Label [01]$", out, re.M)
    assert accuracy(out) > 0.8


def test_text_classification_but_its_numpy_calls(tmp_path):
    """The same notebook with its `.numpy()` calls removed (the one gap above): every
    other call, tf.strings standardization inside TextVectorization, tf.data-style
    map/cache/prefetch on kerasette's datasets, the export model on raw strings, runs."""
    pytest.importorskip("tensorflow")
    url = _aclimdb_archive(tmp_path)
    with open(os.path.join(HERE, "scripts", "text_classification.py")) as f:
        text = f.read()
    assert text.count(".numpy()") == 2
    variant = tmp_path / "text_classification_without_numpy_calls.py"
    variant.write_text(text.replace(".numpy()", ""))
    out = run_script(None, tmp_path / "run", tmp_path, epochs=10, path=str(variant), DROPIN_URL=url)
    assert "Found 2000 files belonging to 2 classes." in out
    assert accuracy(out) > 0.8
