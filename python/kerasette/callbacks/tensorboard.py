"""`TensorBoard`: write event files TensorBoard reads (needs the "tensorboard" extra).

Events are written with tensorboardX, imported only when a writer is first needed, so
`kerasette.callbacks` works without it.
"""

import os
import time

import numpy as np

from kerasette.callbacks.callback import Callback

__all__ = ["TensorBoard"]


class TensorBoard(Callback):
    """Enable visualizations for TensorBoard, laid out as Keras lays them out.

    - Per epoch, under `log_dir/train`: scalars `epoch_<metric>` (and
      `epoch_learning_rate`, and `epoch_steps_per_second` on request) at step `epoch`;
      under `log_dir/validation`: the `val_` metrics without the prefix.
    - With `histogram_freq=n > 0`, every n-th epoch: a histogram of every weight under
      `<weight path>/histogram` (e.g. `dense/kernel/histogram`) in `train`.
    - With `update_freq="batch"` or an integer n: `batch_<metric>` every n training
      batches at the global batch step (this needs the per-batch loop).
    - After each evaluation: `evaluation_<metric>_vs_iterations` in `validation`.

    Args:
        log_dir: directory for the event files. Defaults to `"logs"`.
        histogram_freq: epochs between weight histograms; 0 disables. Defaults to `0`.
        write_graph: accepted for compatibility; kerasette has no graph to write.
        write_images: also log weights as images (`<weight path>/image`) when
            histograms are written, as Keras does. Defaults to `False`.
        write_steps_per_second: also log training steps per second. Defaults to `False`.
        update_freq: `"epoch"`, `"batch"` or an integer. Defaults to `"epoch"`.
        profile_batch: not supported (must be 0).
        embeddings_freq: not supported (must be 0).
        embeddings_metadata: not supported (must be None).
    """

    def __init__(
        self,
        log_dir="logs",
        histogram_freq=0,
        write_graph=True,
        write_images=False,
        write_steps_per_second=False,
        update_freq="epoch",
        profile_batch=0,
        embeddings_freq=0,
        embeddings_metadata=None,
    ):
        super().__init__()
        unsupported = {
            "profile_batch": (profile_batch, 0),
            "embeddings_freq": (embeddings_freq, 0),
            "embeddings_metadata": (embeddings_metadata, None),
        }
        for name, (value, default) in unsupported.items():
            if value is not None and value != default:
                raise ValueError(
                    f"TensorBoard({name}=...) is not supported by kerasette; "
                    f"expected {name}={default!r}, received {name}={value!r}"
                )
        if not (
            update_freq in ("epoch", "batch") or (isinstance(update_freq, int) and update_freq > 0)
        ):
            raise ValueError(
                'update_freq must be "epoch", "batch" or a positive integer; '
                f"received: update_freq={update_freq!r}"
            )
        if not isinstance(histogram_freq, int) or histogram_freq < 0:
            raise ValueError(
                "histogram_freq must be a non-negative integer; received: "
                f"histogram_freq={histogram_freq!r}"
            )
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._writers = {}
        self._global_train_batch = 0
        self._epoch_start_time = 0.0
        self._epoch_start_iterations = 0
        self._batch_start_time = 0.0

    # --- the engine's question: per-batch logging only when asked for -------------------

    def needs_batch_hooks(self, mode):
        """Whether the callback must see every batch of `mode` (`"train"`, `"test"` or
        `"predict"`); when no callback does, the engine runs the whole epoch in C++.

        Args:
            mode: The loop.

        Returns:
            A bool.
        """
        return mode == "train" and self.update_freq != "epoch"

    # --- writers -------------------------------------------------------------------------

    def _writer(self, which):
        if which not in self._writers:
            try:
                from tensorboardX import SummaryWriter
            except ImportError as e:
                raise ImportError(
                    "The TensorBoard callback needs tensorboardX; install the extra: "
                    "pip install 'kerasette[tensorboard]'"
                ) from e
            self._writers[which] = SummaryWriter(logdir=os.path.join(self.log_dir, which))
        return self._writers[which]

    def _close_writers(self):
        for w in self._writers.values():
            w.close()
        self._writers = {}

    def set_model(self, model):
        super().set_model(model)
        self._close_writers()

    # --- hooks ---------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0

    def on_train_end(self, logs=None):
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._epoch_start_iterations = self._iterations()
            self._epoch_start_time = time.time()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        writer = self._writer("train")
        step = self._global_train_batch
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._batch_start_time, 1e-9)
            writer.add_scalar("batch_steps_per_second", 1.0 / elapsed, step)
        for name, value in (logs or {}).items():
            if np.ndim(value) == 0:
                writer.add_scalar(f"batch_{name}", float(value), step)

    def on_test_end(self, logs=None):
        iterations = self._iterations()
        if iterations is None or not logs:
            return
        writer = self._writer("validation")
        for name, value in logs.items():
            writer.add_scalar(f"evaluation_{name}_vs_iterations", float(value), iterations)

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)

    # --- internals -----------------------------------------------------------------------

    def _iterations(self):
        optimizer = getattr(self.model, "optimizer", None)
        it = getattr(optimizer, "iterations", None)
        return None if it is None else int(np.asarray(it))

    def _learning_rate(self):
        optimizer = getattr(self.model, "optimizer", None)
        lr = getattr(optimizer, "learning_rate", None)
        try:
            return None if lr is None else float(np.asarray(lr))
        except (TypeError, ValueError):  # a schedule object
            return None

    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        lr = self._learning_rate()
        if lr is not None:
            train_logs["learning_rate"] = lr
        if self.write_steps_per_second:
            steps = (self._iterations() or 0) - (self._epoch_start_iterations or 0)
            train_logs["steps_per_second"] = steps / max(time.time() - self._epoch_start_time, 1e-9)
        for which, group in (("train", train_logs), ("validation", val_logs)):
            if group:
                writer = self._writer(which)
                for name, value in group.items():
                    writer.add_scalar(f"epoch_{name}", float(value), epoch)
                writer.flush()

    def _log_weights(self, epoch):
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = getattr(weight, "path", None) or weight.name
                name = name.replace(":", "_")
                value = np.asarray(weight, dtype=np.float64)
                writer.add_histogram(f"{name}/histogram", value, epoch)
                if self.write_images:
                    image = _weight_image(value)
                    if image is not None:
                        _add_png(writer, f"{name}/image", image, epoch)
        writer.flush()


def _png_gray(img):
    """An 8-bit grayscale PNG of a (H, W) uint8 array (tensorboardX's add_image would
    need Pillow; a PNG is a few zlib-compressed rows between CRC'd chunks)."""
    import struct
    import zlib

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    h, w = img.shape
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(h))  # filter type 0 per row
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _add_png(writer, tag, image, step):
    from tensorboardX.proto.summary_pb2 import Summary

    pixels = np.round(image[:, :, 0] * 255).astype(np.uint8)
    summary = Summary(
        value=[
            Summary.Value(
                tag=tag,
                image=Summary.Image(
                    height=pixels.shape[0],
                    width=pixels.shape[1],
                    colorspace=1,
                    encoded_image_string=_png_gray(pixels),
                ),
            )
        ]
    )
    writer._get_file_writer().add_summary(summary, step)


def _weight_image(w):
    """Keras's layout: a bias is a 1-row image, a kernel (wide side horizontal) a 2-D
    image; values are clipped to [0, 1] as tf.summary.image does for floats."""
    w = np.squeeze(w)
    if w.ndim == 1:
        img = w[None, :]
    elif w.ndim == 2:
        img = w.T if w.shape[0] > w.shape[1] else w
    else:
        return None
    return np.clip(img, 0.0, 1.0)[:, :, None].astype(np.float32)
