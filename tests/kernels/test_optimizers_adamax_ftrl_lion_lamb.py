"""Adamax, Ftrl, Lion and Lamb kernels (every ISA, 1 and 2 threads) and the scalar C++
reference against a float64 numpy transcription of Keras 3's update_step
(keras/src/optimizers/{adamax,ftrl,lion,lamb}.py), several steps, parameters and slots."""

import numpy as np
import pytest

from kerasette.backend import core


def np_step(name, h, t, w, g, slots, segments=None):
    """One Keras step in float64, in place (w and slots are float64 arrays)."""
    lr, wd = h.get("learning_rate", 0.001), h.get("weight_decay", 0.0)
    w -= w * wd * lr  # the base optimizer's decoupled decay, before update_step
    if name == "adamax":
        b1, b2, eps = h.get("beta_1", 0.9), h.get("beta_2", 0.999), h.get("epsilon", 1e-7)
        m, u = slots
        m += (g - m) * (1 - b1)
        u[:] = np.maximum(b2 * u, np.abs(g))
        w -= lr * m / ((1 - b1**t) * (u + eps))
    elif name == "ftrl":
        p = h.get("learning_rate_power", -0.5)
        l1 = h.get("l1_regularization_strength", 0.0)
        l2 = h.get("l2_regularization_strength", 0.0) + h.get("beta", 0.0) / (2 * lr)
        shrink = h.get("l2_shrinkage_regularization_strength", 0.0)
        acc, lin = slots
        na = acc + g * g
        lin += g + 2 * shrink * w - (na**-p - acc**-p) / lr * w
        quad = na**-p / lr + 2 * l2
        w[:] = (np.clip(lin, -l1, l1) - lin) / quad
        acc[:] = na
    elif name == "lion":
        b1, b2 = h.get("beta_1", 0.9), h.get("beta_2", 0.99)
        (m,) = slots
        w -= lr * np.sign(m * b1 + g * (1 - b1))
        m[:] = m * b2 + g * (1 - b2)
    elif name == "lamb":
        b1, b2, eps = h.get("beta_1", 0.9), h.get("beta_2", 0.999), h.get("epsilon", 1e-7)
        m, v = slots
        m += (g - m) * (1 - b1)
        v += (g * g - v) * (1 - b2)
        upd = (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        off = 0
        for n in segments or [w.size]:
            s = slice(off, off + n)
            wn, un = np.linalg.norm(w[s]), np.linalg.norm(upd[s])
            ratio = wn / un if wn > 0 and un > 0 else 1.0
            w[s] -= ratio * lr * upd[s]
            off += n


CONFIGS = [
    ("adamax", {}),
    ("adamax", {"beta_1": 0.5, "beta_2": 0.9, "learning_rate": 0.01, "weight_decay": 0.1}),
    ("ftrl", {}),
    (
        "ftrl",
        {
            "learning_rate": 0.1,
            "l1_regularization_strength": 0.01,
            "l2_regularization_strength": 0.02,
            "beta": 0.5,
        },
    ),
    (
        "ftrl",
        {
            "learning_rate_power": -0.7,
            "initial_accumulator_value": 0.5,
            "l2_shrinkage_regularization_strength": 0.03,
            "learning_rate": 0.05,
        },
    ),
    ("lion", {}),
    ("lion", {"beta_1": 0.7, "beta_2": 0.95, "learning_rate": 0.01, "weight_decay": 0.05}),
    ("lamb", {}),
    ("lamb", {"learning_rate": 0.01, "epsilon": 1e-4, "weight_decay": 0.02}),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in h.items()) or 'default'}" for n, h in CONFIGS]


def _run(fn, name, hyper, w0, gs, segments=None):
    w = w0.copy()
    slots = [np.empty_like(w) for _ in range(core.optimizer_num_slots(name, **hyper))]
    core.optimizer_init_slots(name, slots, **hyper)
    extra = {"segments": segments} if segments else {}
    for t, g in enumerate(gs, start=1):
        fn(name, t, w, g, slots, **hyper, **extra)
    return w, slots


def _numpy(name, hyper, w0, gs, segments=None):
    w = w0.astype(np.float64)
    init = [hyper.get("initial_accumulator_value", 0.1) if name == "ftrl" else 0.0, 0.0]
    slots = [
        np.full(w.shape, init[i], np.float64)
        for i in range(core.optimizer_num_slots(name, **hyper))
    ]
    for t, g in enumerate(gs, start=1):
        np_step(
            name,
            hyper,
            t,
            w.reshape(-1),
            g.astype(np.float64).reshape(-1),
            [s.reshape(-1) for s in slots],
            segments,
        )
    return w, slots


def _data(n, seed, steps=6):
    r = np.random.default_rng(seed)
    w0 = r.standard_normal(n).astype(np.float32)
    gs = [
        (r.standard_normal(n) * r.choice([1e-3, 1.0, 10.0])).astype(np.float32)
        for _ in range(steps)
    ]
    return w0, gs


@pytest.mark.parametrize("name,hyper", CONFIGS, ids=IDS)
def test_kernel_and_reference_match_numpy(isa, threads, name, hyper):
    w0, gs = _data(70001, 1)  # past the threading threshold, with a ragged tail
    want_w, want_s = _numpy(name, hyper, w0, gs)
    for fn in (core.optimizer_update, core.optimizer_update_ref):
        w, slots = _run(fn, name, hyper, w0, gs)
        # Ftrl's `linear` cancels (sqrt(n) - sqrt(n_old)) / lr * w: float32 (as Keras)
        # loses ~1e-4 of it; the double reference does not.
        # Ftrl's `linear` cancels (sqrt(n) - sqrt(n_old)) / lr * w: its float32 state
        # (Keras's too) drifts ~1e-4 from the all-float64 transcription.
        loose = name == "ftrl"
        for got, want in zip([w, *slots], [want_w, *want_s]):
            atol = 1e-5 * np.abs(want).max() if loose else 2e-6
            np.testing.assert_allclose(got, want, rtol=2e-3 if loose else 2e-5, atol=atol)


def test_lamb_trust_ratio_is_per_segment(isa):
    segments = [7, 70000, 1, 13]
    w0, gs = _data(sum(segments), 2)
    w0[:7] = 0.0  # a zero variable: ratio 1
    want_w, _ = _numpy("lamb", {}, w0, gs, segments)
    for fn in (core.optimizer_update, core.optimizer_update_ref):
        w, _ = _run(fn, "lamb", {}, w0, gs, segments)
        np.testing.assert_allclose(w, want_w, rtol=2e-5, atol=2e-6)
    # one segment differs: the ratio is not the whole buffer's
    whole, _ = _run(core.optimizer_update, "lamb", {}, w0, gs)
    assert np.abs(whole - want_w).max() > 1e-4


def test_slot_roles_and_initial_values():
    assert core.OPTIMIZER_SLOTS["adamax"] == ("momentum", "norm")
    assert core.OPTIMIZER_SLOTS["ftrl"] == ("accumulator", "linear")
    assert core.OPTIMIZER_SLOTS["lion"] == ("momentum",)
    assert core.OPTIMIZER_SLOTS["lamb"] == ("momentum", "velocity")
    slots = [np.empty(5, np.float32), np.empty(5, np.float32)]
    core.optimizer_init_slots("ftrl", slots, initial_accumulator_value=0.3)
    np.testing.assert_array_equal(slots[0], np.float32(0.3))
    np.testing.assert_array_equal(slots[1], 0.0)


@pytest.mark.parametrize(
    "segments,err", [([3, 3], "sum to"), ([0, 10], "segment"), ("ab", "list of ints")]
)
def test_bad_segments_raise(segments, err):
    w = np.zeros(10, np.float32)
    slots = [np.zeros(10, np.float32), np.zeros(10, np.float32)]
    with pytest.raises((ValueError, TypeError), match=err):
        core.optimizer_update("lamb", 1, w, w.copy(), slots, segments=segments)
    with pytest.raises(TypeError, match="only for lamb"):
        core.optimizer_update("adam", 1, w, w.copy(), slots, segments=[10])
