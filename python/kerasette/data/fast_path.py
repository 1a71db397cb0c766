"""Recognises pipelines that are "in-memory arrays, maybe fully shuffled, batched", so a
trainer can feed them through its whole-epoch C++ loop instead of batch by batch.

`as_array_epochs(ds)` returns None, or a dict:
    {"tensors": (x,) / (x, y) / (x, y, sample_weight) or a dict structure as sliced,
     "batch_size": int, "drop_remainder": bool, "shuffle": bool, "seed": int or None}
for `from_tensor_slices(t)[.shuffle(n >= len or AUTOTUNE, reshuffle_each_iteration=True)]
.batch(b)[.prefetch(...)]`. A full-buffer shuffle that reshuffles every pass draws a
uniform random permutation per epoch, which is what a trainer's own epoch shuffle does,
so the epochs are statistically the same (not the same order: different generators).
"""

from kerasette.data.dataset import AUTOTUNE
from kerasette.data.prefetch import PrefetchDataset
from kerasette.data.sources import SliceDataset
from kerasette.data.transforms import BatchDataset, ShuffleDataset

__all__ = ["as_array_epochs"]


def as_array_epochs(ds):
    while isinstance(ds, PrefetchDataset):
        ds = ds.input
    if not isinstance(ds, BatchDataset):
        return None
    inner, shuffle, seed = ds.input, False, None
    if isinstance(inner, ShuffleDataset):
        n = inner.input.cardinality()
        full = inner.buffer_size == AUTOTUNE or (n >= 0 and inner.buffer_size >= n)
        if not (full and inner.reshuffle_each_iteration):
            return None
        inner, shuffle, seed = inner.input, True, inner.seed
    if not isinstance(inner, SliceDataset):
        return None
    return {
        "tensors": inner.tensors,
        "batch_size": ds.batch_size,
        "drop_remainder": ds.drop_remainder,
        "shuffle": shuffle,
        "seed": seed,
    }
