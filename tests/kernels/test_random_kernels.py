"""The compiled random kernels (dropout, random_uniform, random_normal) on every ISA path
and thread count, bit for bit against a numpy transcription of the C++ generator.

The reference below is kerasette/random.h's rng_mix and runtime/program.cc's step_key /
state_key written in numpy uint64 arithmetic (wrapping), and the kernels' float steps in
float32 (float64 for Box-Muller), one operation at a time as the scalar C++ does them.
"""

import math

import numpy as np
import pytest

from kerasette.backend import core

U64 = np.uint64
GOLDEN, M1, M2 = U64(0x9E3779B97F4A7C15), U64(0xBF58476D1CE4E5B9), U64(0x94D049BB133111EB)


def _u64(v):
    return U64(int(v) & 0xFFFFFFFFFFFFFFFF)


def rng_mix(seed, stream, counter):
    """rng_mix over an array of counters (uint64, wrapping)."""
    with np.errstate(over="ignore"):
        z = (_u64(seed) * GOLDEN) ^ ((_u64(stream) + U64(0x632BE59BD9B4E019)) * M1)
        z = z + np.asarray(counter, dtype=U64) * M2 + GOLDEN
        z = (z ^ (z >> U64(30))) * M1
        z = (z ^ (z >> U64(27))) * M2
        return z ^ (z >> U64(31))


def step_key(seed, step):
    return int(rng_mix(seed, step, np.array([0x6B6572617365747A], U64))[0])


def state_key(seed, counter):
    return step_key(seed, counter) ^ 0x5EED


_BITS = {}


def bits(key, stream, n):
    k = (key, stream, n)
    if k not in _BITS:
        _BITS.clear()
        _BITS[k] = rng_mix(key, stream, np.arange(n, dtype=U64))
    return _BITS[k]


def uniform01(key, stream, n):
    return (bits(key, stream, n) >> U64(40)).astype(np.float32) * np.float32(2.0**-24)


def ref_dropout(x, rate, key, stream):
    rate = np.float32(rate)
    scale = np.float32(1) / (np.float32(1) - rate) if rate < 1 else np.float32(0)
    keep = uniform01(key, stream, x.size) >= rate
    m = np.where(keep, scale, np.float32(0)).astype(np.float32)
    # dropped elements are +0 whatever x is (TF's select: not inf * 0 = NaN, nor -x * 0 = -0)
    with np.errstate(invalid="ignore"):  # rate 1: scale 0, inf * 0 (never selected)
        y = np.where(keep, x * scale, np.float32(0)).astype(np.float32)
    return y, m


def assert_bits_equal(got, want):
    """Equal bit for bit: +0 is not -0 here, and NaN must meet NaN."""
    np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))


def ref_uniform(lo, hi, key, stream, n):
    lo, hi = np.float32(lo), np.float32(hi)
    return lo + (hi - lo) * uniform01(key, stream, n)


def ref_normal(mean, stddev, key, stream, n):
    """Scalar Box-Muller with Python's math (the C library's log/sin/cos, as the kernel)."""
    b = bits(key, stream, n + (n & 1))
    out = np.empty(n, np.float32)
    for i in range(n):
        p = i >> 1
        u1 = (float(int(b[2 * p]) >> 11) + 1.0) * 2.0**-53
        u2 = float(int(b[2 * p + 1]) >> 11) * 2.0**-53
        r, t = math.sqrt(-2.0 * math.log(u1)), 6.283185307179586476925 * u2
        out[i] = np.float32(mean + stddev * (r * math.sin(t) if i & 1 else r * math.cos(t)))
    return out


def data(n):
    x = np.random.default_rng(n).standard_normal(n).astype(np.float32)
    specials = np.array([np.inf, -np.inf, np.nan, -0.0, 0.0, 1e30, -1e-30], np.float32)
    x[: min(n, specials.size)] = specials[: min(n, specials.size)]
    return x


GUARD = 67  # floats after each output: a ragged tail must not write past its end
SENTINEL = np.float32(-7.25)


class Run:
    """One-instruction Program whose outputs live in the workspace, each followed by a
    guard band of SENTINEL."""

    def __init__(self, n, nout, seed=1234, step=0):
        self.n, self.stride = n, n + GUARD
        self.p = core.Program(nout * self.stride)
        self.p.seed, self.p.step = seed, step
        self.ws = self.p.workspace()
        self.ws[:] = SENTINEL
        self.outs = [self.p.ws(i * self.stride, n) for i in range(nout)]

    def out(self, i):
        a = self.ws[i * self.stride : (i + 1) * self.stride]
        np.testing.assert_array_equal(a[self.n :], SENTINEL)  # guard untouched
        return a[: self.n].copy()


NS = [0, 1, 7, 17, 1000003]
RATES = [0.0, 0.25, 0.5, 0.999, 1.0 - 2.0**-24, 1.0]


@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("rate", RATES)
def test_dropout_bits(isa, threads, n, rate):
    x = data(n)
    seed, step, stream = 1234, 5, 7
    key = step_key(seed, step)
    want_y, want_m = ref_dropout(x, rate, key, stream)
    r = Run(n, 2, seed, step)
    r.p.add("dropout", [r.p.ext(x)], r.outs, [n, stream], [rate])
    r.p.run()
    assert_bits_equal(r.out(0), want_y)
    assert_bits_equal(r.out(1), want_m)
    # without a mask output the same y, and only y is written
    r = Run(n, 1, seed, step)
    r.p.add("dropout", [r.p.ext(x)], [r.outs[0], -1], [n, stream], [rate])
    r.p.run()
    assert_bits_equal(r.out(0), want_y)


@pytest.mark.parametrize("n", [61, 100003])
@pytest.mark.parametrize("with_mask", [True, False])
def test_dropout_zeroes_dropped_inf_and_nan(isa, threads, n, with_mask):
    """Keras (TF) writes +0 where it drops, whatever x is; kept elements are x * scale.
    Every element is inf, -inf, NaN or negative, so each vector lane and the tail meet
    them; the kept set comes from a run on ones (the draws do not depend on x)."""
    x = np.array([np.inf, -np.inf, np.nan, -3.0, -0.0], np.float32)[np.arange(n) % 5]
    rate = 0.5
    ones = np.ones(n, np.float32)
    y1 = np.zeros(n, np.float32)
    p = core.Program(0)
    p.seed = 8
    p.add("dropout", [p.ext(ones)], [p.ext(y1), -1], [n, 6], [rate])
    p.run()
    kept = y1 != 0
    assert 0.4 < kept.mean() < 0.6
    y, m = np.full(n, 5.0, np.float32), np.full(n, 5.0, np.float32)
    p = core.Program(0)
    p.seed = 8
    p.add("dropout", [p.ext(x)], [p.ext(y), p.ext(m) if with_mask else -1], [n, 6], [rate])
    p.run()
    assert_bits_equal(y[~kept], np.zeros((~kept).sum(), np.float32))
    assert_bits_equal(y[kept], x[kept] * np.float32(2))
    if with_mask:
        np.testing.assert_array_equal(m, np.where(kept, np.float32(2), np.float32(0)))
    else:
        np.testing.assert_array_equal(m, 5.0)


def test_dropout_rate_fractions(isa):
    """The kept share is 1 - rate for rates between the 2^-24 steps of u."""
    n = 1 << 20
    x = np.ones(n, np.float32)
    key = step_key(99, 0)
    for rate in (0.1, 0.5 + 2.0**-26, 0.9):
        y = np.zeros(n, np.float32)
        p = core.Program(0)
        p.seed = 99
        p.add("dropout", [p.ext(x)], [p.ext(y), -1], [n, 3], [rate])
        p.run()
        np.testing.assert_array_equal(y, ref_dropout(x, rate, key, 3)[0])
        assert abs((y == 0).mean() - rate) < 3e-3


def test_dropout_rate_on_a_drawn_value(isa):
    """rate equal to a drawn u keeps that element (u >= rate); one float above drops it."""
    n = 64
    key, stream = step_key(5, 1), 4
    x = np.ones(n, np.float32)
    for j in (0, 3, 17, 40, 63):  # lanes in different vector positions and the tail
        u = uniform01(key, stream, n)[j]
        for rate in (u, np.nextafter(u, np.float32(1)), np.nextafter(u, np.float32(0))):
            y = np.zeros(n, np.float32)
            p = core.Program(0)
            p.seed, p.step = 5, 1
            p.add("dropout", [p.ext(x)], [p.ext(y), -1], [n, stream], [float(rate)])
            p.run()
            want = ref_dropout(x, rate, key, stream)[0]
            np.testing.assert_array_equal(y, want)
            assert (y[j] != 0) == (rate <= u)


def test_dropout_in_place_and_seed_state(isa, threads):
    n = 100003
    x = data(n)
    st = np.array([11, 3], np.float32)  # Keras SeedGenerator state [seed, counter]
    want = ref_dropout(x, 0.5, state_key(11, 3), 2**40 + 3)[0]
    p = core.Program(n)
    p.seed, p.step = 77, 9  # replaced by the state operand
    a = p.ws(0, n)
    p.workspace()[:] = x
    p.add("dropout", [a, p.ext(st)], [a, -1], [n, 2**40 + 3], [0.5])
    p.run()
    assert_bits_equal(p.workspace(), want)


@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("lo,hi", [(0.0, 1.0), (-2.0, 3.0), (1e-3, 1e6)])
def test_uniform_bits(isa, threads, n, lo, hi):
    seed, step, stream = 2**63 + 5, 2**40, 8
    r = Run(n, 1, seed, step)
    r.p.add("random_uniform", [], r.outs, [n, stream], [lo, hi])
    r.p.run()
    np.testing.assert_array_equal(r.out(0), ref_uniform(lo, hi, step_key(seed, step), stream, n))


@pytest.mark.parametrize("n", [0, 1, 7, 17, 2001])
def test_normal_bits(isa, threads, n):
    seed, step, stream = 4321, 3, 9
    r = Run(n, 1, seed, step)
    r.p.add("random_normal", [], r.outs, [n, stream], [1.0, 2.0])
    r.p.run()
    np.testing.assert_array_equal(r.out(0), ref_normal(1.0, 2.0, step_key(seed, step), stream, n))


def test_normal_threads_agree_on_long_draws(threads):
    """A long draw (split over threads) against the same draw on one thread."""
    n = 1000003
    outs = []
    for t in (1, threads):
        before = core.get_num_threads()
        core.set_num_threads(t)
        try:
            y = np.zeros(n, np.float32)
            p = core.Program(0)
            p.add("random_normal", [], [p.ext(y)], [n, 9], [0.0, 1.0])
            p.run()
        finally:
            core.set_num_threads(before)
        outs.append(y)
    np.testing.assert_array_equal(outs[0], outs[1])
    assert abs(outs[0].mean()) < 5e-3 and abs(outs[0].std() - 1.0) < 5e-3
    head = ref_normal(0.0, 1.0, step_key(0, 0), 9, 1001)
    np.testing.assert_array_equal(outs[0][:1001], head)
