"""Target encoders: turn scikit-learn targets into what a network trains on, and back.

Classifier targets are encoded once the model is built, because the encoding
depends on the model: a categorical cross-entropy loss needs one-hot rows, anything
else gets class indices (sparse labels, or a 0/1 column for a one-unit sigmoid).
Decoding goes by the shape of the network's output, so a binary problem works both
with one sigmoid unit and with two softmax units.
"""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

_CLASSIFIER_TYPES = ("binary", "multiclass", "multilabel-indicator")


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class ClassifierTargets:
    """Labels of a classification problem, fitted on ``y`` (and optional ``classes``).

    Attributes: ``target_type_`` (scikit-learn's ``type_of_target``), ``classes_``,
    ``n_classes_``, ``n_outputs_expected_`` (units the last layer should have), and
    ``y_dtype_`` (predictions come back in it).
    """

    def __init__(self, y, classes=None):
        y = np.asarray(y)
        check_classification_targets(y)  # "Unknown label type" for continuous targets
        target_type = type_of_target(y)
        if target_type not in _CLASSIFIER_TYPES:
            raise ValueError(
                f"KerasClassifier supports {', '.join(_CLASSIFIER_TYPES)} targets; got a "
                f"{target_type!r} target of shape {y.shape}. Wrap it in "
                "sklearn.multioutput.MultiOutputClassifier for several multiclass outputs."
            )
        self.target_type_ = target_type
        self.y_dtype_ = y.dtype
        if target_type == "multilabel-indicator":
            self.classes_ = np.arange(y.shape[1])
            self.n_classes_ = y.shape[1]
            self.n_outputs_expected_ = y.shape[1]
            return
        labels = np.unique(y)
        if classes is not None:
            classes = np.unique(np.asarray(classes))
            unseen = np.setdiff1d(labels, classes)
            if unseen.size:
                raise ValueError(
                    f"y contains labels {unseen.tolist()} that are not in "
                    f"classes={classes.tolist()}."
                )
            labels = classes
            if len(classes) > 2:  # partial_fit's first batch may show only two of them
                self.target_type_ = "multiclass"
        self.classes_ = labels
        self.n_classes_ = len(labels)
        # A binary problem is one sigmoid unit unless the model says otherwise.
        self.n_outputs_expected_ = 1 if self.n_classes_ <= 2 else self.n_classes_

    def indices(self, y):
        """Class index of each label (validates that every label is known)."""
        y = np.asarray(y)
        if self.target_type_ == "multilabel-indicator":
            if y.ndim != 2 or y.shape[1] != self.n_classes_:
                raise ValueError(
                    f"Expected a multilabel indicator target with {self.n_classes_} "
                    f"columns, got shape {y.shape}."
                )
            return y
        y = column_or_1d(y)
        idx = np.searchsorted(self.classes_, y)
        idx = np.clip(idx, 0, self.n_classes_ - 1)
        bad = self.classes_[idx] != y
        if np.any(bad):
            raise ValueError(
                f"y contains labels {np.unique(y[bad]).tolist()} that were not "
                f"seen when the model was first fitted ({self.classes_.tolist()})."
            )
        return idx

    def encode(self, y, one_hot, n_units):
        """Network targets for ``y``: float32 indicators, one-hot rows or class indices."""
        idx = self.indices(y)
        if self.target_type_ == "multilabel-indicator":
            return np.ascontiguousarray(idx, dtype=np.float32)
        if one_hot:
            return np.eye(max(n_units, self.n_classes_), dtype=np.float32)[idx]
        if n_units == 1:  # a sigmoid unit learns P(class 1) from a 0/1 column
            return idx.astype(np.float32).reshape(-1, 1)
        return idx.astype(np.int32)

    def proba(self, raw, from_logits=False):
        """Class probabilities (n_samples, n_classes) in float64 from the network output."""
        raw = np.asarray(raw, dtype=np.float64)
        if raw.ndim == 1:
            raw = raw.reshape(-1, 1)
        n = raw.shape[0]
        if self.target_type_ == "multilabel-indicator":
            return np.clip(_sigmoid(raw) if from_logits else raw, 0.0, 1.0)
        if self.n_classes_ == 1:  # a single class seen in training: it is always the answer
            return np.ones((n, 1))
        if raw.shape[1] == 1 and self.n_classes_ == 2:
            p1 = np.clip(_sigmoid(raw[:, 0]) if from_logits else raw[:, 0], 0.0, 1.0)
            return np.column_stack([1.0 - p1, p1])
        if raw.shape[1] != self.n_classes_:
            raise ValueError(
                f"The model outputs {raw.shape[1]} units per sample but the target "
                f"has {self.n_classes_} classes; the last layer needs "
                f"{self.n_classes_} units (or 1 sigmoid unit for two classes)."
            )
        if from_logits:
            return _softmax(raw)
        raw = np.clip(raw, 0.0, None)
        total = raw.sum(axis=1, keepdims=True)
        total[total == 0] = 1.0
        return raw / total

    def decode(self, proba):
        """Labels from probabilities: argmax, or a 0.5 threshold per label for multilabel."""
        if self.target_type_ == "multilabel-indicator":
            return (proba > 0.5).astype(self.y_dtype_)
        return self.classes_[np.argmax(proba, axis=1)]


class RegressorTargets:
    """Shape bookkeeping for regression: the network always sees (n, n_outputs) float32."""

    def __init__(self, y):
        y = np.asarray(y)
        self.target_type_ = type_of_target(y)
        self.y_ndim_ = y.ndim
        self.y_dtype_ = y.dtype
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        self.n_outputs_expected_ = self.n_outputs_

    def encode(self, y):
        y = np.asarray(y, dtype=np.float32)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"Expected a target with {self.n_outputs_} outputs, got shape {y.shape}."
            )
        return np.ascontiguousarray(y)

    def decode(self, raw):
        raw = np.asarray(raw, dtype=np.float64)  # scikit-learn regressors return float64
        if self.y_ndim_ == 1 and raw.ndim == 2 and raw.shape[1] == 1:
            return raw.ravel()
        return raw
