"""Callbacks driven by the real engine: stopping, learning rates, files, hooks, fast path."""

import csv
import re
import time

import numpy as np
import pytest

import kerasette as ks
from kerasette import callbacks as kc


def make_model(lr=0.01, seed=0):
    ks.utils.set_random_seed(seed)
    model = ks.Sequential([ks.layers.Dense(8, activation="relu"), ks.layers.Dense(1)])
    model.compile(optimizer=ks.optimizers.SGD(learning_rate=lr), loss="mse", metrics=["mae"])
    return model


def data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x @ np.array([1.0, -2.0, 0.5, 0.0], np.float32))[:, None]


class Recorder(kc.Callback):
    """Records every hook call (overrides batch hooks: the per-batch loop)."""

    def __init__(self):
        super().__init__()
        self.calls = []


def _recording(name):
    def hook(self, *args, **kwargs):
        self.calls.append((name, args[0] if args and not isinstance(args[0], dict) else None))

    return hook


for _name in [n for n in dir(kc.Callback) if n.startswith("on_")]:
    setattr(Recorder, _name, _recording(_name))


class EpochOnly(kc.Callback):
    def __init__(self):
        super().__init__()
        self.epochs, self.params_seen = [], None

    def on_train_begin(self, logs=None):
        self.params_seen = dict(self.params)

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append((epoch, sorted(logs)))


def test_hook_order_matches_keras_loop():
    x, y = data(64)
    rec = Recorder()
    model = make_model()
    model.fit(
        x, y, batch_size=32, epochs=2, validation_data=(x[:32], y[:32]), callbacks=[rec], verbose=0
    )
    names = [c for c, _ in rec.calls if c not in ("on_batch_begin", "on_batch_end")]
    expected = ["on_train_begin"]
    for e in range(2):
        expected += ["on_epoch_begin"] + ["on_train_batch_begin", "on_train_batch_end"] * 2
        expected += [
            "on_test_begin",
            "on_test_batch_begin",
            "on_test_batch_end",
            "on_test_end",
            "on_epoch_end",
        ]
    expected += ["on_train_end"]
    assert names == expected
    assert [a for c, a in rec.calls if c == "on_train_batch_end"] == [0, 1, 0, 1]


def test_epoch_only_callbacks_keep_the_whole_epoch_path():
    x, y = data()
    cb = EpochOnly()
    cbs = kc.CallbackList(
        [
            cb,
            kc.EarlyStopping(monitor="loss"),
            kc.CSVLogger("/dev/null"),
            kc.LearningRateScheduler(lambda e, lr: lr),
            kc.ReduceLROnPlateau(monitor="loss"),
            kc.TensorBoard(log_dir="/tmp/unused"),
            kc.LambdaCallback(on_epoch_end=lambda e, l: None),
        ],
        add_progbar=True,
    )
    assert not cbs.needs_batch_hooks("train")
    assert not cbs.needs_batch_hooks("test") and not cbs.needs_batch_hooks("predict")
    model = make_model()
    model.fit(x, y, epochs=3, callbacks=[cb], verbose=0)
    assert cb.epochs == [(e, ["loss", "mae"]) for e in range(3)]
    assert cb.params_seen == {"verbose": 0, "epochs": 3, "steps": 8}


def test_time_based_stop_callback():
    class StopAfter(kc.Callback):
        """Stops training `seconds` after on_train_begin (checked after each batch)."""

        def __init__(self, seconds):
            super().__init__()
            self.seconds = seconds

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if time.perf_counter() - self.start > self.seconds:
                self.model.stop_training = True

    class SlowBatches(kc.Callback):
        def on_train_batch_end(self, batch, logs=None):
            time.sleep(0.01)

    x, y = data(320)
    model = make_model()
    t = time.perf_counter()
    history = model.fit(
        x, y, batch_size=32, epochs=100, callbacks=[SlowBatches(), StopAfter(0.25)], verbose=0
    )
    elapsed = time.perf_counter() - t
    assert elapsed < 1.5
    assert 1 <= len(history.epoch) < 100


def test_epoch_level_time_stop_keeps_the_fast_path():
    class StopAfterEpochs(kc.Callback):
        """Stops at the first epoch end after `seconds` (no batch hooks: C++ epochs)."""

        def __init__(self, seconds):
            super().__init__()
            self.seconds = seconds

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            if time.perf_counter() - self.start > self.seconds:
                self.model.stop_training = True

    stop = StopAfterEpochs(0.0)
    assert not kc.CallbackList([stop]).needs_batch_hooks("train")
    x, y = data()
    history = make_model().fit(x, y, epochs=50, callbacks=[stop], verbose=0)
    assert history.epoch == [0]


def test_early_stopping_restores_best_weights_in_fit():
    x, y = data()
    model = make_model(lr=0.05)
    best = {}

    class Snap(kc.Callback):
        def on_epoch_end(self, epoch, logs=None):
            best[epoch] = (logs["val_loss"], [w.copy() for w in self.model.get_weights()])

    # validation on shifted targets: val_loss gets worse while training goes on
    es = kc.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    model.fit(
        x, y, epochs=50, validation_data=(x[:64], y[:64] + 3.0), callbacks=[Snap(), es], verbose=0
    )
    assert es.stopped_epoch > 0 and len(best) == es.stopped_epoch + 1
    best_epoch = min(best, key=lambda e: best[e][0])
    assert es.best_epoch == best_epoch
    for w, b in zip(model.get_weights(), best[best_epoch][1], strict=True):
        np.testing.assert_array_equal(w, b)


def test_learning_rate_scheduler_drives_the_optimizer():
    x, y = data()
    model = make_model(lr=0.05)
    before = model.get_weights() if model.built else None
    seen = []
    sched = kc.LearningRateScheduler(lambda epoch, lr: 0.0 if epoch >= 1 else lr)
    probe = kc.LambdaCallback(
        on_epoch_end=lambda e, logs: seen.append(
            (logs["learning_rate"], [w.copy() for w in model.get_weights()])
        )
    )
    h = model.fit(x, y, epochs=3, callbacks=[sched, probe], verbose=0)
    assert before is None
    assert [lr for lr, _ in seen] == pytest.approx([0.05, 0.0, 0.0])
    assert h.history["learning_rate"] == pytest.approx([0.05, 0.0, 0.0])
    for a, b in zip(seen[1][1], seen[2][1]):
        np.testing.assert_array_equal(a, b)  # lr 0: the engine made no update
    assert float(np.asarray(model.optimizer.learning_rate)) == 0.0


def test_reduce_lr_on_plateau_in_fit():
    x, y = data()
    model = make_model(lr=0.05)
    cb = kc.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, min_delta=10.0)
    h = model.fit(x, y, epochs=4, validation_data=(x[:64], y[:64]), callbacks=[cb], verbose=0)
    # min_delta so large that no epoch counts as an improvement after the first; the
    # logged rate is the one the epoch trained with (read before reducing, as in Keras)
    assert h.history["learning_rate"] == pytest.approx([0.05, 0.05, 0.025, 0.0125])
    assert float(np.asarray(model.optimizer.learning_rate)) == pytest.approx(0.00625)


def test_csv_logger_in_fit(tmp_path):
    x, y = data()
    path = tmp_path / "log.csv"
    model = make_model()
    model.fit(x, y, epochs=2, callbacks=[kc.CSVLogger(path)], verbose=0)
    model.fit(x, y, epochs=1, callbacks=[kc.CSVLogger(path, append=True)], verbose=0)
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "0"]
    assert rows[1][3:] == ["NA", "NA"]
    assert float(rows[3][1]) == pytest.approx(model.history.history["loss"][0])


def test_terminate_on_nan_in_fit():
    x, y = data()
    model = make_model(lr=1e6)  # diverges to inf/nan within a few batches
    h = model.fit(
        x * 100, y * 100, batch_size=8, epochs=5, callbacks=[kc.TerminateOnNaN()], verbose=0
    )
    assert len(h.epoch) == 1 and model.stop_training
    assert not np.isfinite(h.history["loss"][0])


def test_tensorboard_in_fit_writes_weight_histograms(tmp_path):
    x, y = data()
    model = make_model()
    model.fit(
        x,
        y,
        epochs=2,
        validation_data=(x[:32], y[:32]),
        verbose=0,
        callbacks=[kc.TensorBoard(tmp_path, histogram_freq=1)],
    )
    import glob

    from test_tensorboard_callback import read_records, scalars

    tags = set()
    for p in glob.glob(str(tmp_path / "train" / "events.out.tfevents.*")):
        for ev in read_records(p):
            tags |= {v.tag for v in ev.summary.value if v.HasField("histo")}
    names = {w.path for w in model.weights}
    assert tags == {f"{n}/histogram" for n in names}
    assert [s for s, _ in scalars(tmp_path / "validation")["epoch_loss"]] == [0, 1]
    np.testing.assert_allclose(
        [v for _, v in scalars(tmp_path / "train")["epoch_loss"]],
        model.history.history["loss"],
        rtol=1e-6,
    )


def test_progbar_verbose_2_prints_keras_lines(capsys):
    x, y = data(64)
    model = make_model()
    model.fit(x, y, batch_size=32, epochs=2, verbose=2)
    out = capsys.readouterr().out
    lines = [l for l in out.splitlines() if l.strip()]
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    pattern = r"^2/2 - \d+s - \d+(us|ms|s)/step - loss: \d+\.\d{4} - mae: \d+\.\d{4}$"
    assert re.match(pattern, lines[1]) and re.match(pattern, lines[3]), lines


def test_lambda_callback_batch_hook_is_called_every_batch():
    x, y = data(96)
    seen = []
    model = make_model()
    model.fit(
        x,
        y,
        batch_size=32,
        epochs=2,
        verbose=0,
        callbacks=[kc.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))],
    )
    assert seen == [0, 1, 2, 0, 1, 2]
