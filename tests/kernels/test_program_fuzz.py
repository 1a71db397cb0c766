"""Hypothesis throws random instructions at Program.add (kernel names, operand ids,
int layouts and values, floats) and runs whatever it accepts.

The contract: add() either accepts or raises ValueError/TypeError; run() of an accepted
program never crashes and never writes outside its operands (canary floats around every
operand stay untouched); it may raise ValueError (out-of-range ids)."""

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kerasette.backend import core  # noqa: E402

FUZZ = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ALLOWED = (ValueError, TypeError)
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

# Fixed (ins, outs, ints, floats) counts, as in runtime/program.h; None = variable.
COUNTS = {
    "copy": (1, 1, 1, 0),
    "fill": (0, 1, 1, 1),
    "reduce": (1, 1, 4, 0),
    "matmul": (2, 1, 8, 2),
    "gemm_bias_act": (3, 1, 4, 1),
    "act": (1, 1, 3, 1),
    "act_grad": (3, 1, 3, 1),
    "bias_grad": (1, 1, 2, 0),
    "loss": (3, 2, 4, 2),
    "constraint": (1, 0, 4, 3),
    "gather": (2, 1, 3, 0),
    "scatter_add": (2, 1, 3, 0),
    "take_along_axis": (2, 1, 4, 0),
    "put_along_axis_add": (2, 1, 4, 0),
    "one_hot": (1, 1, 2, 0),
    "dropout": (1, 2, 2, 1),
    "random_uniform": (0, 1, 2, 2),
    "random_normal": (0, 1, 2, 2),
    "layernorm": (3, 3, 2, 1),
    "layernorm_grad": (5, 3, 2, 0),
    "batchnorm_train": (3, 5, 2, 2),
    "batchnorm_infer": (5, 1, 2, 1),
    "batchnorm_grad": (5, 3, 2, 0),
    "conv2d": (2, 2, 16, 0),
    "conv2d_grad_input": (2, 2, 16, 0),
    "conv2d_grad_filter": (2, 2, 16, 0),
    "conv2d_bias_act": (3, 2, 17, 1),
    "pool2d": (1, 1, 13, 0),
    "pool2d_grad": (2, 1, 13, 0),
    "conv2d_pool_grad_filter": (3, 3, 25, 0),
    "cumsum": (1, 1, 3, 0),
    "cumprod": (1, 1, 3, 0),
}
N_EWISE = len(core.EWISE_CODES)
SIZES = [0, 1, 2, 3, 5, 8, 12, 17, 30, 64]
CANARY = np.float32(-12345.0)
PAD = 16


class Arena:
    """Operands with canaries around them: ws slices spaced out in the workspace and
    ext arrays cut from the middle of bigger buffers."""

    def __init__(self, rng, sizes, kinds):
        total = sum(s + 2 * PAD for s in sizes) + PAD
        self.p = core.Program(total)
        self.w = self.p.workspace()
        self.w[:] = CANARY
        self.bufs, self.ids, self.views = [], [], []
        off = PAD
        for s, k in zip(sizes, kinds):
            vals = (
                rng.integers(-2, 8, s).astype(np.float32)
                if rng.random() < 0.5
                else rng.standard_normal(s).astype(np.float32)
            )
            if k == "ws":
                self.ids.append(self.p.ws(off, s))
                self.w[off : off + s] = vals
                self.views.append(("ws", off, s))
                off += s + 2 * PAD
            else:
                buf = np.full(s + 2 * PAD, CANARY, np.float32)
                buf[PAD : PAD + s] = vals
                self.bufs.append(buf)
                self.ids.append(self.p.ext(buf[PAD : PAD + s]))
                self.views.append(("ext", len(self.bufs) - 1, s))

    def canaries_intact(self):
        mask = np.ones(self.w.size, bool)
        for kind, a, s in self.views:
            if kind == "ws":
                mask[a : a + s] = False
        if not (self.w[mask] == CANARY).all():
            return False
        for buf in self.bufs:
            if not ((buf[:PAD] == CANARY).all() and (buf[-PAD:] == CANARY).all()):
                return False
        return True


@st.composite
def instructions(draw, n_ops):
    names = list(core.PROGRAM_KERNELS)
    name = draw(st.sampled_from(names + ["bogus", "Copy"]))
    small = st.integers(-1, 7)
    dim = st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, -1])

    def ids(k):
        return [
            draw(st.integers(-2, n_ops))
            if draw(st.integers(0, 9)) == 0
            else draw(st.integers(0, max(n_ops - 1, 0)))
            for _ in range(k)
        ]

    flt = st.sampled_from([0.0, 0.5, 1.0, -1.0, 2.0, 1e-3, 0.9, float("nan")])
    if name == "ewise":
        rank = draw(st.integers(0, 3))
        shape = [draw(st.integers(0, 4)) for _ in range(rank)]
        k = draw(st.integers(0, 3))
        nimm = draw(st.integers(0, 2))
        regs = k + nimm + 3
        ints = [rank, *shape, k] + [draw(st.integers(-1, 6)) for _ in range(k * rank)]
        n_instr = draw(st.integers(0, 4))
        ints.append(n_instr)
        for _ in range(n_instr):
            ints += [
                draw(st.integers(-1, N_EWISE)),
                draw(st.integers(0, regs)),
                draw(st.integers(0, regs)),
                draw(st.integers(0, regs)),
                draw(st.integers(0, regs)),
            ]
        m = draw(st.integers(0, 2))
        ints += [m] + [draw(st.integers(0, regs)) for _ in range(m)]
        if draw(st.integers(0, 9)) == 0:
            ints = ints[: draw(st.integers(0, len(ints)))]
        return (
            name,
            ids(k + draw(st.integers(0, 1)) * (draw(st.integers(0, 5)) == 0)),
            ids(m),
            ints,
            [draw(flt) for _ in range(nimm)],
        )
    if name in ("strided", "strided_write"):
        rank = draw(st.integers(0, 3))
        head = [rank, draw(st.integers(-1, 12))] + (
            [draw(st.integers(-1, 2))] if name == "strided_write" else []
        )
        ints = (
            head
            + [draw(dim) for _ in range(rank)]
            + [draw(st.integers(-6, 6)) for _ in range(rank)]
        )
        return name, ids(1), ids(1), ints, []
    if name == "clip":
        ns = draw(st.integers(0, 3))
        return (
            name,
            ids(1),
            [],
            [draw(st.integers(-1, 3)), ns] + [draw(dim) for _ in range(ns)],
            [draw(flt)],
        )
    if name == "optimizer":
        return (
            name,
            ids(draw(st.integers(1, 5))),
            [],
            [draw(st.integers(-1, 7)), draw(dim)] + [draw(st.integers(0, 1)) for _ in range(3)],
            [draw(flt) for _ in range(7)],
        )
    nin, nout, nints, nfl = COUNTS.get(name, (1, 1, 1, 0))
    if draw(st.integers(0, 9)) == 0:
        nin, nout, nints, nfl = (
            max(0, c + draw(st.integers(-1, 1))) for c in (nin, nout, nints, nfl)
        )
    ints = [draw(small) if i == 0 and nints < 13 else draw(dim) for i in range(nints)]
    return name, ids(nin), ids(nout), ints, [draw(flt) for _ in range(nfl)]


@FUZZ
@given(
    seed=st.integers(0, 2**31 - 1),
    sizes=st.lists(st.sampled_from(SIZES), min_size=1, max_size=6),
    data=st.data(),
)
def test_program_add_fuzz(seed, sizes, data):
    rng = np.random.default_rng(seed)
    kinds = [("ws" if rng.random() < 0.5 else "ext") for _ in sizes]
    arena = Arena(rng, sizes, kinds)
    p = arena.p
    accepted = 0
    for _ in range(data.draw(st.integers(1, 4))):
        name, ins, outs, ints, floats = data.draw(instructions(len(sizes)))
        ins = [arena.ids[i] if 0 <= i < len(sizes) else i for i in ins]
        outs = [arena.ids[i] if 0 <= i < len(sizes) else i for i in outs]
        try:
            p.add(name, ins, outs, ints, floats)
            accepted += 1
        except ALLOWED as e:
            event(f"refused: {type(e).__name__}")
    event(f"accepted {accepted}")
    try:
        p.run(0.01, 0)
    except ValueError:
        event("run raised ValueError")
    assert arena.canaries_intact()
    assert p.num_instructions == accepted
