"""kerasette's callbacks against Keras 3's, driven through the same epoch logs."""

import csv
import io

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras_ref

from _fake_loop import FakeModel, run_epochs  # noqa: E402

from kerasette import callbacks as kc  # noqa: E402


def _both(make_ours, make_keras, epoch_logs, lr=0.1, steps=None):
    out = []
    for make, CallbackList in (
        (make_ours, kc.CallbackList),
        (make_keras, keras.callbacks.CallbackList),
    ):
        model = FakeModel(lr)
        cb = make()
        ran = run_epochs(CallbackList([cb], model=model), model, epoch_logs, steps)
        out.append((cb, model, ran))
    return out


def _random_walks(n_cases, n_epochs=15, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(n_cases):
        steps = rng.normal(-0.02, 0.05, size=n_epochs)
        vals = 1.0 + np.cumsum(steps)
        yield [
            {"loss": float(v) * 0.9, "val_loss": float(v), "val_accuracy": float(1 - v / 2)}
            for v in vals
        ]


EARLY_STOPPING_CONFIGS = [
    dict(monitor="val_loss", patience=0),
    dict(monitor="val_loss", patience=2),
    dict(monitor="val_loss", patience=3, min_delta=0.01),
    dict(monitor="val_loss", patience=2, baseline=0.95),
    dict(monitor="val_loss", patience=1, start_from_epoch=4),
    dict(monitor="val_accuracy", patience=2, mode="max"),
    dict(monitor="val_loss", patience=2, restore_best_weights=True),
    dict(monitor="loss", patience=1, mode="min", min_delta=-0.005),
]


@pytest.mark.parametrize("config", EARLY_STOPPING_CONFIGS)
def test_early_stopping_stops_at_the_same_epoch_as_keras(config):
    for seq in _random_walks(12, seed=hash(tuple(sorted(config))) % 1000):
        (ours, om, oran), (ref, rm, rran) = _both(
            lambda: kc.EarlyStopping(**config), lambda: keras.callbacks.EarlyStopping(**config), seq
        )
        assert oran == rran
        assert ours.stopped_epoch == ref.stopped_epoch
        assert ours.wait == ref.wait
        np.testing.assert_array_equal(om.weights_epoch, rm.weights_epoch)
        if config.get("restore_best_weights"):
            assert ours.best_epoch == ref.best_epoch


def test_early_stopping_auto_mode_needs_a_direction():
    model = FakeModel()
    cb = kc.EarlyStopping(monitor="val_mystery")
    with pytest.raises(ValueError, match="mode='max'"):
        run_epochs(kc.CallbackList([cb], model=model), model, [{"val_mystery": 1.0}])
    # accuracy-like names are maximized in auto mode, as Keras does for its metrics
    cb = kc.EarlyStopping(monitor="val_accuracy", patience=1)
    model = FakeModel()
    ran = run_epochs(
        kc.CallbackList([cb], model=model),
        model,
        [{"val_accuracy": a} for a in (0.5, 0.6, 0.7, 0.65, 0.6, 0.9)],
    )
    assert ran == [0, 1, 2, 3]


def test_early_stopping_missing_metric_warns():
    model = FakeModel()
    with pytest.warns(UserWarning, match="not available. Available metrics are: loss"):
        run_epochs(kc.CallbackList([kc.EarlyStopping()], model=model), model, [{"loss": 1.0}])


REDUCE_CONFIGS = [
    dict(patience=2),
    dict(patience=1, factor=0.5, cooldown=2),
    dict(patience=1, factor=0.2, min_lr=0.003),
    dict(monitor="val_accuracy", patience=2, factor=0.5, mode="max"),
    dict(patience=0, min_delta=0.05, factor=0.9),
]


@pytest.mark.parametrize("config", REDUCE_CONFIGS)
def test_reduce_lr_on_plateau_lr_sequence_matches_keras(config):
    for seq in _random_walks(8, n_epochs=25, seed=7):
        lrs = []
        for make, CallbackList in (
            (lambda: kc.ReduceLROnPlateau(**config), kc.CallbackList),
            (lambda: keras.callbacks.ReduceLROnPlateau(**config), keras.callbacks.CallbackList),
        ):
            model, cb, seen = FakeModel(0.1), make(), []
            probe = (
                kc.LambdaCallback
                if CallbackList is kc.CallbackList
                else keras.callbacks.LambdaCallback
            )(
                on_epoch_end=lambda e, logs: seen.append(
                    (model.optimizer.learning_rate, logs["learning_rate"])
                )
            )
            run_epochs(CallbackList([cb, probe], model=model), model, seq)
            lrs.append(seen)
        np.testing.assert_allclose(np.array(lrs[0]), np.array(lrs[1]), rtol=1e-12)
        assert len(set(x for x, _ in lrs[0])) > 1 or config.get("patience", 0) > 1


def test_reduce_lr_rejects_factor_ge_1():
    with pytest.raises(ValueError, match="factor >= 1.0"):
        kc.ReduceLROnPlateau(factor=1.5)


def test_learning_rate_scheduler_matches_keras():
    seq = [{"loss": 1.0}] * 6
    for schedule in (
        lambda epoch, lr: lr * 0.5 if epoch >= 2 else lr,
        lambda epoch: 0.01 * (epoch + 1),
    ):
        (ours, om, _), (ref, rm, _) = _both(
            lambda: kc.LearningRateScheduler(schedule),
            lambda: keras.callbacks.LearningRateScheduler(schedule),
            seq,
        )
        assert om.optimizer.learning_rate == pytest.approx(rm.optimizer.learning_rate)
    model = FakeModel()
    with pytest.raises(ValueError, match="should be a float"):
        run_epochs(
            kc.CallbackList([kc.LearningRateScheduler(lambda e: "x")], model=model), model, seq
        )


def test_history_records_like_keras():
    seq = [{"loss": 1.0 - i / 10, "val_loss": 2.0 - i / 10} for i in range(4)]
    (ours, om, _), (ref, rm, _) = _both(kc.History, keras.callbacks.History, seq)
    assert ours.history == ref.history
    assert ours.epoch == ref.epoch == [0, 1, 2, 3]
    assert om.history is ours


@pytest.mark.parametrize("separator", [",", ";"])
def test_csv_logger_file_matches_keras_byte_for_byte(tmp_path, separator):
    seq = [
        {"loss": 0.5 / (i + 1), "accuracy": np.float32(0.25 * i), "lr": [0.1, 0.2]}
        for i in range(3)
    ]
    files = []
    for name, cls, CallbackList in (
        ("ours", kc.CSVLogger, kc.CallbackList),
        ("keras", keras.callbacks.CSVLogger, keras.callbacks.CallbackList),
    ):
        path = tmp_path / f"{name}.csv"
        model = FakeModel()
        # Keras's CallbackList would flatten list values; drive the callback directly.
        cb = cls(path, separator=separator)
        cb.set_model(model)
        cb.on_train_begin()
        for epoch, logs in enumerate(seq):
            cb.on_epoch_end(epoch, logs)
        cb.on_train_end()
        # second run appends without a second header
        cb2 = cls(path, separator=separator, append=True)
        cb2.set_model(model)
        run_epochs(CallbackList([cb2], model=model), model, [{"loss": 0.1, "val_loss": 0.2}])
        files.append(path.read_bytes())
    assert files[0] == files[1]
    rows = list(csv.reader(io.StringIO(files[0].decode()), delimiter=separator))
    assert rows[0] == ["epoch", "accuracy", "loss", "lr", "val_accuracy", "val_loss", "val_lr"]
    assert rows[1][-1] == "NA"


def test_terminate_on_nan_stops_at_the_bad_batch():
    model = FakeModel()
    batches = []
    cbs = kc.CallbackList(
        [kc.TerminateOnNaN(), kc.LambdaCallback(on_train_batch_end=lambda b, l: batches.append(b))],
        model=model,
    )
    assert cbs.needs_batch_hooks("train")
    ran = run_epochs(cbs, model, [{"loss": 1.0}, {"loss": float("nan")}, {"loss": 1.0}], steps=3)
    assert ran == [0, 1] and model.stop_training
    assert batches == [0, 1, 2, 0]  # stopped right after the first NaN batch of epoch 1
    with pytest.raises(RuntimeError, match="NaN or Inf loss"):
        model = FakeModel()
        run_epochs(
            kc.CallbackList([kc.TerminateOnNaN(raise_error=True)], model=model),
            model,
            [{"loss": float("inf")}],
            steps=1,
        )


def test_logs_are_sorted_python_floats_like_keras():
    seen = {}
    for name, mod in (("ours", kc), ("keras", keras.callbacks)):
        cb = mod.LambdaCallback(on_epoch_end=lambda e, logs, n=name: seen.__setitem__(n, logs))
        mod.CallbackList([cb], model=FakeModel()).on_epoch_end(
            0, {"loss": np.float32(0.5), "accuracy": np.array(0.25), "mae": 1}
        )
    assert seen["ours"] == seen["keras"]
    assert list(seen["ours"]) == ["accuracy", "loss", "mae"]
    assert all(type(v) is float for v in seen["ours"].values())


@pytest.mark.parametrize(
    "name",
    [
        "Callback",
        "CallbackList",
        "History",
        "ProgbarLogger",
        "EarlyStopping",
        "ReduceLROnPlateau",
        "LearningRateScheduler",
        "CSVLogger",
        "TerminateOnNaN",
        "LambdaCallback",
        "TensorBoard",
    ],
)
def test_constructor_signatures_match_keras(name):
    import inspect

    ours = inspect.signature(getattr(kc, name).__init__).parameters
    theirs = inspect.signature(getattr(keras.callbacks, name).__init__).parameters
    assert list(ours) == list(theirs)
    for p in theirs:
        assert ours[p].default == theirs[p].default, p
    hooks = [
        h for h in dir(keras.callbacks.Callback) if h.startswith("on_") or h.startswith("set_")
    ]
    for h in hooks:
        assert list(inspect.signature(getattr(kc.Callback, h)).parameters) == list(
            inspect.signature(getattr(keras.callbacks.Callback, h)).parameters
        ), h
