"""prefetch(): a background thread produces elements ahead of the consumer.

The producer thread runs the whole upstream pipeline (maps, batching, file reads) while
the consumer — typically `fit`, whose C++ step releases the GIL — trains, so an epoch
takes about max(produce, train) instead of their sum. Errors in the producer are raised
in the consumer; abandoning the iterator stops the producer.

AUTOTUNE: when upstream runs no user code and reads no files (slices of in-memory
arrays, shuffled/batched/cached), producing a batch is one gather that costs less than
handing it across threads (GIL hand-offs), so AUTOTUNE produces inline; an explicit
`prefetch(n)` always uses the thread.
"""

import queue
import threading

from kerasette.data.dataset import AUTOTUNE, _check_count
from kerasette.data.transforms import _Unary

__all__ = ["PrefetchDataset"]

_AUTOTUNE_BUFFER = 4
_DONE = object()


class _Failure:
    def __init__(self, exc):
        self.exc = exc


class PrefetchDataset(_Unary):
    def __init__(self, input_dataset, buffer_size):
        super().__init__(input_dataset)
        buffer_size = _check_count(buffer_size, "buffer_size")
        if buffer_size < 0 and buffer_size != AUTOTUNE:
            raise ValueError(f"buffer_size must be >= 0 or AUTOTUNE; received {buffer_size}")
        self.autotune = buffer_size == AUTOTUNE
        self.buffer_size = _AUTOTUNE_BUFFER if self.autotune else buffer_size

    def _index_source(self):
        return None

    def _cheap(self):
        return self.input._cheap()

    def _elements(self):
        if self.buffer_size == 0 or (self.autotune and self.input._cheap()):
            return iter(self.input)
        return self._produced()

    def _produced(self):
        q = queue.Queue(maxsize=self.buffer_size)
        stop = threading.Event()

        def put(item):
            while not stop.is_set():
                try:
                    q.put(item, timeout=0.05)
                    return True
                except queue.Full:
                    continue
            return False

        def produce():
            try:
                for element in self.input:
                    if not put(element):
                        return
                put(_DONE)
            except BaseException as e:  # handed to the consumer
                put(_Failure(e))

        worker = threading.Thread(target=produce, name="kerasette-prefetch", daemon=True)
        worker.start()
        try:
            while True:
                item = q.get()
                if item is _DONE:
                    return
                if isinstance(item, _Failure):
                    raise item.exc
                yield item
        finally:
            stop.set()
            worker.join(timeout=5)
