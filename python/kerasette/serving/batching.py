"""Dynamic batching: concurrent requests merged into one forward call.

Follows TensorFlow Serving's ``BasicBatchScheduler`` parameters:
- ``max_batch_size``: the most rows one forward call gets. A single request larger
  than this runs alone, whole (it is never split).
- ``batch_timeout_micros``: how long a batch that is not full waits for more requests,
  counted from its first request. ``0`` (the default, TF Serving's advice for online
  serving) waits for nothing: a batch is whatever queued while the previous forward ran,
  so an idle server answers at once and a busy one batches more.

One forward runs at a time, in one worker thread (the engine's plan is not shared
between threads); the core releases the GIL, so the event loop keeps parsing the next
requests meanwhile. The exception, with batching on: a batch of one request of a few
rows, nothing else queued, whose kind of forward last took under ``INLINE_SECONDS``,
runs on the event loop thread. Handing it over costs two thread wake-ups, each a wait
for a core on a busy machine (on the shared 2-core machine: 1.7x the requests/s at
concurrency 1 and 30% less CPU per request); under load, the hand-over lets compute
overlap parsing. ``Batcher.close`` lets queued and running work finish.
"""

import asyncio
import collections
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

INLINE_MAX_ROWS = 8  # at most this many rows may run on the event loop thread
INLINE_SECONDS = 200e-6  # and only if such a small forward last took less than this


class BatchingOptions:
    """Batching parameters, named as in TF Serving's ``batching_parameters``."""

    def __init__(self, enabled=True, max_batch_size=64, batch_timeout_micros=0):
        if int(max_batch_size) < 1:
            raise ValueError(f"max_batch_size must be >= 1, got {max_batch_size}")
        if int(batch_timeout_micros) < 0:
            raise ValueError(f"batch_timeout_micros must be >= 0, got {batch_timeout_micros}")
        self.enabled = bool(enabled)
        self.max_batch_size = int(max_batch_size)
        self.batch_timeout_micros = int(batch_timeout_micros)


def make_executor():
    """The single compute thread all forwards run on (one model plan, one workspace)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="kerasette-forward")


class Batcher:
    """Runs a servable's forward for queued requests, merging them when enabled.

    Must be created and used inside a running event loop.
    """

    def __init__(self, forward, options, executor):
        self._forward = forward
        self._options = options
        self._executor = executor
        self._loop = asyncio.get_running_loop()
        self._queue = collections.deque()  # (x, future) in arrival order
        self._wakeup = asyncio.Event()
        self._busy = 0  # forwards running or requests being batched
        self._idle = asyncio.Event()
        self._idle.set()
        self._task = self._loop.create_task(self._run()) if options.enabled else None
        self._small_seconds = None  # duration of the last forward of few rows
        self.forward_calls = 0  # observability: how many core calls ran
        self.inline_calls = 0  # of which ran on the event loop thread

    async def predict(self, x):
        """Returns the forward of ``x`` (N rows), possibly computed with other requests."""
        if self._task is None:
            return await self._run_unbatched(x)
        future = self._loop.create_future()
        self._queue.append((x, future))
        self._idle.clear()
        self._wakeup.set()
        return await future

    async def close(self):
        """Waits until every queued request is answered, then stops the batching task."""
        while self._queue or self._busy:
            self._idle.clear()
            await self._idle.wait()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run_unbatched(self, x):
        self._busy += 1
        self._idle.clear()
        try:
            # Other requests may be parsing right now, invisible here: always hand over.
            return await self._call_forward(x, alone=False)
        finally:
            self._busy -= 1
            self._mark_idle()

    async def _run(self):
        while True:
            if not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            self._busy += 1
            try:
                batch = await self._collect()
                await self._compute(batch)
            finally:
                self._busy -= 1
                self._mark_idle()

    async def _collect(self):
        """Takes requests off the queue until the batch is full or the timeout ends."""
        limit = self._options.max_batch_size
        batch = [self._queue.popleft()]
        rows = len(batch[0][0])
        deadline = self._loop.time() + self._options.batch_timeout_micros * 1e-6
        while rows < limit:
            if not self._queue:
                remaining = deadline - self._loop.time()
                if remaining <= 0:
                    break
                self._wakeup.clear()
                try:
                    await asyncio.wait_for(self._wakeup.wait(), remaining)
                except asyncio.TimeoutError:
                    break
                continue
            if rows + len(self._queue[0][0]) > limit:
                break  # the next request starts the next batch
            item = self._queue.popleft()
            batch.append(item)
            rows += len(item[0])
        return batch

    async def _compute(self, batch):
        batch = [(x, f) for x, f in batch if not f.done()]  # drop requests whose client left
        if not batch:
            return
        x = batch[0][0] if len(batch) == 1 else np.concatenate([x for x, _ in batch])
        try:
            y = await self._call_forward(x, alone=len(batch) == 1 and not self._queue)
        except Exception as e:  # one failure answers every request of the batch
            for _, future in batch:
                if not future.done():
                    future.set_exception(e)
            return
        start = 0
        for xi, future in batch:
            stop = start + len(xi)
            if not future.done():
                future.set_result(y[start:stop])
            start = stop

    async def _call_forward(self, x, alone):
        """The forward of ``x``: on the compute thread, or inline when small and alone."""
        self.forward_calls += 1
        if (
            alone
            and len(x) <= INLINE_MAX_ROWS
            and self._small_seconds is not None
            and self._small_seconds < INLINE_SECONDS
        ):
            self.inline_calls += 1
            return self._timed_forward(x)
        return await self._loop.run_in_executor(self._executor, self._timed_forward, x)

    def _timed_forward(self, x):
        start = time.perf_counter()
        y = self._forward(x)
        if len(x) <= INLINE_MAX_ROWS:
            self._small_seconds = time.perf_counter() - start
        return y

    def _mark_idle(self):
        if not self._queue and not self._busy:
            self._idle.set()
