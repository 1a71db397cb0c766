"""The graph of a functional model, read from the history symbolic tensors carry.

Every tensor made outside a layer's call knows what made it (`_keras_history`): a layer
call (`LayerCall`) or an op between layers (a graph node, wrapped once as an
`Operation`). From the outputs back to the inputs this finds the calls, their depths and
the order of the operations the way Keras's `map_graph` does, so that `model.layers`,
the summary and the config list them in Keras's order.
"""

from ..graph import tree
from ..graph.ir import Node, Sym
from ..layers.call_context import LayerCall
from ..layers.input_layer import InputLayer
from .operations import Operation


class Call:
    """One call in the model: `operation` (a Layer or an Operation) applied to `args`
    and `kwargs` (Syms where a tensor of the model goes), making `outputs` (flat)."""

    __slots__ = ("operation", "args", "kwargs", "outputs", "inputs", "order")

    def __init__(self, operation, args, kwargs, outputs, inputs, order):
        self.operation, self.args, self.kwargs = operation, args, kwargs
        self.outputs, self.inputs, self.order = outputs, inputs, order

    @property
    def is_input(self):
        return isinstance(self.operation, InputLayer) and not self.inputs

    def __repr__(self):
        return f"<Call {self.operation.name}>"


def history(sym):
    """(record, index) of a tensor, an op's graph node wrapped as an Operation."""
    hist = getattr(sym, "_keras_history", None)
    if hist is None:
        return None
    rec, index = hist
    if isinstance(rec, Node):  # once per node, so every model sees one op, one name
        op = Operation(rec)
        for i, out in enumerate(rec.outputs):
            out._keras_history = (op, i)
        rec = op
    return rec, index


def _producer_value(sym, where):
    """What an op input without history stands for: a constant or a variable."""
    node = sym.node
    if node.op == "constant":
        return node.attrs["value"]
    if node.op == "variable":
        return node.attrs["var"]
    raise ValueError(
        f"Graph disconnected: an input of {where} ({sym}) does not come from "
        "the model's inputs (a tensor made inside a layer's call cannot be "
        "used outside it)"
    )


class CallTable:
    """One `Call` per record, made on first sight."""

    def __init__(self):
        self._calls = {}

    def of(self, sym):
        hist = history(sym)
        if hist is None:
            raise ValueError(
                f"Graph disconnected: {sym} was not made by keras.Input or a "
                "layer called on one (was it made inside a layer's call?)"
            )
        rec, index = hist
        call = self._calls.get(id(rec))
        if call is None:
            call = self._calls[id(rec)] = self._make(rec)
        return call, index

    def _make(self, rec):
        if isinstance(rec, Operation):
            where = f"op '{rec.name}'"
            args = [
                s if history(s) is not None else _producer_value(s, where) for s in rec.node.inputs
            ]
            inputs = [a for a in args if isinstance(a, Sym)]
            return Call(rec, args, {}, list(rec.node.outputs), inputs, rec.node.id)
        if not isinstance(rec, LayerCall):
            raise TypeError(f"Unknown tensor history record {rec!r}")
        outputs = tree.flatten(rec.outputs)[0]
        inputs = [x for x in tree.flatten((rec.args, rec.kwargs))[0] if isinstance(x, Sym)]
        for x in inputs:
            if history(x) is None:
                raise ValueError(
                    f"Graph disconnected: an input of layer '{rec.layer.name}' "
                    f"({x}) does not come from keras.Input or a layer"
                )
        _check_has_call(rec.layer, inputs, outputs)
        ids = [o.node.id for o in outputs if isinstance(o, Sym)]
        order = -1 if not inputs else (min(ids) if ids else 0)
        return Call(rec.layer, rec.args, rec.kwargs, outputs, inputs, order)


def _check_has_call(layer, inputs, outputs):
    from ..layers.layer import _has_call

    if inputs and not _has_call(layer):
        raise NotImplementedError(
            f"Layer '{layer.name}' ({type(layer).__name__}) has no call() written in "
            "kerasette.ops yet, so it cannot run in a functional model"
        )
    if any(o is i for o in outputs for i in inputs):
        raise ValueError(
            f"Layer '{layer.name}' returned its input tensor itself; the "
            "functional graph needs a new tensor from each layer call"
        )


def map_graph(inputs, outputs, table):
    """Keras's map_graph: (operations in order, calls by depth, calls per operation).

    inputs, outputs: flat lists of Syms."""
    input_ids = {id(s) for s in inputs}
    finished, in_progress = set(), set()
    post_order, op_index = [], {}

    # Depth-first from each output (Keras's _build_map), without Python recursion.
    for out in outputs:
        stack = [(out, None)]
        while stack:
            sym, pending = stack[-1]
            call, _ = table.of(sym)
            if pending is None:
                if id(call) in finished:
                    stack.pop()
                    continue
                if id(call) in in_progress:
                    raise ValueError(f"The model's graph has a cycle at {call.operation.name}")
                op_index.setdefault(id(call.operation), len(op_index))
                in_progress.add(id(call))
                deps = [] if (call.is_input or id(sym) in input_ids) else list(call.inputs)
                pending = iter(deps)
                stack[-1] = (sym, pending)
            nxt = next(pending, None)
            if nxt is not None:
                stack.append((nxt, None))
                continue
            stack.pop()
            in_progress.discard(id(call))
            if id(call) not in finished:
                finished.add(id(call))
                post_order.append(call)

    node_depth, op_depth, ops = {}, {}, {}
    calls = {id(c): c for c in post_order}
    for call in reversed(post_order):
        depth = max(node_depth.setdefault(id(call), 0), op_depth.get(id(call.operation), 0))
        op_depth[id(call.operation)] = depth
        ops[id(call.operation)] = call.operation
        node_depth[id(call)] = depth
        for x in call.inputs:
            parent, _ = table.of(x)
            calls[id(parent)] = parent
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for sym in inputs:  # inputs that no output needs
        call, _ = table.of(sym)
        if id(call.operation) not in op_depth:
            op_depth[id(call.operation)] = 0
            op_index[id(call.operation)] = -1
            ops[id(call.operation)] = call.operation
            node_depth[id(call)] = 0
            calls[id(call)] = call

    by_depth = {}
    for cid, depth in node_depth.items():
        by_depth.setdefault(depth, []).append(calls[cid])
    operations = sorted(ops.values(), key=lambda op: (-op_depth[id(op)], op_index[id(op)]))
    _check_connected(inputs, by_depth, table)
    calls_of = {}
    for call in sorted(calls.values(), key=lambda c: c.order):
        calls_of.setdefault(id(call.operation), []).append(call)
    return operations, by_depth, calls_of


def _check_connected(inputs, by_depth, table):
    known = {id(s) for s in inputs}
    input_calls = {id(table.of(s)[0]) for s in inputs}
    done = []
    for depth in sorted(by_depth, reverse=True):
        for call in by_depth[depth]:
            if call.is_input and id(call) not in input_calls:
                raise ValueError(
                    f"Graph disconnected: the input '{call.operation.name}' is needed by the "
                    f"outputs but is not among the model's inputs. The following previous "
                    f"operations were accessed without issue: {done}"
                )
            for x in call.inputs:
                if id(x) not in known:
                    raise ValueError(
                        f"Graph disconnected: cannot find parent for tensor {x} at layer "
                        f"'{call.operation.name}'. The following previous operations were "
                        f"accessed without issue: {done}"
                    )
            known.update(id(o) for o in call.outputs)
            done.append(call.operation.name)
