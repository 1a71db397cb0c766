"""Initializers agree with Keras 3 in distribution (mean, std, bounds), seeds repeat,
and kerasette.utils.set_random_seed makes unseeded draws repeat."""

import numpy as np
import pytest

import kerasette as ks

SHAPE = (300, 200)  # fan_in 300, fan_out 200: 60000 draws


def _draw(lib, name, **kwargs):
    init = getattr(lib.initializers, name)(**kwargs)
    return np.asarray(init(SHAPE, dtype="float32"))


CASES = [
    "GlorotUniform",
    "GlorotNormal",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "LecunUniform",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "Orthogonal",
]


@pytest.mark.parametrize("name", CASES)
def test_distribution_matches_keras(keras, name):
    mine, ref = _draw(ks, name, seed=1), _draw(keras, name, seed=1)
    assert mine.dtype == np.float32 and mine.shape == SHAPE
    # 60000 draws: the sample std's relative error is ~0.3%; 3% leaves a wide margin yet
    # catches any wrong formula (fan mode, scale 2 vs 1, missing 0.8796 correction = 12%).
    np.testing.assert_allclose(mine.std(), ref.std(), rtol=0.03)
    assert abs(mine.mean() - ref.mean()) < 0.05 * ref.std() + 1e-6
    # Shape of the distribution: matching quantiles (uniform, truncated or not).
    for q in (0.01, 0.1, 0.5, 0.9, 0.99):
        assert abs(np.quantile(mine, q) - np.quantile(ref, q)) < 0.04 * ref.std() + 1e-6
    # Bounds: uniform limits and the 2-stddev truncation are hard limits in both.
    if name not in ("RandomNormal", "Orthogonal"):
        np.testing.assert_allclose(np.abs(mine).max(), np.abs(ref).max(), rtol=0.02)


@pytest.mark.parametrize(
    "mode,dist",
    [("fan_in", "truncated_normal"), ("fan_out", "uniform"), ("fan_avg", "untruncated_normal")],
)
def test_variance_scaling_modes(keras, mode, dist):
    kw = dict(scale=3.0, mode=mode, distribution=dist, seed=2)
    mine, ref = _draw(ks, "VarianceScaling", **kw), _draw(keras, "VarianceScaling", **kw)
    np.testing.assert_allclose(mine.std(), ref.std(), rtol=0.03)


def test_exact_formulas():
    limit = np.sqrt(6.0 / (300 + 200))
    w = _draw(ks, "GlorotUniform")
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit
    w = _draw(ks, "HeNormal")
    # truncated at 2 stddev of the corrected stddev sqrt(2/fan_in)/0.8796...
    std = np.sqrt(2.0 / 300) / 0.87962566103423978
    assert np.abs(w).max() <= 2 * std
    np.testing.assert_allclose(w.std(), np.sqrt(2.0 / 300), rtol=0.02)


def test_constant_like_initializers(keras):
    for name, kw in [("Zeros", {}), ("Ones", {}), ("Constant", dict(value=0.25)), ("Identity", {})]:
        np.testing.assert_array_equal(_draw(ks, name, **kw), _draw(keras, name, **kw))


def test_orthogonal_is_orthogonal():
    w = _draw(ks, "Orthogonal", gain=2.0)
    np.testing.assert_allclose(w.T @ w, 4.0 * np.eye(SHAPE[1]), atol=1e-4)


def test_seeded_initializer_repeats_and_unseeded_follows_global_seed():
    a = _draw(ks, "GlorotUniform", seed=3)
    b = _draw(ks, "GlorotUniform", seed=3)
    np.testing.assert_array_equal(a, b)
    ks.utils.set_random_seed(42)
    c = _draw(ks, "GlorotUniform")
    d = _draw(ks, "GlorotUniform")
    ks.utils.set_random_seed(42)
    np.testing.assert_array_equal(c, _draw(ks, "GlorotUniform"))
    np.testing.assert_array_equal(d, _draw(ks, "GlorotUniform"))
    assert not np.array_equal(c, d)


def test_set_random_seed_repeats_layer_weights():
    def weights():
        ks.utils.set_random_seed(7)
        m = ks.Sequential(
            [
                ks.Input(shape=(5,)),
                ks.layers.Dense(4),
                ks.layers.Embedding(3, 2) if False else ks.layers.Dense(2),
            ]
        )
        return m.get_weights()

    for a, b in zip(weights(), weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_bad_arguments():
    with pytest.raises(ValueError, match="scale"):
        ks.initializers.VarianceScaling(scale=-1)
    with pytest.raises(ValueError, match="mode"):
        ks.initializers.VarianceScaling(mode="fan_sideways")
    with pytest.raises(ValueError, match="two-dimensional"):
        ks.initializers.Orthogonal()((3,))
    with pytest.raises(ValueError, match="seed"):
        ks.initializers.GlorotUniform(seed="x")
    with pytest.raises(ValueError, match="Could not interpret initializer"):
        ks.initializers.get("glorot_sideways")
