"""kerasette.losses: Keras 3's losses (classes, functions, string names, get), in ops."""

from .functions import (
    binary_crossentropy,
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
    sparse_categorical_crossentropy,
    squared_hinge,
)
from .loss import Loss, LossFunctionWrapper
from .losses import (
    CLASSES,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from .reduction import reduce_weighted_values

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

_FUNCTIONS = {
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError,
    huber: Huber,
    log_cosh: LogCosh,
    binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    kl_divergence: KLDivergence,
    hinge: Hinge,
    squared_hinge: SquaredHinge,
    categorical_hinge: CategoricalHinge,
    poisson: Poisson,
}

# Every string Keras's `losses.get` accepts for these losses -> the class.
NAMES = {fn.__name__: cls for fn, cls in _FUNCTIONS.items()}
NAMES.update({cls.__name__: cls for cls in CLASSES})
NAMES.update(
    {
        "mse": MeanSquaredError,
        "MSE": MeanSquaredError,
        "mae": MeanAbsoluteError,
        "MAE": MeanAbsoluteError,
        "mape": MeanAbsolutePercentageError,
        "MAPE": MeanAbsolutePercentageError,
        "msle": MeanSquaredLogarithmicError,
        "MSLE": MeanSquaredLogarithmicError,
        "huber_loss": Huber,
        "logcosh": LogCosh,
        "bce": BinaryCrossentropy,
        "BCE": BinaryCrossentropy,
        "kld": KLDivergence,
        "KLD": KLDivergence,
        "kullback_leibler_divergence": KLDivergence,
    }
)

# Cosine similarity, focal and overlap losses (long_tail.py).
from .long_tail import (  # noqa: E402
    LONG_TAIL_CLASSES,
    LONG_TAIL_FUNCTIONS,
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    CosineSimilarity,
    Dice,
    Tversky,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
    cosine_similarity,
    dice,
    tversky,
)

_FUNCTIONS.update(LONG_TAIL_FUNCTIONS)
NAMES.update({fn.__name__: cls for fn, cls in LONG_TAIL_FUNCTIONS.items()})
NAMES.update({cls.__name__: cls for cls in LONG_TAIL_CLASSES})


def get(identifier):
    """A Loss for a name, class, config dict, Loss or function; None stays None.

    Strings and Keras's own functions give the class with default arguments (Keras gives
    the function; both compute the same value, and the class tells the engine its kind).
    Any other callable `fn(y_true, y_pred)` is wrapped in a LossFunctionWrapper, as
    Keras's compile does.
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier not in NAMES:
            raise ValueError(
                f"Could not interpret loss identifier: {identifier!r}. Known names: {sorted(NAMES)}"
            )
        return NAMES[identifier]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if identifier in _FUNCTIONS:
        return _FUNCTIONS[identifier]()
    if callable(identifier):
        return LossFunctionWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def serialize(loss):
    """The config dict of a loss, in Keras's layout (`{"module", "class_name", "config",
    "registered_name"}`).

    Args:
        loss: A loss instance (`None` gives `None`).

    Returns:
        A JSON-serializable dict that `deserialize` reads.
    """
    if loss is None:
        return None
    return {
        "module": "keras.losses",
        "class_name": type(loss).__name__,
        "config": loss.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    """The loss a config dict (or name) describes.

    Args:
        config: A dict as `serialize` returns, or a name.
        custom_objects: A dict mapping names to custom classes or functions.
            Defaults to `None`.

    Returns:
        The loss.

    Raises:
        ValueError: If the config names an unknown loss.
    """
    if isinstance(config, str):
        return get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret loss config: {config!r}")
    name = config["class_name"]
    table = dict(NAMES, LossFunctionWrapper=LossFunctionWrapper, **(custom_objects or {}))
    if name not in table:
        raise ValueError(f"Unknown loss: {name!r}")
    cls = table[name]
    return cls.from_config(config.get("config") or {}) if isinstance(cls, type) else cls


__all__ = (
    [c.__name__ for c in CLASSES]
    + ["Loss", "LossFunctionWrapper", "get", "serialize", "deserialize", "reduce_weighted_values"]
    + [fn.__name__ for fn in _FUNCTIONS]
    + [
        "mse",
        "mae",
        "mape",
        "msle",
        "kld",
        "logcosh",
        "MSE",
        "MAE",
        "MAPE",
        "MSLE",
        "KLD",
        "kullback_leibler_divergence",
    ]
)
__all__ += [c.__name__ for c in LONG_TAIL_CLASSES]
