"""The fusion of a first conv layer's backward (graph/passes/conv_fusion.py): the filter
and bias gradients of a small-K convolution whose output is pooled by disjoint windows
come from one conv2d_pool_grad_filter instruction. Its gradients against finite
differences of a float64 numpy forward and against the interpreter (numpy), with the
fusion on and off; the pattern only where it is safe."""

import numpy as np
import pytest

from kerasette import ops
from kerasette.graph import compiler
from kerasette.graph.autodiff import gradients
from kerasette.graph.function import Function
from kerasette.graph.lower import Lowering
from kerasette.graph.program import specialize

RNG = np.random.default_rng(21)


def _np_conv(x, w, stride=1, same=False):
    """Keras's conv2d in float64; 'same' pads as TensorFlow (the extra row at the end)."""
    N, H, W, C = x.shape
    KH, KW, _, O = w.shape
    if same:
        OH, OW = -(-H // stride), -(-W // stride)
        ph, pw = max((OH - 1) * stride + KH - H, 0), max((OW - 1) * stride + KW - W, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        OH, OW = (H - KH) // stride + 1, (W - KW) // stride + 1
    y = np.zeros((N, OH, OW, O))
    for kh in range(KH):
        for kw in range(KW):
            rows = slice(kh, kh + (OH - 1) * stride + 1, stride)
            cols = slice(kw, kw + (OW - 1) * stride + 1, stride)
            y += x[:, rows, cols] @ w[kh, kw]
    return y


def _np_pool(z, k, mode):
    N, H, W, O = z.shape
    PH, PW = H // k, W // k
    win = z[:, : PH * k, : PW * k].reshape(N, PH, k, PW, k, O)
    return win.max(axis=(2, 4)) if mode == "max" else win.mean(axis=(2, 4))


def _model(x, w, b, G, act, mode, k=2, stride=1, pad="valid"):
    z = ops.conv(x, w, stride, pad) + b
    if act == "relu":
        z = ops.relu(z)
    pool = ops.max_pool if mode == "max" else ops.average_pool
    return ops.sum(ops.multiply(pool(z, k, k), G))


def _np_model(x, w, b, G, act, mode, k=2, stride=1, pad="valid"):
    z = _np_conv(x, w, stride, pad == "same") + b
    if act == "relu":
        z = np.maximum(z, 0)
    return float(np.sum(_np_pool(z, k, mode) * G))


def _grad_fn(G, act, mode, **kw):
    def both(xwb):  # traced inputs get a batch axis: w and b travel as (1, *shape)
        x, w1, b1 = xwb
        w = ops.reshape(w1, w1.shape[1:])
        b = ops.reshape(b1, b1.shape[1:])
        return gradients(_model(x, w, b, G, act, mode, **kw), [w, b])

    return both


def _kernels(f, args):
    fn = specialize(compiler.optimize(Function(f).get(args).fn), [tuple(a.shape) for a in args])
    return [i.kernel for i in Lowering(fn).run().instrs]


def _setup(N=3, H=11, W=11, C=1, O=5, KH=3, k=2, stride=1, pad="valid"):
    x = RNG.standard_normal((N, H, W, C))
    w = RNG.standard_normal((KH, KH, C, O)) * 0.5
    b = RNG.standard_normal(O) * 0.1
    OH = _np_conv(x[:1], w, stride, pad == "same").shape[1]
    G = RNG.standard_normal((N, OH // k, OH // k, O))
    return x, w, b, G


@pytest.mark.parametrize(
    "act, mode, shape",
    [
        ("relu", "max", dict()),  # the mnist_convnet case: 9 -> 4, the last row in no window
        ("relu", "max", dict(N=1, H=12, W=12, C=3)),
        ("linear", "max", dict(N=2, C=2)),
        ("relu", "avg", dict(N=3, C=3, O=4)),
        ("relu", "max", dict(N=2, H=14, W=14, k=3, stride=2, pad="same")),
    ],
)
def test_fused_gradients_vs_finite_differences_and_numpy(act, mode, shape, monkeypatch):
    x, w, b, G = _setup(**shape)
    mk = {k: shape[k] for k in ("k", "stride", "pad") if k in shape}
    f = _grad_fn(G.astype(np.float32), act, mode, **mk)
    args = tuple(a.astype(np.float32) for a in (x, w[None], b[None]))
    assert _kernels(f, args).count("conv2d_pool_grad_filter") == 1

    dw, db = (np.asarray(v) for v in Function(f)(args))
    # finite differences of a float64 numpy forward
    eps = 1e-5
    for arr, grad in ((w, dw), (b, db)):
        num = np.zeros_like(arr)
        it = np.nditer(arr, flags=["multi_index"])
        for _ in it:
            i = it.multi_index
            old = arr[i]
            arr[i] = old + eps
            hi = _np_model(x, w, b, G, act, mode, **mk)
            arr[i] = old - eps
            lo = _np_model(x, w, b, G, act, mode, **mk)
            arr[i] = old
            num[i] = (hi - lo) / (2 * eps)
        np.testing.assert_allclose(grad, num, rtol=2e-3, atol=2e-3)

    # the interpreter (numpy evals of the unfused ops) and the unfused program
    monkeypatch.setenv("KERASETTE_INTERPRET", "1")
    want = [np.asarray(v) for v in Function(f)(args)]
    monkeypatch.delenv("KERASETTE_INTERPRET")
    monkeypatch.setenv("KERASETTE_DISABLE_PASSES", "fusion")
    assert "conv2d_pool_grad_filter" not in _kernels(f, args)
    unfused = [np.asarray(v) for v in Function(f)(args)]
    for got, ref, plain in zip((dw, db), want, unfused):
        np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(got, plain, rtol=1e-4, atol=1e-4)


def test_not_fused_when_dz_has_another_reader():
    """The input's gradient (a second conv layer) reads dz too: three ops stay."""
    x, w, b, G = _setup()
    G = G.astype(np.float32)

    def f(xwb):
        x, w1, b1 = xwb
        w, b = ops.reshape(w1, w1.shape[1:]), ops.reshape(b1, b1.shape[1:])
        return gradients(_model(x, w, b, G, "relu", "max"), [x, w, b])

    args = tuple(a.astype(np.float32) for a in (x, w[None], b[None]))
    ks = _kernels(f, args)
    assert "conv2d_pool_grad_filter" not in ks and "conv2d_grad_filter" in ks


@pytest.mark.parametrize("why", ["overlapping windows", "too many taps"])
def test_not_fused_where_unsafe(why):
    x, w, b, G = _setup(C=4 if why == "too many taps" else 1)  # 3 * 3 * 4 taps > 32
    pool = (3, 2) if why == "overlapping windows" else (2, 2)

    def f(xwb):
        x, w1, b1 = xwb
        w, b = ops.reshape(w1, w1.shape[1:]), ops.reshape(b1, b1.shape[1:])
        z = ops.relu(ops.conv(x, w) + b)
        return gradients(ops.sum(ops.square(ops.max_pool(z, *pool))), [w, b])

    args = tuple(a.astype(np.float32) for a in (x, w[None], b[None]))
    ks = _kernels(f, args)
    assert "conv2d_pool_grad_filter" not in ks and "conv2d_grad_filter" in ks, why


def test_without_bias_the_filter_gradient_alone_fuses():
    x, w, b, G = _setup(N=2, C=2)
    G = G.astype(np.float32)

    def f(xw):
        x, w1 = xw
        w = ops.reshape(w1, w1.shape[1:])
        z = ops.relu(ops.conv(x, w))
        return gradients(ops.sum(ops.max_pool(z, 2) * G), [w])

    args = tuple(a.astype(np.float32) for a in (x, w[None]))
    assert _kernels(f, args).count("conv2d_pool_grad_filter") == 1
    (dw,) = [np.asarray(v) for v in Function(f)(args)]
    eps = 1e-5
    num = np.zeros_like(w)
    it = np.nditer(w, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = w[i]
        w[i] = old + eps
        hi = _np_model(x, w, 0.0, G, "relu", "max")
        w[i] = old - eps
        lo = _np_model(x, w, 0.0, G, "relu", "max")
        w[i] = old
        num[i] = (hi - lo) / (2 * eps)
    np.testing.assert_allclose(dw, num, rtol=2e-3, atol=2e-3)
