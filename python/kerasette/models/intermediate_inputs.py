"""`keras.Model(inputs=t, ...)` where `t` is a layer's output rather than a `keras.Input`.

Keras accepts such inputs: it gives the model a fresh InputLayer in place of `t` and
keeps only the layers between it and the outputs (keras-io's FeatureSpace example trains
`keras.Model(inputs=encoded_features, outputs=predictions)`). Here the calls between the
given tensors and the outputs are replayed on new `keras.Input`s, so the new model has
its own graph and shares the layers (and their weights) with the original.
"""

from ..graph import tree
from ..layers.input_layer import Input, InputLayer
from .graph_map import CallTable
from .operations import Operation


def from_input(x):
    rec = x._keras_history[0]
    return isinstance(getattr(rec, "layer", None), InputLayer) and not rec.args and not rec.kwargs


def cut_at_inputs(inputs, outputs):
    """(inputs, outputs) with every input that is not a `keras.Input` replaced by a new
    one, and the outputs re-made from them; the structures (lists, dicts) are kept."""
    flat_in, in_spec = tree.flatten(inputs)
    flat_out, out_spec = tree.flatten(outputs)
    values = {}
    new_in = []
    for x in flat_in:
        if from_input(x):
            new = x
        else:
            new = Input(batch_shape=tuple(x.shape), dtype=x.dtype)
        values[id(x)] = new
        new_in.append(new)
    for call in _calls_between(flat_in, flat_out):
        outs = _replay(call, values)
        for old, new in zip(call.outputs, tree.flatten(outs)[0]):
            values[id(old)] = new
    new_out = [values[id(x)] for x in flat_out]
    return tree.unflatten(in_spec, new_in), tree.unflatten(out_spec, new_out)


def _calls_between(flat_in, flat_out):
    """The calls that lead from the given inputs to the outputs, each after the calls
    it needs (a depth-first post-order that stops at the inputs)."""
    table, stop = CallTable(), {id(x) for x in flat_in}
    order, done = [], set()
    for out in flat_out:
        stack = [(out, False)]
        while stack:
            sym, expanded = stack.pop()
            if id(sym) in stop:
                continue
            call, _ = table.of(sym)
            if id(call) in done:
                continue
            if expanded:
                done.add(id(call))
                order.append(call)
                continue
            if call.is_input:
                raise ValueError(
                    f"Graph disconnected: the input '{call.operation.name}' is needed by "
                    "the outputs but is not among the model's inputs"
                )
            stack.append((sym, True))
            stack.extend((x, False) for x in reversed(call.inputs))
    return order


def _replay(call, values):
    def value_of(x):
        return values.get(id(x), x) if hasattr(x, "_keras_history") else x

    if isinstance(call.operation, Operation):
        return call.operation.replay([value_of(a) for a in call.args])
    args = tree.map_structure(value_of, call.args)
    kwargs = {k: tree.map_structure(value_of, v) for k, v in call.kwargs.items()}
    return call.operation(*args, **kwargs)
