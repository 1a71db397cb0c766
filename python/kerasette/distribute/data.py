"""Giving each rank its own shard of the training data."""

import numpy as np

from . import _mpi


def shard(*arrays, rank=None, size=None, drop_remainder=True):
    """Rank `rank`'s shard of each array: rows rank, rank + size, rank + 2*size, ...
    (strided, like `tf.data.Dataset.shard(size, rank)`), after dropping the last
    `n % size` rows so every rank gets the same number of rows and so the same number
    of steps per epoch (a rank with one step more would wait forever in the gradient
    allreduce). Works on numpy arrays, lists, pandas objects (by position) and dicts of
    arrays (each value sharded). Returns one shard, or a tuple for several arrays.

    With strided shards and `batch_size=B // size`, step k of every rank together sees
    exactly the rows of step k of a single process with batch size B (no shuffling).
    """
    if not arrays:
        raise ValueError("shard() needs at least one array")
    size = _mpi.size() if size is None else size
    rank = _mpi.rank() if rank is None else rank
    for what, v, lo in (("size", size, 1), ("rank", rank, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"shard: {what} must be an int >= {lo}; got {v!r}")
    if rank >= size:
        raise ValueError(f"shard: rank must be in [0, {size}); got {rank}")
    lengths = {_length(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"shard: the arrays have different lengths {sorted(lengths)}")
    n = lengths.pop()
    end = n - n % size if drop_remainder else n
    if end < size:
        raise ValueError(f"shard: {n} rows cannot give each of {size} ranks a row")
    out = tuple(_take(a, slice(rank, end, size)) for a in arrays)
    return out[0] if len(out) == 1 else out


def _length(a):
    if isinstance(a, dict):
        lens = {_length(v) for v in a.values()}
        if len(lens) != 1:
            raise ValueError(f"shard: the dict's arrays have different lengths {sorted(lens)}")
        return lens.pop()
    if hasattr(a, "iloc") or hasattr(a, "__len__"):
        return len(a)
    raise TypeError(
        f"shard: expected arrays, lists, pandas objects or dicts of them; got {type(a).__name__}"
    )


def _take(a, rows):
    if isinstance(a, dict):
        return {k: _take(v, rows) for k, v in a.items()}
    if hasattr(a, "iloc"):
        return a.iloc[rows]
    if isinstance(a, np.ndarray):
        return np.ascontiguousarray(a[rows])
    if isinstance(a, (list, tuple)):
        return type(a)(a[rows])
    return np.ascontiguousarray(np.asarray(a)[rows])


__all__ = ["shard"]
