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


def _wrapper(class_name, fn, default_name, **params):
    """A wrapper class `class_name(name=default_name, dtype=None, **params)` of fn."""
    def __init__(self, name=default_name, dtype=None, *args, **kwargs):
        if len(args) > len(params) or set(kwargs) - set(params):
            raise TypeError(f"{class_name}() takes name, dtype and {list(params)}; got "
                            f"{len(args)} more positional and {sorted(kwargs)}")
        values = {**params, **dict(zip(params, args)), **kwargs}
        _Builtin.__init__(self, fn, name=name, dtype=dtype, **values)
        for key, value in values.items():
            setattr(self, key, value)

    # The signature help(), the docs and tools/api_table.py read: Keras's arguments.
    def arg(name, *default):
        return inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                 **({"default": default[0]} if default else {}))
    __init__.__signature__ = inspect.Signature(
        [arg("self"), arg("name", default_name), arg("dtype", None)]
        + [arg(k, v) for k, v in params.items()])
    return type(class_name, (_Builtin,), {"__init__": __init__, "_config_keys": tuple(params),
                                          "__module__": __name__})


Accuracy = _wrapper("Accuracy", F.accuracy, "accuracy")
BinaryAccuracy = _wrapper("BinaryAccuracy", F.binary_accuracy, "binary_accuracy",
                          threshold=0.5)
CategoricalAccuracy = _wrapper("CategoricalAccuracy", F.categorical_accuracy,
                               "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", F.sparse_categorical_accuracy,
                                     "sparse_categorical_accuracy")
MeanSquaredError = _wrapper("MeanSquaredError", F.mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", F.mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper("MeanAbsolutePercentageError",
                                       F.mean_absolute_percentage_error,
                                       "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _wrapper("MeanSquaredLogarithmicError",
                                       F.mean_squared_logarithmic_error,
                                       "mean_squared_logarithmic_error")
LogCoshError = _wrapper("LogCoshError", F.log_cosh, "logcosh")
KLDivergence = _wrapper("KLDivergence", F.kl_divergence, "kl_divergence")
Poisson = _wrapper("Poisson", F.poisson, "poisson")
Hinge = _wrapper("Hinge", F.hinge, "hinge")
SquaredHinge = _wrapper("SquaredHinge", F.squared_hinge, "squared_hinge")
CategoricalHinge = _wrapper("CategoricalHinge", F.categorical_hinge, "categorical_hinge")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", F.binary_crossentropy, "binary_crossentropy",
                              from_logits=False, label_smoothing=0)
CategoricalCrossentropy = _wrapper("CategoricalCrossentropy", F.categorical_crossentropy,
                                   "categorical_crossentropy", from_logits=False,
                                   label_smoothing=0, axis=-1)
SparseCategoricalCrossentropy = _wrapper("SparseCategoricalCrossentropy",
                                         F.sparse_categorical_crossentropy,
                                         "sparse_categorical_crossentropy", from_logits=False,
                                         ignore_class=None, axis=-1)


class TopKCategoricalAccuracy(_Builtin):
    _config_keys = ("k",)

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(F.top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(_Builtin):
    _config_keys = ("k",)

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(F.sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        config = super().get_config()
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
