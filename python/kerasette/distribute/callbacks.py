"""Horovod's Keras callbacks (`hvd.callbacks`) for kerasette."""

import numpy as np

from ..callbacks import Callback
from . import _mpi
from .collectives import broadcast_variables


class BroadcastGlobalVariablesCallback(Callback):
    """At the start of training, copies `root_rank`'s weights (all of the model's,
    trainable or not) and optimizer state (iterations, learning rate, slots) to every
    rank, so all ranks start identical whatever their initialization.

    kerasette lowers the model before `on_train_begin`, so the weights and the
    optimizer's slots exist by then and the broadcast happens once, there (Horovod's
    waits for the first batch end because TensorFlow creates variables lazily).
    """

    def __init__(self, root_rank=0, device="", local_variables=None):
        super().__init__()
        n = _mpi.size()
        if (
            isinstance(root_rank, bool)
            or not isinstance(root_rank, (int, np.integer))
            or not 0 <= root_rank < n
        ):
            raise ValueError(f"root_rank must be an int in [0, {n}); got {root_rank!r}")
        self.root_rank = int(root_rank)
        self.local_variables = {id(v) for v in (local_variables or ())}
        self.broadcast_done = False

    def on_train_begin(self, logs=None):
        if self.broadcast_done:
            return
        model = self.model
        variables = list(model.weights)
        opt = getattr(model, "optimizer", None)
        if opt is not None:
            variables += list(opt.variables)
        variables = [v for v in variables if id(v) not in self.local_variables]
        broadcast_variables(variables, self.root_rank)
        self.broadcast_done = True


class MetricAverageCallback(Callback):
    """At each epoch end, replaces every value in `logs` by its mean over the ranks
    (one Allreduce over the values in sorted key order, as Horovod's).

    Put it before the callbacks that read the logs (EarlyStopping, ReduceLROnPlateau,
    ModelCheckpoint, CSVLogger...); `History` and the progress bar come after the
    callbacks you pass, so they see the averages.
    """

    def __init__(self, device=""):
        super().__init__()

    def on_epoch_end(self, epoch, logs=None):
        if logs is None or _mpi.size() == 1:
            return
        c = _mpi.comm()
        keys = sorted(logs)
        if c.allgather(keys) != [keys] * c.Get_size():
            raise ValueError(
                f"MetricAverageCallback: the ranks' epoch logs have different keys (here {keys})"
            )
        vals = np.array([float(logs[k]) for k in keys], dtype=np.float64)
        c.Allreduce(_mpi.mpi().IN_PLACE, vals, op=_mpi.mpi().SUM)
        vals /= c.Get_size()
        for k, v in zip(keys, vals):
            logs[k] = float(v)


class LearningRateWarmupCallback(Callback):
    """Horovod's gradual learning-rate warmup (Goyal et al., "Accurate, Large Minibatch
    SGD"): over the first `warmup_epochs` the rate grows linearly, per batch, from
    `initial_lr / size()` to `initial_lr` (the rate already scaled by `size()`).

        lr(epoch e, batch b) = initial_lr / size * (1 + (e + b / steps) * (size - 1)
                                                      / warmup_epochs)

    After warmup the rate is left at `initial_lr`. While warming up, training comes back
    to Python on every batch to set the rate; afterwards epochs run in C++ again.

    `momentum_correction` (Horovod's rescaling of the momentum by new_lr / old_lr on the
    step after a rate change) is NOT applied: the engine's momentum is fixed when the
    model is lowered. A warning says so when it matters (an optimizer with momentum).
    """

    def __init__(
        self, initial_lr, warmup_epochs=5, momentum_correction=True, steps_per_epoch=None, verbose=0
    ):
        super().__init__()
        if (
            not isinstance(initial_lr, (int, float, np.floating))
            or isinstance(initial_lr, bool)
            or initial_lr <= 0
        ):
            raise ValueError(f"initial_lr must be a positive number; got {initial_lr!r}")
        if (
            isinstance(warmup_epochs, bool)
            or not isinstance(warmup_epochs, (int, float))
            or warmup_epochs <= 0
        ):
            raise ValueError(f"warmup_epochs must be positive; got {warmup_epochs!r}")
        self.initial_lr = float(initial_lr)
        self.warmup_epochs = warmup_epochs
        self.momentum_correction = momentum_correction
        self.steps_per_epoch = steps_per_epoch
        self.verbose = verbose
        self._epoch = 0

    def _lr(self, epoch_float):
        n = _mpi.size()
        return self.initial_lr / n * (1 + epoch_float * (n - 1) / self.warmup_epochs)

    def _warming(self):
        return self._epoch < self.warmup_epochs

    def needs_batch_hooks(self, mode="train"):
        return mode == "train" and self._warming()

    def on_train_begin(self, logs=None):
        momentum = getattr(self.model.optimizer, "momentum", 0.0) or 0.0
        if self.momentum_correction and momentum > 0:
            import warnings

            warnings.warn(
                "LearningRateWarmupCallback: momentum_correction is not applied "
                "by kerasette (the momentum stays fixed during warmup)",
                stacklevel=2,
            )

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if not self._warming():
            return
        steps = self.steps_per_epoch or (self.params or {}).get("steps")
        if not steps:
            raise ValueError(
                "LearningRateWarmupCallback needs steps_per_epoch when the "
                "number of steps per epoch is unknown"
            )
        e = min(self._epoch + batch / steps, self.warmup_epochs)
        self.model.optimizer.learning_rate = self._lr(e)

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 >= self.warmup_epochs and epoch < self.warmup_epochs:
            self.model.optimizer.learning_rate = self.initial_lr
            if self.verbose and _mpi.rank() == 0:
                print(
                    f"\nEpoch {epoch + 1}: finished gradual learning rate warmup to "
                    f"{self.initial_lr:g}."
                )


__all__ = [
    "BroadcastGlobalVariablesCallback",
    "MetricAverageCallback",
    "LearningRateWarmupCallback",
]
