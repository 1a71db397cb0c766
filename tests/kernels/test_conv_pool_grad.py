"""conv2d_pool_grad_filter: a small-K convolution's filter and bias gradients from the
gradient of the disjoint pooling of its output, against plain numpy loops (the pooling's
backward window by window, then taps^T @ dz and dz's column sums), on every ISA and
at 1 and 2 threads; and the instruction's checks."""

import numpy as np
import pytest

from kerasette.backend import core
from kerasette.graph.fused.conv_pool import scratch_floats

RNG = np.random.default_rng(14)


def _out(n, k, s, d, pad_total):
    return (n + pad_total - d * (k - 1) - 1) // s + 1


def _case(N, H, W, C, O, conv=(3, 3, 1, 1, 1, 1, 0, 0), pool=(2, 2, 2, 2, 0, 0), pool_same=False):
    KH, KW, sh, sw, dh, dw, pt, pl = conv
    OH, OW = _out(H, KH, sh, dh, 2 * pt), _out(W, KW, sw, dw, 2 * pl)
    PKH, PKW, psh, psw, ppt, ppl = pool
    if pool_same:
        PH, PW = -(-OH // psh), -(-OW // psw)
    else:
        PH, PW = (OH - PKH) // psh + 1, (OW - PKW) // psw + 1
    return [N, H, W, C, O, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, 1], [
        PKH,
        PKW,
        psh,
        psw,
        ppt,
        ppl,
        PH,
        PW,
    ]


def reference(x, y, g, ints, mode):
    """dw, db in float64 from loops: nothing shared with the kernel."""
    N, H, W, C, O, KH, KW, sh, sw, dh, dw_, pt, pl, OH, OW, _ = ints[:16]
    PKH, PKW, psh, psw, ppt, ppl, PH, PW = ints[16:24]
    avg, relu = mode & 1, mode & 2
    dz = np.zeros(y.shape, np.float64)
    for n in range(N):
        for ph in range(PH):
            for pw in range(PW):
                hs = [h for h in range(ph * psh - ppt, ph * psh - ppt + PKH) if 0 <= h < OH]
                ws = [w for w in range(pw * psw - ppl, pw * psw - ppl + PKW) if 0 <= w < OW]
                if not hs or not ws:
                    continue
                win = y[n][np.ix_(hs, ws)].reshape(-1, O)
                if avg:
                    for h in hs:
                        for w in ws:
                            dz[n, h, w] += g[n, ph, pw] / np.float32(len(win))
                else:
                    first = np.argmax(win, axis=0)  # first maximum; a NaN counts as it
                    for o in range(O):
                        h, w = hs[first[o] // len(ws)], ws[first[o] % len(ws)]
                        dz[n, h, w, o] += g[n, ph, pw, o]
    if relu:
        dz = np.where(y > 0, dz, 0.0)
    xp = np.zeros((N, H + pt + KH * dh + OH * sh, W + pl + KW * dw_ + OW * sw, C))
    xp[:, pt : pt + H, pl : pl + W] = x
    dw = np.zeros((KH, KW, C, O))
    for kh in range(KH):
        for kw in range(KW):
            taps = xp[
                :,
                kh * dh : kh * dh + (OH - 1) * sh + 1 : sh,
                kw * dw_ : kw * dw_ + (OW - 1) * sw + 1 : sw,
            ]
            dw[kh, kw] = np.einsum("nhwc,nhwo->co", taps, dz)
    return dw, dz.sum((0, 1, 2))


def run(x, y, g, ints, mode, with_db=True):
    C, O, KH, KW = ints[3], ints[4], ints[5], ints[6]
    dw = np.full(KH * KW * C * O, np.nan, np.float32)
    db = np.full(O, np.nan, np.float32)
    scratch = np.full(scratch_floats(ints), np.nan, np.float32)
    p = core.Program(0)
    ins = [p.ext(np.ascontiguousarray(a).reshape(-1)) for a in (x, y, g)]
    outs = [p.ext(dw), p.ext(db) if with_db else -1, p.ext(scratch)]
    p.add("conv2d_pool_grad_filter", ins, outs, ints + [mode])
    p.run()
    return dw.reshape(KH, KW, C, O), db


def _data(ints, relu_like=True, ties=False):
    conv, pool = ints[:16], ints[16:]
    N, H, W, C, O, OH, OW = conv[0], conv[1], conv[2], conv[3], conv[4], conv[13], conv[14]
    x = RNG.standard_normal((N, H, W, C)).astype(np.float32)
    y = RNG.standard_normal((N, OH, OW, O)).astype(np.float32)
    if relu_like:
        y = np.maximum(y, 0)  # a relu's output: zeros and ties among them
    if ties:
        y = np.round(y * 2) / 2
    g = RNG.standard_normal((N, pool[6], pool[7], O)).astype(np.float32)
    return x, y, g


CASES = {
    # the mnist_convnet first layer, smaller batch
    "mnist": _case(3, 28, 28, 1, 32),
    # odd conv output (27 -> 13): the last row and column are in no window
    "odd": _case(2, 29, 29, 1, 32),
    "batch1_rgb": _case(1, 12, 11, 3, 8),
    "o_tail": _case(3, 10, 10, 3, 40),  # one full 32-channel block and a tail of 8
    "strided_dilated_padded": _case(2, 15, 14, 2, 5, conv=(3, 2, 2, 1, 1, 2, 1, 1)),
    "pool3_stride3": _case(2, 16, 17, 1, 6, pool=(3, 3, 3, 3, 0, 0)),
    "pool_gaps": _case(2, 16, 16, 1, 7, pool=(2, 2, 3, 3, 0, 0)),
    "pool_same": _case(3, 13, 12, 1, 9, pool=(2, 2, 2, 2, 0, 0), pool_same=True),
    "pool_padded": _case(2, 11, 11, 2, 4, pool=(2, 3, 2, 3, 1, 1), pool_same=True),
    "wide_channels": _case(2, 8, 9, 1, 130),  # 4 full channel blocks and a tail
    # image edges (padding, strides, dilation) on full 32-channel blocks too
    "padded_full_block": _case(2, 9, 10, 2, 40, conv=(3, 3, 1, 2, 1, 1, 1, 1)),
    "dilated_full_block": _case(1, 12, 13, 3, 32, conv=(2, 3, 1, 1, 2, 2, 1, 2)),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("mode", [0, 1, 2, 3])
def test_against_numpy(name, mode, isa, threads):
    conv, pool = CASES[name]
    ints = conv + pool
    x, y, g = _data(ints, relu_like=bool(mode & 2), ties=name == "mnist")
    dw, db = run(x, y, g, ints, mode)
    want_dw, want_db = reference(x, y, g, ints, mode)
    np.testing.assert_allclose(dw, want_dw, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(db, want_db, rtol=1e-4, atol=1e-4)


def test_nan_and_inf_windows_follow_the_pooling_rules(isa):
    conv, pool = CASES["mnist"]
    ints = conv + pool
    x, y, g = _data(ints, relu_like=False)
    y[0, 0, 1, :4] = np.nan  # a NaN is the window's maximum (first NaN wins)
    y[0, 0, 0, 2:6] = np.nan
    y[1, 2:4, 2:4, 5:9] = -np.inf  # all -inf: the first tap takes g
    for mode in (0, 2):
        dw, db = run(x, y, g, ints, mode)
        want_dw, want_db = reference(x, y, g, ints, mode)
        np.testing.assert_allclose(dw, want_dw, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(db, want_db, rtol=1e-4, atol=1e-4)


def test_results_do_not_depend_on_thread_count():
    conv, pool = _case(40, 14, 14, 1, 32)
    ints = conv + pool
    x, y, g = _data(ints)
    before = core.get_num_threads()
    try:
        core.set_num_threads(1)
        one = run(x, y, g, ints, 2)
        core.set_num_threads(2)
        two = run(x, y, g, ints, 2)
    finally:
        core.set_num_threads(before)
    assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1])


def test_without_bias_output_and_empty_batch():
    conv, pool = CASES["batch1_rgb"]
    ints = conv + pool
    x, y, g = _data(ints)
    dw, db = run(x, y, g, ints, 2, with_db=False)
    np.testing.assert_allclose(dw, reference(x, y, g, ints, 2)[0], rtol=1e-4, atol=1e-4)
    assert np.isnan(db).all()  # untouched
    ints0 = [0] + ints[1:]
    x0, y0, g0 = (np.zeros((0,) + a.shape[1:], np.float32) for a in (x, y, g))
    dw0, db0 = run(x0, y0, g0, ints0, 2)
    assert not dw0.any() and not db0.any()


@pytest.mark.parametrize(
    "edit, match",
    [
        ({3: 4}, "small-K"),  # 3 * 3 * 4 taps > 32
        ({18: 1}, "disjoint"),  # pool stride 1 < window 2
        ({22: 20}, "OH too large"),  # pooled rows far past the conv output
        ({24: 4}, "mode"),
    ],
)
def test_bad_instructions_are_refused(edit, match):
    conv, pool = CASES["mnist"]
    ints = conv + pool + [2]
    for k, v in edit.items():
        ints[k] = v
    big = np.zeros(1 << 16, np.float32)
    p = core.Program(0)
    ids = [p.ext(big) for _ in range(6)]
    with pytest.raises(ValueError, match=match):
        p.add("conv2d_pool_grad_filter", ids[:3], ids[3:], ints)


def test_short_operands_are_refused():
    conv, pool = CASES["mnist"]
    ints = conv + pool + [2]
    p = core.Program(0)
    big = np.zeros(1 << 16, np.float32)
    small = np.zeros(10, np.float32)
    ids = [p.ext(big) for _ in range(5)]
    with pytest.raises(ValueError, match="outs\\[2\\]"):
        p.add("conv2d_pool_grad_filter", ids[:3], ids[3:5] + [p.ext(small)], ints)
