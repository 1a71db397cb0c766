"""`PyDataset` (Keras 3's `keras.utils.PyDataset`): batches from Python code, in parallel.

Subclass it, implement `__len__` and `__getitem__(index) -> batch`, and pass it to
`fit`. With `workers > 1` (or `use_multiprocessing=True`) batches are computed ahead of
use, up to `max_queue_size` of them, on a pool of threads (or forked processes), in
order. The prefetch sits inside `__getitem__` itself (wrapped for every subclass), so it
works however the caller walks the indices; `on_epoch_end` drops what was prefetched.
"""

import concurrent.futures
import functools
import multiprocessing
import threading

__all__ = ["PyDataset"]

_PROCESS_DATASET = None  # the dataset inside a forked worker process


def _process_init(dataset):
    global _PROCESS_DATASET
    _PROCESS_DATASET = dataset


def _process_getitem(index):
    return type(_PROCESS_DATASET)._ks_raw_getitem(_PROCESS_DATASET, index)


class PyDataset:
    """Base class for a dataset written in Python.

    Args:
        workers: number of workers computing batches ahead. Defaults to `1` (none:
            batches are computed when asked for).
        use_multiprocessing: use forked processes instead of threads (for Python code
            that holds the GIL). Defaults to `False`.
        max_queue_size: most batches computed ahead. Defaults to `10`.

    Example:

    ```python
    class Squares(kerasette.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size
        def __len__(self):
            return -(-len(self.x) // self.batch_size)
        def __getitem__(self, idx):
            s = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
            return self.x[s] ** 2, self.y[s]
    model.fit(Squares(x, y, 32, workers=4), epochs=3)
    ```
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        if not isinstance(workers, int) or workers < 0:
            raise ValueError(f"workers must be a non-negative integer; received {workers!r}")
        if not isinstance(max_queue_size, int) or max_queue_size < 1:
            raise ValueError(
                f"max_queue_size must be a positive integer; received {max_queue_size!r}"
            )
        self._workers = workers
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = max_queue_size
        self._ks_pool = None
        self._ks_futures = {}
        self._ks_lock = threading.Lock()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__getitem__" in cls.__dict__:
            raw = cls.__dict__["__getitem__"]
            cls._ks_raw_getitem = raw
            cls.__getitem__ = functools.wraps(raw)(PyDataset._prefetching_getitem)
        if "on_epoch_end" in cls.__dict__:
            user_end = cls.__dict__["on_epoch_end"]

            @functools.wraps(user_end)
            def on_epoch_end(self):
                self._ks_drop_prefetch()  # the user may reshuffle: prefetched batches are stale
                return user_end(self)

            cls.on_epoch_end = on_epoch_end

    # --- Keras's attributes ------------------------------------------------------------

    @property
    def workers(self):
        return getattr(self, "_workers", 1)

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        return getattr(self, "_use_multiprocessing", False)

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        return getattr(self, "_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    @property
    def num_batches(self):
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError("You need to implement the `num_batches` property or `__len__`")

    def __getitem__(self, index):
        raise NotImplementedError("PyDataset subclasses must implement __getitem__(index)")

    def __iter__(self):
        for index in range(self.num_batches):
            yield self[index]
        self.on_epoch_end()

    def on_epoch_begin(self):
        """Called at the beginning of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch."""
        self._ks_drop_prefetch()

    # --- prefetching ---------------------------------------------------------------------

    def _ks_parallel(self):
        return self.workers > 1 or (self.workers > 0 and self.use_multiprocessing)

    def _ks_get_pool(self):
        if getattr(self, "_ks_pool", None) is None:
            if not hasattr(self, "_ks_lock"):
                raise RuntimeError(
                    f"{type(self).__name__}.__init__ must call super().__init__(**kwargs)"
                )
            if self.use_multiprocessing:
                self._ks_pool = concurrent.futures.ProcessPoolExecutor(
                    max(self.workers, 1),
                    mp_context=multiprocessing.get_context("fork"),
                    initializer=_process_init,
                    initargs=(self,),
                )
            else:
                self._ks_pool = concurrent.futures.ThreadPoolExecutor(
                    self.workers, thread_name_prefix="kerasette-pydataset"
                )
        return self._ks_pool

    def _ks_submit(self, index):
        if self.use_multiprocessing:
            return self._ks_get_pool().submit(_process_getitem, index)
        return self._ks_get_pool().submit(type(self)._ks_raw_getitem, self, index)

    def _prefetching_getitem(self, index):
        if not self._ks_parallel() or not isinstance(index, int):
            return type(self)._ks_raw_getitem(self, index)
        try:
            n = len(self)
        except TypeError:
            n = None
        with self._ks_lock:
            futures = self._ks_futures
            ahead = range(index, index + self.max_queue_size + 1)
            for i in ahead:
                if (n is None or 0 <= i < n) and i not in futures:
                    futures[i] = self._ks_submit(i)
            future = futures.pop(index, None)
        if future is None:  # out of range: let the user's code raise its own error
            return type(self)._ks_raw_getitem(self, index)
        return future.result()

    def _ks_drop_prefetch(self):
        lock = getattr(self, "_ks_lock", None)
        if lock is None:
            return
        with lock:
            futures, self._ks_futures = self._ks_futures, {}
        for f in futures.values():
            f.cancel()
        concurrent.futures.wait(list(futures.values()))
        if self.use_multiprocessing and self._ks_pool is not None:
            # forked workers hold a copy of the dataset: re-fork after the user's update
            self._ks_pool.shutdown(wait=True)
            self._ks_pool = None

    def __del__(self):
        pool = getattr(self, "_ks_pool", None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
