"""Nothing lost: a save that fails half way, or a process killed while saving, leaves
the previous file whole and loadable, and leaves no temporary files behind."""

import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pytest

import kerasette as ks
from kerasette.saving import atomic_write
from tests.saving import models


def test_atomic_write_replaces_only_on_success(tmp_path):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as tmp:
            with open(tmp, "wb") as f:
                f.write(b"half")
            raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.bin"]
    with atomic_write(target) as tmp:
        with open(tmp, "wb") as f:
            f.write(b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["f.bin"]
    assert (os.stat(target).st_mode & 0o777) != 0o600 or os.umask(0o022) == 0o177


def test_writer_failing_half_way_keeps_previous_model(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    first = models.randomize(models.mlp(ks), seed=1)
    first.save(path)
    before = path.read_bytes()

    # Fail after metadata.json and config.json are in the new zip, before the weights.
    real_writestr = zipfile.ZipFile.writestr

    def failing_writestr(self, name, data, *a, **k):
        if name == "model.weights.h5":
            raise OSError("simulated crash while writing the weights")
        return real_writestr(self, name, data, *a, **k)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing_writestr)
    second = models.randomize(models.mlp(ks), seed=2)
    with pytest.raises(OSError, match="simulated"):
        second.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.keras"]
    loaded = ks.models.load_model(path)
    for a, b in zip(loaded.get_weights(), first.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_weights_writer_failing_half_way_keeps_previous_weights(tmp_path, monkeypatch, h5py):
    path = tmp_path / "w.weights.h5"
    first = models.randomize(models.mlp(ks), seed=1)
    first.save_weights(path)
    before = path.read_bytes()
    real = h5py.Group.create_dataset
    calls = {"n": 0}

    def failing(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 3:  # after some datasets are written
            raise OSError("simulated crash in the HDF5 writer")
        return real(self, *a, **k)

    monkeypatch.setattr(h5py.Group, "create_dataset", failing)
    with pytest.raises(OSError, match="simulated"):
        models.randomize(models.mlp(ks), seed=2).save_weights(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["w.weights.h5"]


KILL_SCRIPT = textwrap.dedent("""
    import sys, numpy as np
    sys.path[:0] = {paths!r}
    import kerasette as ks
    from kerasette import layers as L
    model = ks.Sequential([L.Input(shape=(2048,)), L.Dense(2048), L.Dense(2048),
                           L.Dense(10)], name="big")
    i = 0
    print("ready", flush=True)
    while True:
        i += 1
        model.set_weights([np.full(w.shape, i, w.dtype) for w in model.get_weights()])
        model.save(sys.argv[1])
""")


def test_sigkill_during_save_leaves_a_whole_file(tmp_path):
    """A subprocess saves a 50 MB model in a loop; kill -9 it at random moments:
    the file on disk always loads, with every weight from one single save."""
    path = tmp_path / "big.keras"
    script = tmp_path / "saver.py"
    script.write_text(KILL_SCRIPT.format(paths=[p for p in sys.path if p]))
    rng = np.random.default_rng(0)
    for attempt in range(3):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert proc.stdout.readline().strip() == b"ready"
        deadline = time.time() + 60
        while not path.exists() and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(float(rng.uniform(0.2, 1.5)))  # somewhere inside a later save
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        model = ks.models.load_model(path)
        stamps = {float(np.unique(w)[0]) for w in model.get_weights()}
        assert all(len(np.unique(w)) == 1 for w in model.get_weights())
        assert len(stamps) == 1, f"weights from different saves: {stamps}"
    leftovers = [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
    # A killed writer cannot clean up its temp file; it never replaces the model.
    assert all(f.startswith(".big.keras.") for f in leftovers)
