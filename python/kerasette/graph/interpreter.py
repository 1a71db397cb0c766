"""Runs a graph node by node with each op's numpy implementation.

The reference for the compiled programs (the tests compare the two), and the runner
for graphs whose ops have no C++ kernel yet.
"""

import numpy as np

from . import registry
from .ir import producers_of


def evaluate(outputs, feeds=None, values=None):
    """Values of `outputs` (a list of Syms) given `feeds` {Sym: array}.

    values: a dict {id(Sym): array} of what is already known; it is filled in place, so
    a caller can continue an evaluation later (Session.partial_run does).
    """
    values = {} if values is None else values
    for sym, val in (feeds or {}).items():
        values[id(sym)] = np.asarray(val)
    for node in producers_of(list(outputs)):
        if all(id(o) in values for o in node.outputs):
            continue
        if node.op == "placeholder":
            raise KeyError(node.outputs[0])
        args = [values[id(i)] for i in node.inputs]
        out = registry.get(node.op).eval(*args, **node.attrs)
        outs = out if isinstance(out, tuple) else (out,)
        for sym, val in zip(node.outputs, outs):
            values[id(sym)] = np.asarray(val)
    return [values[id(o)] for o in outputs]
