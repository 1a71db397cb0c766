"""map, filter, shuffle, batch, repeat, take, skip.

Index-path datasets (see dataset.py) keep working on index chunks through shuffle,
repeat, take and skip; map and filter switch to elements.
"""

import collections
import concurrent.futures
import os

import numpy as np

from kerasette.data import structure
from kerasette.data.dataset import _CHUNK, AUTOTUNE, INFINITE, UNKNOWN, Dataset, _check_count

__all__ = [
    "MapDataset",
    "FilterDataset",
    "ShuffleDataset",
    "BatchDataset",
    "RepeatDataset",
    "TakeDataset",
    "SkipDataset",
]


class _Unary(Dataset):
    def __init__(self, input_dataset):
        if not isinstance(input_dataset, Dataset):
            raise TypeError(f"expected a Dataset; received {type(input_dataset).__name__}")
        self.input = input_dataset

    def cardinality(self):
        return self.input.cardinality()

    def _index_source(self):
        return self.input._index_source()

    def _cheap(self):
        return self.input._cheap()

    def _elements(self):
        src = self._index_source()
        if src is not None:
            return self._rows(src)
        return self._element_pass()

    def _element_pass(self):
        raise NotImplementedError


def _call(fn, element):
    out = fn(*element) if isinstance(element, tuple) else fn(element)
    return out


def _as_element(out):
    if isinstance(out, list):
        out = tuple(out)
    return structure.map_structure(np.asarray, out)


class MapDataset(_Unary):
    def __init__(self, input_dataset, map_func, num_parallel_calls=None):
        super().__init__(input_dataset)
        if not callable(map_func):
            raise TypeError(f"map_func must be callable; received {map_func!r}")
        if num_parallel_calls is not None:
            num_parallel_calls = _check_count(num_parallel_calls, "num_parallel_calls")
            if num_parallel_calls != AUTOTUNE and num_parallel_calls < 1:
                raise ValueError(
                    "num_parallel_calls must be positive or AUTOTUNE; received "
                    f"{num_parallel_calls}"
                )
        self.map_func = map_func
        self.num_parallel_calls = num_parallel_calls

    def _index_source(self):
        return None

    def _cheap(self):
        return False

    def _workers(self):
        n = self.num_parallel_calls
        if n is None or n == 1:
            return 1
        return os.cpu_count() or 2 if n == AUTOTUNE else n

    def _element_pass(self):
        workers = self._workers()
        if workers == 1:
            for element in self.input:
                yield _as_element(_call(self.map_func, element))
            return
        # Ordered parallel map: keep up to 2x workers calls in flight, emit in input order.
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            pending = collections.deque()
            try:
                for element in self.input:
                    pending.append(pool.submit(_call, self.map_func, element))
                    if len(pending) >= 2 * workers:
                        yield _as_element(pending.popleft().result())
                while pending:
                    yield _as_element(pending.popleft().result())
            finally:
                for f in pending:
                    f.cancel()


class FilterDataset(_Unary):
    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        if not callable(predicate):
            raise TypeError(f"predicate must be callable; received {predicate!r}")
        self.predicate = predicate

    def _cheap(self):
        return False

    def cardinality(self):
        return INFINITE if self.input.cardinality() == INFINITE else UNKNOWN

    def _index_source(self):
        return None

    def _element_pass(self):
        for element in self.input:
            keep = np.asarray(_call(self.predicate, element))
            if keep.shape != () or keep.dtype != np.bool_:
                raise ValueError(
                    f"filter predicate must return a scalar boolean; returned {keep!r}"
                )
            if keep:
                yield element


class ShuffleDataset(_Unary):
    def __init__(self, input_dataset, buffer_size, seed=None, reshuffle_each_iteration=True):
        super().__init__(input_dataset)
        buffer_size = _check_count(buffer_size, "buffer_size")
        if buffer_size < 1 and buffer_size != AUTOTUNE:
            raise ValueError(f"buffer_size must be positive; received {buffer_size}")
        self.buffer_size = buffer_size
        self.seed = seed
        self.reshuffle_each_iteration = reshuffle_each_iteration
        self._epoch = 0
        if seed is None:  # drawn from kerasette's stream: utils.set_random_seed repeats it
            from kerasette.utils.random import next_seed

            seed_value = next_seed()
        else:
            seed_value = int(seed)
        self._base_seed = seed_value

    def _rng(self):
        epoch = self._epoch if self.reshuffle_each_iteration else 0
        self._epoch += 1
        return np.random.default_rng([self._base_seed, epoch])

    def _buffered(self, items, rng):
        """tf.data's algorithm: fill the buffer, emit a random slot, refill it."""
        size = self.buffer_size
        buf = []
        for item in items:
            if len(buf) < size:
                buf.append(item)
                continue
            j = int(rng.integers(len(buf)))
            out, buf[j] = buf[j], item
            yield out
        while buf:
            j = int(rng.integers(len(buf)))
            buf[j], buf[-1] = buf[-1], buf[j]
            yield buf.pop()

    def _index_chunks(self):
        rng = self._rng()
        n = self.input.cardinality()
        if n >= 0 and (self.buffer_size >= n or self.buffer_size == AUTOTUNE):
            # A buffer holding everything emits a uniform permutation.
            idx = np.concatenate(list(self.input._index_chunks()) or [np.empty(0, np.int64)])
            idx = idx[rng.permutation(len(idx))]
            for start in range(0, len(idx), _CHUNK):
                yield idx[start : start + _CHUNK]
            return
        out = np.fromiter(
            self._buffered((i for c in self.input._index_chunks() for i in c.tolist()), rng),
            dtype=np.int64,
        )
        for start in range(0, len(out), _CHUNK):
            yield out[start : start + _CHUNK]

    def _element_pass(self):
        return self._buffered(iter(self.input), self._rng())


class BatchDataset(_Unary):
    def __init__(self, input_dataset, batch_size, drop_remainder=False):
        super().__init__(input_dataset)
        batch_size = _check_count(batch_size, "batch_size")
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive; received batch_size={batch_size}")
        self.batch_size = batch_size
        self.drop_remainder = bool(drop_remainder)

    def cardinality(self):
        n = self.input.cardinality()
        if n < 0:
            return n
        return n // self.batch_size if self.drop_remainder else -(-n // self.batch_size)

    def _index_source(self):
        return None  # batches are elements: later stages see batches

    def _elements(self):
        src = self.input._index_source()
        if src is not None:
            return self._gathered(src)
        return self._stacked()

    def _gathered(self, src):
        pending, count = [], 0
        for chunk in self.input._index_chunks():
            while len(chunk):
                take = min(self.batch_size - count, len(chunk))
                pending.append(chunk[:take])
                chunk, count = chunk[take:], count + take
                if count == self.batch_size:
                    idx = pending[0] if len(pending) == 1 else np.concatenate(pending)
                    yield src.gather(idx)
                    pending, count = [], 0
        if count and not self.drop_remainder:
            yield src.gather(np.concatenate(pending))

    def _stack(self, elements):
        try:
            return structure.map_structure(lambda *xs: np.stack(xs), *elements)
        except ValueError as e:
            shapes = [np.shape(structure.flatten(el)[0]) for el in elements[:5]]
            raise ValueError(
                "Cannot batch elements with different shapes (first component "
                f"shapes: {shapes}...): {e}"
            ) from None

    def _stacked(self):
        elements = []
        for element in self.input:
            elements.append(element)
            if len(elements) == self.batch_size:
                yield self._stack(elements)
                elements = []
        if elements and not self.drop_remainder:
            yield self._stack(elements)


class RepeatDataset(_Unary):
    def __init__(self, input_dataset, count=None):
        super().__init__(input_dataset)
        self.count = _check_count(count, "count", allow_none=True)

    def cardinality(self):
        n = self.input.cardinality()
        if self.count == 0 or n == 0:
            return 0
        if self.count < 0 or n == INFINITE:
            return INFINITE
        return UNKNOWN if n == UNKNOWN else n * self.count

    def _passes(self):
        return range(self.count) if self.count >= 0 else iter(int, 1)

    def _index_chunks(self):
        for _ in self._passes():
            yield from self.input._index_chunks()

    def _element_pass(self):
        for _ in self._passes():
            yield from self.input


class TakeDataset(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self.count = _check_count(count, "count")

    def cardinality(self):
        n = self.input.cardinality()
        if self.count < 0:
            return n
        if n == UNKNOWN:
            return UNKNOWN
        return self.count if n == INFINITE else min(n, self.count)

    def _index_chunks(self):
        left = self.count
        if left < 0:
            yield from self.input._index_chunks()
            return
        for chunk in self.input._index_chunks():
            if left <= 0:
                return
            yield chunk[:left]
            left -= len(chunk)

    def _element_pass(self):
        if self.count < 0:
            yield from self.input
            return
        if self.count == 0:
            return
        for i, element in enumerate(self.input):
            yield element
            if i + 1 >= self.count:
                return


class SkipDataset(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self.count = _check_count(count, "count")

    def cardinality(self):
        n = self.input.cardinality()
        if n < 0:
            return n
        return 0 if self.count < 0 else max(n - self.count, 0)

    def _index_chunks(self):
        if self.count < 0:
            return
        left = self.count
        for chunk in self.input._index_chunks():
            if left >= len(chunk):
                left -= len(chunk)
                continue
            yield chunk[left:]
            left = 0

    def _element_pass(self):
        if self.count < 0:
            for _ in self.input:
                pass
            return
        for i, element in enumerate(self.input):
            if i >= self.count:
                yield element
