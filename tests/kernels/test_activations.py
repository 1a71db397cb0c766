"""Activations: the fast kernels (every ISA path, 1 and 2 threads) against the scalar
C++ reference and the float64 numpy oracle; numpy's derivatives against finite
differences; and every activation against real Keras 3 (forward and tf gradient)."""

import sys
from pathlib import Path

import numpy as np
import pytest

# Overflow to inf (exponential of large inputs) is part of what is tested.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

from kerasette.backend import core

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference"))
import numpy_ref as ref  # noqa: E402

ISAS = core.cpu_features()["supported_isas"]
NAMES = ref.ACTIVATION_NAMES
ROW_WISE = ("softmax", "log_softmax")
# (37, 10), (16, 15), (130, 1): rows shorter than a vector, which softmax takes 16 rows at a time.
SHAPES = [
    (1,),
    (7,),
    (1, 17),
    (3, 33),
    (1000,),
    (17, 1000),
    (5, 7, 3),
    (0,),
    (4, 0),
    (0, 5),
    (37, 10),
    (16, 15),
    (130, 1),
]


def sample(shape, seed, scale=3.0):
    """Normal values plus large magnitudes and the special points (0, tiny, kinks)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * scale
    flat = x.reshape(-1)
    specials = [
        0.0,
        1e-6,
        -1e-6,
        3.0,
        -3.0,
        6.0,
        20.0,
        -20.0,
        50.0,
        -50.0,
        87.0,
        -87.0,
        100.0,
        -100.0,
        1e4,
        -1e4,
        0.5,
        -0.5,
        0.7,
        -0.7,
    ]
    k = min(len(specials), flat.size // 3)
    if k:
        idx = rng.choice(flat.size, k, replace=False)
        flat[idx] = specials[:k]
    return x.astype(np.float32)


def close(got, want, rtol, atol):
    """Float32 result against a float64 answer: |got - want| <= atol + rtol * |want|."""
    want32 = np.asarray(want, np.float64).astype(np.float32).astype(np.float64)
    got = np.asarray(got, np.float64)
    assert got.shape == want32.shape
    both_inf = np.isinf(got) & np.isinf(want32) & (np.sign(got) == np.sign(want32))
    err = np.where(both_inf, 0.0, np.abs(got - want32))
    bound = atol + rtol * np.abs(np.where(np.isinf(want32), 0.0, want32))
    bad = ~(err <= bound)
    assert not bad.any(), (
        f"{bad.sum()} mismatches, worst at {np.argmax(np.where(bad, err - bound, -1))}: "
        f"got {got.reshape(-1)[bad.reshape(-1)][:5]} want {want32.reshape(-1)[bad.reshape(-1)][:5]}"
    )


# Forward tolerances: the polynomial exp/erfc paths are within a few ulp.
FWD_RTOL = 4e-6
# gelu forms evaluate exp of a computed argument (-x^2/2, -2z): in the far tails the
# argument's float32 rounding shows up as ~1e-5 relative error on values below 1e-10.
TAIL_RTOL = {"gelu": 1e-5, "gelu_tanh": 1e-5}
FWD_ATOL = 1e-30


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", NAMES)
def test_forward_matches_ref_and_numpy(isa, name, shape):
    x = sample(shape, seed=len(shape) * 1000 + sum(shape))
    want = ref.act_forward(name, x)
    fast = core.act_forward(x, name)
    slow = core.act_forward_ref(x, name)
    assert fast.dtype == np.float32 and fast.shape == x.shape
    # log_softmax of the row max is log(sum) rounded in float32: an absolute error.
    atol = 2e-6 if name == "log_softmax" else FWD_ATOL
    close(slow, want, 1e-6, atol if name == "log_softmax" else 1e-37)
    # gelu's far left tail (|y| < 1e-10) loses a few more ulp in exp(-x^2/2) (Keras's
    # float32 1 + erf(x) returns 0 there, so this is still closer to the truth than Keras).
    close(fast, want, TAIL_RTOL.get(name, FWD_RTOL), 1e-10 if name == "gelu" else atol)


@pytest.mark.parametrize("shape", [s for s in SHAPES if len(s) > 0], ids=str)
@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_ref_and_numpy(isa, name, shape):
    x = sample(shape, seed=7 + sum(shape))
    x = np.clip(x, -80, 80)  # keep exponential's derivative finite in float32
    dy = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    want = ref.act_backward(name, x, dy)
    y = core.act_forward(x, name)
    fast = core.act_backward(x, y, dy, name)
    slow = core.act_backward_ref(x, core.act_forward_ref(x, name), dy, name)
    # Derivatives Keras/TF also form from y (sigmoid, tanh, selu, softmax...) carry
    # float32 rounding of y: an absolute error of a few ulp(1) times |dy|.
    scale = np.abs(dy).astype(np.float64) + 1e-30
    if name in ROW_WISE and x.size:
        scale = scale + np.sum(np.abs(dy), axis=-1, keepdims=True)
    atol = 2e-6 * scale
    if name == "exponential":
        atol = atol * np.maximum(1.0, np.exp(np.abs(x.astype(np.float64))))
    close(slow, want, 2e-6, atol)
    close(fast, want, 2e-5, atol)


@pytest.mark.parametrize("name", [n for n in NAMES if n not in ROW_WISE])
def test_numpy_derivative_matches_finite_differences(name):
    rng = np.random.default_rng(3)
    x = rng.uniform(-8, 8, 400)
    kinks = ref.act_kinks(name)
    if kinks:
        x = x[np.min(np.abs(x[:, None] - np.array(kinks)[None, :]), axis=1) > 1e-3]
    h = 1e-6
    fd = (ref.act_forward(name, x + h) - ref.act_forward(name, x - h)) / (2 * h)
    np.testing.assert_allclose(ref.act_derivative(name, x), fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ROW_WISE)
def test_numpy_rowwise_backward_matches_finite_differences(name):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 6)) * 2
    dy = rng.standard_normal((3, 6))
    got = ref.act_backward(name, x, dy)
    h = 1e-6
    fd = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        fd[i] = np.sum(dy * (ref.act_forward(name, xp) - ref.act_forward(name, xm))) / (2 * h)
    np.testing.assert_allclose(got, fd, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("param", [0.0, 0.01, 0.3, 1.5, -0.5])
@pytest.mark.parametrize("name", ["leaky_relu", "elu"])
def test_param_activations(name, param):
    x = sample((9, 13), 11)
    dy = np.ones_like(x)
    close(core.act_forward(x, name, param), ref.act_forward(name, x, param), FWD_RTOL, 1e-30)
    close(
        core.act_backward(x, None, dy, name, param),
        ref.act_backward(name, x, dy, param),
        2e-5,
        1e-6,
    )


def test_default_params_are_keras_defaults():
    x = np.array([-2.0, -0.5, 1.0], np.float32)
    np.testing.assert_allclose(core.act_forward(x, "leaky_relu"), [-0.4, -0.1, 1.0], rtol=1e-6)
    np.testing.assert_allclose(
        core.act_forward(x, "elu"), np.where(x > 0, x, np.expm1(x)), rtol=1e-6
    )
    assert core.ACTIVATION_DEFAULT_PARAMS == {"leaky_relu": 0.2, "elu": 1.0}


@pytest.mark.parametrize("name", NAMES)
def test_large_block_threads_match_single_rows(threads, name):
    """The OpenMP path (big blocks) and the one-row path (Dense epilogue) agree exactly."""
    x = sample((300, 1000), 5)
    whole = core.act_forward(x, name)
    rows = np.stack([core.act_forward(x[i : i + 1], name)[0] for i in range(0, 300, 37)])
    np.testing.assert_array_equal(whole[::37], rows)
    dy = np.ones_like(x)
    dx = core.act_backward(x, whole, dy, name)
    dx_rows = np.stack(
        [
            core.act_backward(x[i : i + 1], whole[i : i + 1], dy[i : i + 1], name)[0]
            for i in range(0, 300, 37)
        ]
    )
    np.testing.assert_array_equal(dx[::37], dx_rows)


def test_isas_agree_closely():
    x = sample((33, 65), 9)
    before = core.cpu_features()["isa"]
    try:
        outs = {}
        for isa in ISAS:
            core.set_isa(isa)
            outs[isa] = {n: core.act_forward(x, n) for n in NAMES}
    finally:
        core.set_isa(before)
    for isa in ISAS:
        for n in NAMES:
            np.testing.assert_allclose(outs[isa][n], outs[ISAS[0]][n], rtol=1e-6, atol=1e-6)


def test_in_place_and_out_argument():
    x = sample((8, 9), 2)
    want = core.act_forward(x, "gelu")
    buf = x.copy()
    got = core.act_forward(buf, "gelu", out=buf)
    assert got is buf or np.shares_memory(got, buf)
    np.testing.assert_array_equal(buf, want)
    out = np.empty_like(x)
    core.act_forward(x, "softmax", out=out)
    np.testing.assert_allclose(out, ref.act_forward("softmax", x), rtol=1e-5, atol=1e-7)
    dy = np.ones_like(x)
    y = core.act_forward(x, "tanh")
    dx = core.act_backward(None, y, dy, "tanh", out=dy)
    assert np.shares_memory(dx, dy)
    np.testing.assert_allclose(dy, 1 - y.astype(np.float64) ** 2, rtol=1e-6)


@pytest.mark.parametrize(
    "bad_out",
    [
        np.empty((8, 9), np.float64),
        np.empty((9, 8), np.float32),
        np.empty((8, 18), np.float32)[:, ::2],
        [[0.0] * 9] * 8,
    ],
)
def test_bad_out_is_value_error(bad_out):
    x = sample((8, 9), 2)
    with pytest.raises(ValueError):
        core.act_forward(x, "relu", out=bad_out)


def test_partial_overlap_is_refused():
    buf = np.zeros(20, np.float32)
    with pytest.raises(ValueError, match="overlap"):
        core.act_forward(buf[:10], "relu", out=buf[5:15])


def test_read_only_out_is_refused():
    out = np.zeros(4, np.float32)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="writable"):
        core.act_forward(np.ones(4, np.float32), "relu", out=out)


def test_misaligned_arrays():
    buf = bytearray(4 * 9 + 1)
    mis = np.ndarray((9,), np.float32, buffer=memoryview(buf)[1:])  # writable, odd address
    assert mis.ctypes.data % 4 != 0
    mis[:] = np.linspace(-2, 2, 9)
    np.testing.assert_array_equal(core.act_forward(mis, "relu"), np.maximum(mis, 0))
    with pytest.raises(ValueError, match="aligned"):
        core.act_forward(np.ones(9, np.float32), "relu", out=mis)


def test_inputs_are_converted_or_refused():
    x64 = np.linspace(-3, 3, 12).reshape(3, 4)
    np.testing.assert_allclose(core.act_forward(x64, "relu"), np.maximum(x64, 0))
    np.testing.assert_allclose(core.act_forward(x64[:, ::2], "relu"), np.maximum(x64[:, ::2], 0))
    np.testing.assert_array_equal(core.act_forward(np.arange(4), "linear"), [0, 1, 2, 3])
    np.testing.assert_array_equal(core.act_forward([True, False], "linear"), [1, 0])
    for bad in (np.ones(3, complex), np.array(["a"]), np.array([1, None], object)):
        with pytest.raises(TypeError):
            core.act_forward(bad, "relu")
    with pytest.raises(TypeError):
        core.act_forward(None, "relu")
    with pytest.raises(ValueError):
        core.act_forward(x64, "nope")
    with pytest.raises(ValueError):
        core.act_forward(x64, 99)
    with pytest.raises(TypeError):
        core.act_forward(x64, 1.5)


def test_needs_x_contract():
    x = sample((4, 5), 3)
    dy = np.ones_like(x)
    for name in NAMES:
        needs = core.act_backward_needs_x(name)
        y = core.act_forward(x, name)
        if needs:
            with pytest.raises(ValueError, match="needs x"):
                core.act_backward(None, y, dy, name)
            got = core.act_backward(x, None, dy, name)
        else:
            if name != "linear":
                with pytest.raises(ValueError, match="needs y"):
                    core.act_backward(x, None, dy, name)
            got = core.act_backward(None, y, dy, name)
        np.testing.assert_allclose(got, core.act_backward(x, y, dy, name), rtol=0, atol=0)
    assert core.act_backward_needs_x("relu") is False
    assert core.act_backward_needs_x("gelu") is True


def test_names_and_aliases():
    assert core.ACTIVATIONS["swish"] == core.ACTIVATIONS["silu"]
    assert core.ACTIVATIONS["hard_swish"] == core.ACTIVATIONS["hard_silu"]
    assert [core.ACTIVATIONS[n] for n in NAMES] == list(range(len(NAMES)))


# ---------------------------------------------------------------------------------------
# Against real Keras 3 (TensorFlow backend)
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keras_tf():
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    return keras, tf


def keras_fn(keras, name, param=None):
    A = keras.activations
    table = {
        "gelu": lambda x: A.gelu(x, approximate=False),
        "gelu_tanh": lambda x: A.gelu(x, approximate=True),
        "leaky_relu": lambda x: A.leaky_relu(x, negative_slope=0.2 if param is None else param),
        "elu": lambda x: A.elu(x, alpha=1.0 if param is None else param),
        "log_softmax": lambda x: A.log_softmax(x, axis=-1),
        "softmax": lambda x: A.softmax(x, axis=-1),
    }
    return table[name] if name in table else getattr(A, name)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.keras_ref
def test_matches_keras_forward_and_gradient(keras_tf, name):
    """Keras's own formula (evaluated in float64, so float32 cancellations inside TF's
    kernels, e.g. 1 + tanh(z) in gelu's tail, do not blur the comparison) and its
    tf gradient, against kerasette's float32 kernels."""
    keras, tf = keras_tf
    x = np.clip(sample((16, 33), 21, scale=4.0), -60, 60)
    dy = np.random.default_rng(2).standard_normal(x.shape).astype(np.float32)
    xt = tf.constant(x.astype(np.float64))
    with tf.GradientTape() as tape:
        tape.watch(xt)
        yk = keras_fn(keras, name)(xt)
        obj = tf.reduce_sum(yk * dy.astype(np.float64))
    gk = tape.gradient(obj, xt).numpy()
    yk = yk.numpy()
    y = core.act_forward(x, name)
    g = core.act_backward(x, y, dy, name)
    close(y, yk, TAIL_RTOL.get(name, FWD_RTOL), 2e-6 if name == "log_softmax" else 1e-10)
    scale = np.abs(dy).astype(np.float64)
    if name in ROW_WISE:
        scale = scale + np.sum(np.abs(dy), axis=-1, keepdims=True)
    atol = 2e-6 * scale * (np.exp(np.abs(x.astype(np.float64))) if name == "exponential" else 1)
    close(g, gk, 2e-5, atol)


@pytest.mark.parametrize("param", [0.05, 0.5, 2.0])
@pytest.mark.parametrize("name", ["leaky_relu", "elu"])
@pytest.mark.keras_ref
def test_param_activations_match_keras(keras_tf, name, param):
    keras, tf = keras_tf
    x = sample((6, 11), 8)
    yk = keras_fn(keras, name, param)(tf.constant(x)).numpy()
    np.testing.assert_allclose(core.act_forward(x, name, param), yk, rtol=1e-5, atol=1e-7)
