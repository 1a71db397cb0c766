"""kerasette.utils: Keras's utilities (seeding, one-hot, progress bar, summary)."""
from .numerical import normalize, to_categorical
from .progbar import Progbar
from .random import make_generator, next_seed, set_random_seed
from .summary import print_summary

__all__ = ["Progbar", "make_generator", "next_seed", "normalize", "print_summary",
           "set_random_seed", "to_categorical"]
