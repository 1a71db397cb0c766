"""The C++ random kernels' numbers in numpy, so that the interpreter and eager ops draw
exactly what a compiled program draws (CONTRIBUTING: KERASETTE_INTERPRET=1 changes
nothing beyond float rounding; here, nothing at all).

Transcribed from kerasette/random.h (rng_base, rng_finalise), kernels/cpu/random*.cc
(the 24-bit uniform, dropout's threshold, Box-Muller over counter pairs in float64) and
runtime/program.cc (step_key, state_key). uint64 arrays wrap on overflow as C++ does;
scalars are Python ints masked to 64 bits.

The graph's random ops key a draw by (seed attribute, counter input): the lowering
(graph/lower_rules.py) passes the seed as the instruction's stream and the counter as
a one-word seed-state operand, which the program reads as a float32.
"""

import math

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_STEP = 0x94D049BB133111EB  # kRngStep, also splitmix64's second multiplier
_STREAM_ADD = 0x632BE59BD9B4E019
_KEY_COUNTER = 0x6B6572617365747A  # step_key's counter word
_STATE_SALT = 0x5EED  # state_key's xor
_TWO_PI = 6.283185307179586476925


def _finalise_scalar(z):
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _STEP) & _MASK
    return z ^ (z >> 31)


def rng_base(key, stream):
    """rng_base: the finaliser input for counter 0 of (key, stream)."""
    key, stream = int(key) & _MASK, int(stream) & _MASK
    return (((key * _GOLDEN) ^ ((stream + _STREAM_ADD) * _M1)) + _GOLDEN) & _MASK


def step_key(seed, step):
    """program.cc's step_key: rng_mix(seed, step, _KEY_COUNTER)."""
    return _finalise_scalar((rng_base(seed, step) + _KEY_COUNTER * _STEP) & _MASK)


def _word(v):
    """program.cc's state_key word: a float-stored integer, truncated; 0 when huge."""
    f = np.float32(v)
    return int(f) & _MASK if abs(f) < np.float32(9e18) else 0


def counter_key(counter):
    """The key of a draw whose counter is fed as a one-word seed state (state_key)."""
    return step_key(_word(counter), 0) ^ _STATE_SALT


def stream_of(seed):
    """The instruction stream lower_rules gives a random op with attribute `seed`."""
    return int(seed or 0) % (1 << 62)


def bits(key, stream, n):
    """rng_mix(key, stream, i) for i in [0, n), as uint64."""
    z = np.arange(n, dtype=np.uint64)
    z *= np.uint64(_STEP)
    z += np.uint64(rng_base(key, stream))
    z ^= z >> np.uint64(30)
    z *= np.uint64(_M1)
    z ^= z >> np.uint64(27)
    z *= np.uint64(_STEP)
    z ^= z >> np.uint64(31)
    return z


def top24(key, stream, n):
    """The 24-bit integer each uniform and dropout test is made of."""
    return (bits(key, stream, n) >> np.uint64(40)).astype(np.int32)


def uniform01(key, stream, n):
    """u in [0, 1) (float32): top24 * 2^-24, exact."""
    return top24(key, stream, n).astype(np.float32) * np.float32(2.0**-24)


def uniform(key, stream, n, lo, hi):
    """The random_uniform kernel: lo + (hi - lo) * u in float32, one rounding per step."""
    lo32 = np.float32(lo)
    w = np.float32(np.float32(hi) - lo32)
    return lo32 + w * uniform01(key, stream, n)


def dropout_mask(key, stream, n, rate):
    """The dropout kernel's mask: 1 / (1 - rate) where top24 >= ceil(rate * 2^24), else
    0 (float32; rate is read as a float32, as the tape stores it)."""
    rate = np.float32(rate)
    scale = np.float32(1) / (np.float32(1) - rate) if rate < 1 else np.float32(0)
    thr = math.ceil(float(rate) * 16777216.0)
    return np.where(top24(key, stream, n) >= thr, scale, np.float32(0))


_R_MAX = 8.6  # Box-Muller's largest r: sqrt(-2 log 2^-53) = 8.57


def normal64(key, stream, n, mean, stddev):
    """mean + stddev * z in float64, z from Box-Muller over counter pairs (2p, 2p + 1):
    element 2p takes r cos t, element 2p + 1 r sin t. Also returns each pair's u1 and
    t (for recomputing an element)."""
    m = n + (n & 1)
    w = (bits(key, stream, m) >> np.uint64(11)).astype(np.float64)
    u1, t = w[0::2], w[1::2]
    u1 += 1.0
    u1 *= 2.0**-53
    t *= 2.0**-53
    t *= _TWO_PI
    r = np.log(u1)
    r *= -2.0
    np.sqrt(r, out=r)
    y = np.empty(m, np.float64)
    np.cos(t, out=y[0::2])
    np.sin(t, out=y[1::2])
    y[0::2] *= r
    y[1::2] *= r
    y *= float(stddev)
    y += float(mean)
    return y[:n], u1, t


def _near_midpoint(y64, stddev):
    """Where float32(y64) could differ from float32 of libm's y: numpy's float64 log
    (SIMD on some CPUs) is not libm's to the last bit. That error and the products
    after it stay far below 2^-44 * (|stddev| * 8.6 + |y|), so an element farther than
    that from a float32 rounding midpoint rounds as libm's would. A float32-normal y's
    midpoints are where its low 29 mantissa bits are 2^28; one float64 ulp of y is
    more than 2^-53 |y|. float32 subnormals always count as near."""
    low = (y64.view(np.uint64) & np.uint64((1 << 29) - 1)).astype(np.float64)
    low -= 2.0**28
    a = np.abs(y64)
    far = np.abs(low) * a > 2.0**9 * (a + _R_MAX * abs(stddev))
    return ~far & np.isfinite(y64) | (a < 2.0**-126)


def normal(key, stream, n, mean, stddev):
    """The random_normal kernel's float32 numbers: mean and stddev read as float32, the
    sum in float64 with libm's log, cos and sin, rounded once to float32."""
    mean, stddev = float(np.float32(mean)), float(np.float32(stddev))
    y64, u1, t = normal64(key, stream, n, mean, stddev)
    out = y64.astype(np.float32)
    for i in np.flatnonzero(_near_midpoint(y64, stddev)):
        # recompute as the kernel does, with libm through Python's math
        p = int(i) >> 1
        r = math.sqrt(-2.0 * math.log(float(u1[p])))
        trig = math.sin if i & 1 else math.cos
        out[i] = np.float32(mean + stddev * (r * trig(float(t[p]))))
    return out
