"""kerasette.metrics: Keras 3's metrics (update_state / result / reset_state over
Variables), written in ops: eager on arrays, graph effects and outputs when traced."""

from ..utils.naming import to_snake_case as _snake
from .auc import AUC
from .confusion import (
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from .functions import (
    accuracy,
    binary_accuracy,
    binary_crossentropy,
    categorical_accuracy,
    categorical_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_accuracy,
    sparse_categorical_crossentropy,
    sparse_top_k_categorical_accuracy,
    squared_hinge,
    top_k_categorical_accuracy,
)
from .metric import Metric
from .reduction import Mean, MeanMetricWrapper, Sum
from .wrappers import (
    Accuracy,
    BinaryAccuracy,
    BinaryCrossentropy,
    CategoricalAccuracy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalAccuracy,
    SparseCategoricalCrossentropy,
    SparseTopKCategoricalAccuracy,
    SquaredHinge,
    TopKCategoricalAccuracy,
)

CLASSES = [
    Mean,
    Sum,
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    MeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    LogCoshError,
    Precision,
    Recall,
    AUC,
    TruePositives,
    FalsePositives,
    TrueNegatives,
    FalseNegatives,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    KLDivergence,
    Poisson,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
]
# The long tail: constrained rates, F-scores, R2/RMSE/cosine, MeanIoU.
from .constrained import (  # noqa: E402
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)
from .f_score import F1Score, FBetaScore  # noqa: E402
from .iou import MeanIoU  # noqa: E402
from .regression_extra import (  # noqa: E402
    CosineSimilarity,
    R2Score,
    RootMeanSquaredError,
    cosine_similarity,  # noqa: E402
)

CLASSES += [
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    F1Score,
    FBetaScore,
    R2Score,
    MeanIoU,
    CosineSimilarity,
    RootMeanSquaredError,
]
# Keras's `metrics.get` table: class names, their snake_case names and the short aliases.
NAMES = {cls.__name__: cls for cls in CLASSES}
NAMES.update({_snake(cls.__name__): cls for cls in CLASSES})
NAMES.update(
    {
        "bce": BinaryCrossentropy,
        "BCE": BinaryCrossentropy,
        "mse": MeanSquaredError,
        "MSE": MeanSquaredError,
        "mae": MeanAbsoluteError,
        "MAE": MeanAbsoluteError,
        "mape": MeanAbsolutePercentageError,
        "MAPE": MeanAbsolutePercentageError,
        "msle": MeanSquaredLogarithmicError,
        "MSLE": MeanSquaredLogarithmicError,
        "kld": KLDivergence,
        "KLD": KLDivergence,
        "auc": AUC,
        "logcosh": LogCoshError,
    }
)
_FUNCTIONS = {
    accuracy: Accuracy,
    binary_accuracy: BinaryAccuracy,
    categorical_accuracy: CategoricalAccuracy,
    sparse_categorical_accuracy: SparseCategoricalAccuracy,
    top_k_categorical_accuracy: TopKCategoricalAccuracy,
    sparse_top_k_categorical_accuracy: SparseTopKCategoricalAccuracy,
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError,
    binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    kl_divergence: KLDivergence,
    poisson: Poisson,
    hinge: Hinge,
    squared_hinge: SquaredHinge,
    categorical_hinge: CategoricalHinge,
}
_FUNCTIONS[cosine_similarity] = CosineSimilarity


def get(identifier):
    """A Metric instance for a name, class, config dict, metric function or instance; any
    other function `fn(y_true, y_pred)` becomes a MeanMetricWrapper (Keras's rule)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier not in NAMES:
            raise ValueError(
                f"Could not interpret metric identifier: {identifier!r}. Known "
                f"names: {sorted(NAMES)}"
            )
        return NAMES[identifier]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        cls = _FUNCTIONS.get(identifier)
        return (
            cls()
            if cls is not None
            else MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", None))
        )
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def is_binary_or_sparse_categorical(y_true_shape, y_pred_shape):
    """Keras's rule for what `"accuracy"` means, from the label and output shapes."""
    is_binary = y_pred_shape[-1] == 1
    is_sparse = (
        len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1] == 1 and y_pred_shape[-1] > 1
    )
    return is_binary, is_sparse


def resolve(identifier, y_true_shape, y_pred_shape):
    """What `compile(metrics=[identifier])` builds (Keras's compile_utils.get_metric):
    "accuracy"/"acc" become binary, sparse categorical or categorical accuracy from the
    shapes; a string keeps its spelling as the metric's name ("mae", "acc", ...)."""
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true_shape, y_pred_shape)
        cls = (
            BinaryAccuracy
            if is_binary
            else SparseCategoricalAccuracy
            if is_sparse
            else CategoricalAccuracy
        )
        metric = cls(name=str(identifier))
    else:
        metric = get(identifier)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


def serialize(metric):
    """The config dict of a metric, in Keras's layout (`{"module", "class_name", "config",
    "registered_name"}`).

    Args:
        metric: A metric instance.

    Returns:
        A JSON-serializable dict that `deserialize` reads.
    """
    return {
        "module": "keras.metrics",
        "class_name": type(metric).__name__,
        "config": metric.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    """The metric a config dict (or name) describes.

    Args:
        config: A dict as `serialize` returns, or a name.
        custom_objects: A dict mapping names to custom classes or functions.
            Defaults to `None`.

    Returns:
        The metric.

    Raises:
        ValueError: If the config names an unknown metric.
    """
    if isinstance(config, str):
        return get(config)
    name = config.get("class_name") if isinstance(config, dict) else None
    table = dict(NAMES, MeanMetricWrapper=MeanMetricWrapper, **(custom_objects or {}))
    if name not in table:
        raise ValueError(f"Unknown metric: {name!r}")
    return table[name].from_config(config.get("config") or {})


__all__ = (
    [c.__name__ for c in CLASSES]
    + ["Metric", "MeanMetricWrapper", "get", "resolve", "serialize", "deserialize"]
    + [fn.__name__ for fn in _FUNCTIONS]
)
