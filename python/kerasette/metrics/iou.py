"""MeanIoU (Keras 3): a weighted (num_classes x num_classes) confusion matrix, rows the
labels and columns the predictions; the result is the mean over classes that occur of
true positives / (row sum + column sum - true positives). As Keras (whose IoU state
has an int dtype), float sample weights are truncated to integers."""

from .. import ops
from ..losses.reduction import divide_no_nan
from .metric import Metric


class MeanIoU(Metric):
    """The mean intersection over union over classes (for segmentation): for each class,
    `true_positives / (true_positives + false_positives + false_negatives)`, averaged.

    Args:
        num_classes: The number of classes.
        name: The metric's name. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
        ignore_class: A class id not counted, or `None`. Defaults to `None`.
        sparse_y_true: Whether labels are class ids (rather than one-hot). Defaults
            to `True`.
        sparse_y_pred: Whether predictions are class ids (rather than scores to take
            the argmax of). Defaults to `True`.
        axis: The class axis of dense inputs. Defaults to `-1`.
    """

    def __init__(
        self,
        num_classes,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(name=name, dtype=dtype)
        self.num_classes, self.ignore_class = num_classes, ignore_class
        self.sparse_y_true, self.sparse_y_pred, self.axis = sparse_y_true, sparse_y_pred, axis
        self.target_class_ids = list(range(num_classes))
        self.total_cm = self.add_variable(
            (num_classes, num_classes), "zeros", name="total_confusion_matrix"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        y_true = ops.reshape(ops.cast(ops.convert_to_tensor(y_true), "float32"), (-1,))
        y_pred = ops.reshape(ops.cast(ops.convert_to_tensor(y_pred), "float32"), (-1,))
        y_true = ops.cast(ops.cast(y_true, "int32"), "float32")  # Keras's int cast
        y_pred = ops.cast(ops.cast(y_pred, "int32"), "float32")
        if sample_weight is None:
            w = ops.ones_like(y_true)
        else:
            w = ops.multiply(
                ops.reshape(ops.cast(ops.convert_to_tensor(sample_weight), "float32"), (-1,)),
                ops.ones_like(y_true),
            )
        n = float(self.num_classes)
        ok = ops.logical_and(
            ops.logical_and(ops.greater_equal(y_true, 0.0), ops.less(y_true, n)),
            ops.logical_and(ops.greater_equal(y_pred, 0.0), ops.less(y_pred, n)),
        )
        if self.ignore_class is not None:
            ok = ops.logical_and(ok, ops.not_equal(y_true, float(self.ignore_class)))
        # Keras's IoU metrics accumulate in an int dtype: weights are truncated to ints
        w = ops.cast(ops.cast(ops.where(ok, w, 0.0), "int32"), "float32")
        t = ops.one_hot(ops.cast(ops.where(ok, y_true, 0.0), "int32"), self.num_classes)
        p = ops.one_hot(ops.cast(ops.where(ok, y_pred, 0.0), "int32"), self.num_classes)
        cm = ops.matmul(ops.transpose(ops.multiply(t, ops.expand_dims(w, -1))), p)
        self.total_cm.assign_add(cm)

    def result(self):
        cm = self.total_cm
        rows = ops.sum(cm, axis=0)
        cols = ops.sum(cm, axis=1)
        tp = ops.diagonal(cm)
        denom = ops.subtract(ops.add(rows, cols), tp)
        valid = ops.sum(ops.cast(ops.greater(denom, 1e-9), "float32"))
        return divide_no_nan(ops.sum(divide_no_nan(tp, denom)), valid)

    def get_config(self):
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }
