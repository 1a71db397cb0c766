"""The fusion pass maps Dense layers onto the GEMM epilogue and elementwise chains onto
one pass; the memory plan never gives two live buffers the same bytes."""

import numpy as np

from kerasette import ops
from kerasette.graph import compiler
from kerasette.graph.function import Function
from kerasette.graph.lower import Lowering
from kerasette.graph.passes import memory
from kerasette.graph.program import specialize
from kerasette.variables import Variable

RNG = np.random.default_rng(1)
W1 = Variable(RNG.standard_normal((8, 16)).astype(np.float32))
B1 = Variable(np.zeros(16, np.float32))
W2 = Variable(RNG.standard_normal((16, 4)).astype(np.float32))
B2 = Variable(np.zeros(4, np.float32))


def mlp(x):
    h = ops.relu(ops.matmul(x, W1) + B1)
    return ops.softmax(ops.matmul(h, W2) + B2)


def _fn(f, n=5):
    x = np.zeros((n, 8), np.float32)
    return Function(f).get(x).fn


def _fused(f, n=5):
    """The function after the passes, fusion included (it runs on concrete shapes)."""
    return specialize(compiler.optimize(_fn(f, n)), [(n, 8)])


def test_dense_layers_become_gemm_epilogues():
    fused = _fused(mlp)
    ops_used = [n.op for n in fused.nodes]
    assert ops_used.count("dense_act") == 2
    assert "matmul" not in ops_used and "add" not in ops_used
    text = repr(fused)
    assert "dense_act[act='relu'" in text and "dense_act[act='softmax'" in text


def test_elementwise_chain_is_one_node():
    fused = _fused(lambda x: ops.tanh(x * 2.0 + 1.0) * x - 3.0)
    kinds = [n.op for n in fused.nodes if n.op not in ("placeholder", "constant")]
    assert kinds == ["fused_ewise"]


def test_transpose_folds_into_matmul():
    fused = _fused(lambda x: ops.matmul(ops.transpose(x), x))
    assert [n.op for n in fused.nodes if n.op == "matmul_t"] == ["matmul_t"]
    assert "transpose" not in [n.op for n in fused.nodes]


def test_listing_has_one_line_per_node():
    fn = _fused(mlp)
    body = repr(fn).splitlines()[1:-1]
    assert len(body) == len([n for n in fn.nodes if n.op != "placeholder"])


def test_memory_plan_reuses_space_and_never_overlaps_live_buffers():
    def deep(x):
        for _ in range(6):
            x = ops.matmul(x, ops.ones((8, 8))) * 0.5
        return x

    fn = _fused(deep, 32)
    low = Lowering(fn).run()
    feeds = [low.val(s) for s in fn.inputs]
    outs = [low.val(s) for s in fn.outputs]
    size = memory.plan(low.instrs, feeds, outs, {}, in_place=False)
    roots = {
        id(v.root()): v.root()
        for i in low.instrs
        for v in i.ins + i.outs
        if v is not None and v.root().ext is None
    }
    roots.update({id(v.root()): v.root() for v in feeds + outs})
    total = sum(-(-r.size // memory.ALIGN) * memory.ALIGN for r in roots.values())
    assert size < total  # space was reused
    rs = list(roots.values())
    for a in rs:
        for b in rs:
            if a is b:
                continue
            live = not (a.last < b.first or b.last < a.first)
            apart = a.offset + a.size <= b.offset or b.offset + b.size <= a.offset
            assert not live or apart, (a, b)
