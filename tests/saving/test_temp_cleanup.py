"""Temporary files of killed saves: a real SIGKILL of a child process blocked inside
the write leaves ``.NAME.xxxxxxxx.tmp``; the next save of the same target removes
it, never a live writer's temp file, and a crash-looping saver leaves at most one."""

import importlib
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import kerasette as ks

# The module (kerasette.saving.atomic_write is also the name of its function).
aw = importlib.import_module("kerasette.saving.atomic_write")

h5py = pytest.importorskip("h5py")

# A compiled model saved before any training: on loading it, kerasette warns that the
# optimizer state is skipped, as Keras does.
pytestmark = pytest.mark.filterwarnings("ignore:Skipping the (saved )?optimizer state:UserWarning")

# The child builds a model, arms a hook that blocks inside the file write (after
# the temp file has been created and partly written), and saves.
CHILD = textwrap.dedent("""
    import sys, time, zipfile
    import numpy as np
    import h5py
    import kerasette as ks
    mode, path = sys.argv[1], sys.argv[2]

    def block(*_):
        print("blocked", flush=True)
        time.sleep(3600)

    real_writestr = zipfile.ZipFile.writestr
    def writestr(self, name, data, *a, **k):
        if name == "model.weights.h5":  # metadata and config are in the temp zip
            block()
        return real_writestr(self, name, data, *a, **k)
    real_create = h5py.Group.create_dataset
    def create_dataset(self, *a, **k):
        out = real_create(self, *a, **k)
        if isinstance(self.file.filename, str) and self.file.filename.endswith(".tmp"):
            block()  # one dataset is in the temp file
        return out
    if path.endswith(".keras"):
        zipfile.ZipFile.writestr = writestr
    else:
        h5py.Group.create_dataset = create_dataset

    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(8), ks.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    if mode == "save":
        model.save(path)
    elif mode == "save_h5":
        model.save(path)
    elif mode == "save_weights":
        model.save_weights(path)
    elif mode == "checkpoint":
        cb = ks.callbacks.ModelCheckpoint(path)
        model.fit(np.zeros((8, 4), "float32"), np.zeros((8, 2), "float32"), epochs=1,
                  verbose=0, callbacks=[cb])
    print("finished", flush=True)
""")

MODES = {
    "save": "m.keras",
    "save_h5": "m.h5",
    "save_weights": "m.weights.h5",
    "checkpoint": "ckpt.keras",
}


def _start_blocked(mode, path):
    """A child process blocked inside its save of ``path``."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    try:
        line = proc.stdout.readline().strip()
    finally:
        watchdog.cancel()
    assert line == b"blocked", (
        proc.stderr.read().decode()[-3000:] if proc.poll() is not None else line
    )
    return proc


def _kill(proc):
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def _temps(path):
    pattern = re.compile(r"\." + re.escape(path.name) + r"\.[a-z0-9_]{8}\.tmp\Z")
    return sorted(f for f in os.listdir(path.parent) if pattern.match(f))


def _model():
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(8), ks.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model


def _save(mode, path):
    """The same kind of save, in this process (not blocked)."""
    model = _model()
    if mode == "save":
        model.save(path)
    elif mode == "save_h5":
        with pytest.warns(UserWarning):
            model.save(path)
    elif mode == "save_weights":
        model.save_weights(path)
    else:
        model.fit(
            np.zeros((8, 4), "float32"),
            np.zeros((8, 2), "float32"),
            epochs=1,
            verbose=0,
            callbacks=[ks.callbacks.ModelCheckpoint(path)],
        )
    return model


def _check_loads(mode, path):
    if mode == "save_weights":
        _model().load_weights(path)
    else:
        ks.models.load_model(path)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_next_save_removes_the_orphan_of_a_killed_save(tmp_path, mode):
    path = tmp_path / MODES[mode]
    _save(mode, path)  # an existing, good file
    proc = _start_blocked(mode, path)
    assert len(_temps(path)) == 1  # the child's, half written
    _kill(proc)
    orphans = _temps(path)
    assert len(orphans) == 1
    (tmp_path / "unrelated.keras").write_bytes(b"x")
    (tmp_path / ".other.keras.abcdefgh.tmp").write_bytes(b"x")  # another target's
    _check_loads(mode, path)  # the kill never hurt the target
    _save(mode, path)
    assert _temps(path) == [], f"orphan {orphans} survived the next save"
    assert (tmp_path / ".other.keras.abcdefgh.tmp").exists()
    assert (tmp_path / "unrelated.keras").exists()
    _check_loads(mode, path)


def test_a_live_concurrent_writer_keeps_its_temp_file(tmp_path):
    path = tmp_path / "m.keras"
    proc = _start_blocked("save", path)
    try:
        live = _temps(path)
        assert len(live) == 1
        for _ in range(3):
            _save("save", path)  # while the other writer is mid-save
            assert _temps(path) == live
            assert os.path.getsize(tmp_path / live[0]) > 0
        ks.models.load_model(path)
    finally:
        _kill(proc)
    _save("save", path)  # its writer is gone now: an orphan
    assert _temps(path) == []


def test_a_crash_looping_saver_leaves_at_most_one_orphan(tmp_path):
    """Each restart's save clears the previous run's temp file before writing its
    own: the count stays at one instead of growing with every crash."""
    path = tmp_path / "loop.weights.h5"
    for _ in range(5):
        proc = _start_blocked("save_weights", path)
        assert len(_temps(path)) == 1  # only the live one: the last orphan is gone
        _kill(proc)
        assert len(_temps(path)) == 1


def test_without_folder_locks_only_old_orphans_are_removed(tmp_path, monkeypatch):
    """Where a folder cannot be locked (Windows, some network file systems) a temp
    file may belong to a live writer elsewhere: only stale ones are removed."""
    monkeypatch.setattr(aw, "fcntl", None)
    path = tmp_path / "m.keras"
    old = tmp_path / ".m.keras.aaaaaaaa.tmp"
    fresh = tmp_path / ".m.keras.bbbbbbbb.tmp"
    old.write_bytes(b"x" * 100)
    fresh.write_bytes(b"x" * 100)
    long_ago = time.time() - aw.STALE_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    _save("save", path)
    assert not old.exists()
    assert fresh.exists()
    ks.models.load_model(path)
