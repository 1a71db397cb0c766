"""`Loss`, Keras 3's base class, and `LossFunctionWrapper` (a per-sample function as a Loss).

A subclass writes `call(y_true, y_pred)` in `kerasette.ops` and returns per-sample values;
`__call__` converts the inputs to the loss's dtype, runs `call`, and applies sample
weights, masks and the reduction (reduction.py). On arrays everything runs at once and a
kerasette Tensor comes back; on symbolic tensors (a traced train step) it adds graph
nodes, so the trainer can differentiate and compile the loss with the model.
"""

import numpy as np

from .. import ops
from ..graph.trace import is_symbolic
from ..utils import naming
from ..variables import Variable
from .reduction import reduce_weighted_values, squeeze_or_expand_to_same_rank, standardize_reduction


def as_tensor(x, dtype, what):
    """x as a tensor of `dtype`: symbolic inputs get a cast node; concrete inputs are
    checked for a numeric dtype first, so a bad input fails with a clear TypeError."""
    if x is None:
        return None
    if is_symbolic(x):
        return ops.cast(x, dtype) if x.dtype != dtype else x
    if isinstance(x, Variable):
        return ops.convert_to_tensor(x, dtype)
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be numeric, got dtype {arr.dtype}")
    return ops.convert_to_tensor(arr, dtype)


def keras_mask(x):
    """The mask a layer (or a masked loss, see functions.py) attached to x, or None."""
    return getattr(x, "_keras_mask", None)


def _map(fn, structure):
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map(fn, s) for s in structure)
    if isinstance(structure, dict):
        return {k: _map(fn, v) for k, v in structure.items()}
    return fn(structure)


class Loss:
    """The base class of losses: subclass it and write `call`.

    `call(y_true, y_pred)` returns one value per sample, written in
    `kerasette.ops`; calling the loss converts the inputs, runs `call`, applies
    `sample_weight` and masks, and reduces. A custom loss runs compiled inside
    `fit`'s step, like the built-in ones.

    ```python
    class MeanSquaredErrorPlus(keras.losses.Loss):
        def call(self, y_true, y_pred):
            return keras.ops.mean(keras.ops.square(y_pred - y_true), axis=-1) + 1.0
    ```

    Args:
        name: The loss's name. Defaults to one from the class name.
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None` (no
            reduction). Defaults to `"sum_over_batch_size"`.
        dtype: Only `None` or `"float32"`: losses compute in float32.

    Raises:
        ValueError: For an unknown reduction or another dtype.
    """

    # Read by the engine to run a built-in loss as one fused kernel (engine/trainer.py,
    # engine/step_graphs.py). None for user losses: they run as their ops.
    kind = None
    sparse = False  # targets are class ids (N,) rather than (N, K)

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or naming.auto_name(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        if isinstance(dtype, dict):  # a serialized DTypePolicy
            dtype = (dtype.get("config") or {}).get("name")
        if dtype not in (None, "float32"):
            raise ValueError(f"kerasette losses compute in float32; got dtype={dtype!r}")
        self._dtype = "float32"

    @property
    def dtype(self):
        """The dtype the loss computes in (`"float32"`)."""
        return self._dtype

    @property
    def _ks_builtin(self):
        """True for kerasette's own loss classes (not a user's subclass of them): only
        those may be replaced by the fused kernel named by `kind`."""
        return type(self).__module__.startswith("kerasette.losses") and self.kind is not None

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = keras_mask(y_pred)
        y_pred = _map(lambda x: as_tensor(x, self.dtype, "y_pred"), y_pred)
        y_true = _map(lambda x: as_tensor(x, self.dtype, "y_true"), y_true)
        losses = self.call(y_true, y_pred)
        out_mask = keras_mask(losses)
        if in_mask is not None and out_mask is not None:
            mask = ops.logical_and(ops.cast(in_mask, "bool"), ops.cast(out_mask, "bool"))
        else:
            mask = in_mask if in_mask is not None else out_mask
        if sample_weight is not None:
            sample_weight = as_tensor(sample_weight, self.dtype, "sample_weight")
        return reduce_weighted_values(
            losses,
            sample_weight=sample_weight,
            mask=mask,
            reduction=self.reduction,
            dtype=self.dtype,
        )

    def call(self, y_true, y_pred):
        """The per-sample loss values (a subclass implements it).

        Args:
            y_true: The targets.
            y_pred: The predictions.

        Returns:
            A tensor of per-sample loss values.

        Raises:
            NotImplementedError: On the base class.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def get_config(self):
        """The loss's config: the constructor arguments that recreate it.

        Returns:
            A JSON-serializable dict that `from_config` reads.
        """
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        """Creates a loss from its config (what `get_config` returns).

        Args:
            config: The config dict.

        Returns:
            A new loss.
        """
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """A per-sample loss function `fn(y_true, y_pred, **kwargs)` as a `Loss`: what
    `compile(loss=my_function)` makes of a function.

    Args:
        fn: The function, returning one value per sample.
        reduction: As for `Loss`. Defaults to `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `fn`'s name.
        dtype: As for `Loss`. Defaults to `None`.
        **kwargs: Passed to `fn` on each call.
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(
            name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype
        )
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        if not isinstance(y_true, (list, tuple, dict)):
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config["fn"] = getattr(self.fn, "__name__", None)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fn = config.pop("fn", None)
        if isinstance(fn, str):
            from . import functions

            fn = getattr(functions, fn, None) or fn
        if not callable(fn):
            raise ValueError(
                f"LossFunctionWrapper.from_config: unknown function {fn!r}; "
                "pass the function through custom_objects"
            )
        return cls(fn, **config)

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"
