"""kerasette.preprocessing: Keras 3's keras.preprocessing alias module (the sequence
submodule's pad_sequences and the dataset-from-directory/array utilities that
kerasette.utils provides)."""

from ..utils.text_dataset import text_dataset_from_directory
from . import sequence

__all__ = [
    "sequence",
    "text_dataset_from_directory",
    "image_dataset_from_directory",
    "timeseries_dataset_from_array",
]


def __getattr__(name):
    # Provided by kerasette.utils when (and if) it has them.
    if name in ("image_dataset_from_directory", "timeseries_dataset_from_array", "image"):
        from .. import utils

        try:
            return getattr(utils, name)
        except AttributeError:
            pass
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
