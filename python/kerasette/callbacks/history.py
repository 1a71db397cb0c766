"""`History`: records the epoch logs; `fit` returns it."""

from kerasette.callbacks.callback import Callback

__all__ = ["History"]


class History(Callback):
    """Records events into a `History` object.

    Added to every `fit` by the callback list; `fit` returns it. `history.history` maps
    each log key (`"loss"`, `"val_loss"`, metrics, ...) to its per-epoch values and
    `history.epoch` lists the epochs run.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)
        self.model.history = self
