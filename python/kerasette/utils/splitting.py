"""`split_dataset` (Keras's): an array, a tuple/list of arrays or a kerasette Dataset
split into two Datasets of `left_size` and `right_size` samples (ints, or floats as
fractions rounded as Keras rounds them). shuffle permutes the samples with Python's
random.Random(seed), the generator Keras seeds, so the splits hold the same rows as
Keras's. A batched Dataset gives batched splits of the same batch size."""

import random

import numpy as np


def _sizes(left, right, total):
    for name, v in (("left_size", left), ("right_size", right)):
        if v is not None and type(v) not in (int, float):
            raise TypeError(
                f"`{name}` should be an int or a float. Received: {name}={v!r} "
                f"of type {type(v).__name__}"
            )
    if left is None and right is None:
        raise ValueError(
            "At least one of the `left_size` or `right_size` must be "
            "specified. Received: left_size=None and right_size=None"
        )
    for name, v in (("left_size", left), ("right_size", right)):
        if v is not None and (v <= 0 or (v >= total if type(v) is int else v >= 1)):
            raise ValueError(
                f"`{name}` should be either a positive integer smaller than "
                f"{total}, or a float within the range `[0, 1]`. Received: "
                f"{name}={v}"
            )
    if type(left) is float and type(right) is float and left + right > 1:
        raise ValueError(
            "The sum of `left_size` and `right_size` is greater than 1. It "
            "must be less than or equal to 1."
        )
    left = round(left * total) if type(left) is float else left
    right = round(right * total) if type(right) is float else right
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(
            f"The sum of `left_size` and `right_size` should be smaller than "
            f"the {total}. Received: left_size + right_size = {left + right}"
        )
    if left == 0 or right == 0:
        raise ValueError(
            f"With `dataset` of length={total}, `left_size`={left} and "
            f"`right_size`={right}, one side of the split would be empty."
        )
    return int(left), int(right)


def split_dataset(
    dataset, left_size=None, right_size=None, shuffle=False, seed=None, preferred_backend=None
):
    # preferred_backend picks Keras's tf.data or torch output; kerasette returns its Dataset
    from ..data import Dataset
    from ..data.transforms import BatchDataset

    batch_size = None
    if isinstance(dataset, Dataset):
        if isinstance(dataset, BatchDataset):
            batch_size = dataset.batch_size
            dataset = dataset.unbatch()
        rows = list(dataset)
        if not rows:
            raise ValueError("split_dataset got an empty dataset")
        first = rows[0]
        if isinstance(first, tuple):
            arrays = tuple(np.stack([r[i] for r in rows]) for i in range(len(first)))
        elif isinstance(first, dict):
            arrays = {k: np.stack([r[k] for r in rows]) for k in first}
        else:
            arrays = np.stack(rows)
    elif isinstance(dataset, np.ndarray):
        arrays = dataset
    elif isinstance(dataset, (list, tuple)):
        arrays = tuple(np.asarray(a) for a in dataset)
        if len({len(a) for a in arrays}) != 1:
            raise ValueError(
                "split_dataset: the arrays of a tuple/list must have the same number of samples"
            )
    else:
        raise TypeError(
            "The `dataset` argument must be a kerasette Dataset, a NumPy "
            f"array or a tuple/list of arrays. Received: {type(dataset)}"
        )
    leaves = (
        list(arrays.values())
        if isinstance(arrays, dict)
        else (list(arrays) if isinstance(arrays, tuple) else [arrays])
    )
    total = len(leaves[0])
    order = list(range(total))
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.Random(seed).shuffle(order)
    left, right = _sizes(left_size, right_size, total)
    parts = []
    for idx in (np.asarray(order[:left]), np.asarray(order[total - right :])):
        if isinstance(arrays, dict):
            part = Dataset.from_tensor_slices({k: v[idx] for k, v in arrays.items()})
        elif isinstance(arrays, tuple):
            part = Dataset.from_tensor_slices(tuple(a[idx] for a in arrays))
        else:
            part = Dataset.from_tensor_slices(arrays[idx])
        parts.append(part.batch(batch_size) if batch_size else part)
    return tuple(parts)
