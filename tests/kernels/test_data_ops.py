"""The input-data passes of the epoch loop against numpy: the NaN/inf check that runs
before every fit/predict and the shuffled batch gather, on 1 and 2 threads."""

import numpy as np
import pytest

from kerasette.backend import core

# Around the 16-float inner block, and past the 2**18 floats where the check splits over threads.
SIZES = [0, 1, 15, 16, 17, 4099, (1 << 18) + 5, 3 * (1 << 18) + 7]


@pytest.mark.parametrize("n", SIZES)
def test_all_finite_clean(threads, n):
    x = np.random.default_rng(n).standard_normal(n).astype(np.float32) * 1e30
    assert core.all_finite(x) is True


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("n", [s for s in SIZES if s > 0])
def test_all_finite_finds_one_bad_value_anywhere(threads, n, bad):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n).astype(np.float32)
    for pos in {0, n // 2, n - 1, int(rng.integers(n))}:
        y = x.copy()
        y[pos] = bad
        assert core.all_finite(y) is bool(np.isfinite(y).all()) is False


def test_all_finite_extremes():
    x = np.array([np.finfo(np.float32).max, -np.finfo(np.float32).max, 1e-45, -0.0] * 5, np.float32)
    assert core.all_finite(x)


@pytest.mark.parametrize("width", [1, 10, 784])
@pytest.mark.parametrize("rows", [0, 1, 5, 128, 1000])
def test_gather_rows_matches_take(threads, rows, width):
    rng = np.random.default_rng(rows * 7 + width)
    src = rng.standard_normal((3000, width)).astype(np.float32)
    idx = rng.integers(0, len(src), rows).astype(np.int64)
    np.testing.assert_array_equal(core.gather_rows(src, idx), np.take(src, idx, axis=0))


def test_gather_rows_rejects_out_of_range():
    src = np.zeros((4, 3), np.float32)
    for bad in ([4], [-1], [0, 1, 2, 99]):
        with pytest.raises(IndexError, match="out of range"):
            core.gather_rows(src, np.array(bad, np.int64))
    with pytest.raises(ValueError, match="shape"):
        core.gather_rows(src.ravel(), np.array([0], np.int64))
