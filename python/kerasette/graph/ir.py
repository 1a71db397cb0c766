"""The graph IR: `Graph`, `Node` and the symbolic tensor `Sym`.

A graph is a list of nodes in the order they were made, which is a topological order.
Each node applies one registered op (graph/registry.py) to input Syms and makes output
Syms. Shapes may hold None for a dimension known only at run time (the batch); a
program is made for concrete shapes by running the shape rules again (graph/program.py).
"""

import itertools

import numpy as np

_ids = itertools.count()


class UnknownRank(tuple):
    """The shape of a tensor whose rank is unknown until it is fed (TF1's
    `placeholder(shape=None)`). It is an empty tuple, so shape rules read it as a scalar
    and still give the dtype; Graph.add makes every output of a node with such an input
    unknown-rank too. Rank-dependent ops (an axis, matmul) need a known rank."""

    def __new__(cls):
        return super().__new__(cls, ())

    rank = None

    def __eq__(self, other):
        return isinstance(other, UnknownRank)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(UnknownRank)

    def __repr__(self):
        return "<unknown>"


def unknown_rank(shape):
    return isinstance(shape, UnknownRank)


_DTYPE_NAMES = {}


def _dtype_name(dtype):
    """str(np.dtype(dtype)), cached: it costs microseconds and every Sym needs it."""
    try:
        return _DTYPE_NAMES[dtype]
    except (KeyError, TypeError):
        if dtype is str or (isinstance(dtype, str) and dtype == "string"):
            return "string"  # a functional model's string Input (models/string_front.py)
        name = str(np.dtype(dtype))
        try:
            _DTYPE_NAMES[dtype] = name
        except TypeError:  # an unhashable dtype-like
            pass
        return name


class Sym:
    """A symbolic tensor: one output of one node. Keras calls it a KerasTensor."""

    __array_priority__ = 1000  # numpy defers `array + sym` to Sym.__radd__

    def __init__(self, node, index, shape, dtype):
        self.node = node
        self.index = index
        self.shape = shape if isinstance(shape, UnknownRank) else tuple(shape)
        self.dtype = _dtype_name(dtype)
        self.name = None
        # (record, position) of the functional-API call that made it (models/functional.py)
        self._keras_history = None
        self._keras_mask = None

    @property
    def graph(self):
        return self.node.graph

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<Sym shape={self.shape}, dtype={self.dtype}, from={self.node.op}#{self.node.id}>"

    def __hash__(self):
        return id(self)

    def __bool__(self):
        raise TypeError(
            "A symbolic tensor has no truth value while a graph is being built; "
            "use ops.where / ops.cond-free arithmetic instead of Python `if`"
        )

    def __len__(self):
        if not self.shape or self.shape[0] is None:
            raise TypeError(f"len() of a symbolic tensor of shape {self.shape} is unknown")
        return self.shape[0]

    def __iter__(self):
        n = len(self)
        return (self[i] for i in range(n))


class Node:
    __slots__ = ("graph", "op", "inputs", "attrs", "outputs", "id")

    def __init__(self, graph, op, inputs, attrs):
        self.graph = graph
        self.op = op
        self.inputs = list(inputs)
        self.attrs = dict(attrs)
        self.outputs = []
        self.id = next(_ids)

    def __repr__(self):
        return f"<Node {self.op}#{self.id}>"


class Graph:
    """An append-only list of nodes. `finalize()` forbids new nodes (TF1's rule)."""

    def __init__(self, name="graph"):
        self.name = name
        self.nodes = []
        self.finalized = False
        self._var_syms = {}  # id(Variable) -> its read node's output
        self._const_syms = {}  # (dtype, shape, bytes) -> constant node's output (small ones)

    def finalize(self):
        self.finalized = True

    def __getstate__(self):
        # A pickled tensor brings the nodes it depends on (through Node.inputs), never the
        # whole graph: the shared functional graph holds every model's nodes.
        state = dict(self.__dict__)
        state.update(nodes=[], _var_syms={}, _const_syms={})
        state.pop("updates", None)
        state.pop("added_losses", None)
        return state

    @property
    def _unsafe_unfinalize(self):  # TF's name for the escape hatch tests use
        def undo():
            self.finalized = False

        return undo

    def add(self, op, inputs, attrs, out_specs):
        """Appends a node; out_specs is [(shape, dtype)]. Returns its output Syms."""
        if self.finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        if any(isinstance(i.shape, UnknownRank) for i in inputs):
            out_specs = [(UnknownRank(), d) for _, d in out_specs]
        node = Node(self, op, inputs, attrs)
        node.outputs = [Sym(node, i, s, d) for i, (s, d) in enumerate(out_specs)]
        self.nodes.append(node)
        return node.outputs

    def constant(self, value):
        value = np.asarray(value)
        key = None
        if value.size <= 16:
            key = (value.dtype.str, value.shape, value.tobytes())
            hit = self._const_syms.get(key)
            if hit is not None:
                return hit
        (out,) = self.add("constant", [], {"value": value}, [(value.shape, value.dtype)])
        if key is not None:
            self._const_syms[key] = out
        return out

    def variable(self, var):
        """The Sym that reads Variable `var` (one read node per variable per graph)."""
        hit = self._var_syms.get(id(var))
        if hit is not None:
            return hit
        (out,) = self.add("variable", [], {"var": var}, [(var.shape, var.dtype)])
        self._var_syms[id(var)] = out
        return out

    def placeholder(self, shape, dtype="float32", name=None):
        shape = shape if isinstance(shape, UnknownRank) else tuple(shape)
        (out,) = self.add("placeholder", [], {"name": name}, [(shape, dtype)])
        out.name = name
        return out

    def __repr__(self):
        return f"<Graph {self.name}: {len(self.nodes)} nodes>"


def producers_of(outputs):
    """The nodes `outputs` depend on, in graph order."""
    seen, stack = set(), [s.node for s in outputs]
    while stack:
        n = stack.pop()
        if n.id in seen:
            continue
        seen.add(n.id)
        stack.extend(i.node for i in n.inputs)
    nodes = outputs[0].graph.nodes if outputs else []
    return [n for n in nodes if n.id in seen]


def _sym_getitem(self, key):
    from .. import ops

    return ops.getitem(self, key)


def _sym_T(self):
    from .. import ops

    return ops.transpose(self)


def _install():
    from ..tensor import install_operators

    install_operators(Sym, with_eq=False)  # == stays identity: Syms are dict keys
    Sym.__getitem__ = _sym_getitem
    Sym.T = property(_sym_T)


_install()
