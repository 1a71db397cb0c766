"""Lowering: each node of a concrete-shaped FnIR becomes instructions of the C++ tape.

A rule per op family turns a node into one or more `Instr`s over `Val`s (the buffers
of values). Python decides everything here: which kernel, which layout, which value
aliases which (a reshape is a view); graph/passes/memory.py then gives every buffer
its place in the workspace and graph/program.py hands the tape to C++.
"""

import math

import numpy as np

from ..backend import core


class NotLowerable(Exception):
    """The function has an op with no kernel yet: it runs on the interpreter."""


class Val:
    """The buffer of one value: `size` float32s in the workspace, or an external array
    (a constant, a Variable's storage), or a view of another Val (`base`)."""

    __slots__ = ("size", "ext", "base", "name", "offset", "first", "last")

    def __init__(self, size, ext=None, base=None, name=""):
        self.size, self.ext, self.base, self.name = int(size), ext, base, name
        self.offset = None
        self.first = self.last = None

    def root(self):
        v = self
        while v.base is not None:
            v = v.base
        return v

    def __repr__(self):
        return f"<Val {self.name} {self.size}{' ext' if self.ext is not None else ''}>"


class Instr:
    __slots__ = ("kernel", "ins", "outs", "ints", "floats", "inplace_ok")

    def __init__(self, kernel, ins, outs, ints=(), floats=(), inplace_ok=False):
        self.kernel, self.ins, self.outs = kernel, list(ins), list(outs)
        self.ints = [int(i) for i in ints]
        self.floats = [float(f) for f in floats]
        self.inplace_ok = inplace_ok  # an out may share a dying in's buffer (elementwise)

    def __repr__(self):
        return f"{self.kernel}({self.ins} -> {self.outs}; {self.ints} {self.floats})"


def numel(shape):
    return int(math.prod(shape)) if shape else 1


def contiguous_strides(shape):
    strides, acc = [], 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= d
    return list(reversed(strides))


def broadcast_strides(shape, out_shape):
    """Element strides that read an input of `shape` broadcast to `out_shape`."""
    shape = (1,) * (len(out_shape) - len(shape)) + tuple(shape)
    strides = contiguous_strides(shape)
    return [0 if d == 1 and o != 1 else s for d, s, o in zip(shape, strides, out_shape)]


class Lowering:
    """Collects the tape for one FnIR. `pinned` maps id(Sym) -> an external array that
    value must be written into (the trainer's flat gradient arena)."""

    def __init__(self, fn, pinned=None):
        self.fn = fn
        self.instrs = []
        self.vals = {}
        self.pinned = pinned or {}
        self.keep = []  # arrays the program must keep alive
        self.variables = []  # (Variable, array) read or written in place

    # ---- values --------------------------------------------------------------------
    def val(self, sym):
        return self.vals[id(sym)]

    def new(self, sym_or_size, name=""):
        size = sym_or_size if isinstance(sym_or_size, int) else numel(sym_or_size.shape)
        return Val(size, name=name)

    def define(self, sym, val):
        self.vals[id(sym)] = val
        return val

    def out(self, sym):
        """The Val a node writes its output `sym` into (pinned outputs go straight to
        their external array)."""
        ext = self.pinned.get(id(sym))
        v = Val(numel(sym.shape), ext=ext, name=f"{sym.node.op}#{sym.node.id}")
        return self.define(sym, v)

    def ext(self, array, name=""):
        self.keep.append(array)
        return Val(array.size, ext=array, name=name)

    def emit(self, kernel, ins, outs, ints=(), floats=(), inplace_ok=False):
        self.instrs.append(Instr(kernel, ins, outs, ints, floats, inplace_ok))

    # ---- driving -------------------------------------------------------------------
    def run(self):
        from . import lower_rules

        nodes = self.fn.nodes
        effects = {id(s.node) for s in self.fn.effects}
        # State writes go last: every read of the old value comes before them.
        order = [n for n in nodes if id(n) not in effects] + [n for n in nodes if id(n) in effects]
        input_ids = {id(s) for s in self.fn.inputs}
        for node in order:
            if node.op == "placeholder":
                if id(node.outputs[0]) not in input_ids:
                    raise ValueError(f"placeholder {node.outputs[0].name!r} is not fed")
                self.out(node.outputs[0])
                continue
            rule = lower_rules.rule_for(node.op)
            if rule is None:
                raise NotLowerable(f"op {node.op!r} has no lowering rule")
            rule(self, node)
        for sym in self.fn.inputs:  # an input nothing reads (DCE dropped it) is still fed
            if id(sym) not in self.vals:
                self.out(sym)
        # A pinned output that was produced as a view or an external array gets a copy.
        for sym in self.fn.outputs:
            ext = self.pinned.get(id(sym))
            v = self.val(sym)
            if ext is not None and v.root().ext is not ext:
                dst = Val(v.size, ext=ext, name="pinned")
                self.emit("copy", [v], [dst], [v.size])
        return self


def f32_array(value):
    arr = np.ascontiguousarray(np.asarray(value, dtype=np.float32))
    return arr if arr.flags.writeable else arr.copy()


def codes(name):
    table = getattr(core, name, None)
    if table is None:
        raise NotLowerable(f"the core has no {name} table (built without the program executor)")
    return dict(table)
