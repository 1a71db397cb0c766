"""`Loss` base: Keras 3's reductions over per-sample losses computed by the core.

The numbers come from the core's loss kernel (`core.loss_forward_backward`, the one the
training step uses), never from a second numpy formula. The kernel returns
sum_i sw_i * loss_i over rows; each reduction is that sum divided as Keras divides.
"""
import numpy as np

from ..utils.naming import to_snake_case

REDUCTIONS = ("sum", "sum_over_batch_size", "mean", "mean_with_sample_weight", "none", None)


def _core():
    from ..backend import core
    return core


def kernel_weighted_sum(kind, pred, target, sw, from_logits=False, label_smoothing=0.0,
                        delta=1.0):
    """sum_i sw_i * loss_i for (N, K) predictions, from the core's kernel."""
    core = _core()
    code = core.LOSSES[kind]
    value, _ = core.loss_forward_backward(code, pred, target, sw, from_logits=from_logits,
                                          label_smoothing=float(label_smoothing),
                                          delta=float(delta), want_grad=False)
    return float(value)


class Loss:
    """Base of the loss classes: name, reduction, `__call__` and config (Keras's)."""

    kind = None  # the core's loss name (core.LOSSES key)
    sparse = False  # targets are class ids (N,) rather than (N, K)

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"Invalid value for argument `reduction`. Expected one of "
                             f"{REDUCTIONS}. Received: reduction={reduction}")
        if dtype not in (None, "float32"):
            raise ValueError(f"kerasette losses compute in float32; got dtype={dtype!r}")
        self.name = name or to_snake_case(type(self).__name__)
        self.reduction = reduction
        self.dtype = dtype

    # What the kernel needs besides the arrays (from_logits, label_smoothing, delta).
    def _kernel_params(self):
        return {}

    def _prepare(self, y_true, y_pred):
        """Validates and shapes the arrays as (rows, K) with the per-row target."""
        y_pred = _numeric(y_pred, "y_pred")
        y_true = _numeric(y_true, "y_true")
        if y_pred.ndim == 0:
            raise ValueError(f"{self.name}: y_pred must have at least one axis, got a scalar")
        if self.sparse:
            return self._prepare_sparse(y_true, y_pred)
        if y_true.shape != y_pred.shape:
            # Keras squeezes/expands a trailing 1 so (N,) and (N, 1) meet.
            if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
                y_true = y_true[..., 0]
            elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
                y_true = y_true[..., None]
        if y_true.shape != y_pred.shape:
            raise ValueError(f"{self.name}: y_true and y_pred must have the same shape; got "
                             f"y_true {y_true.shape} and y_pred {y_pred.shape}")
        if y_pred.ndim == 1:  # Keras reduces over the last (only) axis: one row
            return y_true[None, :], y_pred[None, :], ()
        batch_shape = y_pred.shape[:-1]
        K = y_pred.shape[-1]
        return y_true.reshape(-1, K), y_pred.reshape(-1, K), batch_shape

    def _prepare_sparse(self, y_true, y_pred):
        if y_pred.ndim < 2:
            raise ValueError(f"{self.name}: y_pred must be (batch, num_classes), got "
                             f"{y_pred.shape}")
        if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
            y_true = y_true[..., 0]
        if y_true.shape != y_pred.shape[:-1]:
            raise ValueError(f"{self.name}: sparse labels must have shape {y_pred.shape[:-1]} "
                             f"(or with a trailing 1) for y_pred {y_pred.shape}; got "
                             f"{y_true.shape}")
        K = y_pred.shape[-1]
        if y_true.size and (np.any(y_true != np.floor(y_true)) or y_true.min() < 0
                            or y_true.max() >= K):
            raise ValueError(f"{self.name}: labels must be integers in [0, {K}); got values in "
                             f"[{y_true.min()}, {y_true.max()}]")
        return y_true.reshape(-1), y_pred.reshape(-1, K), y_pred.shape[:-1]

    def _sample_weights(self, sample_weight, batch_shape, rows):
        if sample_weight is None:
            return None
        sw = _numeric(sample_weight, "sample_weight")
        if batch_shape == ():
            if sw.size != 1:
                raise ValueError(f"{self.name}: one loss value takes one sample weight; got "
                                 f"sample_weight of shape {sw.shape}")
            return sw.reshape(1)
        while sw.ndim > len(batch_shape) and sw.shape[-1] == 1:
            sw = sw[..., 0]
        try:
            return np.ascontiguousarray(np.broadcast_to(
                sw.reshape(sw.shape + (1,) * (len(batch_shape) - sw.ndim)), batch_shape)
            ).reshape(rows)
        except ValueError:
            raise ValueError(f"{self.name}: sample_weight of shape {sw.shape} does not fit the "
                             f"per-sample losses of shape {batch_shape}") from None

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred, batch_shape = self._prepare(y_true, y_pred)
        rows = y_pred.shape[0]
        sw = self._sample_weights(sample_weight, batch_shape, rows)
        params = self._kernel_params()
        if self.reduction in ("none", None):
            out = np.empty(rows, dtype="float32")
            one = np.ones(1, dtype="float32")
            for i in range(rows):
                w = one if sw is None else sw[i:i + 1]
                out[i] = kernel_weighted_sum(self.kind, y_pred[i:i + 1], y_true[i:i + 1], w,
                                             **params)
            return out.reshape(batch_shape)
        if rows == 0:
            return np.float32(0.0)
        total = kernel_weighted_sum(self.kind, y_pred, y_true, sw, **params)
        if self.reduction == "sum":
            return np.float32(total)
        if self.reduction == "mean_with_sample_weight" and sw is not None:
            denom = float(np.sum(sw))
            return np.float32(total / denom if denom else 0.0)
        return np.float32(total / rows)

    def call(self, y_true, y_pred):
        """Per-sample losses (Keras's `Loss.call`)."""
        saved, self.reduction = self.reduction, "none"
        try:
            return self(y_true, y_pred)
        finally:
            self.reduction = saved

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = None
        return cls(**config)


def _numeric(x, what):
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be numeric, got dtype {a.dtype}")
    return np.ascontiguousarray(a, dtype="float32")
