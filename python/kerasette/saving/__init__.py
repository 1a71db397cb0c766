"""Saving and loading in Keras 3's formats (``.keras``, ``.weights.h5``) and
reading legacy Keras 2 ``.h5`` files. h5py is imported only when a file is read
or written, so ``import kerasette`` stays light."""

from kerasette.saving.atomic_write import atomic_write
from kerasette.saving.model_config import clone_model, model_from_config, model_from_json
from kerasette.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from kerasette.saving.saving_api import load_model, load_weights, save_model, save_weights
from kerasette.saving.serialization import (
    UnknownObjectError,
    deserialize_keras_object,
    serialize_keras_object,
)

__all__ = [
    "CustomObjectScope",
    "UnknownObjectError",
    "atomic_write",
    "clone_model",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "model_from_config",
    "model_from_json",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]
