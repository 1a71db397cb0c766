"""lstm_seq / lstm_seq_grad through the Program on every ISA (the elementwise cell loops
come from the dispatch table: recurrent_kernels.inc per ISA) against the numpy
reference in graph/fused/recurrent.py, with unit counts that leave vector tails and
with masks; dU, summed after the walk in long GEMMs, against the per-step sum."""

import numpy as np
import pytest

from kerasette.backend import core
from kerasette.graph.fused import recurrent as R


def _run_lstm(B, T, u, mask, seed):
    r = np.random.default_rng(seed)
    f = lambda *s: (r.standard_normal(s) * 0.7).astype(np.float32)  # noqa: E731
    xp, h0, c0, U = f(B, T, 4 * u), f(B, u), f(B, u), f(u, 4 * u)
    dH, dC = f(B, T, u), f(B, T, u)
    H, C, G = (np.zeros((B, T, n), np.float32) for n in (u, u, 4 * u))
    dxp = np.full((B, T, 4 * u), 9, np.float32)
    dh0, dc0 = np.full((B, u), 9, np.float32), np.full((B, u), 9, np.float32)
    dU = np.full((u, 4 * u), 9, np.float32)
    scratch = np.zeros(2 * B * u + 4 * u * u, np.float32)
    p = core.Program(0)
    e = p.ext
    im = -1 if mask is None else e(mask)
    p.add("lstm_seq", [e(xp), e(h0), e(c0), e(U), im], [e(H), e(C), e(G)], [B, T, u])
    p.add(
        "lstm_seq_grad",
        [e(h0), e(c0), e(U), im, e(H), e(C), e(G), e(dH), e(dC)],
        [e(dxp), e(dh0), e(dc0), e(dU), e(scratch)],
        [B, T, u],
    )
    p.run()
    extra = [] if mask is None else [mask]
    want = R._lstm_eval(xp, h0, c0, U, *extra, masked=mask is not None)
    want_g = R._lstm_grad_eval(h0, c0, U, *extra, *want, dH, dC, masked=mask is not None)
    return (H, C, G), (dxp, dh0, dc0, dU), want, want_g


@pytest.mark.parametrize("B,T,u", [(3, 7, 5), (4, 9, 16), (2, 6, 37), (1, 1, 8)])
@pytest.mark.parametrize("masked", [False, True])
def test_lstm_matches_numpy_on_every_isa(B, T, u, masked, isa):
    mask = None
    if masked:
        mask = (np.random.default_rng(B * T).random((B, T)) > 0.3).astype(np.float32)
    got, got_g, want, want_g = _run_lstm(B, T, u, mask, seed=B + T + u)
    for name, a, b in zip(("H", "C", "G"), got, want):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6, err_msg=name)
    for name, a, b in zip(("dxp", "dh0", "dc0", "dU"), got_g, want_g):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=name)
