"""California housing prices: `load_data(version="large", test_split=0.2, seed=113)`,
the rows shuffled with numpy's legacy RandomState(seed) and split as Keras splits
them; version "small" keeps the first 600 rows."""

import numpy as np

from ._files import get_file


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1), got {test_split}")
    if version not in ("small", "large"):
        raise ValueError(
            f"Argument `version` must be one of 'small', 'large'. Received: version={version}"
        )
    with np.load(get_file(path), allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    idx = np.arange(len(x))
    np.random.RandomState(seed).shuffle(idx)
    x, y = x[idx], y[idx]
    n = int(len(x) * (1 - test_split))
    return (x[:n], y[:n]), (x[n:], y[n:])
