"""AUC, as Keras 3: confusion counts at num_thresholds thresholds (evenly spaced, with
-1e-7 and 1 + 1e-7 at the ends, or the given ones), then a Riemann sum of the ROC, PR or
PR-gain curve (interpolation, minoring, majoring), or for PR with interpolation the
Davis & Goadrich interpolated area. multi_label keeps one curve per label and averages
the areas (weighted by label_weights)."""

import numpy as np

from .. import ops
from ..losses.reduction import divide_no_nan
from . import confusion_utils as cu
from .metric import Metric

_EPS = 1e-7
_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "minoring", "majoring")


def _curve(curve):
    key = curve.lower() if isinstance(curve, str) else None
    if key not in _CURVES or curve not in (key, key.upper()):
        raise ValueError(
            f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PRGAIN"]'
        )
    return _CURVES[key]


def _summation(method):
    if (
        not isinstance(method, str)
        or method.lower() not in _SUMMATIONS
        or method not in (method.lower(), method.capitalize())
    ):
        raise ValueError(
            f'Invalid AUC summation method value: "{method}". Expected values '
            'are ["interpolation", "majoring", "minoring"]'
        )
    return method.lower()


class AUC(Metric):
    """The area under the ROC curve (or the precision-recall curve), approximated over
    `num_thresholds` thresholds.

    Args:
        num_thresholds: The number of thresholds the curve is evaluated at. Defaults
            to `200`.
        curve: `"ROC"` or `"PR"` (precision-recall). Defaults to `"ROC"`.
        summation_method: How the area is summed: `"interpolation"`, `"minoring"`
            (left) or `"majoring"` (right). Defaults to `"interpolation"`.
        name: The metric's name. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
        thresholds: The thresholds to use instead of `num_thresholds` evenly spaced
            ones. Defaults to `None`.
        multi_label: Whether each column of a multi-label `y_pred` gets its own
            curve (averaged), rather than one curve over all values. Defaults to
            `False`.
        num_labels: The number of labels with `multi_label=True`, when known ahead.
            Defaults to `None`.
        label_weights: Weights of the labels in the multi-label average. Defaults to
            `None`.
        from_logits: Whether `y_pred` holds logits (a sigmoid is applied first).
            Defaults to `False`.
    """

    def __init__(
        self,
        num_thresholds=200,
        curve="ROC",
        summation_method="interpolation",
        name=None,
        dtype=None,
        thresholds=None,
        multi_label=False,
        num_labels=None,
        label_weights=None,
        from_logits=False,
    ):
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            inner = sorted(thresholds)
            self._evenly = cu.is_evenly_distributed(np.array([0.0] + inner + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = np.array([0.0 - _EPS] + inner + [1.0 + _EPS])
        self.curve = _curve(curve)
        self.summation_method = _summation(summation_method)
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (
            None if label_weights is None else np.asarray(label_weights, np.float32)
        )
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(
                    f"`y_pred` must have rank 2 when `multi_label=True`. Found "
                    f"rank {len(shape)}. Full shape received for `y_pred`: "
                    f"{shape}"
                )
            self._num_labels = shape[1]
            var_shape = (self.num_thresholds, self._num_labels)
        else:
            var_shape = (self.num_thresholds,)
        for attr in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, attr, self.add_variable(shape=var_shape, initializer="zeros", name=attr))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self._built:
            self._build(
                tuple(np.shape(y_pred)) if not hasattr(y_pred, "shape") else tuple(y_pred.shape)
            )
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
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
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            thresholds_distributed_evenly=self._evenly,
        )

    def _by_label(self, terms):
        """The area: a sum over thresholds, then (multi_label) the labels' mean."""
        if not self.multi_label:
            return ops.sum(terms)
        by_label = ops.sum(terms, axis=0)
        if self.label_weights is None:
            return ops.mean(by_label)
        return divide_no_nan(
            ops.sum(ops.multiply(by_label, self.label_weights)), float(np.sum(self.label_weights))
        )

    def interpolate_pr_auc(self):
        n = self.num_thresholds
        tp, fp, fn = (
            ops.convert_to_tensor(v)
            for v in (  # Variables do not slice
                self.true_positives,
                self.false_positives,
                self.false_negatives,
            )
        )
        dtp = ops.subtract(tp[: n - 1], tp[1:])
        p = ops.add(tp, fp)
        dp = ops.subtract(p[: n - 1], p[1:])
        slope = divide_no_nan(dtp, ops.maximum(dp, 0.0))
        intercept = ops.subtract(tp[1:], ops.multiply(slope, p[1:]))
        both = ops.logical_and(ops.greater(p[: n - 1], 0.0), ops.greater(p[1:], 0.0))
        ratio = ops.where(both, divide_no_nan(p[: n - 1], ops.maximum(p[1:], 0.0)), 1.0)
        increment = divide_no_nan(
            ops.multiply(slope, ops.add(dtp, ops.multiply(intercept, ops.log(ratio)))),
            ops.maximum(ops.add(tp[1:], fn[1:]), 0.0),
        )
        return self._by_label(increment)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        n = self.num_thresholds
        tp, fp, tn, fn = (
            ops.convert_to_tensor(v)
            for v in (  # Variables do not slice
                self.true_positives,
                self.false_positives,
                self.true_negatives,
                self.false_negatives,
            )
        )
        recall = divide_no_nan(tp, ops.add(tp, fn))
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, ops.add(fp, tn)), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, ops.add(tp, fp))
        else:  # PRGAIN
            scale = divide_no_nan(ops.add(tp, fn), ops.add(tn, fp))
            recall_gain = ops.subtract(1.0, ops.multiply(scale, divide_no_nan(fn, tp)))
            precision_gain = ops.subtract(1.0, ops.multiply(scale, divide_no_nan(fp, tp)))
            no_tp = ops.equal(tp, 0.0)
            x = ops.maximum(ops.where(no_tp, 0.0, recall_gain), 0.0)
            y = ops.where(no_tp, 1.0, precision_gain)
        if self.summation_method == "interpolation":
            heights = ops.divide(ops.add(y[: n - 1], y[1:]), 2.0)
        elif self.summation_method == "minoring":
            heights = ops.minimum(y[: n - 1], y[1:])
        else:
            heights = ops.maximum(y[: n - 1], y[1:])
        return self._by_label(ops.multiply(ops.subtract(x[: n - 1], x[1:]), heights))

    def reset_state(self):
        if self._built:
            for v in (
                self.true_positives,
                self.false_positives,
                self.true_negatives,
                self.false_negatives,
            ):
                v.assign(np.zeros(v.shape, np.float32))

    def get_config(self):
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
