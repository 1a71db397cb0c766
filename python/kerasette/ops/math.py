"""`keras.ops.math`: the numeric helpers that are not numpy names."""

from . import _prim
from ._convert import shape_of
from ._math import erf, rsqrt  # noqa: F401
from ._reduce import logsumexp  # noqa: F401

__all__ = [
    "logsumexp",
    "erf",
    "rsqrt",
    "segment_sum",
    "segment_max",
    "top_k",
    "in_top_k",
    "extract_sequences",
]


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sums rows of data that share a segment id (ids >= num_segments are dropped)."""
    from ._convert import as_array, dtype_of, is_symbolic
    from ._create import zeros

    if num_segments is None:
        if is_symbolic(segment_ids):
            raise ValueError("segment_sum on a symbolic tensor needs num_segments")
        num_segments = int(as_array(segment_ids).max()) + 1
    ds = shape_of(data)
    if None in ds[1:]:
        raise ValueError("segment_sum needs data's trailing sizes known")
    base = zeros((int(num_segments),) + tuple(ds[1:]), dtype=dtype_of(data))
    return _prim.index_add(base, segment_ids, data, 0)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """The maximum of the values of each segment.

    Args:
        data: The values.
        segment_ids: The segment of each value (along the first axis).
        num_segments: The number of segments (`None`: the largest id + 1). Defaults to
            `None`.
        sorted: Whether `segment_ids` are sorted. Defaults to `False`.

    Returns:
        A tensor.
    """
    import numpy as np

    from ..tensor import Tensor
    from ._convert import as_array

    d, ids = as_array(data), as_array(segment_ids)
    n = int(ids.max()) + 1 if num_segments is None else int(num_segments)
    init = -np.inf if d.dtype.kind == "f" else np.iinfo(d.dtype).min
    out = np.full((n,) + d.shape[1:], init, dtype=d.dtype)
    np.maximum.at(out, ids, d)
    return Tensor(out)


def top_k(x, k, sorted=True):
    """Eager only: the k largest along the last axis (values, int32 indices)."""
    import numpy as np

    from ..tensor import Tensor
    from ._convert import as_array

    a = as_array(x)
    idx = np.argsort(-a, axis=-1, kind="stable")[..., :k]
    return Tensor(np.take_along_axis(a, idx, -1)), Tensor(idx.astype(np.int32))


def in_top_k(targets, predictions, k):
    """Whether each target class is among the `k` highest predictions.

    Args:
        targets: The true class ids.
        predictions: The predicted scores, `(batch, classes)`.
        k: The diagonal's offset: positive above the main diagonal.

    Returns:
        A tensor.
    """
    import numpy as np

    from ..tensor import Tensor
    from ._convert import as_array

    p, t = as_array(predictions), as_array(targets).astype(np.int64)
    tv = np.take_along_axis(p, t[:, None], -1)
    return Tensor((p > tv).sum(-1) < k)


def extract_sequences(x, sequence_length, sequence_stride):
    """Overlapping sequences of `sequence_length` values along the last axis,
    `sequence_stride` apart.

    Args:
        x: The input tensor.
        sequence_length: The length of each extracted sequence.
        sequence_stride: The step between sequences.

    Returns:
        A tensor.
    """
    from ._index import getitem
    from ._shape import stack

    n = shape_of(x)[-1]
    count = 1 + (n - sequence_length) // sequence_stride
    return stack(
        [
            getitem(
                x, (Ellipsis, slice(i * sequence_stride, i * sequence_stride + sequence_length))
            )
            for i in range(count)
        ],
        axis=-2,
    )
