"""Hypothesis throws random shapes, strides (non-contiguous views), dtypes (float64,
ints, bool, object, complex, strings), sizes (0 included) and non-array objects at the
kernel bindings of kerasette._core: activations, losses, optimizers, GEMM, permutation.

The contract: the process never crashes; the only exceptions are ValueError/TypeError;
and whatever is accepted is right (checked against tests/reference/numpy_ref.py or
numpy's matmul)."""

import sys
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kerasette.backend import core  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference"))
import numpy_ref as ref  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore::RuntimeWarning", "ignore::numpy.exceptions.ComplexWarning"
)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ALLOWED = (ValueError, TypeError)

NUMERIC = ["float32", "float64", "float16", "int32", "int64", "uint8", "bool"]
BAD = ["complex64", "object", "str"]


@st.composite
def arrays(draw, shape=None, dtypes=NUMERIC + BAD, finite=True, max_dim=6):
    """A random array (maybe a strided or transposed view) or a non-array object."""
    if shape is None:
        ndim = draw(st.integers(0, 3))
        shape = tuple(draw(st.integers(0, max_dim)) for _ in range(ndim))
    dtype = draw(st.sampled_from(dtypes))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    view = draw(st.sampled_from(["plain", "strided", "transposed", "fortran"]))
    base_shape = tuple(s * 2 if view == "strided" else s for s in shape)
    vals = np.asarray(rng.standard_normal(base_shape) * 3)
    if not finite and vals.size:
        vals.reshape(-1)[rng.integers(0, vals.size)] = rng.choice([np.nan, np.inf, -np.inf, 1e30])
    if dtype == "object":
        a = vals.astype(object)
    elif dtype == "str":
        a = vals.astype(str)
    elif dtype == "bool":
        a = vals > 0
    elif dtype in ("int32", "int64", "uint8"):
        a = np.abs(vals).astype(dtype) if dtype == "uint8" else vals.astype(dtype)
    else:
        a = vals.astype(dtype)
    if view == "strided" and a.ndim:
        a = a[tuple(slice(None, None, 2) for _ in range(a.ndim))]
    elif view == "transposed" and a.ndim >= 2:
        a = a.T
    elif view == "fortran":
        a = np.asfortranarray(a)
    return a


def is_numeric(a):
    return isinstance(a, np.ndarray) and a.dtype.kind in "biuf"


def f32(a):
    return np.array(a, dtype=np.float32, order="C")


odd_objects = st.sampled_from([None, "relu", 3, 2.5, [1.0, 2.0], [[1, 2], [3]], b"x", object()])
act_ids = st.one_of(
    st.sampled_from(list(core.ACTIVATIONS)),
    st.integers(-3, 25),
    st.sampled_from([None, 1.5, "nope", True]),
)


@FUZZ
@given(
    x=st.one_of(arrays(finite=False), odd_objects),
    act=act_ids,
    param=st.sampled_from([None, 0.0, 0.3, -1.0, "a", 1j, np.float64(2.0)]),
    out_kind=st.sampled_from(["none", "good", "bad_dtype", "bad_shape", "strided", "alias"]),
)
def test_act_forward_fuzz(x, act, param, out_kind):
    out = None
    if is_numeric(x):
        shape = np.asarray(x).shape
        out = {
            "none": None,
            "good": np.empty(shape, np.float32),
            "bad_dtype": np.empty(shape, np.float64),
            "bad_shape": np.empty(shape + (2,), np.float32),
            "strided": np.empty(shape + (2,), np.float32)[..., 0],
            "alias": x if out_kind == "alias" else None,
        }[out_kind]
    for fn in (core.act_forward, core.act_forward_ref):
        try:
            y = fn(x, act, param, out)
        except ALLOWED as e:
            event(f"refused: {type(e).__name__}")
            continue
        event("accepted")
        xf = f32(x)
        assert y.shape == xf.shape and y.dtype == np.float32
        if out is not None:
            assert y is out
        name = act if isinstance(act, str) else list(core.ACTIVATIONS)[act]
        if np.all(np.isfinite(xf)) and np.all(np.abs(xf) < 50):
            want = ref.act_forward(name, xf, None if param is None else float(np.real(param)))
            np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-5)


@FUZZ
@given(
    x=st.one_of(arrays(finite=False), odd_objects),
    act=act_ids,
    which=st.sampled_from(["both", "x_only", "y_only", "mismatch"]),
    alias_out=st.booleans(),
)
def test_act_backward_fuzz(x, act, which, alias_out):
    dy = x
    xx = x if which in ("both", "x_only") else None
    yy = x if which in ("both", "y_only") else None
    if which == "mismatch" and is_numeric(x):
        yy = np.zeros(np.asarray(x).shape + (1,), np.float32)
    out = None
    if alias_out and is_numeric(x):
        out = f32(x).copy()
        dy = out
    for fn in (core.act_backward, core.act_backward_ref):
        try:
            dx = fn(xx, yy, dy, act, None, out)
        except ALLOWED as e:
            event(f"refused: {type(e).__name__}")
            continue
        event("accepted")
        assert dx.dtype == np.float32 and dx.shape == f32(x).shape


@st.composite
def loss_inputs(draw):
    """Mostly well-formed (N, K) problems, with one thing broken some of the time."""
    name = draw(
        st.sampled_from(
            list(core.LOSSES) + [7] + ([42, None] if draw(st.integers(0, 9)) == 0 else [])
        )
    )
    N = draw(st.integers(0, 6))
    K = draw(st.integers(0, 5))
    good = draw(st.integers(0, 9)) < 7
    num = NUMERIC if good else NUMERIC + BAD
    pshape = (N, K) if good else draw(st.sampled_from([(N, K), (N,), (N, K, 2), ()]))
    pred = draw(
        arrays(shape=pshape, dtypes=num) if good else st.one_of(arrays(shape=pshape), odd_objects)
    )
    sparse = name in ("sparse_categorical_ce", "sparse_categorical_crossentropy", 5)
    if sparse:
        rng = np.random.default_rng(draw(st.integers(0, 1000)))
        lo, hi = (0, max(K, 1)) if good else (-1, max(K, 1) + 1)
        tshape = (N,) if good else draw(st.sampled_from([(N,), (N, 1), (N, 2)]))
        target = rng.integers(lo, hi, tshape).astype(
            draw(st.sampled_from(["float32", "int64", "float64"]))
        )
    else:
        tshape = pshape if good else draw(st.sampled_from([pshape, (N, K), (N,), (N, K + 1)]))
        target = draw(
            arrays(shape=tshape, dtypes=num)
            if good
            else st.one_of(arrays(shape=tshape), odd_objects)
        )
    swshape = (N,) if good else draw(st.sampled_from([(N,), (N, 1), (N + 1,)]))
    sw = draw(st.one_of(st.none(), arrays(shape=swshape, dtypes=num)))
    return name, pred, target, sw


@FUZZ
@given(
    inp=loss_inputs(),
    from_logits=st.booleans(),
    ls=st.sampled_from([0.0, 0.0, 0.1, 2.0, "x"]),
    delta=st.sampled_from([1.0, 0.5, None]),
    want_grad=st.booleans(),
)
def test_loss_fuzz(inp, from_logits, ls, delta, want_grad):
    name, pred, target, sw = inp
    for fn in (core.loss_forward_backward, core.loss_forward_backward_ref):
        try:
            v, g = fn(name, pred, target, sw, from_logits, ls, delta, 1.0, want_grad)
        except ALLOWED as e:
            event(f"refused: {type(e).__name__}")
            continue
        event("accepted")
        p = f32(pred)
        assert p.ndim == 2
        assert (g is None) == (not want_grad)
        if want_grad:
            assert g.shape == p.shape and g.dtype == np.float32
        lname = name if isinstance(name, str) else list(core.LOSSES)[name]
        lname = {
            k: k2
            for k, k2 in [
                ("mean_squared_error", "mse"),
                ("mean_absolute_error", "mae"),
                ("binary_crossentropy", "binary_ce"),
                ("categorical_crossentropy", "categorical_ce"),
                ("sparse_categorical_crossentropy", "sparse_categorical_ce"),
                ("kl_divergence", "kld"),
            ]
        }.get(lname, lname)
        t = f32(target)
        w = None if sw is None else f32(sw).reshape(-1)
        if (
            p.size
            and np.all(np.isfinite(p))
            and np.all(np.isfinite(t))
            and (w is None or np.all(np.isfinite(w)))
        ):
            want_v, want_g = ref.loss_forward_backward(
                lname, p, t, w, from_logits, float(ls), float(delta)
            )
            if np.isfinite(want_v):
                assert v == pytest.approx(want_v, rel=1e-4, abs=1e-4)
                if want_grad and np.all(np.isfinite(want_g)):
                    np.testing.assert_allclose(
                        g, want_g, rtol=1e-3, atol=1e-4 * (1 + np.abs(want_g).max())
                    )


@st.composite
def optimizer_inputs(draw):
    """Mostly valid updates (right slot count, float32 buffers), one thing broken at times."""
    good = draw(st.integers(0, 9)) < 7
    name = draw(st.sampled_from(list(core.OPTIMIZERS) + ([] if good else [9, "nope"])))
    shape = tuple(draw(st.integers(0, 5)) for _ in range(draw(st.integers(0, 2))))
    optional = {
        "learning_rate": st.sampled_from([0.1, 0.001]),
        "momentum": st.sampled_from([0.0, 0.9]),
        "nesterov": st.booleans(),
        "amsgrad": st.booleans(),
        "centered": st.booleans(),
        "weight_decay": st.sampled_from([0.0, 0.01]),
    }
    if not good:
        optional.update({"learning_rate": st.sampled_from([0.1, "a", None]), "bogus": st.just(1.0)})
    hyper = draw(st.fixed_dictionaries({}, optional=optional))
    kinds = ["good"] if good else ["good", "float64", "strided", "readonly", "list"]
    param_kind = draw(st.sampled_from(kinds))
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    p = np.asarray(rng.standard_normal(shape)).astype(np.float32)
    if param_kind == "float64":
        p = p.astype(np.float64)
    elif param_kind == "strided":
        p = np.repeat(p[..., None], 2, -1)[..., 0]
    elif param_kind == "readonly":
        p.flags.writeable = False
    elif param_kind == "list":
        p = p.tolist()
    grad = draw(
        arrays(shape=shape, dtypes=NUMERIC)
        if good
        else st.one_of(arrays(shape=shape), arrays(), odd_objects)
    )
    try:
        n_slots = core.optimizer_num_slots(name, **hyper)
    except ALLOWED:
        n_slots = 2
    if not good:
        n_slots = draw(st.sampled_from([n_slots, 0, 1, 4]))
    slot_kind = (
        "good" if good else draw(st.sampled_from(["good", "alias", "wrong_shape", "float64"]))
    )
    slots = []
    for _ in range(n_slots):
        s = np.zeros(shape, np.float32)
        if slot_kind == "wrong_shape":
            s = np.zeros(shape + (1,), np.float32)
        elif slot_kind == "float64":
            s = s.astype(np.float64)
        slots.append(s)
    if slot_kind == "alias" and slots and isinstance(p, np.ndarray):
        slots[0] = p
    step = draw(st.sampled_from([1, 2, 7] if good else [1, 0, -1, 2.5, True, 2**70]))
    return name, step, p, grad, slots, hyper


@FUZZ
@given(inp=optimizer_inputs())
def test_optimizer_fuzz(inp):
    name, step, p, grad, slots, hyper = inp
    for fn in (core.optimizer_update, core.optimizer_update_ref):
        p0 = np.array(p, copy=True) if isinstance(p, np.ndarray) else None
        s0 = [s.copy() for s in slots]
        try:
            fn(name, step, p, grad, slots, **hyper)
        except ALLOWED as e:
            event(f"refused: {type(e).__name__}")
            if p0 is not None:  # refused calls leave the buffers untouched
                np.testing.assert_array_equal(p, p0)
            continue
        event("accepted")
        g = f32(grad)
        if np.all(np.isfinite(g)):
            lname = name if isinstance(name, str) else list(core.OPTIMIZERS)[name]
            w, s = ref.optimizer_step(lname, step, p0, g, s0, **hyper)
            np.testing.assert_allclose(p, w, rtol=1e-4, atol=1e-5)
        np.copyto(p, p0)
        for s, s_init in zip(slots, s0):
            np.copyto(s, s_init)


@st.composite
def matmul_pair(draw):
    """(a, b, ta, tb): usually shape-compatible numeric matrices, sometimes anything."""
    ta, tb = draw(st.booleans()), draw(st.booleans())
    if draw(st.integers(0, 9)) < 7:
        m, n, k = (draw(st.integers(0, 9)) for _ in range(3))
        a = draw(arrays(shape=(k, m) if ta else (m, k), dtypes=NUMERIC))
        b = draw(arrays(shape=(n, k) if tb else (k, n), dtypes=NUMERIC))
    else:
        a = draw(st.one_of(arrays(max_dim=9), odd_objects))
        b = draw(st.one_of(arrays(max_dim=9), odd_objects))
    return a, b, ta, tb


@FUZZ
@given(
    ab=matmul_pair(),
    alpha=st.sampled_from([1.0, -0.5, 0.0]),
    use_c=st.sampled_from(["none", "good", "bad"]),
    beta=st.sampled_from([0.0, 1.0]),
)
def test_gemm_fuzz(ab, alpha, use_c, beta):
    a, b, ta, tb = ab
    if not hasattr(core, "gemm"):
        pytest.skip("gemm binding not built")
    c = None
    if use_c != "none" and is_numeric(a) and is_numeric(b) and np.ndim(a) == 2 and np.ndim(b) == 2:
        m = np.shape(a)[1] if ta else np.shape(a)[0]
        n = np.shape(b)[0] if tb else np.shape(b)[1]
        c = np.ones((m, n), np.float32) if use_c == "good" else np.ones((m + 1, n), np.float64)
    c0 = None if c is None else c.copy()
    try:
        out = core.gemm(a, b, c, alpha, beta, ta, tb)
    except ALLOWED as e:
        event(f"refused: {type(e).__name__}")
        return
    event("accepted")
    A = np.asarray(a, np.float64)
    B = np.asarray(b, np.float64)
    want = alpha * ((A.T if ta else A) @ (B.T if tb else B))
    if c0 is not None and beta != 0.0:
        want = want + beta * c0
    if np.all(np.isfinite(A)) and np.all(np.isfinite(B)):
        np.testing.assert_allclose(
            out, want, rtol=1e-4, atol=1e-4 * (1 + np.abs(want).max(initial=0))
        )


@FUZZ
@given(
    ab=matmul_pair(),
    bias_kind=st.sampled_from(["none", "good", "good", "random"]),
    bias_rand=st.one_of(arrays(max_dim=9), odd_objects),
    act=st.one_of(st.integers(-2, 22), st.sampled_from(["relu", None])),
)
def test_gemm_bias_act_fuzz(ab, bias_kind, bias_rand, act):
    a, b, ta, tb = ab
    bias = {"none": None, "random": bias_rand}.get(bias_kind)
    if bias_kind == "good":
        n = np.shape(b)[0 if tb else 1] if np.ndim(b) == 2 else 1
        bias = np.linspace(-1, 1, n).astype(np.float32)
    if not hasattr(core, "gemm_bias_act"):
        pytest.skip("gemm_bias_act binding not built")
    try:
        out = core.gemm_bias_act(a, b, bias, act, 0.0, ta, tb)
    except ALLOWED as e:
        event(f"refused: {type(e).__name__}")
        return
    event("accepted")
    A = np.asarray(a, np.float64)
    B = np.asarray(b, np.float64)
    z = (A.T if ta else A) @ (B.T if tb else B)
    if bias is not None:
        z = z + np.asarray(bias, np.float64)
    name = list(core.ACTIVATIONS)[act] if isinstance(act, int) else act
    if np.all(np.isfinite(z)) and np.all(np.abs(z) < 50):
        want = ref.act_forward(name, z.astype(np.float32))
        np.testing.assert_allclose(
            out, want, rtol=1e-4, atol=1e-4 * (1 + np.abs(want).max(initial=0))
        )


@FUZZ
@given(
    args=st.tuples(
        st.sampled_from([0, 1, 5, 100, -1, 10**6, 2**70, 1.5, None, "3"]),
        st.sampled_from([0, 7, -5, 2**70]),
        st.sampled_from([0, 1, -1, 2**70]),
    )
)
def test_permutation_fuzz(args):
    if not hasattr(core, "permutation"):
        pytest.skip("permutation binding not built")
    try:
        p = core.permutation(*args)
    except (ValueError, TypeError, OverflowError, MemoryError):
        return
    assert sorted(p.tolist()) == list(range(args[0]))


def test_enum_tables_and_queries_do_not_crash():
    assert isinstance(core.cpu_features(), dict)
    assert core.get_num_threads() >= 1
    for bad in (0, -3, "2", None):
        with pytest.raises(ALLOWED):
            core.set_num_threads(bad)
    with pytest.raises(ALLOWED):
        core.set_isa("sparc")
    for name in list(core.ACTIVATIONS) + [-1, 99, "x", None]:
        try:
            core.act_backward_needs_x(name)
        except ALLOWED:
            pass
    for name in list(core.OPTIMIZERS) + [-1, "x"]:
        try:
            core.optimizer_num_slots(name, momentum=0.5)
        except ALLOWED:
            pass


def test_gather_rows_takes_integer_indices_only():
    # float indices used to be truncated silently (issue 13 item 8)
    src = np.arange(12, dtype=np.float32).reshape(4, 3)
    for idx in (np.array([0.0, 2.7]), np.array([True, False]), np.array(["1"])):
        with pytest.raises((TypeError, ValueError)):
            core.gather_rows(src, idx)
    for idx in (np.array([4]), np.array([-1])):
        with pytest.raises(IndexError):
            core.gather_rows(src, idx)
    np.testing.assert_array_equal(core.gather_rows(src, np.array([3, 0])), src[[3, 0]])
