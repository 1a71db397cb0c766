"""FBetaScore and F1Score (Keras 3): per-class (or micro) true/false positive and false
negative counts of thresholded predictions (argmax rows when threshold is None)."""

from .. import ops
from .metric import Metric

_EPS = 1e-7


class FBetaScore(Metric):
    """The F-beta score: the weighted harmonic mean of precision and recall,
    `(1 + beta**2) * precision * recall / (beta**2 * precision + recall)`, per class.

    Args:
        average: `None` (one score per class), `"micro"` (from the totals),
            `"macro"` (the mean of the classes) or `"weighted"` (weighted by
            support). Defaults to `None`.
        beta: How much more recall weighs than precision. Defaults to `1.0`.
        threshold: Predictions above it count as positive; `None` takes the argmax
            of each sample. Defaults to `None`.
        name: The metric's name. Defaults to `"fbeta_score"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                "Invalid `average` argument value. Expected one of: "
                "{None, 'micro', 'macro', 'weighted'}. Received: "
                f"average={average}"
            )
        if not isinstance(beta, float):
            raise ValueError(
                "Invalid `beta` argument value. It should be a Python float. "
                f"Received: beta={beta} of type '{type(beta)}'"
            )
        if beta <= 0.0:
            raise ValueError(
                f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}"
            )
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    "Invalid `threshold` argument value. It should be a Python "
                    f"float. Received: threshold={threshold} of type "
                    f"'{type(threshold)}'"
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(
                    "Invalid `threshold` argument value. It should verify "
                    f"0 < threshold <= 1. Received: threshold={threshold}"
                )
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                "FBetaScore expects 2D inputs with shape (batch_size, "
                f"output_dim). Received input shapes: y_pred.shape="
                f"{y_pred_shape} and y_true.shape={y_true_shape}."
            )
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(
                "FBetaScore expects 2D inputs with shape (batch_size, "
                "output_dim), with output_dim fully defined (not None)."
            )
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        from ..graph.trace import suspended

        with suspended():
            self.true_positives = self.add_variable(shape, "zeros", name="true_positives")
            self.false_positives = self.add_variable(shape, "zeros", name="false_positives")
            self.false_negatives = self.add_variable(shape, "zeros", name="false_negatives")
            self.intermediate_weights = self.add_variable(
                shape, "zeros", name="intermediate_weights"
            )
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(ops.convert_to_tensor(y_true), "float32")
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), "float32")
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if self.threshold is None:
            top = ops.max(y_pred, axis=-1, keepdims=True)
            y_pred = ops.logical_and(
                ops.greater_equal(y_pred, top), ops.greater(ops.abs(y_pred), 1e-9)
            )
        else:
            y_pred = ops.greater(y_pred, self.threshold)
        y_pred = ops.cast(y_pred, "float32")
        if sample_weight is not None:
            sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), "float32")

        def wsum(v):
            if sample_weight is not None:
                v = ops.multiply(v, ops.expand_dims(sample_weight, 1))
            return ops.sum(v, axis=self.axis)

        self.true_positives.assign_add(wsum(ops.multiply(y_pred, y_true)))
        self.false_positives.assign_add(wsum(ops.multiply(y_pred, ops.subtract(1.0, y_true))))
        self.false_negatives.assign_add(wsum(ops.multiply(ops.subtract(1.0, y_pred), y_true)))
        self.intermediate_weights.assign_add(wsum(y_true))

    def result(self):
        if not self._built:
            return ops.convert_to_tensor(0.0)
        tp = self.true_positives
        precision = ops.divide(tp, ops.add(ops.add(tp, self.false_positives), _EPS))
        recall = ops.divide(tp, ops.add(ops.add(tp, self.false_negatives), _EPS))
        b2 = self.beta**2
        f = ops.multiply(
            ops.divide(
                ops.multiply(precision, recall),
                ops.add(ops.add(ops.multiply(precision, b2), recall), _EPS),
            ),
            1.0 + b2,
        )
        if self.average == "weighted":
            w = ops.divide(
                self.intermediate_weights, ops.add(ops.sum(self.intermediate_weights), _EPS)
            )
            return ops.sum(ops.multiply(f, w))
        if self.average is not None:
            return ops.mean(f)
        return f

    def reset_state(self):
        for v in self.variables:
            v.assign(ops.zeros(v.shape, dtype=v.dtype))

    def get_config(self):
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """The F1 score: the harmonic mean of precision and recall, per class (`FBetaScore`
    with `beta=1`).

    Args:
        average: `None` (one score per class), `"micro"`, `"macro"` or `"weighted"`.
            Defaults to `None`.
        threshold: Predictions above it count as positive; `None` takes the argmax
            of each sample. Defaults to `None`.
        name: The metric's name. Defaults to `"f1_score"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
