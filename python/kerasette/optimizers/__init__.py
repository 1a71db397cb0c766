"""kerasette.optimizers: Keras 3's optimizers and learning-rate schedules."""

from . import schedules
from .extra_optimizers import Adamax, Ftrl, Lamb, Lion
from .optimizer import Optimizer
from .optimizers import SGD, Adadelta, Adagrad, Adam, AdamW, Nadam, RMSprop

CLASSES = [SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Nadam, Adamax, Ftrl, Lion, Lamb]
# Keras's `optimizers.get` names: lower-case class names (and the class names).
NAMES = {cls.__name__.lower(): cls for cls in CLASSES}
NAMES.update({cls.__name__: cls for cls in CLASSES})


def get(identifier):
    """An Optimizer for a name ("adam"), class, config dict or instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        if identifier not in NAMES:
            raise ValueError(
                f"Could not interpret optimizer identifier: {identifier!r}. Known: {sorted(NAMES)}"
            )
        return NAMES[identifier]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


def serialize(optimizer):
    return {
        "module": "keras.optimizers",
        "class_name": type(optimizer).__name__,
        "config": optimizer.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    name = config.get("class_name") if isinstance(config, dict) else None
    table = dict(NAMES, **(custom_objects or {}))
    if name not in table:
        raise ValueError(f"Unknown optimizer: {name!r}")
    return table[name].from_config(config.get("config") or {}, custom_objects=custom_objects)


__all__ = [c.__name__ for c in CLASSES] + [
    "Optimizer",
    "schedules",
    "get",
    "serialize",
    "deserialize",
]
