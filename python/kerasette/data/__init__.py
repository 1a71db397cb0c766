"""kerasette.data: tf.data's input pipeline (`Dataset`, `AUTOTUNE`) and Keras's
`PyDataset`, producing numpy batches for fit/evaluate/predict."""

from kerasette.data.dataset import AUTOTUNE, INFINITE, UNKNOWN, Dataset
from kerasette.data.py_dataset import PyDataset

INFINITE_CARDINALITY = INFINITE
UNKNOWN_CARDINALITY = UNKNOWN

__all__ = ["AUTOTUNE", "Dataset", "PyDataset", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY"]
