"""`apply`: the one entry every `kerasette.ops` function goes through.

Given symbolic inputs (or a Variable while a graph is being traced) it adds a node to
that graph; given arrays it runs the op's numpy implementation at once and returns a
`kerasette.Tensor`. Tracing a function means calling it on placeholders inside
`tracing(graph)`: every op it calls becomes a node.
"""

import contextlib
import threading

import numpy as np

from . import registry
from .ir import Sym

_state = threading.local()


def _stack():
    s = getattr(_state, "graphs", None)
    if s is None:
        s = _state.graphs = []
    return s


def current_graph():
    """The graph being traced on this thread, or None."""
    s = _stack()
    return s[-1] if s else None


@contextlib.contextmanager
def tracing(graph):
    s = _stack()
    s.append(graph)
    try:
        yield graph
    finally:
        s.pop()


_layer_depth = threading.local()


def layer_depth():
    return getattr(_layer_depth, "n", 0)


@contextlib.contextmanager
def inside_layer():
    _layer_depth.n = layer_depth() + 1
    try:
        yield
    finally:
        _layer_depth.n -= 1


def is_symbolic(x):
    return isinstance(x, Sym)


def _is_variable(x):
    from ..variables import Variable

    return isinstance(x, Variable)


def graph_for(inputs):
    """The graph an op on `inputs` joins, or None to run it eagerly."""
    for x in inputs:
        if isinstance(x, Sym):
            return x.graph
    g = current_graph()
    if g is not None and any(_is_variable(x) for x in inputs):
        return g
    return None


def as_array(x):
    """An eager operand as a numpy array (Keras's convert_to_tensor dtype rules)."""
    from ..tensor import Tensor

    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, Tensor):
        return x._value
    if _is_variable(x):
        return x.value
    if isinstance(x, (bool, np.bool_)):
        return np.asarray(x, dtype=bool)
    if isinstance(x, int):
        return np.asarray(x, dtype=np.int32)
    if isinstance(x, float):
        return np.asarray(x, dtype=np.float32)
    if isinstance(x, np.generic):
        return np.asarray(x)
    if isinstance(x, (list, tuple)):
        arr = np.asarray([as_array(v) for v in x]) if x and not _all_py(x) else np.asarray(x)
        if arr.dtype == np.float64 and _all_py(x):
            arr = arr.astype(np.float32)
        elif arr.dtype == np.int64 and _all_py(x):
            arr = arr.astype(np.int32)
        return arr
    if hasattr(x, "__array__"):
        return np.asarray(x)
    raise TypeError(f"Cannot convert {type(x).__name__} to a tensor: {x!r}")


def _all_py(x):
    return all(
        isinstance(v, (int, float, bool)) or (isinstance(v, (list, tuple)) and _all_py(v))
        for v in x
    )


def as_sym(graph, x):
    """An operand of a symbolic op as a Sym of `graph`."""
    if isinstance(x, Sym):
        if x.graph is not graph:
            raise ValueError(
                f"{x} belongs to another graph than {graph}; tensors from two "
                "graphs cannot be combined"
            )
        return x
    if _is_variable(x):
        return graph.variable(x)
    arr = as_array(x)
    if arr.dtype == np.float64:  # float32 is the graph's compute type
        arr = arr.astype(np.float32)
    return graph.constant(arr)


def apply(op, inputs, **attrs):
    """Runs op `op` on `inputs`: a node when symbolic, a Tensor when eager."""
    opdef = registry.get(op)
    graph = graph_for(inputs)
    if graph is None:
        out = opdef.eval(*[as_array(x) for x in inputs], **attrs)
        return _wrap(out)
    syms = [as_sym(graph, x) for x in inputs]
    out_specs = registry.specs(opdef.infer(*syms, **attrs))
    outs = graph.add(op, syms, attrs, out_specs)
    if layer_depth() == 0 and any(s._keras_history is not None for s in syms):
        # an op applied between layers of a functional model: part of its history
        for i, o in enumerate(outs):
            o._keras_history = (graph.nodes[-1], i)
    return outs[0] if opdef.n_out == 1 else tuple(outs)


def _wrap(out):
    from ..tensor import Tensor

    if isinstance(out, tuple):
        return tuple(_wrap(o) for o in out)
    return Tensor(out)


@contextlib.contextmanager
def suspended():
    """No graph is being traced inside (a layer's weights are built eagerly)."""
    s = _stack()
    saved = s[:]
    del s[:]
    try:
        yield
    finally:
        s[:] = saved
