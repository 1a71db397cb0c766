"""kerasette.utils: Keras's utilities (seeding, one-hot, progress bar, summary)."""

import importlib as _importlib

from .numerical import normalize, to_categorical
from .progbar import Progbar
from .random import make_generator, next_seed, set_random_seed
from .summary import print_summary

# Names Keras exports from keras.utils that live in other kerasette packages; imported
# on first use so `import kerasette.utils` stays light.
_ELSEWHERE = {
    "PyDataset": ("kerasette.data.py_dataset", "PyDataset"),
    "Sequence": ("kerasette.data.py_dataset", "PyDataset"),
    "register_keras_serializable": ("kerasette.saving", "register_keras_serializable"),
    "custom_object_scope": ("kerasette.saving", "custom_object_scope"),
    "CustomObjectScope": ("kerasette.saving", "CustomObjectScope"),
    "get_custom_objects": ("kerasette.saving", "get_custom_objects"),
    "get_registered_name": ("kerasette.saving", "get_registered_name"),
    "get_registered_object": ("kerasette.saving", "get_registered_object"),
    "serialize_keras_object": ("kerasette.saving", "serialize_keras_object"),
    "deserialize_keras_object": ("kerasette.saving", "deserialize_keras_object"),
    "pad_sequences": ("kerasette.utils.sequence_utils", "pad_sequences"),
    "get_file": ("kerasette.datasets._files", "get_file"),
    "timeseries_dataset_from_array": (
        "kerasette.utils.timeseries_dataset",
        "timeseries_dataset_from_array",
    ),
    "split_dataset": ("kerasette.utils.splitting", "split_dataset"),
    "FeatureSpace": ("kerasette.utils.feature_space", "FeatureSpace"),
    "plot_model": ("kerasette.utils.model_visualization", "plot_model"),
    "model_to_dot": ("kerasette.utils.model_visualization", "model_to_dot"),
    "image_dataset_from_directory": (
        "kerasette.utils.image_dataset",
        "image_dataset_from_directory",
    ),
    "text_dataset_from_directory": ("kerasette.utils.text_dataset", "text_dataset_from_directory"),
}

__all__ = [
    "Progbar",
    "make_generator",
    "next_seed",
    "normalize",
    "print_summary",
    "set_random_seed",
    "to_categorical",
    *_ELSEWHERE,
]


def __getattr__(name):
    if name in _ELSEWHERE:
        module, attr = _ELSEWHERE[name]
        return getattr(_importlib.import_module(module), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
