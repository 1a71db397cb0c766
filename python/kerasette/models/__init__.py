"""kerasette.models: Model, Sequential, and the saving helpers Keras exports here."""

import importlib as _importlib

from .functional import Functional  # noqa: F401  (configs name it: keras.src.models.functional)
from .model import Model
from .sequential import Sequential

# These live in kerasette.saving; importing them lazily keeps `import kerasette.models` light.
_FROM_SAVING = ("load_model", "clone_model", "model_from_json", "save_model")

__all__ = ["Model", "Sequential", *_FROM_SAVING]


def __getattr__(name):
    if name in _FROM_SAVING:
        return getattr(_importlib.import_module("kerasette.saving"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
