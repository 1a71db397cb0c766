"""`Dataset`: tf.data's input pipeline over numpy, with real background threads.

Elements are numpy arrays, or tuples/dicts of them. Two ways through the pipeline:
- element by element (`_elements()`), the general path (after `map`/`filter`);
- as chunks of row indices into in-memory arrays (`_index_chunks()`), while the pipeline
  is only slicing, shuffling, taking, skipping, repeating and caching: `batch` then
  gathers a whole batch with one fancy index per array, so feeding arrays through a
  Dataset costs about what slicing them costs.
"""

import os

import numpy as np

__all__ = ["Dataset", "AUTOTUNE", "INFINITE", "UNKNOWN"]

AUTOTUNE = -1  # tf.data.AUTOTUNE
INFINITE = -1  # tf.data.INFINITE_CARDINALITY
UNKNOWN = -2  # tf.data.UNKNOWN_CARDINALITY
_CHUNK = 4096  # indices per chunk on the index path


def _check_count(value, what, allow_none=False):
    if value is None and allow_none:
        return -1
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} must be an integer; received {what}={value!r}")
    return int(value)


class Dataset:
    """A sequence of elements, iterable any number of times (each pass is an epoch).

    Build one with `Dataset.from_tensor_slices` or `Dataset.range`, chain
    transformations (each returns a new Dataset), and pass it to `fit`/`evaluate`/
    `predict` or iterate it: elements come out as numpy arrays (tuples/dicts kept) that
    also answer TensorFlow's `.numpy()` (data/element.py).
    """

    # --- sources ---------------------------------------------------------------------

    @staticmethod
    def from_tensor_slices(tensors):
        """Slices arrays (or a tuple/dict of arrays, or a DataFrame) along axis 0."""
        from kerasette.data.sources import SliceDataset

        return SliceDataset(tensors)

    @staticmethod
    def range(*args):
        """Like Python's range, as a dataset of int64 scalars."""
        from kerasette.data.sources import SliceDataset

        return SliceDataset(np.arange(*args, dtype=np.int64))

    @staticmethod
    def from_generator(generator, output_signature=None):
        """Elements from `generator()` (called once per pass)."""
        from kerasette.data.sources import GeneratorDataset

        return GeneratorDataset(generator)

    @staticmethod
    def zip(*datasets):
        """Elements of several datasets side by side (a tuple or dict of datasets);
        stops with the shortest."""
        from kerasette.data.combine import ZipDataset

        return ZipDataset(datasets[0] if len(datasets) == 1 else datasets)

    # --- transformations ---------------------------------------------------------------

    def concatenate(self, dataset):
        """This dataset's elements followed by `dataset`'s."""
        from kerasette.data.combine import ConcatenateDataset

        return ConcatenateDataset(self, dataset)

    def enumerate(self, start=0):
        """Pairs (index, element)."""
        from kerasette.data.combine import EnumerateDataset

        return EnumerateDataset(self, start)

    def unbatch(self):
        """Splits batched elements back into rows."""
        from kerasette.data.combine import UnbatchDataset

        return UnbatchDataset(self)

    def map(self, map_func, num_parallel_calls=None, deterministic=None):
        """Applies `map_func` to each element (tuples are unpacked into arguments).
        `num_parallel_calls` (an int or AUTOTUNE) runs it on that many threads; output
        order is kept."""
        from kerasette.data.transforms import MapDataset

        return MapDataset(self, map_func, num_parallel_calls)

    def filter(self, predicate):
        """Keeps the elements for which `predicate` returns True."""
        from kerasette.data.transforms import FilterDataset

        return FilterDataset(self, predicate)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True):
        """tf.data's buffered shuffle: fills a buffer of `buffer_size` elements, emits a
        random one and replaces it with the next input."""
        from kerasette.data.transforms import ShuffleDataset

        return ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None):
        """Stacks consecutive elements into batches of `batch_size`."""
        from kerasette.data.transforms import BatchDataset

        return BatchDataset(self, batch_size, drop_remainder)

    def repeat(self, count=None):
        """Repeats the dataset `count` times (forever if None or -1)."""
        from kerasette.data.transforms import RepeatDataset

        return RepeatDataset(self, count)

    def take(self, count):
        """The first `count` elements (-1: all)."""
        from kerasette.data.transforms import TakeDataset

        return TakeDataset(self, count)

    def skip(self, count):
        """All but the first `count` elements (-1: skip all)."""
        from kerasette.data.transforms import SkipDataset

        return SkipDataset(self, count)

    def cache(self, filename=""):
        """Keeps the elements of the first complete pass in memory (`filename=""`) or in
        a file, and replays them on later passes (upstream is not run again)."""
        from kerasette.data.cache import FileCacheDataset, MemoryCacheDataset

        if filename:
            return FileCacheDataset(self, os.fspath(filename))
        return MemoryCacheDataset(self)

    def prefetch(self, buffer_size):
        """Produces up to `buffer_size` elements ahead on a background thread, so input
        work overlaps with training. AUTOTUNE picks the size."""
        from kerasette.data.prefetch import PrefetchDataset

        return PrefetchDataset(self, buffer_size)

    # --- iteration -------------------------------------------------------------------------

    def __iter__(self):
        # numpy arrays that also answer `.numpy()`, as TensorFlow's tutorials call it
        from kerasette.data.element import wrap

        return map(wrap, self._elements())

    def as_numpy_iterator(self):
        """The elements as plain numpy arrays (tuples/dicts kept)."""
        return self._elements()

    def cardinality(self):
        """Number of elements, or INFINITE (-1) / UNKNOWN (-2), as tf.data reports."""
        return UNKNOWN

    def __len__(self):
        n = self.cardinality()
        if n == INFINITE:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self):
        return True

    # --- what subclasses implement -------------------------------------------------------

    def _elements(self):
        """Generator of elements."""
        raise NotImplementedError

    def _index_source(self):
        """The SliceDataset this dataset draws rows from by index, or None."""
        return None

    def _cheap(self):
        """True when producing an element runs no user code, only slicing/gathering of
        in-memory arrays: prefetch(AUTOTUNE) then produces inline (see prefetch.py)."""
        return False

    def _index_chunks(self):
        """Generator of int64 index arrays (only when `_index_source()` is not None)."""
        raise NotImplementedError

    def _rows(self, source):
        """Elements of an index-path dataset, one row at a time."""
        for chunk in self._index_chunks():
            for i in chunk.tolist():
                yield source.row(i)
