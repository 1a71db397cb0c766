"""Shared logic of callbacks that watch one metric (EarlyStopping, ReduceLROnPlateau)."""

import operator
import warnings

from kerasette.callbacks.callback import Callback

__all__ = ["MonitorCallback"]

# Metric names (without `val_`) whose larger values are better, for mode="auto" when the
# model's metric objects do not say (Keras reads `metric._direction`).
_MAXIMIZED = ("acc", "accuracy", "auc", "precision", "recall", "f1", "iou", "r2")
_MINIMIZED = (
    "loss",
    "error",
    "mse",
    "mae",
    "mape",
    "msle",
    "crossentropy",
    "hinge",
    "divergence",
    "poisson",
    "cosine",
)


class MonitorCallback(Callback):
    """Base for callbacks that monitor a metric and decide on improvement.

    Improvement (Keras's rule): for mode "min", `current + |min_delta| < reference`;
    for mode "max", `current - |min_delta| > reference`; anything beats `None`.
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=2,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _metric_direction(self, name):
        for m in getattr(self.model, "metrics", None) or []:
            for sub in getattr(m, "metrics", None) or [m]:
                if getattr(sub, "name", None) == name and hasattr(sub, "_direction"):
                    return sub._direction
        lowered = name.lower()
        if lowered in _MAXIMIZED or lowered.endswith(tuple("_" + n for n in _MAXIMIZED)):
            return "up"
        if lowered in _MINIMIZED or lowered.endswith(tuple("_" + n for n in _MINIMIZED)):
            return "down"
        return None

    def _set_monitor_op(self):
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            direction = self._metric_direction(self.monitor.removeprefix("val_"))
            if direction is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "kerasette isn't able to automatically determine whether that metric "
                    "should be maximized or minimized. Pass `mode='max'` in order to "
                    "monitor based on the highest metric value, or pass `mode='min'` in "
                    "order to use the lowest value."
                )
            self.monitor_op = operator.gt if direction == "up" else operator.lt
        if self.monitor_op is operator.lt:
            self.min_delta *= -1

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))
