"""The *front* of a model: preprocessing layer calls run in numpy before its graph.

The graph engine computes on float32 numbers only: it has no strings and cannot run
TensorFlow's 64-bit hashes. A functional model's calls of StringLookup,
TextVectorization, Hashing or HashedCrossing on a `keras.Input(dtype="string")`, and of
Hashing or HashedCrossing on numeric model inputs (Keras hashes an int as the FarmHash
of its decimal string), are kept out of the graph (the model's front): on every
`model(x)`, fit, evaluate and predict they run eagerly on the raw inputs
(`layer.preprocess`, numpy), and their outputs enter the compiled graph as extra graph
inputs after the model's numeric ones. While the graph is traced, `Functional.call`
takes a front call's outputs from `fed_outputs` instead of running the layer.
`runs_in_front` is the one rule saying which calls these are.

A model input may feed several front calls, and a front call (HashedCrossing) may
read several model inputs, string or numeric. A layer that reads a string input must
be such a preprocessing layer, called on model inputs directly. A Sequential model's
first layer is its front when it reads strings or hashes numbers (`sequential_front`).
"""

import contextlib
import threading

import numpy as np

from ..graph import tree
from ..graph.ir import Sym

_fed = threading.local()


class _StringStandIn:
    """What a string input is inside the traced graph: only front calls read it, and
    they are fed, so nothing ever looks at it."""

    shape = None

    def __repr__(self):
        return "<string input, preprocessed before the graph>"


STAND_IN = _StringStandIn()


def is_string(sym):
    return getattr(sym, "dtype", None) == "string"


def is_model_input(sym):
    """True for the Sym of a `keras.Input` (as a model is drawn; a traced graph's
    placeholders carry no history)."""
    from ..layers.input_layer import InputLayer

    rec = (getattr(sym, "_keras_history", None) or (None,))[0]
    return isinstance(getattr(rec, "layer", None), InputLayer)


def runs_in_front(layer, syms, is_input=is_model_input):
    """True when this call of `layer` on `syms` runs before the graph: a preprocessing
    layer reading a string, or a layer that hashes numbers (`front_on_numbers`:
    Hashing, HashedCrossing) reading model inputs only."""
    if not hasattr(layer, "preprocess"):
        return False
    if any(is_string(s) for s in syms):
        return True
    return (
        getattr(layer, "front_on_numbers", False) and bool(syms) and all(is_input(s) for s in syms)
    )


def front_output(layer, inputs):
    """The symbolic output of a front call (`runs_in_front`) while a functional model
    is drawn: a fresh placeholder of the layer's output shape (the
    values come from `preprocess`, outside the graph)."""
    leaves = [x for x in tree.flatten(inputs)[0] if isinstance(x, Sym)]
    if isinstance(inputs, (list, tuple)):
        in_shape = [tuple(x.shape) for x in leaves]
        shape = layer.compute_output_shape(in_shape[0] if len(in_shape) == 1 else in_shape)
    else:
        shape = layer.compute_output_shape(tuple(inputs.shape))
    return leaves[0].graph.placeholder(tuple(shape), output_dtype(layer), name=layer.name)


def output_dtype(layer):
    """The dtype of a front layer's output in the graph: int64 ids (as Keras's
    KerasTensor says) in "int" mode, float32 vectors otherwise."""
    mode = getattr(layer, "output_mode", None) or getattr(layer, "_output_mode", None)
    return "int64" if mode == "int" and not getattr(layer, "invert", False) else "float32"


def sequential_front(model):
    """The first layer of a Sequential model whose Input is a string, or that hashes
    numbers (Hashing), or None: the data adapter runs it (`preprocess`) before the
    compiled graph, which then takes its output (shape and dtype from
    `sequential_graph_input`)."""
    from .sequential import Sequential

    if not isinstance(model, Sequential) or not model.layers:
        return None
    first = model.layers[0]
    if getattr(first, "front_on_numbers", False) and getattr(first, "preprocess_arrays", False):
        return first
    if getattr(model.input_layer, "input_dtype", None) != "string":
        return None
    if not getattr(first, "preprocess_arrays", False):
        raise ValueError(
            f"Layer '{first.name}' ({type(first).__name__}) reads a string input: "
            "kerasette has no string tensors, and runs string inputs only through "
            "preprocessing layers (StringLookup, TextVectorization, Hashing) first"
        )
    return first


def build_from_strings(model, x):
    """A Sequential model without an Input whose first layer is a string preprocessing
    layer, first given string data: built with a string Input of the data's shape (as
    Keras builds it from the data), so the graph starts after that layer."""
    from ..layers._preprocessing import is_string_array, to_numpy
    from ..layers.input_layer import InputLayer
    from .sequential import Sequential

    if (
        not isinstance(model, Sequential)
        or model.built
        or model.input_layer is not None
        or not model.layers
        or not getattr(model.layers[0], "preprocess_arrays", False)
        or isinstance(x, dict)
    ):
        return
    a = to_numpy(x)
    if a.ndim == 0 or not is_string_array(a):
        return
    shape = a.shape[1:] or (1,)  # a batch of single strings: one per row
    model._layers.insert(0, InputLayer(batch_shape=(None,) + shape, dtype="string"))
    model.build()


def sequential_graph_input(model, batch_shape):
    """(shape, dtype) of what the compiled graph of `model` takes for inputs of
    `batch_shape`: the front layer's output, or the input itself."""
    first = sequential_front(model)
    if first is None:
        return tuple(batch_shape), None
    return tuple(first.compute_output_shape(tuple(batch_shape))), output_dtype(first)


def fed_outputs(call):
    """The outputs given for `call` by the front while a graph is traced, or None."""
    fed = getattr(_fed, "values", None)
    return None if fed is None else fed.get(id(call))


@contextlib.contextmanager
def _feeding(values):
    saved = getattr(_fed, "values", None)
    _fed.values = values
    try:
        yield
    finally:
        _fed.values = saved


class Front:
    """The front calls of one functional model and its graph inputs."""

    def __init__(self, model):
        inputs = list(model.inputs)
        self.model_inputs = inputs
        self.input_ids = {id(x) for x in inputs}
        string_ids = {id(x) for x in inputs if is_string(x)}
        self.numeric = [i for i, x in enumerate(inputs) if not is_string(x)]
        self.calls = []
        for call in model._run_order:
            syms = [a for a in tree.flatten((call.args, call.kwargs))[0] if isinstance(a, Sym)]
            layer = call.operation
            reads_string = any(id(a) in string_ids for a in syms)
            if not reads_string:
                if runs_in_front(layer, syms, lambda a: id(a) in self.input_ids):
                    self.calls.append(call)  # hashes raw numbers
                continue
            name = getattr(layer, "name", "?")
            if not hasattr(layer, "preprocess"):
                raise ValueError(
                    f"Layer '{name}' ({type(layer).__name__}) reads a string input: "
                    "kerasette has no string tensors, and runs string inputs only "
                    "through preprocessing layers (StringLookup, TextVectorization, "
                    "Hashing, HashedCrossing) called directly on the model's inputs"
                )
            if any(id(a) not in self.input_ids for a in syms):
                raise ValueError(
                    f"Layer '{name}' reads a string input together with a tensor that is "
                    "not a model input; kerasette runs it before the graph, on the "
                    "model's raw inputs only"
                )
            self.calls.append(call)
        self._front_read = [
            a
            for call in self.calls
            for a in tree.flatten((call.args, call.kwargs))[0]
            if isinstance(a, Sym)
        ]
        self.graph_inputs = [inputs[i] for i in self.numeric] + [
            call.outputs[0] for call in self.calls
        ]
        self.graph_names = [inputs[i]._keras_history[0].layer.name for i in self.numeric] + [
            call.operation.name for call in self.calls
        ]

    # ---- arrays ------------------------------------------------------------------------
    def split(self, x, standardize):
        """The raw inputs in `model.inputs` order. A list of strings is one input's data
        for a model with one input (it would otherwise read as a list of inputs), and a
        list with one entry per input is taken as it is (nested lists of strings
        included)."""
        n = len(self.model_inputs)
        if n == 1 and isinstance(x, (list, tuple)) and _all_strings(x):
            return [x]
        if isinstance(x, (list, tuple)) and len(x) == n:
            return list(x)
        return standardize(x)

    def graph_arrays(self, flat):
        """The graph's input arrays from the raw inputs (in `model.inputs` order): the
        numeric ones as given, then each front call's output, computed in numpy."""
        from ..layers._preprocessing import to_numpy

        raw = {}
        for sym, value in zip(self.model_inputs, flat):
            if value is not None and any(sym is a for a in self._front_read):
                value = to_numpy(value)
                if value.ndim == len(sym.shape) - 1 and sym.shape[-1] == 1:
                    value = value[..., None]  # a missing trailing 1, as for numbers
            raw[id(sym)] = value
        out = [flat[i] for i in self.numeric]
        for call in self.calls:
            args = tree.map_structure(lambda a: raw[id(a)] if isinstance(a, Sym) else a, call.args)
            kwargs = {k: v for k, v in call.kwargs.items() if k not in ("training", "mask")}
            out.append(np.asarray(call.operation.preprocess(*args, **kwargs)))
        return out

    # ---- tracing -----------------------------------------------------------------------
    def forward(self, model, graph_inputs, training):
        """The model's outputs, traced on its graph inputs (Syms): numeric inputs, then
        the front calls' outputs."""
        from ..graph.trace import inside_layer
        from ..layers import call_context

        if not isinstance(graph_inputs, (list, tuple)):
            graph_inputs = [graph_inputs]
        graph_inputs = list(graph_inputs)
        values = [STAND_IN] * len(self.model_inputs)
        for i, x in zip(self.numeric, graph_inputs):
            values[i] = x
        fed = {id(call): [x] for call, x in zip(self.calls, graph_inputs[len(self.numeric) :])}
        with (
            _feeding(fed),
            inside_layer(),
            call_context.training_scope(training),
        ):
            return model.call(values, training=training)

    def eager_call(self, model, inputs, training=False):
        """`model(x)` on arrays: the front in numpy, the rest as one traced Function."""
        from ..graph.function import Function

        flat = self.split(inputs, model._standardize_inputs)
        arrays = self.graph_arrays(flat)
        fns = model.__dict__.setdefault("_front_fns", {})
        fn = fns.get(bool(training))
        if fn is None:

            def traced(xs, training=bool(training)):
                return self.forward(model, xs, training)

            fn = fns[bool(training)] = Function(traced, name=model.name)
        out = fn(arrays)
        return out[0] if isinstance(out, (list, tuple)) and len(out) == 1 else out


def _all_strings(x):
    leaves = tree.flatten(x)[0]
    return bool(leaves) and all(isinstance(v, (str, bytes)) for v in leaves)


def front_of(model):
    """The model's Front, or None for a model without front calls (made once: a
    functional model's graph does not change)."""
    cached = model.__dict__.get("_front", False)
    if cached is not False:
        return cached
    from .functional import Functional

    front = None
    if isinstance(model, Functional):
        front = Front(model)
        if not front.calls and not any(is_string(x) for x in model.inputs):
            front = None
    model.__dict__["_front"] = front
    return front
