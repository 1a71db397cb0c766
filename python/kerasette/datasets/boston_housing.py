"""Boston housing prices: `load_data(test_split=0.2, seed=113)` as Keras splits it (the
rows shuffled with numpy's legacy RandomState(seed), the last `test_split` held out)."""

import numpy as np

from ._files import get_file


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1), got {test_split}")
    with np.load(get_file(path), allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    rng = np.random.RandomState(seed)
    idx = np.arange(len(x))
    rng.shuffle(idx)
    x, y = x[idx], y[idx]
    n = int(len(x) * (1 - test_split))
    return (x[:n], y[:n]), (x[n:], y[n:])
