"""From an FnIR to a runnable C++ program for concrete input shapes.

specialize  the shape rules run again with the batch size known (graph/fnir.py)
lower       nodes -> tape instructions (graph/lower.py)
memory      liveness plan: one workspace arena (graph/passes/memory.py)
Program     the tape handed to the C++ executor (csrc/runtime/program.h)
"""

import numpy as np

from ..backend import core
from .fnir import Rebuilder
from .lower import Lowering
from .passes import memory


def specialize(fn, input_shapes):
    """The FnIR with every shape concrete, for inputs of `input_shapes`."""
    rb = Rebuilder(fn.graph.name if fn.graph is not None else "fn")
    input_ids = {}
    for sym, shape in zip(fn.inputs, input_shapes):
        (new,) = rb.graph.add(
            "placeholder", [], {"name": sym.name}, [(tuple(int(d) for d in shape), sym.dtype)]
        )
        new.name = sym.name
        rb.alias(sym, new)
        input_ids[id(sym)] = True
    for node in fn.nodes:
        if node.op == "placeholder":
            if id(node.outputs[0]) not in input_ids:
                raise ValueError(f"placeholder {node.outputs[0].name!r} is not an input")
            continue
        inputs = [rb[i] for i in node.inputs]
        if node.op in ("constant", "variable"):
            rb.copy(node)
            continue
        if node.op == "shape_dim":
            dim = inputs[0].shape[node.attrs["axis"]]
            rb.alias(node.outputs[0], rb.graph.constant(np.asarray(dim, np.int32)))
            continue
        if node.op == "deferred":  # its sizes are known now: the real ops in its place
            outs = _expand_deferred(rb.graph, inputs, node.attrs)
        else:
            outs = rb.emit(node.op, inputs, node.attrs)
        for old, new in zip(node.outputs, outs):
            rb.alias(old, new)
    from .compiler import optimize_concrete

    return optimize_concrete(rb.finish(fn))


def _expand_deferred(graph, inputs, attrs):
    from .prims.deferred import expand
    from .trace import as_sym, tracing

    with tracing(graph):
        outs = expand(inputs, **attrs)
    return [as_sym(graph, o) for o in outs]


class CompiledProgram:
    """One tape over one workspace: feed arrays in, run, read outputs."""

    def __init__(self, fn, pinned=None, in_place=True, exclusive_feeds=False):
        low = Lowering(fn, pinned).run()
        self.fn = fn
        feeds = [low.val(s) for s in fn.inputs]
        outs = [low.val(s) for s in fn.outputs]
        shapes = {}
        for node in fn.nodes:
            for o in node.outputs:
                if id(o) in low.vals:
                    shapes[id(low.vals[id(o)])] = tuple(o.shape)
        size = memory.plan(
            low.instrs, feeds, outs, shapes, in_place=in_place, exclusive_feeds=exclusive_feeds
        )
        # a feed that is also an output (an identity model) must stay a copy
        self.feeds_exclusive = exclusive_feeds and not any(
            f.root() is o.root() for f in feeds for o in outs
        )
        self.instrs = low.instrs
        self.keep = low.keep
        self.variables = low.variables
        prog = core.Program(max(size, 1))
        ids = {}

        def operand(v):
            if v is None:
                return -1
            r = v.root()
            key = id(r) if r.ext is not None else ("ws", r.offset, v.size)
            got = ids.get(key)
            if got is None:
                got = ids[key] = prog.ext(r.ext) if r.ext is not None else prog.ws(r.offset, v.size)
            return got

        for ins in low.instrs:
            prog.add(
                ins.kernel,
                [operand(v) for v in ins.ins],
                [operand(v) for v in ins.outs],
                ins.ints,
                ins.floats,
            )
        from ..utils.random import next_seed

        prog.seed = next_seed() % (1 << 63)  # dropout streams: fixed by set_random_seed
        self.program = prog
        self.operand = operand
        self._feed_vals, self._out_vals = feeds, outs
        ws = prog.workspace()
        self._feeds = [(_view(ws, v), s.shape) for v, s in zip(feeds, fn.inputs)]
        self._outs = [(_view(ws, v), s.shape, s.dtype) for v, s in zip(outs, fn.outputs)]

    def valid(self):
        """False once a Variable it reads or writes has new storage (recompile)."""
        return all(var.value is arr for var, arr in self.variables)

    def feed(self, arrays):
        for (dst, shape), a in zip(self._feeds, arrays):
            a = np.asarray(a)
            if tuple(a.shape) != tuple(shape):
                raise ValueError(f"program input expects shape {shape}, got {a.shape}")
            dst[...] = a.reshape(-1)

    def __call__(self, arrays, lr=0.0, iteration=0):
        self.feed(arrays)
        self.program.run(lr, iteration)
        return [out.reshape(shape).astype(dtype, copy=True) for out, shape, dtype in self._outs]

    def __repr__(self):
        return "\n".join(repr(i) for i in self.instrs)


def _view(ws, v):
    r = v.root()
    if r.ext is not None:
        return r.ext.reshape(-1)[: v.size]
    return ws[r.offset : r.offset + v.size]
