"""kerasette.utils: Keras's utilities (seeding, one-hot, progress bar, summary)."""
from .numerical import normalize, to_categorical
from .progbar import Progbar
from .random import make_generator, next_seed, set_random_seed
from .summary import print_summary

__all__ = ["Progbar", "make_generator", "next_seed", "normalize", "print_summary",
           "set_random_seed", "to_categorical"]


def __getattr__(name):  # Keras's utils.PyDataset lives in kerasette.data; loaded on first use
    if name == "PyDataset":
        from ..data.py_dataset import PyDataset
        return PyDataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
