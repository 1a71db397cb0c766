"""SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall and
RecallAtPrecision (Keras 3): confusion counts at `num_thresholds` evenly spaced
thresholds, and the best value of one rate among the thresholds where the other
reaches the target (0 when none does)."""

from .. import ops
from ..losses.reduction import divide_no_nan
from . import confusion_utils as cu
from .metric import Metric


class _AtConstraint(Metric):
    _target = None  # the constructor argument holding the constraint value

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if value < 0 or value > 1:
            raise ValueError(
                f"Argument `{self._target}` must be in the range [0, 1]. "
                f"Received: {self._target}={value}"
            )
        if num_thresholds <= 0:
            raise ValueError(
                "Argument `num_thresholds` must be an integer > 0. Received: "
                f"num_thresholds={num_thresholds}"
            )
        super().__init__(name=name, dtype=dtype)
        self.value, self.class_id, self.num_thresholds = value, class_id, num_thresholds
        setattr(self, self._target, value)
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._evenly = [0.0] + inner + [1.0], True
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), "zeros", name="true_positives")
        self.false_positives = self.add_variable((n,), "zeros", name="false_positives")
        self.true_negatives = self.add_variable((n,), "zeros", name="true_negatives")
        self.false_negatives = self.add_variable((n,), "zeros", name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        cu.update_confusion_matrix_variables(
            {
                cu.TP: self.true_positives,
                cu.TN: self.true_negatives,
                cu.FP: self.false_positives,
                cu.FN: self.false_negatives,
            },
            y_true,
            y_pred,
            self.thresholds,
            class_id=self.class_id,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._evenly,
        )

    def _rates(self):
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        return {
            "sensitivity": divide_no_nan(tp, ops.add(tp, fn)),
            "specificity": divide_no_nan(tn, ops.add(tn, fp)),
            "precision": divide_no_nan(tp, ops.add(tp, fp)),
        }

    def _max_where(self, constrained, dependent):
        feasible = ops.greater_equal(constrained, self.value)
        return ops.max(ops.where(feasible, dependent, 0.0))

    def get_config(self):
        return {
            **super().get_config(),
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self._target: self.value,
        }


class SensitivityAtSpecificity(_AtConstraint):
    """The best sensitivity (recall) at a specificity of at least `specificity`. The
    thresholds searched are `num_thresholds` values in `[0, 1]`.

    Args:
        specificity: The smallest specificity allowed, in `[0, 1]`.
        num_thresholds: The number of thresholds the curve is evaluated at. Defaults
            to `200`.
        class_id: Compute the metric for this class only (one column of `y_pred`).
            Defaults to `None`.
        name: The metric's name. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
    """

    _target = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._max_where(r["specificity"], r["sensitivity"])


class SpecificityAtSensitivity(_AtConstraint):
    """The best specificity at a sensitivity (recall) of at least `sensitivity`. The
    thresholds searched are `num_thresholds` values in `[0, 1]`.

    Args:
        sensitivity: The smallest sensitivity allowed, in `[0, 1]`.
        num_thresholds: The number of thresholds the curve is evaluated at. Defaults
            to `200`.
        class_id: Compute the metric for this class only (one column of `y_pred`).
            Defaults to `None`.
        name: The metric's name. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
    """

    _target = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._max_where(r["sensitivity"], r["specificity"])


class PrecisionAtRecall(_AtConstraint):
    """The best precision at a recall of at least `recall`. The thresholds searched are
    `num_thresholds` values in `[0, 1]`.

    Args:
        recall: The smallest recall allowed, in `[0, 1]`.
        num_thresholds: The number of thresholds the curve is evaluated at. Defaults
            to `200`.
        class_id: Compute the metric for this class only (one column of `y_pred`).
            Defaults to `None`.
        name: The metric's name. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
    """

    _target = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._max_where(r["sensitivity"], r["precision"])


class RecallAtPrecision(_AtConstraint):
    """The best recall at a precision of at least `precision`. The thresholds searched
    are `num_thresholds` values in `[0, 1]`.

    Args:
        precision: The smallest precision allowed, in `[0, 1]`.
        num_thresholds: The number of thresholds the curve is evaluated at. Defaults
            to `200`.
        class_id: Compute the metric for this class only (one column of `y_pred`).
            Defaults to `None`.
        name: The metric's name. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
    """

    _target = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._max_where(r["precision"], r["sensitivity"])
