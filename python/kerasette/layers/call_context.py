"""What an outer call passes down to the layers it calls: the `training` flag (Keras
propagates it to nested layers that were not given one), the symbolic inputs of the
layer call in progress (a random draw sized `ops.shape(x)[0]` takes the batch from
them), and the record of each top-level layer call on symbolic tensors (the functional
API's history)."""

import contextlib
import threading

_state = threading.local()


def training():
    return getattr(_state, "training", None)


@contextlib.contextmanager
def training_scope(value):
    prev = training()
    _state.training = value if value is not None else prev
    try:
        yield
    finally:
        _state.training = prev


def call_inputs():
    """The symbolic input tensors of the innermost layer call in progress (a list)."""
    return getattr(_state, "inputs", None) or []


@contextlib.contextmanager
def inputs_scope(leaves):
    prev = call_inputs()
    _state.inputs = list(leaves)
    try:
        yield
    finally:
        _state.inputs = prev


class LayerCall:
    """One call of a layer on symbolic tensors outside any other layer's call."""

    __slots__ = ("layer", "args", "kwargs", "outputs")

    def __init__(self, layer, args, kwargs, outputs):
        self.layer, self.args, self.kwargs, self.outputs = layer, args, kwargs, outputs

    def __repr__(self):
        return f"<LayerCall {self.layer.name}>"


def record_call(layer, args, kwargs, outputs):
    from ..graph import tree
    from ..graph.ir import Sym

    rec = LayerCall(layer, args, kwargs, outputs)
    for i, out in enumerate(tree.flatten(outputs)[0]):
        if isinstance(out, Sym):
            out._keras_history = (rec, i)
    return rec
