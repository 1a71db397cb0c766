"""conv2d and its grads when im2col unrolls several images per task and the batch is
several tasks (the last one short), the small-K kernels, and the rewritten pooling
backward on the bench's shapes; against float64 numpy references built
independently (per-tap slices), on every ISA and on 1 and 2 threads."""

import numpy as np
import pytest

from kerasette.backend import core
from kerasette.graph.prims.conv import conv_scratch_floats

# N, H, W, C, O, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, groups
CASES = [
    (100, 28, 28, 1, 8, 3, 3, 1, 1, 1, 1, 0, 0, 26, 26, 1),  # mnist_convnet's first layer
    (3, 48, 48, 10, 2, 3, 3, 1, 1, 1, 1, 1, 1, 48, 48, 1),  # 'same': 1 image a task
    (7, 30, 30, 16, 4, 5, 5, 2, 2, 1, 1, 2, 2, 15, 15, 1),  # strided, padded
    (5, 40, 40, 24, 4, 3, 3, 1, 1, 2, 2, 2, 2, 40, 40, 2),  # dilated, grouped
    (30, 12, 12, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 12, 12, 1),  # 'same', tasks of 12: 12 + 12 + 6
    # K = KH * KW * C <= 32: the direct small-K kernels (output blocks of 32 and a tail)
    (4, 9, 9, 3, 40, 3, 3, 2, 2, 2, 1, 2, 1, 5, 5, 1),  # strided, dilated, padded, RGB
    (37, 10, 10, 2, 64, 2, 2, 1, 1, 1, 1, 0, 0, 9, 9, 1),  # two full blocks, 32 parts
    (128, 28, 28, 1, 32, 3, 3, 1, 1, 1, 1, 0, 0, 26, 26, 1),  # the bench's first layer
    (45, 13, 13, 32, 64, 3, 3, 1, 1, 1, 1, 0, 0, 11, 11, 1),  # the second: 15 tasks, 8 parts
]


def _taps(cs):
    N, H, W, C, O, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, groups = cs
    for kh in range(KH):
        for kw in range(KW):
            rows = slice(kh * dh, kh * dh + (OH - 1) * sh + 1, sh)
            cols = slice(kw * dw, kw * dw + (OW - 1) * sw + 1, sw)
            yield kh, kw, rows, cols


def _padded(x, cs):
    N, H, W, C, O, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, groups = cs
    xp = np.zeros(
        (
            N,
            pt + max(H, (OH - 1) * sh + (KH - 1) * dh + 1),
            pl + max(W, (OW - 1) * sw + (KW - 1) * dw + 1),
            C,
        )
    )
    xp[:, pt : pt + H, pl : pl + W] = x
    return xp


def reference(x, w, dy, cs):
    """y, dx, dw in float64, tap by tap: y += x[tap] @ w[tap] per group, and the two
    adjoints of that sum (dx[tap] += dy @ w[tap]^T, dw[tap] = x[tap]^T dy)."""
    N, H, W, C, O, KH, KW, sh, sw, dh, dw_, pt, pl, OH, OW, G = cs
    Cg, Og = C // G, O // G
    xp = _padded(x.astype(np.float64), cs)
    dxp = np.zeros_like(xp)
    y = np.zeros((N, OH, OW, O))
    dw = np.zeros(w.shape)
    w64, dy64 = w.astype(np.float64), dy.astype(np.float64)
    for kh, kw, rows, cols in _taps(cs):
        for g in range(G):
            ci, co = slice(g * Cg, (g + 1) * Cg), slice(g * Og, (g + 1) * Og)
            patch = xp[:, rows, cols, ci]
            y[..., co] += patch @ w64[kh, kw, :, co]
            dxp[:, rows, cols, ci] += dy64[..., co] @ w64[kh, kw, :, co].T
            dw[kh, kw, :, co] = np.tensordot(patch, dy64[..., co], axes=([0, 1, 2], [0, 1, 2]))
    return y, dxp[:, pt : pt + H, pl : pl + W], dw


@pytest.mark.parametrize("cs", CASES)
def test_chunked_conv_matches_reference(cs, isa, threads):
    N, H, W, C, O, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, groups = cs
    r = np.random.default_rng(5)
    x = r.standard_normal((N, H, W, C)).astype(np.float32)
    w = r.standard_normal((KH, KW, C // groups, O)).astype(np.float32)
    dy = r.standard_normal((N, OH, OW, O)).astype(np.float32)
    y = np.zeros((N, OH, OW, O), np.float32)
    dx, dwt = np.full(x.shape, 7, np.float32), np.full(w.shape, 7, np.float32)
    floats = conv_scratch_floats(cs)
    p = core.Program(0)
    ix, iw, idy, iy, idx, idw = (p.ext(a) for a in (x, w, dy, y, dx, dwt))
    isc = p.ext(np.full(floats, np.nan, np.float32)) if floats else -1
    for kind, ins, outs in (
        ("conv2d", [ix, iw], [iy, isc]),
        ("conv2d_grad_input", [idy, iw], [idx, isc]),
        ("conv2d_grad_filter", [ix, idy], [idw, isc]),
    ):
        p.add(kind, ins, outs, list(cs))
    p.run()
    want_y, want_dx, want_dw = reference(x, w, dy, cs)
    scale = np.sqrt(KH * KW * C // groups)
    np.testing.assert_allclose(y, want_y, rtol=1e-4, atol=1e-4 * scale)
    np.testing.assert_allclose(dx, want_dx, rtol=1e-4, atol=1e-4 * np.sqrt(KH * KW * O))
    np.testing.assert_allclose(dwt, want_dw, rtol=1e-4, atol=1e-4 * np.sqrt(N * OH * OW))


def _conv_grads(cs, x, w, dy):
    N, H, W, C, O, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, groups = cs
    y, dx, dwt = np.zeros((N, OH, OW, O), np.float32), np.zeros_like(x), np.zeros_like(w)
    p = core.Program(0)
    floats = conv_scratch_floats(cs)
    sc = p.ext(np.zeros(floats, np.float32)) if floats else -1
    ix, iw, idy, iy, idx, idw = (p.ext(a) for a in (x, w, dy, y, dx, dwt))
    p.add("conv2d", [ix, iw], [iy, sc], list(cs))
    p.add("conv2d_grad_input", [idy, iw], [idx, sc], list(cs))
    p.add("conv2d_grad_filter", [ix, idy], [idw, sc], list(cs))
    p.run()
    return y, dx, dwt


def test_results_do_not_depend_on_the_thread_count(isa):
    """Images run as tasks claimed by threads, and the filter gradient sums a fixed
    number of parts in order: 1 and 2 threads give the same bits."""
    cs = CASES[-1]
    N, H, W, C, O, KH, KW = cs[:7]
    r = np.random.default_rng(9)
    x = r.standard_normal((N, H, W, C)).astype(np.float32)
    w = r.standard_normal((KH, KW, C, O)).astype(np.float32)
    dy = r.standard_normal((N, cs[13], cs[14], O)).astype(np.float32)
    before = core.get_num_threads()
    try:
        core.set_num_threads(1)
        one = _conv_grads(cs, x, w, dy)
        core.set_num_threads(2)
        two = _conv_grads(cs, x, w, dy)
    finally:
        core.set_num_threads(before)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


def test_scratch_smaller_than_the_parts_is_refused():
    cs = CASES[0]  # small K: the filter gradient's 32 parts of 3x3x1x8 floats
    assert conv_scratch_floats(cs) == 32 * 9 * 8
    p = core.Program(0)
    big = p.ext(np.zeros(10**6, np.float32))
    short = p.ext(np.zeros(conv_scratch_floats(cs) - 1, np.float32))
    p.add(
        "conv2d", [big, big], [big, p.ext(np.zeros(conv_scratch_floats(cs), np.float32))], list(cs)
    )
    with pytest.raises(ValueError, match="touches"):
        p.add("conv2d", [big, big], [big, short], list(cs))
    wide = CASES[-1]  # im2col shapes need no scratch: -1 is accepted
    assert conv_scratch_floats(wide) == 0
    p.add("conv2d", [big, big], [big, -1], list(wide))


@pytest.mark.parametrize(
    "ps",
    [
        (64, 26, 26, 32, 2, 2, 2, 2, 0, 0, 13, 13),  # the bench's
        (64, 11, 11, 64, 2, 2, 2, 2, 0, 0, 5, 5),  # two pools
        (3, 9, 9, 70, 3, 3, 2, 2, 1, 1, 5, 5),  # overlap, C > 64
        (2, 7, 7, 5, 2, 2, 2, 2, 0, 0, 3, 3),  # disjoint: last row and column uncovered
        (2, 8, 7, 5, 2, 2, 3, 3, 0, 0, 3, 2),  # stride > window: gaps between windows
        (2, 7, 7, 66, 3, 3, 3, 3, 1, 1, 3, 3),  # 'same' padding, disjoint, C > 64
    ],
)
@pytest.mark.parametrize("mode", [0, 1, 2, 3])  # max, average; | 2: relu mask (x > 0)
@pytest.mark.parametrize("nans", [False, True])
def test_pool_grad_on_bench_shapes(ps, mode, nans, threads):
    N, H, W, C, KH, KW, sh, sw, pt, pl, OH, OW = ps
    r = np.random.default_rng(6)
    x = np.round(r.standard_normal((N, H, W, C)) * 2).astype(np.float32)  # ties: first max
    if nans:  # a NaN is the maximum of its window, the first NaN gets the gradient
        x[r.random(x.shape) < 0.1] = np.nan
    dy = r.standard_normal((N, OH, OW, C)).astype(np.float32)
    dx = np.full(x.shape, 5, np.float32)
    p = core.Program(0)
    p.add("pool2d_grad", [p.ext(x), p.ext(dy)], [p.ext(dx)], [*ps, mode])
    p.run()
    want = np.zeros(x.shape)
    for oh in range(OH):
        for ow in range(OW):
            hs = [h for h in range(oh * sh - pt, oh * sh - pt + KH) if 0 <= h < H]
            ws = [w_ for w_ in range(ow * sw - pl, ow * sw - pl + KW) if 0 <= w_ < W]
            win = x[:, hs][:, :, ws].reshape(N, -1, C)
            g = dy[:, oh, ow].astype(np.float64)
            if mode & 1:
                for h in hs:
                    for w_ in ws:
                        want[:, h, w_] += g / win.shape[1]
            else:
                first = win.argmax(1)  # (N, C): numpy's argmax takes the first maximum
                hh = np.asarray(hs)[first // len(ws)]
                ww = np.asarray(ws)[first % len(ws)]
                n_i, c_i = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
                np.add.at(want, (n_i, hh, ww, c_i), g)
    if mode & 2:  # TF's ReluGrad: where(x > 0, dx, 0), a NaN x gives 0
        want = np.where(x > 0, want, 0.0)
    np.testing.assert_allclose(dx, want, rtol=1e-6, atol=1e-6)


ACTS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
}


@pytest.mark.parametrize(
    "cs",
    [
        CASES[0],  # small-K direct kernel
        CASES[2],  # im2col + GEMM epilogue, chunked
        CASES[3],  # grouped: each group's bias slice
        (3, 5, 6, 8, 24, 1, 1, 1, 1, 1, 1, 0, 0, 5, 6, 1),  # 1x1: x is the GEMM's A
        (4, 9, 9, 3, 40, 3, 3, 2, 2, 2, 1, 2, 1, 5, 5, 1),  # small-K with a tail block
    ],
)
@pytest.mark.parametrize("act", sorted(ACTS))
def test_conv_bias_act_matches_reference(cs, act, isa, threads):
    N, H, W, C, O, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, groups = cs
    r = np.random.default_rng(7)
    x = r.standard_normal((N, H, W, C)).astype(np.float32)
    w = r.standard_normal((KH, KW, C // groups, O)).astype(np.float32)
    b = r.standard_normal(O).astype(np.float32)
    y = np.full((N, OH, OW, O), np.nan, np.float32)
    scratch = np.full(max(1, conv_scratch_floats(cs)), np.nan, np.float32)
    p = core.Program(0)
    p.add(
        "conv2d_bias_act",
        [p.ext(x), p.ext(w), p.ext(b)],
        [p.ext(y), p.ext(scratch)],
        list(cs) + [core.ACTIVATIONS[act]],
        [0.0],
    )
    p.run()
    want, _, _ = reference(x, w, np.zeros((N, OH, OW, O), np.float32), cs)
    want = ACTS[act](want + b)
    np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-4 * np.sqrt(KH * KW * C // groups))


def test_conv_bias_act_refuses_a_row_wise_activation():
    cs = CASES[0]
    p = core.Program(0)
    big = p.ext(np.zeros(10**6, np.float32))
    with pytest.raises(ValueError, match="row-wise"):
        p.add(
            "conv2d_bias_act",
            [big, big, big],
            [big, big],
            list(cs) + [core.ACTIVATIONS["softmax"]],
            [0.0],
        )
