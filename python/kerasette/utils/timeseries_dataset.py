"""`timeseries_dataset_from_array` (Keras's): sliding windows over a series as a
kerasette.data.Dataset of batches (windows, or (windows, targets)).

As Keras: window i starts at `start_index + p_i` for p_i in range(0, num_seqs,
sequence_stride) and takes `sequence_length` steps `sampling_rate` apart; its target
is `targets[start_index + p_i]`; num_seqs = end - start - (sequence_length - 1) *
sampling_rate, capped at len(targets). shuffle permutes the start positions with
numpy's RandomState(seed) (Keras then also shuffles in a tf.data buffer, so the batches
hold the same windows in another order there). Windows are gathered batch by batch,
never all at once.
"""

import numpy as np


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    return int(value)


def _check_format(format):
    # Keras picks tf.data or grain here; kerasette has one Dataset for both
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')


def timeseries_dataset_from_array(
    data,
    targets,
    sequence_length,
    sequence_stride=1,
    sampling_rate=1,
    batch_size=128,
    shuffle=False,
    seed=None,
    start_index=None,
    end_index=None,
    format="tf",
):
    from ..data import Dataset

    _check_format(format)
    data = np.asarray(data)
    if data.ndim == 0:
        raise ValueError("`data` must have a time axis (at least 1-D)")
    n = len(data)
    sequence_length = _positive_int(sequence_length, "sequence_length")
    sampling_rate = _positive_int(sampling_rate, "sampling_rate")
    sequence_stride = _positive_int(sequence_stride, "sequence_stride")
    if sampling_rate >= n:
        raise ValueError(
            "`sampling_rate` must be lower than the length of the data. "
            f"Received: sampling_rate={sampling_rate}, for data of length {n}"
        )
    if sequence_stride >= n:
        raise ValueError(
            "`sequence_stride` must be lower than the length of the data. "
            f"Received: sequence_stride={sequence_stride}, for data of "
            f"length {n}"
        )
    start = 0 if start_index is None else int(start_index)
    end = n if end_index is None else int(end_index)
    if not 0 <= start < n:
        raise ValueError(
            f"`start_index` must be 0 or greater and lower than the length "
            f"of the data. Received: start_index={start_index}, for data of "
            f"length {n}"
        )
    if not start < end <= n:
        raise ValueError(
            f"`end_index` must be higher than `start_index` and at most the "
            f"length of the data. Received: start_index={start}, "
            f"end_index={end_index}, for data of length {n}"
        )
    if batch_size is not None:
        batch_size = _positive_int(batch_size, "batch_size")
    if targets is not None:
        targets = np.asarray(targets)
    num_seqs = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    positions = np.arange(0, max(num_seqs, 0), sequence_stride, dtype=np.int64)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(positions)
    steps = np.arange(sequence_length, dtype=np.int64) * sampling_rate

    def windows(p):
        p = np.asarray(p, dtype=np.int64) + start
        x = data[p[..., None] + steps]
        return x if targets is None else (x, targets[p])

    ds = Dataset.from_tensor_slices(positions)
    if batch_size is not None:
        ds = ds.batch(batch_size)
    return ds.map(windows)
