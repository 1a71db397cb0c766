"""Optimizers: the fused kernels against the scalar C++ reference and a float64 numpy
transcription of Keras 3's update_step (tests/reference/numpy_ref.py), and against real
keras.optimizers applied to a keras Variable for several steps (parameters and every
slot, in Keras's slot order)."""

import sys
from pathlib import Path

import numpy as np
import pytest

from kerasette.backend import core

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference"))
import numpy_ref as ref  # noqa: E402

CONFIGS = [
    ("sgd", {}),
    ("sgd", {"momentum": 0.9}),
    ("sgd", {"momentum": 0.9, "nesterov": True, "learning_rate": 0.05}),
    ("sgd", {"momentum": 0.5, "weight_decay": 0.01}),
    ("adam", {}),
    ("adam", {"amsgrad": True, "learning_rate": 0.01}),
    ("adam", {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3, "weight_decay": 0.1}),
    ("adamw", {}),
    ("adamw", {"weight_decay": 0.05, "amsgrad": True}),
    ("rmsprop", {}),
    ("rmsprop", {"momentum": 0.9}),
    ("rmsprop", {"centered": True}),
    ("rmsprop", {"momentum": 0.5, "centered": True, "rho": 0.8, "learning_rate": 0.01}),
    ("adagrad", {}),
    ("adagrad", {"initial_accumulator_value": 0.5, "learning_rate": 0.1, "epsilon": 1e-5}),
    ("adadelta", {}),
    ("adadelta", {"learning_rate": 1.0, "rho": 0.9}),
    ("nadam", {}),
    ("nadam", {"beta_1": 0.8, "learning_rate": 0.01, "weight_decay": 0.02}),
]


IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in h.items()) or 'default'}" for n, h in CONFIGS]
STEPS = 6


def grads(shape, seed, steps=STEPS):
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal(shape) * rng.choice([1e-3, 1.0, 10.0])).astype(np.float32)
        for _ in range(steps)
    ]


def run_core(fn, name, hyper, w0, gs):
    w = w0.copy()
    slots = [np.empty_like(w) for _ in range(core.optimizer_num_slots(name, **hyper))]
    core.optimizer_init_slots(name, slots, **hyper)
    history = []
    for t, g in enumerate(gs, start=1):
        fn(name, t, w, g, slots, **hyper)
        history.append((w.copy(), [s.copy() for s in slots]))
    return history


def run_numpy(name, hyper, w0, gs):
    w = w0.astype(np.float64)
    slots = ref.optimizer_init_slots(name, w.shape, **hyper)
    history = []
    for t, g in enumerate(gs, start=1):
        w, slots = ref.optimizer_step(name, t, w, g, slots, **hyper)
        history.append((w, slots))
    return history


def assert_state_close(got, want, w0, rtol=2e-5):
    """Params compared by their movement from w0 (the part the optimizer computes)."""
    (w, slots), (w_ref, slots_ref) = got, want
    move = np.abs(np.asarray(w_ref, np.float64) - w0).max() + 1e-12
    np.testing.assert_allclose(w, w_ref, rtol=rtol, atol=rtol * move + 1e-7 * np.abs(w0).max())
    assert len(slots) == len(slots_ref)
    for s, s_ref in zip(slots, slots_ref):
        scale = np.abs(np.asarray(s_ref, np.float64)).max() + 1e-30
        np.testing.assert_allclose(s, s_ref, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("shape", [(1,), (7,), (17, 33), (1000,), (257, 301)], ids=str)
@pytest.mark.parametrize("name,hyper", CONFIGS, ids=IDS)
def test_fast_and_ref_match_numpy_transcription(isa, name, hyper, shape):
    w0 = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    gs = grads(shape, 1)
    want = run_numpy(name, hyper, w0, gs)
    for fn in (core.optimizer_update, core.optimizer_update_ref):
        got = run_core(fn, name, hyper, w0, gs)
        for g_step, w_step in zip(got, want):
            assert_state_close(g_step, w_step, w0.astype(np.float64))


@pytest.mark.parametrize("name,hyper", CONFIGS, ids=IDS)
def test_thread_counts_agree(name, hyper):
    shape = (300, 400)  # above the OpenMP threshold
    w0 = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    gs = grads(shape, 3, steps=2)
    before = core.get_num_threads()
    try:
        core.set_num_threads(1)
        one = run_core(core.optimizer_update, name, hyper, w0, gs)
        core.set_num_threads(2)
        two = run_core(core.optimizer_update, name, hyper, w0, gs)
    finally:
        core.set_num_threads(before)
    np.testing.assert_array_equal(one[-1][0], two[-1][0])


def test_slot_counts_and_init():
    assert core.optimizer_num_slots("sgd") == 0
    assert core.optimizer_num_slots("sgd", momentum=0.9) == 1
    assert core.optimizer_num_slots("adam") == 2
    assert core.optimizer_num_slots("adam", amsgrad=True) == 3
    assert core.optimizer_num_slots("rmsprop", momentum=0.1, centered=True) == 3
    assert core.optimizer_num_slots("adadelta") == 2
    slots = [np.zeros(5, np.float32)]
    core.optimizer_init_slots("adagrad", slots)
    np.testing.assert_array_equal(slots[0], np.float32(0.1))
    core.optimizer_init_slots("adagrad", slots, initial_accumulator_value=0.3)
    np.testing.assert_allclose(slots[0], 0.3)
    for name, _ in CONFIGS:
        assert core.optimizer_num_slots(name) == ref.optimizer_num_slots(name)


def test_nadam_state_chain_matches_recomputed():
    w_a = np.ones(6, np.float32)
    w_b = w_a.copy()
    sa = [np.zeros(6, np.float32) for _ in range(2)]
    sb = [np.zeros(6, np.float32) for _ in range(2)]
    state = 1.0
    for t, g in enumerate(grads((6,), 4), start=1):
        state = core.optimizer_update("nadam", t, w_a, g, sa, state=state)
        core.optimizer_update("nadam", t, w_b, g, sb)
        assert state == pytest.approx(ref.nadam_u_product(t), rel=1e-6)  # beta_1 is float32
    np.testing.assert_array_equal(w_a, w_b)


def test_bad_arguments():
    w = np.ones(4, np.float32)
    g = np.ones(4, np.float32)
    with pytest.raises(ValueError, match="slot"):
        core.optimizer_update("adam", 1, w, g, [np.zeros(4, np.float32)])
    with pytest.raises(ValueError, match="float32"):
        core.optimizer_update("sgd", 1, w.astype(np.float64), g, [])
    with pytest.raises(ValueError, match="contiguous"):
        core.optimizer_update("sgd", 1, np.ones(8, np.float32)[::2], g, [])
    with pytest.raises(ValueError, match="shape"):
        core.optimizer_update("sgd", 1, w, np.ones(5), [])
    with pytest.raises(ValueError, match="share memory"):
        core.optimizer_update("adam", 1, w, g, [w, np.zeros(4, np.float32)])
    with pytest.raises(ValueError, match="share memory"):
        core.optimizer_update("sgd", 1, w, w, [])
    with pytest.raises(ValueError, match="step"):
        core.optimizer_update("sgd", 0, w, g, [])
    with pytest.raises(TypeError):
        core.optimizer_update("sgd", 1, w, g, [], bogus=1.0)
    with pytest.raises(TypeError):
        core.optimizer_update("sgd", 1, w, g.astype(complex), [])
    with pytest.raises(ValueError):
        core.optimizer_update("nope", 1, w, g, [])
    # A refused call leaves the parameters untouched.
    np.testing.assert_array_equal(w, 1.0)


def test_grad_dtype_conversion():
    w1, w2 = np.ones(5, np.float32), np.ones(5, np.float32)
    g = np.linspace(-1, 1, 10)
    core.optimizer_update("sgd", 1, w1, g[::2], [])
    core.optimizer_update("sgd", 1, w2, np.ascontiguousarray(g[::2], np.float32), [])
    np.testing.assert_array_equal(w1, w2)


@pytest.mark.parametrize("shape", [(0,), (0, 3)], ids=str)
@pytest.mark.parametrize("name", sorted(core.OPTIMIZERS))
def test_empty_buffers(name, shape):
    """A zero-size variable updates to nothing, yet the step's state still advances
    (Nadam's u_product) and the arguments are still checked."""
    w = np.zeros(shape, np.float32)
    slots = [np.zeros(shape, np.float32) for _ in range(core.optimizer_num_slots(name))]
    want = ref.nadam_u_product(3) if name == "nadam" else 1.0
    for fn in (core.optimizer_update, core.optimizer_update_ref):
        assert fn(name, 3, w, w.copy(), slots) == pytest.approx(want, rel=1e-6)
        assert w.shape == shape and [s.shape for s in slots] == [shape] * len(slots)
        with pytest.raises(ValueError, match="slot"):
            fn(name, 3, w, w.copy(), slots + [np.zeros(shape, np.float32)])
        with pytest.raises(ValueError, match="shape"):
            fn(name, 3, w, np.zeros((0, 2), np.float32), slots)


# ---------------------------------------------------------------------------------------
# Against real Keras 3 (TensorFlow backend)
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keras_tf():
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    return keras, tf


KERAS_CLASS = {
    "sgd": "SGD",
    "adam": "Adam",
    "adamw": "AdamW",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
    "adadelta": "Adadelta",
    "nadam": "Nadam",
}


@pytest.mark.parametrize("name,hyper", CONFIGS, ids=IDS)
@pytest.mark.keras_ref
def test_matches_keras_optimizer(keras_tf, name, hyper):
    keras, tf = keras_tf
    shape = (13, 7)
    w0 = np.random.default_rng(5).standard_normal(shape).astype(np.float32)
    gs = grads(shape, 6, steps=8)
    kh = dict(hyper)
    if name != "adamw" and not kh.get("weight_decay"):
        kh.pop("weight_decay", None)
    opt = getattr(keras.optimizers, KERAS_CLASS[name])(**kh)
    var = keras.Variable(w0)
    ours = run_core(core.optimizer_update, name, hyper, w0, gs)
    ns = core.optimizer_num_slots(name, **hyper)
    for (w, slots), g in zip(ours, gs):
        opt.apply_gradients([(tf.constant(g), var)])
        k_slots = [v.numpy() for v in opt.variables[2 : 2 + ns]]
        assert_state_close((w, slots), (var.numpy(), k_slots), w0.astype(np.float64), rtol=2e-5)
