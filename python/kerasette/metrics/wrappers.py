"""The built-in MeanMetricWrapper classes: the accuracies, the regression and
probabilistic metrics, the hinges. Each config holds its own arguments (Keras's)."""

import inspect

from . import functions as F
from .metric import Metric
from .reduction import MeanMetricWrapper


class _Builtin(MeanMetricWrapper):
    _config_keys = ()  # the constructor arguments kept in the config besides name, dtype

    def get_config(self):
        return {**Metric.get_config(self), **{k: getattr(self, k) for k in self._config_keys}}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("fn", None)
        return cls(**config)


# Each wrapper class's docstring: its summary, then Args built from its arguments.
_SUMMARIES = {
    "Accuracy": "How often predictions equal labels (exact match), as a weighted mean.",
    "BinaryAccuracy": "How often binary predictions match the labels: a prediction above "
    "`threshold` counts as 1.",
    "CategoricalAccuracy": "How often the predicted class (the argmax) matches the one-hot "
    "label's.",
    "SparseCategoricalAccuracy": "How often the predicted class (the argmax) matches the "
    "integer label.",
    "MeanSquaredError": "The mean squared error between labels and predictions.",
    "MeanAbsoluteError": "The mean absolute error between labels and predictions.",
    "MeanAbsolutePercentageError": "The mean absolute percentage error between labels and "
    "predictions.",
    "MeanSquaredLogarithmicError": "The mean squared logarithmic error between labels and "
    "predictions.",
    "LogCoshError": "The mean logarithm of the hyperbolic cosine of the prediction error.",
    "KLDivergence": "The Kullback-Leibler divergence between labels and predictions.",
    "Poisson": "The Poisson loss between labels and predictions, as a metric.",
    "Hinge": "The hinge loss, as a metric (labels -1/1; 0/1 labels are converted).",
    "SquaredHinge": "The squared hinge loss, as a metric.",
    "CategoricalHinge": "The categorical hinge loss, as a metric.",
    "BinaryCrossentropy": "The binary cross-entropy between labels and predictions, as a metric.",
    "CategoricalCrossentropy": "The categorical cross-entropy between one-hot labels and "
    "predictions, as a metric.",
    "SparseCategoricalCrossentropy": "The cross-entropy between integer labels and "
    "predicted class probabilities, as a metric.",
}
_ARG_DOCS = {
    "name": "The metric's name.",
    "dtype": 'Only `None` or `"float32"`.',
    "threshold": "The value above which a prediction counts as 1.",
    "from_logits": "Whether `y_pred` holds logits rather than probabilities.",
    "label_smoothing": "In `[0, 1]`: how far the targets move toward a uniform distribution.",
    "axis": "The class axis.",
    "ignore_class": "A class id whose samples are not counted, or `None`.",
}


def _doc(class_name, default_name, params):
    """`class_name`'s docstring: its summary and one Args entry per argument."""

    def entry(key, value):
        shown = f'"{value}"' if isinstance(value, str) else repr(value)
        return f"        {key}: {_ARG_DOCS[key]} Defaults to `{shown}`."

    args = "\n".join(
        [entry("name", default_name), f"        dtype: {_ARG_DOCS['dtype']}"]
        + [entry(k, v) for k, v in params.items()]
    )
    return f"""{_SUMMARIES[class_name]}

    Args:
{args}
    """


def _wrapper(class_name, fn, default_name, **params):
    """A wrapper class `class_name(name=default_name, dtype=None, **params)` of fn."""

    def __init__(self, name=default_name, dtype=None, *args, **kwargs):
        if len(args) > len(params) or set(kwargs) - set(params):
            raise TypeError(
                f"{class_name}() takes name, dtype and {list(params)}; got "
                f"{len(args)} more positional and {sorted(kwargs)}"
            )
        values = {**params, **dict(zip(params, args)), **kwargs}
        _Builtin.__init__(self, fn, name=name, dtype=dtype, **values)
        for key, value in values.items():
            setattr(self, key, value)

    # The signature help(), the docs and tools/api_table.py read: Keras's arguments.
    def arg(name, *default):
        return inspect.Parameter(
            name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            **({"default": default[0]} if default else {}),
        )

    __init__.__signature__ = inspect.Signature(
        [arg("self"), arg("name", default_name), arg("dtype", None)]
        + [arg(k, v) for k, v in params.items()]
    )
    return type(
        class_name,
        (_Builtin,),
        {
            "__init__": __init__,
            "_config_keys": tuple(params),
            "__module__": __name__,
            "__doc__": _doc(class_name, default_name, params),
        },
    )


Accuracy = _wrapper("Accuracy", F.accuracy, "accuracy")
BinaryAccuracy = _wrapper("BinaryAccuracy", F.binary_accuracy, "binary_accuracy", threshold=0.5)
CategoricalAccuracy = _wrapper(
    "CategoricalAccuracy", F.categorical_accuracy, "categorical_accuracy"
)
SparseCategoricalAccuracy = _wrapper(
    "SparseCategoricalAccuracy", F.sparse_categorical_accuracy, "sparse_categorical_accuracy"
)
MeanSquaredError = _wrapper("MeanSquaredError", F.mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", F.mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper(
    "MeanAbsolutePercentageError",
    F.mean_absolute_percentage_error,
    "mean_absolute_percentage_error",
)
MeanSquaredLogarithmicError = _wrapper(
    "MeanSquaredLogarithmicError",
    F.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error",
)
LogCoshError = _wrapper("LogCoshError", F.log_cosh, "logcosh")
KLDivergence = _wrapper("KLDivergence", F.kl_divergence, "kl_divergence")
Poisson = _wrapper("Poisson", F.poisson, "poisson")
Hinge = _wrapper("Hinge", F.hinge, "hinge")
SquaredHinge = _wrapper("SquaredHinge", F.squared_hinge, "squared_hinge")
CategoricalHinge = _wrapper("CategoricalHinge", F.categorical_hinge, "categorical_hinge")
BinaryCrossentropy = _wrapper(
    "BinaryCrossentropy",
    F.binary_crossentropy,
    "binary_crossentropy",
    from_logits=False,
    label_smoothing=0,
)
CategoricalCrossentropy = _wrapper(
    "CategoricalCrossentropy",
    F.categorical_crossentropy,
    "categorical_crossentropy",
    from_logits=False,
    label_smoothing=0,
    axis=-1,
)
SparseCategoricalCrossentropy = _wrapper(
    "SparseCategoricalCrossentropy",
    F.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy",
    from_logits=False,
    ignore_class=None,
    axis=-1,
)


class TopKCategoricalAccuracy(_Builtin):
    _config_keys = ("k",)

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(F.top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(_Builtin):
    _config_keys = ("k",)

    def __init__(
        self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False
    ):
        super().__init__(
            F.sparse_top_k_categorical_accuracy,
            name=name,
            dtype=dtype,
            k=k,
            from_sorted_ids=from_sorted_ids,
        )
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        config = super().get_config()
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
