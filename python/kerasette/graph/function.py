"""`Function`: a Python function traced once per input signature and run compiled.

`layer(x)`, `model(x)` and `predict` go through one: the first call with a given
signature (shapes without the batch axis, dtypes) traces the function on placeholders
into an FnIR; every call runs that (graph/executor.py), never op by op in Python.
"""

import numpy as np

from . import tree
from .ir import Graph
from .trace import as_array, tracing


class Traced:
    def __init__(self, fn, out_spec):
        self.fn = fn  # FnIR
        self.out_spec = out_spec  # rebuilds the output structure
        self.runner = None  # set by the executor on first run


def input_signature(leaves):
    return tuple((tuple(a.shape[1:]), str(a.dtype)) for a in leaves)


class Function:
    def __init__(self, fn, name="function"):
        self._fn = fn
        self.name = name
        self._cache = {}

    def trace(self, structure):
        """Traces the function for inputs shaped like `structure` (arrays or Syms)."""
        leaves, spec = tree.flatten(structure)
        graph = Graph(self.name)
        phs = [
            graph.placeholder(
                (None,) + tuple(a.shape[1:]), _graph_dtype(a.dtype), name=f"input_{i}"
            )
            for i, a in enumerate(leaves)
        ]
        with tracing(graph):
            out = self._fn(tree.unflatten(spec, phs))
        out_leaves, out_spec = tree.flatten(out)
        from .trace import as_sym

        out_leaves = [as_sym(graph, o) for o in out_leaves]
        from .fnir import FnIR

        return Traced(FnIR(graph, phs, out_leaves, list(getattr(graph, "updates", ()))), out_spec)

    def get(self, structure):
        leaves, _ = tree.flatten(structure)
        key = input_signature(leaves)
        traced = self._cache.get(key)
        if traced is None:
            if len(self._cache) >= 32:  # a bounded cache: shapes that change every call
                self._cache.pop(next(iter(self._cache)))
            traced = self._cache[key] = self.trace(structure)
        return traced

    def __call__(self, structure):
        from ..tensor import Tensor
        from . import executor

        leaves, spec = tree.flatten(structure)
        arrays = [as_array(a) for a in leaves]
        traced = self.get(tree.unflatten(spec, arrays))
        outs = executor.run(traced, arrays)
        return tree.unflatten(traced.out_spec, [Tensor(o) for o in outs])

    def clear(self):
        self._cache.clear()


def _graph_dtype(dtype):
    d = str(np.dtype(dtype))
    return "float32" if d == "float64" else d
