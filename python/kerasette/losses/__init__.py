"""kerasette.losses: Keras 3's losses (classes, functions, string names, get)."""
from .loss import Loss
from .losses import (BinaryCrossentropy, CategoricalCrossentropy, Hinge, Huber, KLDivergence,
                     MeanAbsoluteError, MeanSquaredError, Poisson,
                     SparseCategoricalCrossentropy, binary_crossentropy,
                     categorical_crossentropy, hinge, huber, kl_divergence, mean_absolute_error,
                     mean_squared_error, poisson, sparse_categorical_crossentropy)

CLASSES = [MeanSquaredError, MeanAbsoluteError, Huber, BinaryCrossentropy,
           CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Hinge, Poisson]

# Every string Keras's `losses.get` accepts for these losses -> the class.
NAMES = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError, "huber": Huber, "huber_loss": Huber,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "BCE": BinaryCrossentropy, "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "kl_divergence": KLDivergence, "kld": KLDivergence, "KLD": KLDivergence,
    "kullback_leibler_divergence": KLDivergence, "hinge": Hinge, "poisson": Poisson,
}
NAMES.update({cls.__name__: cls for cls in CLASSES})

_FUNCTIONS = {mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
              huber: Huber, binary_crossentropy: BinaryCrossentropy,
              categorical_crossentropy: CategoricalCrossentropy,
              sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
              kl_divergence: KLDivergence, hinge: Hinge, poisson: Poisson}


def get(identifier):
    """A Loss instance for a name, class, config dict or loss function; None stays None.

    Strings give the class with default arguments (Keras gives the function; both
    compute the same value, and the instance tells the engine its kind and options).
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier not in NAMES:
            raise ValueError(f"Could not interpret loss identifier: {identifier!r}. Known "
                             f"names: {sorted(NAMES)}")
        return NAMES[identifier]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if identifier in _FUNCTIONS:
        return _FUNCTIONS[identifier]()
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}. kerasette runs "
                     f"the losses {sorted(c.__name__ for c in CLASSES)} and their names.")


def serialize(loss):
    if loss is None:
        return None
    return {"module": "keras.losses", "class_name": type(loss).__name__,
            "config": loss.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    if isinstance(config, str):
        return get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret loss config: {config!r}")
    name = config["class_name"]
    table = dict(NAMES, **(custom_objects or {}))
    if name not in table:
        raise ValueError(f"Unknown loss: {name!r}")
    cls = table[name]
    return cls.from_config(config.get("config") or {}) if isinstance(cls, type) else cls


__all__ = [c.__name__ for c in CLASSES] + [
    "Loss", "get", "serialize", "deserialize", "binary_crossentropy", "categorical_crossentropy",
    "hinge", "huber", "kl_divergence", "mean_absolute_error", "mean_squared_error", "poisson",
    "sparse_categorical_crossentropy", "mse", "mae", "kld", "MSE", "MAE", "KLD"]
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
kld = KLD = kl_divergence
