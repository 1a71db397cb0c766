"""The LSTM walk over blocks of batch rows (recurrent.cc: blocks of 4 rows claimed by
threads, each step's h @ U in register tiles, rec_gemm in recurrent_kernels.inc) against
the numpy reference in graph/fused/recurrent.py: batch sizes that leave a partial block,
unit counts whose 4u columns leave whole-vector and scalar tails on every ISA, one and
two threads (results identical, not just close), and the in-place layouts the memory
plan makes (G over xp, dxp over G)."""

import numpy as np
import pytest

from kerasette.backend import core
from kerasette.graph.fused import recurrent as R


def _data(B, T, u, seed):
    r = np.random.default_rng(seed)
    f = lambda *s: (r.standard_normal(s) * 0.7).astype(np.float32)  # noqa: E731
    return dict(
        xp=f(B, T, 4 * u), h0=f(B, u), c0=f(B, u), U=f(u, 4 * u), dH=f(B, T, u), dC=f(B, T, u)
    )


def _run(d, mask, in_place):
    """lstm_seq then lstm_seq_grad on a Program; in_place: G is xp's array and dxp is G's,
    as the memory plan lays them out in a training step."""
    B, T, u4 = d["xp"].shape
    u = u4 // 4
    xp = d["xp"].copy()
    H, C = np.zeros((B, T, u), np.float32), np.zeros((B, T, u), np.float32)
    G = xp if in_place else np.full((B, T, 4 * u), 9, np.float32)
    dxp = G if in_place else np.full((B, T, 4 * u), 9, np.float32)
    dh0, dc0 = np.full((B, u), 9, np.float32), np.full((B, u), 9, np.float32)
    dU = np.full((u, 4 * u), 9, np.float32)
    scratch = np.full(2 * B * u + 4 * u * u, 9, np.float32)
    p = core.Program(0)
    e = p.ext
    im = -1 if mask is None else e(mask)
    h0, c0, U, dH, dC = (e(d[k]) for k in ("h0", "c0", "U", "dH", "dC"))
    p.add("lstm_seq", [e(xp), h0, c0, U, im], [e(H), e(C), e(G)], [B, T, u])
    p.run()
    fwd = (H.copy(), C.copy(), G.copy())
    p2 = core.Program(0)  # a second Program: the grad overwrites G when in place
    e2 = p2.ext
    im2 = -1 if mask is None else e2(mask)
    p2.add(
        "lstm_seq_grad",
        [e2(d["h0"]), e2(d["c0"]), e2(d["U"]), im2, e2(H), e2(C), e2(G), e2(d["dH"]), e2(d["dC"])],
        [e2(dxp), e2(dh0), e2(dc0), e2(dU), e2(scratch)],
        [B, T, u],
    )
    p2.run()
    return fwd, (dxp.copy(), dh0, dc0, dU)


def _want(d, mask):
    extra = [] if mask is None else [mask]
    m = mask is not None
    fwd = R._lstm_eval(d["xp"], d["h0"], d["c0"], d["U"], *extra, masked=m)
    grad = R._lstm_grad_eval(d["h0"], d["c0"], d["U"], *extra, *fwd, d["dH"], d["dC"], masked=m)
    return fwd, grad


def _mask(B, T, masked):
    if not masked:
        return None
    return (np.random.default_rng(B * 7 + T).random((B, T)) > 0.3).astype(np.float32)


def _close(got, want):
    for name, a, b in zip(("H", "C", "G"), got[0], want[0]):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6, err_msg=name)
    for name, a, b in zip(("dxp", "dh0", "dc0", "dU"), got[1], want[1]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5, err_msg=name)


# 4u = 20: one 16-wide vector and 4 scalar columns on avx512; 148: two 64-column strips,
# one vector and 4 scalars; 256: whole strips (the bench's LSTM(64)).
@pytest.mark.parametrize("B,T,u", [(9, 6, 5), (13, 5, 37), (17, 4, 64), (6, 3, 16)])
@pytest.mark.parametrize("masked", [False, True])
def test_row_blocks_match_numpy_on_every_isa(B, T, u, masked, isa, threads):
    d = _data(B, T, u, seed=B * T + u)
    mask = _mask(B, T, masked)
    _close(_run(d, mask, in_place=False), _want(d, mask))


@pytest.mark.parametrize("masked", [False, True])
def test_in_place_layout_matches_numpy(masked, isa):
    B, T, u = 11, 7, 24
    d = _data(B, T, u, seed=5)
    mask = _mask(B, T, masked)
    _close(_run(d, mask, in_place=True), _want(d, mask))


def test_results_do_not_depend_on_the_thread_count():
    B, T, u = 23, 9, 40
    d = _data(B, T, u, seed=11)
    mask = _mask(B, T, True)
    before = core.get_num_threads()
    try:
        got = []
        for n in (1, 2, 3):
            core.set_num_threads(n)
            got.append(_run(d, mask, in_place=False))
    finally:
        core.set_num_threads(before)
    for other in got[1:]:
        for a, b in zip(got[0][0] + got[0][1], other[0] + other[1]):
            np.testing.assert_array_equal(a, b)
