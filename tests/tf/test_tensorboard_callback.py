"""TensorBoard callback: event files read back by an independent reader.

The files are parsed two ways: record by record here (TFRecord framing + the Event
protobuf), and with TensorFlow's own `summary_iterator`.
"""

import glob
import os
import struct

import numpy as np
import pytest

pytest.importorskip("tensorboardX")
from _fake_loop import FakeModel, run_epochs  # noqa: E402
from tensorboardX.proto import event_pb2  # noqa: E402

from kerasette import callbacks as kc  # noqa: E402


class _Weight:
    def __init__(self, path, value):
        self.path, self.name, self.value = path, path.split("/")[-1], value

    def __array__(self, dtype=None, copy=None):
        return self.value if dtype is None else self.value.astype(dtype)


class _Layer:
    def __init__(self, name, weights):
        self.name, self.weights = name, weights


def read_records(path):
    """TFRecord framing: u64 length, u32 crc, payload, u32 crc."""
    events = []
    with open(path, "rb") as f:
        while header := f.read(12):
            (length,) = struct.unpack("<Q", header[:8])
            payload = f.read(length)
            f.read(4)
            ev = event_pb2.Event()
            ev.ParseFromString(payload)
            events.append(ev)
    return events


def scalars(run_dir):
    out = {}
    for path in glob.glob(os.path.join(run_dir, "events.out.tfevents.*")):
        for ev in read_records(path):
            for v in ev.summary.value:
                if v.HasField("simple_value"):
                    out.setdefault(v.tag, []).append((ev.step, v.simple_value))
    return out


def test_epoch_scalars_and_histograms(tmp_path):
    model = FakeModel(learning_rate=0.05)
    kernel = np.arange(12, dtype=np.float32).reshape(3, 4)
    model.layers = [
        _Layer(
            "dense",
            [_Weight("dense/kernel", kernel), _Weight("dense/bias", np.zeros(4, np.float32))],
        )
    ]
    tb = kc.TensorBoard(log_dir=tmp_path, histogram_freq=2)
    cbs = kc.CallbackList([tb], model=model)
    assert not cbs.needs_batch_hooks("train")  # epoch logging keeps the C++ epoch loop
    seq = [
        {
            "loss": 1.0 / (e + 1),
            "accuracy": 0.1 * e,
            "val_loss": 2.0 / (e + 1),
            "val_accuracy": 0.05 * e,
        }
        for e in range(3)
    ]
    run_epochs(cbs, model, seq)

    train = scalars(tmp_path / "train")
    val = scalars(tmp_path / "validation")
    assert sorted(train) == ["epoch_accuracy", "epoch_learning_rate", "epoch_loss"]
    assert sorted(val) == ["epoch_accuracy", "epoch_loss"]
    np.testing.assert_allclose([v for _, v in train["epoch_loss"]], [1, 1 / 2, 1 / 3], rtol=1e-6)
    assert [s for s, _ in train["epoch_loss"]] == [0, 1, 2]
    np.testing.assert_allclose([v for _, v in val["epoch_loss"]], [2, 1, 2 / 3], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in train["epoch_learning_rate"]], [0.05] * 3)

    hists = {}
    for path in glob.glob(str(tmp_path / "train" / "events.out.tfevents.*")):
        for ev in read_records(path):
            for v in ev.summary.value:
                if v.HasField("histo"):
                    hists.setdefault(v.tag, []).append((ev.step, v.histo))
    assert sorted(hists) == ["dense/bias/histogram", "dense/kernel/histogram"]
    steps, h = zip(*hists["dense/kernel/histogram"])
    assert steps == (0, 2)  # every histogram_freq epochs
    assert (h[0].min, h[0].max, h[0].num, h[0].sum) == (0.0, 11.0, 12, float(kernel.sum()))

    # TensorFlow's own reader agrees on the scalars.
    tf = pytest.importorskip("tensorflow")
    tf_scalars = {}
    for path in glob.glob(str(tmp_path / "validation" / "events.out.tfevents.*")):
        for ev in tf.compat.v1.train.summary_iterator(path):
            for v in ev.summary.value:
                tf_scalars.setdefault(v.tag, []).append(v.simple_value)
    np.testing.assert_allclose(tf_scalars["epoch_accuracy"], [0.0, 0.05, 0.1], rtol=1e-6)


def test_batch_level_logging(tmp_path):
    model = FakeModel()
    tb = kc.TensorBoard(log_dir=tmp_path, update_freq=2)
    cbs = kc.CallbackList([tb], model=model)
    assert cbs.needs_batch_hooks("train")
    run_epochs(cbs, model, [{"loss": 0.5}, {"loss": 0.25}], steps=3)
    train = scalars(tmp_path / "train")
    assert [s for s, _ in train["batch_loss"]] == [2, 4, 6]  # global batch index


def test_bad_arguments():
    with pytest.raises(ValueError, match="update_freq"):
        kc.TensorBoard(update_freq="sometimes")
    with pytest.raises(ValueError, match="profile_batch"):
        kc.TensorBoard(profile_batch=3)


def test_weight_images(tmp_path):
    model = FakeModel()
    kernel = np.linspace(-1, 2, 12, dtype=np.float32).reshape(4, 3)  # tall: shown transposed
    model.layers = [
        _Layer(
            "dense",
            [_Weight("dense/kernel", kernel), _Weight("dense/bias", np.full(3, 0.5, np.float32))],
        )
    ]
    run_epochs(
        kc.CallbackList(
            [kc.TensorBoard(tmp_path, histogram_freq=1, write_images=True)], model=model
        ),
        model,
        [{"loss": 1.0}],
    )
    images = {}
    for path in glob.glob(str(tmp_path / "train" / "events.out.tfevents.*")):
        for ev in read_records(path):
            for v in ev.summary.value:
                if v.HasField("image"):
                    images[v.tag] = v.image
    assert sorted(images) == ["dense/bias/image", "dense/kernel/image"]
    assert (images["dense/kernel/image"].height, images["dense/kernel/image"].width) == (3, 4)
    assert (images["dense/bias/image"].height, images["dense/bias/image"].width) == (1, 3)
    tf = pytest.importorskip("tensorflow")
    png = tf.io.decode_png(images["dense/kernel/image"].encoded_image_string).numpy()
    expected = np.round(np.clip(kernel.T, 0, 1) * 255)
    np.testing.assert_allclose(png[:, :, 0], expected, atol=1)
