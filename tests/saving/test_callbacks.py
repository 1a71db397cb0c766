"""ModelCheckpoint and BackupAndRestore: what they write, when, and that a run
killed at epoch k resumes at k with exactly the state an uninterrupted run has."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import kerasette as ks
from kerasette.callbacks import BackupAndRestore, Callback, ModelCheckpoint


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x @ rng.normal(size=(4, 3))).argmax(axis=1)
    return x, y


def make_model(lib=ks, seed=0):
    lib.utils.set_random_seed(seed)
    L = lib.layers
    m = lib.Sequential(
        [
            L.Input(shape=(4,)),
            L.Dense(16, activation="relu", name="h"),
            L.BatchNormalization(name="bn"),
            L.Dense(8, activation="tanh", name="h2"),
            L.Dense(3, activation="softmax", name="out"),
        ],
        name="net",
    )
    m.compile(
        optimizer=lib.optimizers.Adam(0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return m


def state(model):
    """Every weight and every optimizer variable, as arrays."""
    return [np.array(w) for w in model.get_weights()] + [
        np.array(v.numpy()) for v in model.optimizer.variables
    ]


def assert_same_state(a, b):
    sa, sb = state(a), state(b)
    assert len(sa) == len(sb)
    for x, y in zip(sa, sb):
        np.testing.assert_array_equal(x, y)


class Recorder(Callback):
    """Keeps a copy of the weights at every epoch end."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append([w.copy() for w in self.model.get_weights()])


# ---- ModelCheckpoint ---------------------------------------------------------------


def test_checkpoint_every_epoch_with_formatted_names(tmp_path):
    x, y = data()
    m = make_model()
    rec = Recorder()
    pattern = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.3f}.keras")
    hist = m.fit(
        x,
        y,
        epochs=3,
        batch_size=16,
        validation_split=0.25,
        verbose=0,
        callbacks=[ModelCheckpoint(pattern), rec],
    )
    names = sorted(os.listdir(tmp_path))
    expected = sorted(
        f"ckpt-{e + 1:02d}-{v:.3f}.keras" for e, v in enumerate(hist.history["val_loss"])
    )
    assert names == expected
    for e, name in enumerate(expected):
        loaded = ks.models.load_model(tmp_path / name)
        for a, b in zip(loaded.get_weights(), rec.weights[e], strict=True):
            np.testing.assert_array_equal(a, b)
    assert type(loaded.optimizer).__name__ == "Adam"


@pytest.mark.parametrize(
    "monitor,mode",
    [("val_loss", "auto"), ("val_loss", "min"), ("val_accuracy", "max"), ("loss", "auto")],
)
def test_save_best_only_keeps_the_best_epoch(tmp_path, monitor, mode):
    x, y = data(seed=1)
    m = make_model()
    rec = Recorder()
    path = tmp_path / "best.weights.h5"
    hist = m.fit(
        x,
        y,
        epochs=6,
        batch_size=8,
        validation_split=0.25,
        verbose=0,
        callbacks=[
            ModelCheckpoint(
                path, monitor=monitor, mode=mode, save_best_only=True, save_weights_only=True
            ),
            rec,
        ],
    )
    values = np.array(hist.history[monitor])
    maximize = mode == "max"
    # Keras saves on strict improvement: the first epoch reaching the best value.
    best = int(np.argmax(values) if maximize else np.argmin(values))
    probe = make_model(seed=9)
    probe.load_weights(path)
    for a, b in zip(probe.get_weights(), rec.weights[best], strict=True):
        np.testing.assert_array_equal(a, b)


def test_initial_value_threshold_blocks_worse_models(tmp_path):
    x, y = data()
    path = tmp_path / "m.keras"
    make_model().fit(
        x,
        y,
        epochs=2,
        verbose=0,
        validation_split=0.25,
        callbacks=[ModelCheckpoint(path, save_best_only=True, initial_value_threshold=1e-9)],
    )
    assert not path.exists()


def test_checkpoint_batch_frequency_matches_keras(tmp_path, keras):
    """save_freq=int: the same files, at the same batches, as real Keras writes."""
    x, y = data(n=40)
    names = {}
    for lib in (ks, keras):
        folder = tmp_path / lib.__name__
        folder.mkdir()
        cb = lib.callbacks.ModelCheckpoint(
            str(folder / "e{epoch}-b{batch}.weights.h5"), save_weights_only=True, save_freq=3
        )
        make_model(lib).fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[cb])
        names[lib.__name__] = sorted(os.listdir(folder))
    assert names["kerasette"] == names["keras"]
    assert len(names["kerasette"]) == 5


def test_checkpoint_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint(str(tmp_path / "m.keras"), save_freq="sometimes")
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        ModelCheckpoint(str(tmp_path / "m.keras"), save_weights_only=True)
    with pytest.raises(ValueError, match=r"\.keras"):
        ModelCheckpoint(str(tmp_path / "m.tf"))
    x, y = data()
    with pytest.raises(KeyError, match="Failed to format"):
        make_model().fit(
            x, y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(str(tmp_path / "{nope}.keras"))]
        )


def test_epoch_checkpoint_keeps_the_fast_loop():
    cb = ModelCheckpoint("m.keras")
    assert not ks.callbacks.CallbackList([cb]).needs_batch_hooks("train")
    assert ks.callbacks.CallbackList([ModelCheckpoint("m.keras", save_freq=5)]).needs_batch_hooks(
        "train"
    )


# ---- BackupAndRestore -------------------------------------------------------------


class Interrupt(Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise KeyboardInterrupt(f"interrupted after epoch {epoch}")


class Epochs(Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_begin(self, epoch, logs=None):
        self.seen.append(epoch)


@pytest.mark.parametrize("k", [1, 3])
def test_interrupted_run_resumes_at_epoch_k_with_the_same_state(tmp_path, k):
    x, y = data()
    epochs = 5
    reference = make_model()
    reference.fit(x, y, epochs=epochs, batch_size=16, verbose=0)

    backup = str(tmp_path / "backup")
    first = make_model()
    with pytest.raises(KeyboardInterrupt):
        first.fit(
            x,
            y,
            epochs=epochs,
            batch_size=16,
            verbose=0,
            callbacks=[BackupAndRestore(backup), Interrupt(k)],
        )
    meta = json.loads((tmp_path / "backup" / "training_metadata.json").read_text())
    assert meta["epoch"] == k + 1

    resumed = make_model()  # a fresh process would rebuild the model the same way
    seen = Epochs()
    resumed.fit(
        x, y, epochs=epochs, batch_size=16, verbose=0, callbacks=[BackupAndRestore(backup), seen]
    )
    assert seen.seen == list(range(k + 1, epochs))
    assert_same_state(resumed, reference)
    assert int(resumed.optimizer.variables[0].numpy()) == epochs * 4  # iterations
    assert not os.path.exists(backup)  # delete_checkpoint=True after a finished run


def test_backup_options(tmp_path, h5py):
    x, y = data()
    backup = tmp_path / "b"
    m = make_model()
    m.fit(
        x,
        y,
        epochs=2,
        verbose=0,
        callbacks=[BackupAndRestore(str(backup), delete_checkpoint=False, double_checkpoint=True)],
    )
    assert sorted(os.listdir(backup)) == [
        "latest.weights.h5",
        "latest.weights.h5.bkp",
        "training_metadata.json",
        "training_metadata.json.bkp",
    ]
    # The latest backup is damaged: double_checkpoint falls back to the previous one.
    (backup / "latest.weights.h5").write_bytes(b"garbage")
    seen = Epochs()
    make_model().fit(
        x,
        y,
        epochs=3,
        verbose=0,
        callbacks=[
            BackupAndRestore(str(backup), delete_checkpoint=False, double_checkpoint=True),
            seen,
        ],
    )
    assert seen.seen == [1, 2]
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore(str(backup), save_freq="often")
    with pytest.raises(ValueError, match="backup_dir"):
        BackupAndRestore("")


KILL_TRAINER = textwrap.dedent("""
    import sys, time
    sys.path[:0] = {paths!r}
    from tests.saving.test_callbacks import data, make_model
    from kerasette.callbacks import BackupAndRestore, LambdaCallback
    x, y = data()
    m = make_model()
    slow = LambdaCallback(on_epoch_end=lambda e, logs: time.sleep(0.15))
    m.fit(x, y, epochs={epochs}, batch_size=16, verbose=0,
          callbacks=[BackupAndRestore(sys.argv[1]), slow])
""")


def test_training_killed_with_sigkill_resumes(tmp_path):
    """A training process is killed (-9) mid-run; a new run resumes from the last
    backup and ends with exactly the uninterrupted run's weights and optimizer."""
    epochs = 30
    x, y = data()
    reference = make_model()
    reference.fit(x, y, epochs=epochs, batch_size=16, verbose=0)

    backup = tmp_path / "backup"
    script = tmp_path / "train.py"
    script.write_text(KILL_TRAINER.format(paths=[p for p in sys.path if p], epochs=epochs))
    proc = subprocess.Popen(
        [sys.executable, str(script), str(backup)],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    meta = backup / "training_metadata.json"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if meta.exists() and json.loads(meta.read_text() or "{}").get("epoch", 0) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stopped_at = json.loads(meta.read_text())["epoch"]
    assert 3 <= stopped_at < epochs

    seen = Epochs()
    resumed = make_model()
    resumed.fit(
        x,
        y,
        epochs=epochs,
        batch_size=16,
        verbose=0,
        callbacks=[BackupAndRestore(str(backup)), seen],
    )
    assert seen.seen[0] >= stopped_at and seen.seen[-1] == epochs - 1
    assert_same_state(resumed, reference)


def test_backup_every_n_batches(tmp_path, h5py):
    """save_freq=int backs up inside an epoch and records epoch and batch (Keras's
    metadata); the epoch is also stored inside the weights file, atomically with them."""
    x, y = data()  # 64 rows, batch 16 -> 4 batches per epoch
    backup = tmp_path / "b"
    seen = []

    class Spy(Callback):
        def on_train_batch_end(self, batch, logs=None):
            meta = backup / "training_metadata.json"
            seen.append(json.loads(meta.read_text()) if meta.exists() else None)

    make_model().fit(
        x,
        y,
        epochs=2,
        batch_size=16,
        verbose=0,
        callbacks=[BackupAndRestore(str(backup), save_freq=3, delete_checkpoint=False), Spy()],
    )
    # saves after 3 batches (epoch 0, batch 2) and 6 (epoch 1, batch 1); none at epoch end
    assert seen[2] == {"epoch": 0, "batch": 2}
    assert seen[5] == {"epoch": 1, "batch": 1}
    with h5py.File(backup / "latest.weights.h5") as f:
        assert int(f.attrs["kerasette_backup_epoch"]) == 1  # last save: inside epoch 1
    assert ks.callbacks.CallbackList(
        [BackupAndRestore(str(backup), save_freq=3)]
    ).needs_batch_hooks("train")
