"""`FnIR`: one traced function as the compiler sees it: its own graph, its inputs
(placeholders), its outputs, and its effects (state writes that must run).

Passes take an FnIR and return a new one; they never change a user's graph (which may
be finalized). `Rebuilder` is how a pass emits a new graph node by node.
"""

from . import registry
from .ir import Graph, producers_of


class FnIR:
    def __init__(self, graph, inputs, outputs, effects=()):
        self.graph = graph
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.effects = list(effects)

    @property
    def nodes(self):
        """The nodes the outputs and effects need, in order."""
        roots = self.outputs + self.effects
        return producers_of(roots) if roots else []

    def __repr__(self):
        from .printer import format_fn

        return format_fn(self)


class Rebuilder:
    """Copies nodes into a fresh graph, mapping old Syms to new ones."""

    def __init__(self, name="fn"):
        self.graph = Graph(name)
        self.map = {}

    def __getitem__(self, sym):
        return self.map[id(sym)]

    def emit(self, op, inputs, attrs, like=None):
        """A new node; `like` is an old node whose output specs it keeps."""
        if like is not None:
            specs = [(o.shape, o.dtype) for o in like.outputs]
        else:
            specs = registry.specs(registry.get(op).infer(*inputs, **attrs))
        return self.graph.add(op, inputs, attrs, specs)

    def copy(self, node):
        outs = self.emit(node.op, [self[i] for i in node.inputs], node.attrs, like=node)
        for old, new in zip(node.outputs, outs):
            self.map[id(old)] = new
            new.name = old.name
        if node.op == "variable":
            self.graph._var_syms[id(node.attrs["var"])] = outs[0]
        return outs

    def alias(self, old, new):
        self.map[id(old)] = new

    def finish(self, fn):
        return FnIR(
            self.graph,
            [self[s] for s in fn.inputs],
            [self[s] for s in fn.outputs],
            [self[s] for s in fn.effects],
        )


def extract(inputs, outputs, effects=(), name="fn"):
    """The part of a graph that computes outputs/effects from inputs, as a new FnIR."""
    fn = FnIR(None, inputs, outputs, effects)
    rb = Rebuilder(name)
    needed = fn.nodes
    input_ids = {id(s) for s in inputs}
    for s in inputs:
        (new,) = rb.graph.add("placeholder", [], {"name": s.name}, [(s.shape, s.dtype)])
        new.name = s.name
        rb.alias(s, new)
    for node in needed:
        if all(id(o) in input_ids for o in node.outputs):
            continue
        if node.op == "placeholder":
            raise ValueError(
                f"the outputs depend on a placeholder {node.outputs[0].name!r} "
                "that is not among the inputs"
            )
        rb.copy(node)
    return rb.finish(fn)
