"""Fashion-MNIST: `load_data()` -> ((x_train, y_train), (x_test, y_test)), uint8 images
(n, 28, 28) and uint8 labels, from the four gzipped IDX files Keras caches in
`datasets/fashion-mnist/`."""

import gzip
import os

import numpy as np

from ._files import ORIGIN, get_file

FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def _read(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load_data():
    paths = [
        get_file(f, origin=ORIGIN + f, cache_subdir=os.path.join("datasets", "fashion-mnist"))
        for f in FILES
    ]
    # IDX files: an 8-byte header before labels, a 16-byte one before images
    y_train, y_test = _read(paths[0], 8), _read(paths[2], 8)
    x_train = _read(paths[1], 16).reshape(len(y_train), 28, 28)
    x_test = _read(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
