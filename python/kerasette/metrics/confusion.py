"""Precision, Recall and AUC: weighted confusion counts per threshold, as Keras 3.

A prediction is positive when it is strictly above the threshold; a label is positive
when it is non-zero. AUC uses num_thresholds evenly spaced thresholds (with -1e-7 and
1 + 1e-7 at the ends) and Keras's bucketing of clipped predictions into them.
"""
import numpy as np

from .metric import Metric, as_float32

_EPS = 1e-7


def _divide_no_nan(a, b):
    a, b = np.asarray(a, dtype="float32"), np.asarray(b, dtype="float32")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, np.float32(0.0), a / np.where(b == 0, 1, b)).astype("float32")


def _weights(sample_weight, shape):
    if sample_weight is None:
        return np.ones(shape, dtype="float32")
    sw = as_float32(sample_weight, "sample_weight")
    if sw.ndim == len(shape) + 1 and sw.shape[-1] == 1:
        sw = sw[..., 0]
    while sw.ndim < len(shape):
        sw = sw[..., None]
    try:
        return np.broadcast_to(sw, shape).astype("float32")
    except ValueError:
        raise ValueError(f"sample_weight of shape {np.shape(sample_weight)} cannot be "
                         f"broadcast to y_pred of shape {shape}") from None


def _prepare(y_true, y_pred, sample_weight, top_k=None, class_id=None):
    y_true = as_float32(y_true, "y_true")
    y_pred = as_float32(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
            y_true = y_true[..., 0]
        elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
            y_true = y_true[..., None]
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape; got {y_true.shape} and "
                         f"{y_pred.shape}")
    w = _weights(sample_weight, y_pred.shape)
    if top_k is not None:
        # Keep each row's top_k predictions; the others can never be positive.
        order = np.argsort(-y_pred, axis=-1, kind="stable")
        keep = np.zeros_like(y_pred, dtype=bool)
        np.put_along_axis(keep, order[..., :top_k], True, axis=-1)
        y_pred = np.where(keep, y_pred, -np.inf).astype("float32")
    if class_id is not None:
        y_true, y_pred, w = y_true[..., class_id], y_pred[..., class_id], w[..., class_id]
    return (y_true != 0).reshape(-1), y_pred.reshape(-1), w.reshape(-1)


class _ConfusionMetric(Metric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        self.top_k, self.class_id = top_k, class_id
        default = 0.5 if top_k is None else float("-inf")
        t = default if thresholds is None else thresholds
        self._thresholds = np.atleast_1d(np.asarray(t, dtype="float32"))
        if np.any((self._thresholds < 0) | (self._thresholds > 1)) and thresholds is not None:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {thresholds}")
        self._single = np.ndim(t) == 0
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        n = len(self._thresholds)
        self._s_tp, self._s_fp, self._s_fn = (np.zeros(n, "float32") for _ in range(3))

    def update_state(self, y_true, y_pred, sample_weight=None):
        label, pred, w = _prepare(y_true, y_pred, sample_weight, self.top_k, self.class_id)
        pos = pred[None, :] > self._thresholds[:, None]
        self._s_tp = self._s_tp + np.sum(w * (pos & label), axis=1, dtype="float32")
        self._s_fp = self._s_fp + np.sum(w * (pos & ~label), axis=1, dtype="float32")
        self._s_fn = self._s_fn + np.sum(w * (~pos & label), axis=1, dtype="float32")

    def _out(self, values):
        return np.float32(values[0]) if self._single else values

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_ConfusionMetric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        return self._out(_divide_no_nan(self._s_tp, self._s_tp + self._s_fp))


class Recall(_ConfusionMetric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        return self._out(_divide_no_nan(self._s_tp, self._s_tp + self._s_fn))


class AUC(Metric):
    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        if thresholds is not None or multi_label or label_weights is not None:
            raise ValueError("kerasette's AUC supports evenly spaced thresholds, one label "
                             "(multi_label=False) and no label_weights")
        curve, summation_method = curve.upper(), summation_method.lower()
        if curve not in ("ROC", "PR"):
            raise ValueError(f'Invalid curve: "{curve}". Valid options are: "ROC", "PR"')
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f'Invalid summation method: "{summation_method}". Valid options '
                             'are: "interpolation", "minoring", "majoring"')
        if num_thresholds <= 1:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: "
                             f"num_thresholds={num_thresholds}")
        self.num_thresholds, self.curve, self.summation_method = (
            int(num_thresholds), curve, summation_method)
        self.multi_label, self.num_labels, self.label_weights = multi_label, num_labels, None
        self._from_logits = bool(from_logits)
        inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.thresholds = [0.0 - _EPS] + inner + [1.0 + _EPS]
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        n = self.num_thresholds
        self._s_tp, self._s_fp, self._s_tn, self._s_fn = (np.zeros(n, "float32")
                                                          for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None):
        label, pred, w = _prepare(y_true, y_pred, sample_weight)
        if self._from_logits:
            pred = (1.0 / (1.0 + np.exp(-pred.astype("float64")))).astype("float32")
        pred = np.clip(pred, 0.0, 1.0)
        n = self.num_thresholds
        bucket = np.ceil(pred * np.float32(n - 1)) - 1
        bucket = np.clip(bucket, 0, n - 1).astype("int64")
        true_w = (label * w).astype("float32")
        false_w = ((~label) * w).astype("float32")
        tp_b = np.bincount(bucket, weights=true_w, minlength=n).astype("float32")
        fp_b = np.bincount(bucket, weights=false_w, minlength=n).astype("float32")
        tp = np.cumsum(tp_b[::-1], dtype="float32")[::-1]
        fp = np.cumsum(fp_b[::-1], dtype="float32")[::-1]
        self._s_tp = self._s_tp + tp
        self._s_fp = self._s_fp + fp
        self._s_tn = self._s_tn + (np.sum(false_w, dtype="float32") - fp)
        self._s_fn = self._s_fn + (np.sum(true_w, dtype="float32") - tp)

    def _interpolate_pr_auc(self):
        n, tp, fp, fn = self.num_thresholds, self._s_tp, self._s_fp, self._s_fn
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = _divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:n - 1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _divide_no_nan(p[:n - 1], np.maximum(p[1:], 0)), 1.0)
        inc = _divide_no_nan(slope * (dtp + intercept * np.log(ratio.astype("float32"))),
                             np.maximum(tp[1:] + fn[1:], 0))
        return np.float32(np.sum(inc, dtype="float32"))

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        n = self.num_thresholds
        recall = _divide_no_nan(self._s_tp, self._s_tp + self._s_fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(self._s_fp, self._s_fp + self._s_tn), recall
        else:
            x, y = recall, _divide_no_nan(self._s_tp, self._s_tp + self._s_fp)
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / np.float32(2.0)
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:n - 1], y[1:])
        else:
            heights = np.maximum(y[:n - 1], y[1:])
        return np.float32(np.sum((x[:n - 1] - x[1:]) * heights, dtype="float32"))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "num_thresholds": self.num_thresholds,
                "curve": self.curve, "summation_method": self.summation_method,
                "multi_label": self.multi_label, "num_labels": self.num_labels,
                "label_weights": None, "from_logits": self._from_logits}
