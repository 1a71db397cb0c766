"""The dynamic batcher in-process: merging, limits, timeout, errors, draining.

The forward here is a plain numpy function that records each call's batch, so the
tests see exactly which rows went into which core call.
"""

import asyncio
import threading
import time

import numpy as np
import pytest

from kerasette.serving.batching import INLINE_SECONDS, Batcher, BatchingOptions, make_executor

W = np.arange(12, dtype=np.float32).reshape(4, 3) / 10


class RecordingForward:
    """x @ W, remembering each call's row count; optionally slow, to let a queue build."""

    def __init__(self, delay=0.0):
        self.calls = []
        self.delay = delay
        self.threads = set()
        self.call_threads = []

    def __call__(self, x):
        self.calls.append(len(x))
        self.threads.add(threading.get_ident())
        self.call_threads.append(threading.get_ident())
        if self.delay:
            time.sleep(self.delay)
        return x @ W


def run(coro):
    return asyncio.run(coro)


def requests(n, rows=1, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((rows, 4)).astype(np.float32) for _ in range(n)]


async def predict_all(batcher, xs):
    return await asyncio.gather(*(batcher.predict(x) for x in xs))


def test_concurrent_requests_merge_into_fewer_calls_with_correct_rows():
    forward = RecordingForward(delay=0.02)
    xs = requests(40)

    async def main():
        b = Batcher(forward, BatchingOptions(True, max_batch_size=16), make_executor())
        ys = await predict_all(b, xs)
        await b.close()
        return ys, b.forward_calls

    ys, calls = run(main())
    for x, y in zip(xs, ys):
        np.testing.assert_allclose(y, x @ W, rtol=1e-5, atol=1e-6)
    assert sum(forward.calls) == 40
    assert calls == len(forward.calls) < 40  # merged
    assert max(forward.calls) == 16  # and capped at max_batch_size


def test_lone_small_fast_requests_run_inline_and_others_on_the_compute_thread():
    fast, slow = RecordingForward(), RecordingForward(delay=2 * INLINE_SECONDS)
    xs = requests(6, rows=2)

    async def main():
        fb = Batcher(fast, BatchingOptions(True), make_executor())
        sb = Batcher(slow, BatchingOptions(True), make_executor())
        ys = [await fb.predict(x) for x in xs]  # one at a time: alone
        [await sb.predict(x) for x in xs]
        await fb.predict(requests(1, rows=50)[0])  # too many rows for inline
        await predict_all(fb, xs)  # concurrent: not alone
        return ys, fb.inline_calls, sb.inline_calls

    loop_thread = threading.get_ident()
    ys, fast_inline, slow_inline = run(main())
    for x, y in zip(xs, ys):
        np.testing.assert_allclose(y, x @ W, rtol=1e-5, atol=1e-6)
    # The first call measures on the compute thread; the next lone ones run inline.
    assert fast.call_threads[0] != loop_thread
    assert fast.call_threads[1:6] == [loop_thread] * 5 and fast_inline == 5
    assert loop_thread not in fast.call_threads[6:]
    assert slow_inline == 0 and loop_thread not in slow.call_threads


def test_batching_off_calls_forward_once_per_request_on_one_thread():
    forward = RecordingForward()
    xs = requests(10, rows=2)

    async def main():
        b = Batcher(forward, BatchingOptions(False), make_executor())
        return await predict_all(b, xs)

    ys = run(main())
    assert forward.calls == [2] * 10
    assert len(forward.threads) == 1 and threading.get_ident() not in forward.threads
    for x, y in zip(xs, ys):
        np.testing.assert_allclose(y, x @ W, rtol=1e-5, atol=1e-6)


def test_request_larger_than_max_batch_runs_whole_and_alone():
    forward = RecordingForward(delay=0.01)
    big, small = requests(1, rows=10)[0], requests(3, seed=1)

    async def main():
        b = Batcher(forward, BatchingOptions(True, max_batch_size=4), make_executor())
        return await predict_all(b, [small[0], big, small[1], small[2]])

    ys = run(main())
    np.testing.assert_allclose(ys[1], big @ W, rtol=1e-5, atol=1e-6)
    assert 10 in forward.calls and sum(forward.calls) == 13
    assert all(c <= 4 for c in forward.calls if c != 10)


def test_timeout_waits_for_stragglers_and_zero_timeout_does_not():
    async def staggered(timeout_micros):
        forward = RecordingForward()
        b = Batcher(forward, BatchingOptions(True, 64, timeout_micros), make_executor())
        xs = requests(4)

        async def late(x, delay):
            await asyncio.sleep(delay)
            return await b.predict(x)

        await asyncio.gather(*(late(x, 0.01 * i) for i, x in enumerate(xs)))
        return forward.calls

    assert run(staggered(200_000)) == [4]  # one batch: it waited 0.2 s
    assert len(run(staggered(0))) == 4  # no waiting: one call each


def test_forward_error_reaches_every_request_of_the_batch_and_batcher_survives():
    def forward(x):
        if np.isnan(x).any():
            raise RuntimeError("bad rows")
        return x @ W

    async def main():
        b = Batcher(forward, BatchingOptions(True, 64, 50_000), make_executor())
        bad = np.full((1, 4), np.nan, np.float32)
        results = await asyncio.gather(
            b.predict(bad), b.predict(requests(1)[0]), return_exceptions=True
        )
        after = await b.predict(np.ones((1, 4), np.float32))
        return results, after

    results, after = run(main())
    assert all(isinstance(r, RuntimeError) for r in results)
    np.testing.assert_allclose(after, np.ones((1, 4)) @ W, rtol=1e-5, atol=1e-6)


def test_close_answers_everything_already_queued():
    forward = RecordingForward(delay=0.01)
    xs = requests(20)

    async def main():
        b = Batcher(forward, BatchingOptions(True, max_batch_size=3), make_executor())
        tasks = [asyncio.create_task(b.predict(x)) for x in xs]
        await asyncio.sleep(0)  # all enqueued
        await b.close()
        assert all(t.done() for t in tasks)
        return [t.result() for t in tasks]

    ys = run(main())
    for x, y in zip(xs, ys):
        np.testing.assert_allclose(y, x @ W, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", [{"max_batch_size": 0}, {"batch_timeout_micros": -1}])
def test_options_reject_bad_values(kwargs):
    with pytest.raises(ValueError, match="must be >="):
        BatchingOptions(**kwargs)
