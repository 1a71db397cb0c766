"""`LearningRateScheduler`: set the learning rate from a function of the epoch."""

import numpy as np

from kerasette.callbacks._lr import get_learning_rate, optimizer_of, set_learning_rate
from kerasette.callbacks.callback import Callback

__all__ = ["LearningRateScheduler"]


class LearningRateScheduler(Callback):
    """Learning rate scheduler.

    At the start of every epoch calls `schedule(epoch, lr)` (or `schedule(epoch)` when
    it takes one argument) and sets `model.optimizer.learning_rate` to the result.
    Adds `learning_rate` to the epoch logs.

    Args:
        schedule: a function taking the epoch index (0-based) and the current rate and
            returning the new rate (a float).
        verbose: 1 prints a message on each update. Defaults to `0`.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"`schedule` must be callable; received: {schedule!r}")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = optimizer_of(self.model, "LearningRateScheduler")
        try:  # new API: schedule(epoch, lr)
            lr = self.schedule(epoch, get_learning_rate(optimizer))
        except TypeError:  # old API: schedule(epoch)
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.float32, np.float64)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {lr}")
        set_learning_rate(optimizer, lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_learning_rate(self.model.optimizer)
