"""Turns what `fit`/`evaluate`/`predict` accept into arrays or a batch iterator.

Arrays, lists, dicts and DataFrames become one float32 matrix (the plan's rows; a
first layer with `preprocess` — DenseFeatures — turns dicts/DataFrames into it).
`kerasette.data.Dataset`, Python generators and `PyDataset`-like objects (Keras's
`__len__`/`__getitem__` protocol) are iterated batch by batch instead.
Bad input raises here, before any C++ work, with Keras-like messages.
"""

import types

import numpy as np


def is_batch_source(x):
    """True for inputs that yield batches (Dataset, generator, PyDataset-like)."""
    if isinstance(x, (np.ndarray, list, tuple, dict)) or x is None:
        return False
    if _is_dataframe(x) or _is_series(x):
        return False
    if isinstance(x, types.GeneratorType):
        return True
    if hasattr(x, "__getitem__") and hasattr(x, "__len__") and not hasattr(x, "shape"):
        return True  # PyDataset protocol
    return hasattr(x, "__iter__") and not hasattr(x, "shape")


def _is_dataframe(x):
    return type(x).__name__ == "DataFrame" and hasattr(x, "columns")


def _is_series(x):
    return type(x).__name__ == "Series" and hasattr(x, "to_numpy")


def to_numeric(a, what):
    """An ndarray of a numeric dtype; strings/objects raise ValueError naming `what`."""
    if _is_dataframe(a) or _is_series(a):
        a = a.to_numpy()
    if hasattr(a, "numpy") and not isinstance(a, np.ndarray):
        a = a.numpy()
    try:
        arr = np.asarray(a)
    except ValueError as e:  # ragged lists
        raise ValueError(f"{what}: could not convert to an array ({e})") from None
    if arr.dtype.kind == "O" and _only_numbers(arr):
        # pandas often yields object arrays of plain numbers; Keras refuses them
        # ("Invalid dtype: object"), kerasette reads them as float32.
        arr = arr.astype(np.float32)
    if arr.dtype.kind not in "biuf":
        raise ValueError(
            f"{what} must be numeric; got an array of dtype {arr.dtype} "
            "(strings or objects cannot be fed to the model)"
        )
    return arr


def _only_numbers(arr):
    """True when every element of an object array is a real number (bool included)."""
    import numbers

    return arr.size > 0 and all(isinstance(v, numbers.Real) for v in arr.ravel())


def features(model_layers, x, what="x", check_finite=True):
    """x as a float32 C-contiguous array with a batch axis (dict/DataFrame through the
    first layer's `preprocess`). check_finite=False leaves the NaN/inf check to the
    caller (predict runs it in C++, one batch at a time, before that batch's forward)."""
    first = model_layers[0] if model_layers else None
    if hasattr(first, "preprocess") and (
        isinstance(x, dict) or _is_dataframe(x) or getattr(first, "preprocess_arrays", False)
    ):
        x = first.preprocess(x)  # feature columns, strings -> the numbers the model takes
    elif isinstance(x, dict):
        if len(x) != 1:
            raise ValueError(
                f"{what}: a dict of {len(x)} inputs needs a DenseFeatures first "
                "layer; a Sequential model has one input"
            )
        x = next(iter(x.values()))
    arr = to_numeric(x, what)
    if arr.ndim == 0:
        raise ValueError(f"{what} must have a batch axis; got a scalar")
    if arr.shape[0] == 0:
        raise ValueError(f"{what} is empty (0 samples); expected at least one sample")
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if check_finite and not _all_finite(arr):
        raise ValueError(
            f"{what} contains NaN or infinite values; the model cannot be fed non-finite inputs"
        )
    return arr


def _all_finite(arr):
    """NaN/inf check without numpy's full-size boolean temporary (peak memory on big X)."""
    from ..backend import core

    return (
        core.all_finite(arr)
        if arr.dtype == np.float32 and arr.flags.c_contiguous
        else bool(np.isfinite(arr).all())
    )


def sample_weights(sw, n, what="sample_weight"):
    if sw is None:
        return None
    arr = to_numeric(sw, what).astype(np.float32)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.shape != (n,):
        raise ValueError(f"{what} must have shape ({n},) (one weight per sample); got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{what} contains NaN or infinite values")
    return np.ascontiguousarray(arr)


def class_weights_to_sample_weights(class_weight, y_raw):
    """Keras's rule: the class is argmax of a one-hot row, else the rounded label."""
    y = np.asarray(y_raw)
    if y.ndim >= 2 and y.shape[-1] > 1:
        cls = np.argmax(y, axis=-1)
    else:
        cls = np.round(y.reshape(y.shape[0], -1)[:, 0]).astype(np.int64)
    cls = cls.reshape(y.shape[0], -1)[:, 0]
    missing = set(np.unique(cls).tolist()) - set(int(k) for k in class_weight)
    if missing:
        raise ValueError(
            f"class_weight has no entry for class(es) {sorted(missing)}; "
            f"given keys {sorted(class_weight)}"
        )
    table = {int(k): float(v) for k, v in class_weight.items()}
    return np.array([table[int(c)] for c in cls], dtype=np.float32)


def unpack(batch):
    """(x, y, sw) from a batch that is x, (x,), (x, y) or (x, y, sw)."""
    if isinstance(batch, tuple) or (
        isinstance(batch, list) and len(batch) in (2, 3) and not np.isscalar(batch[0])
    ):
        batch = tuple(batch)
        if len(batch) == 1:
            return batch[0], None, None
        if len(batch) == 2:
            return batch[0], batch[1], None
        if len(batch) == 3:
            return batch
        raise ValueError(
            f"A data batch must be x, (x, y) or (x, y, sample_weight); got a "
            f"tuple of {len(batch)} elements"
        )
    return batch, None, None


def require_batches(source):
    """The source, refused (ValueError) when it yields no batch at all: an empty epoch would
    otherwise end fit with {} or evaluate with a fake 0.0 loss. A known size is read
    (len, cardinality); a one-shot iterator has its first batch drawn and chained back in
    front; a re-iterable of unknown size is iterated for one batch."""
    import itertools

    empty = ValueError(
        "The data source yielded no batches (an empty generator, PyDataset "
        "or Dataset); there is nothing to train, evaluate or predict on"
    )
    if _indexed(source):
        if len(source) == 0:
            raise empty
        return source
    card = getattr(source, "cardinality", None)
    if callable(card):
        try:
            n = int(np.asarray(card()))
        except (TypeError, ValueError):
            n = -2
        if n == 0:
            raise empty
        if n > 0 or n == -1:  # known, or infinite (`steps` is checked elsewhere)
            return source
    if hasattr(source, "__next__"):
        first = next(source, _NOTHING)
        if first is _NOTHING:
            raise empty
        return itertools.chain([first], source)
    if next(iter(batch_iterator(source, 1)), _NOTHING) is _NOTHING:
        raise empty
    return source


_NOTHING = object()


class Replay:
    """A one-shot iterator (a generator) given as `validation_data`, replayed each epoch:
    Keras validates every epoch on the same batches, where re-reading the exhausted
    generator would find nothing from the second epoch on. Batches are kept as drawn."""

    def __init__(self, iterator):
        self._it, self._seen, self._done = iterator, [], False

    def __iter__(self):
        i = 0
        while True:
            if i < len(self._seen):
                yield self._seen[i]
            elif self._done:
                return
            else:
                batch = next(self._it, _NOTHING)
                if batch is _NOTHING:
                    self._done = True
                    return
                self._seen.append(batch)
                yield batch
            i += 1


def _indexed(source):
    return (
        hasattr(source, "__getitem__")
        and hasattr(source, "__len__")
        and not hasattr(source, "__next__")
        and not _has_iter_only(source)
    )


def batch_iterator(source, steps=None):
    """Yields batches from a Dataset / generator / PyDataset, at most `steps` of them."""
    if _indexed(source):
        count = len(source) if steps is None else min(steps, len(source))
        for i in range(count):
            yield source[i]
        if hasattr(source, "on_epoch_end"):
            source.on_epoch_end()
        return
    it = iter(source)
    i = 0
    while steps is None or i < steps:
        try:
            batch = next(it)
        except StopIteration:
            return
        yield batch
        i += 1


def _has_iter_only(source):
    # kerasette.data.Dataset defines __iter__ (and may define __len__); iterate it.
    return type(source).__module__.startswith("kerasette.data")
