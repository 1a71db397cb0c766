"""CIFAR-10: `load_data()` -> ((x_train, y_train), (x_test, y_test)), uint8 images
(n, 32, 32, 3) (channels_first when the image data format says so) and uint8 labels of
shape (n, 1), from the Python-pickle batches of Keras's cached, extracted archive."""

import os

import numpy as np

from ._files import get_file
from ._pickled import load_pickle

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


def load_batch(path, label_key="labels"):
    """(data (n, 3, 32, 32) uint8, labels) of one pickled CIFAR batch."""
    d = {
        k.decode("utf8") if isinstance(k, bytes) else k: v
        for k, v in load_pickle(path, encoding="bytes").items()
    }
    data = np.asarray(d["data"], dtype=np.uint8)
    return data.reshape(len(data), 3, 32, 32), d[label_key]


def load_data():
    folder = os.path.join(
        get_file("cifar-10-batches-py-target", origin=ORIGIN, extract=True), "cifar-10-batches-py"
    )
    parts = [load_batch(os.path.join(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([np.asarray(p[1], np.uint8) for p in parts]).reshape(-1, 1)
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    y_test = np.asarray(y_test, np.uint8).reshape(-1, 1)
    from ..config import image_data_format

    if image_data_format() == "channels_last":
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
