"""`BackupAndRestore`: resume an interrupted `fit` where it stopped (Keras 3's
callback, keras/src/callbacks/backup_and_restore.py).

Files in ``backup_dir`` as Keras names them: ``latest.weights.h5`` (layer *and*
optimizer variables, Keras's weights layout) and ``training_metadata.json``
(``{"epoch": e, "batch": b}``). kerasette also records the epoch as an attribute
inside the weights file, written in the same atomic rename as the weights, so a
kill between the two files can never pair epoch k with the weights of k+1.
"""

import json
import os
import shutil

from kerasette.callbacks.callback import Callback

__all__ = ["BackupAndRestore"]

_EPOCH_ATTR = "kerasette_backup_epoch"
_BATCH_ATTR = "kerasette_backup_batch"


def _copy_atomic(src, dst):
    from kerasette.saving.atomic_write import atomic_write

    with atomic_write(dst) as tmp:
        shutil.copyfile(src, tmp)


def _write_text_atomic(path, text):
    from kerasette.saving.atomic_write import atomic_write

    with atomic_write(path) as tmp:
        with open(tmp, "w") as f:
            f.write(text)


class BackupAndRestore(Callback):
    """Back up the training state at each epoch end (or every ``save_freq``
    batches); a later `fit` with the same ``backup_dir`` restores it and starts
    at the epoch after the last backup.

    Args:
        backup_dir: folder for the backup files (created when needed).
        save_freq: "epoch" or an int number of batches.
        double_checkpoint: keep the previous backup as ``*.bkp`` and fall back to it
            if the latest cannot be read.
        delete_checkpoint: remove ``backup_dir`` when training finishes normally.
    """

    def __init__(
        self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True
    ):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and (
            not isinstance(save_freq, int) or isinstance(save_freq, bool) or save_freq <= 0
        ):
            raise ValueError(
                "Invalid value for argument `save_freq`. Received: "
                f"save_freq={save_freq}. Expected either 'epoch' or an "
                "integer value."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = bool(double_checkpoint)
        self.delete_checkpoint = bool(delete_checkpoint)
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = self._weights_path + ".bkp"
        self._prev_training_metadata_path = self._training_metadata_path + ".bkp"

    def needs_batch_hooks(self, mode="train"):
        """Whether the callback must see every batch of `mode` (`"train"`, `"test"` or
        `"predict"`); when no callback does, the engine runs the whole epoch in C++.

        Args:
            mode: The loop.

        Returns:
            A bool.
        """
        return mode == "train" and self.save_freq != "epoch"

    # ---- restore --------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        try:
            self._load_model()
        except (OSError, ValueError):
            if not (self.double_checkpoint and os.path.exists(self._prev_weights_path)):
                raise
            # The latest backup is unreadable: fall back to the previous one.
            _copy_atomic(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_training_metadata_path):
                _copy_atomic(self._prev_training_metadata_path, self._training_metadata_path)
            elif os.path.exists(self._training_metadata_path):
                os.remove(self._training_metadata_path)
            self._load_model()

    def _load_model(self):
        model = self.model
        if not getattr(model, "built", True):
            raise ValueError(
                "To use the BackupAndRestore callback, your model must be "
                "built before you call `fit()`. Build it beforehand with an "
                "Input layer or by calling it on a batch of data."
            )
        epoch = None
        if os.path.exists(self._weights_path):
            from kerasette import saving
            from kerasette.saving.weights_h5 import ensure_optimizer_built

            if getattr(model, "optimizer", None) is not None:
                ensure_optimizer_built(model)
            saving.load_weights(model, self._weights_path)
            epoch = self._epoch_from_weights()
        if epoch is None and os.path.exists(self._training_metadata_path):
            with open(self._training_metadata_path) as f:
                try:
                    epoch = int(json.load(f)["epoch"])
                except (ValueError, KeyError, TypeError) as e:
                    raise ValueError(f"Corrupt {self._training_metadata_path}: {e}") from None
        if epoch is not None:
            model._initial_epoch = epoch
            self._current_epoch = epoch

    def _epoch_from_weights(self):
        from kerasette.saving.h5 import require_h5py

        h5py = require_h5py()

        with h5py.File(self._weights_path, "r") as f:
            value = f.attrs.get(_EPOCH_ATTR)
        return None if value is None else int(value)

    # ---- backup ---------------------------------------------------------------------
    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model()

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:  # a new epoch
            add_batches = batch + 1
        else:
            add_batches = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += add_batches
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save_model(self):
        from kerasette.saving.h5 import require_h5py

        h5py = require_h5py()

        from kerasette.saving.atomic_write import atomic_write
        from kerasette.saving.weights_h5 import write_weights

        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._weights_path):
            _copy_atomic(self._weights_path, self._prev_weights_path)
        if self.double_checkpoint and os.path.exists(self._training_metadata_path):
            _copy_atomic(self._training_metadata_path, self._prev_training_metadata_path)
        with atomic_write(self._weights_path) as tmp:
            with h5py.File(tmp, "w") as h5:
                write_weights(h5, self.model, include_optimizer=True)
                h5.attrs[_EPOCH_ATTR] = self._current_epoch
                h5.attrs[_BATCH_ATTR] = self._last_batch_seen
        _write_text_atomic(
            self._training_metadata_path,
            json.dumps({"epoch": self._current_epoch, "batch": self._last_batch_seen}),
        )

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
