"""MNIST digits: `load_data()` -> ((x_train, y_train), (x_test, y_test)), uint8 images
(60000, 28, 28) / (10000, 28, 28) and uint8 labels, as Keras returns them."""

import numpy as np

from ._files import get_file


def load_data(path="mnist.npz"):
    with np.load(get_file(path), allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
