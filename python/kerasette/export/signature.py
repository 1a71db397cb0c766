"""The model's inputs as export sees them, and its inference forward traced on them.

`input_specs` gives one `InputSpec` (name, shape with None for the batch, dtype) per
model input and the structure the model takes them in, as Keras's
`export_utils.get_input_signature` does: a functional model's `Input`s, a Sequential's
input layer, the shapes a subclassed model was built on. `trace_inference` traces the
forward with `training=False`, as predict does, into an FnIR whose batch axis is None,
so the exported artifact takes any batch size.
"""

import numpy as np

from ..graph import tree


class InputSpec:
    def __init__(self, name, shape, dtype):
        self.name = name
        self.shape = tuple(shape)
        self.dtype = str(np.dtype(dtype))

    def __repr__(self):
        return f"InputSpec(name={self.name!r}, shape={self.shape}, dtype={self.dtype})"


def input_specs(model, input_signature=None):
    """(list of InputSpec, structure the model's call takes them in)."""
    from ..models.model import Model

    if not isinstance(model, Model):
        raise TypeError(
            f"The model must be a `keras.Model`. Received: model={model} of the type {type(model)}"
        )
    if not model.built:
        raise ValueError(
            "The model provided has not yet been built. It must be built before export."
        )
    if input_signature is not None:
        return _from_signature(input_signature)
    from ..models.functional import Functional
    from ..models.sequential import Sequential

    if isinstance(model, Functional):
        syms = list(model.inputs)
        names = [_input_name(s, i) for i, s in enumerate(syms)]
        specs = [InputSpec(n, (None,) + tuple(s.shape[1:]), s.dtype) for n, s in zip(names, syms)]
        return specs, _structure_of(model._inputs_struct)
    if isinstance(model, Sequential):
        layer = model.input_layer
        shape = tuple(model.input_shape)
        name = layer.name if layer is not None else "input_0"
        dtype = layer.input_dtype if layer is not None else "float32"
        return [InputSpec(name, (None,) + shape[1:], dtype)], ("leaf", None, None)
    shapes = getattr(model, "_build_input_shape", None)
    if shapes is None:
        raise ValueError(
            "The model provided has never been called. It must be called at "
            "least once before export."
        )
    leaves, spec = tree.flatten(_shape_leaves(shapes))
    specs = [
        InputSpec(f"input_{i}", (None,) + tuple(s.shape[1:]), "float32")
        for i, s in enumerate(leaves)
    ]
    return specs, spec


class _Shape:
    def __init__(self, shape):
        self.shape = tuple(shape)


def _shape_leaves(shapes):
    """A structure of shape tuples with each shape as one leaf."""
    if isinstance(shapes, tuple) and all(
        d is None or isinstance(d, (int, np.integer)) for d in shapes
    ):
        return _Shape(shapes)
    if isinstance(shapes, dict):
        return {k: _shape_leaves(v) for k, v in shapes.items()}
    if isinstance(shapes, (list, tuple)):
        return type(shapes)(_shape_leaves(v) for v in shapes)
    raise ValueError(f"Cannot read the model's input shapes from {shapes!r}")


def _structure_of(struct):
    return tree.flatten(struct)[1]


def _input_name(sym, i):
    hist = getattr(sym, "_keras_history", None)
    layer = getattr(hist[0], "layer", None) if hist else None
    return getattr(layer, "name", None) or sym.name or f"input_{i}"


def _from_signature(signature):
    """Keras's input_signature: a structure of specs (anything with shape and dtype:
    keras.InputSpec, tf.TensorSpec, a KerasTensor) or arrays. The batch axis is always
    None, so the artifact takes any batch size."""
    if isinstance(signature, (list, tuple)) and len(signature) == 1:
        # Keras's list of positional arguments: [spec], or [[spec, spec]] for a
        # functional model with two inputs; the model's call takes the one argument
        signature = signature[0]
    leaves, spec = tree.flatten(signature)
    if not leaves:
        raise ValueError("input_signature holds no input specs")
    specs = []
    for i, leaf in enumerate(leaves):
        shape, dtype = getattr(leaf, "shape", None), getattr(leaf, "dtype", None)
        if shape is None or dtype is None:
            raise TypeError(
                f"input_signature entry {i} ({leaf!r}) has no shape and dtype; "
                "give keras.InputSpec-like specs, symbolic tensors or arrays"
            )
        shape = tuple(None if d is None else int(d) for d in shape)
        if not shape:
            raise ValueError(f"input_signature entry {i} has no batch axis: shape {shape}")
        name = getattr(leaf, "name", None)
        name = name if isinstance(name, str) and name else f"input_{i}"
        dtype = getattr(dtype, "as_numpy_dtype", dtype)  # a tf.DType
        specs.append(InputSpec(name, (None,) + shape[1:], _graph_dtype(dtype)))
    return specs, spec


def _graph_dtype(dtype):
    d = str(np.dtype(dtype))
    return "float32" if d == "float64" else d


def unique_names(names):
    out, seen = [], set()
    for n in names:
        base, k = n, 1
        while n in seen:
            n = f"{base}_{k}"
            k += 1
        seen.add(n)
        out.append(n)
    return out


def trace_inference(model, specs, structure):
    """The forward with training=False on placeholders (batch axis None), as an FnIR."""
    from ..engine.step_graphs import forward
    from ..graph.fnir import FnIR
    from ..graph.ir import Graph
    from ..graph.trace import as_sym, tracing

    graph = Graph(f"{model.name}_export")
    phs = [graph.placeholder(s.shape, s.dtype, name=s.name) for s in specs]
    inputs = tree.unflatten(structure, phs)
    with tracing(graph):
        out = forward(model, inputs, False)
    leaves, out_structure = tree.flatten(out)
    if not leaves:
        raise ValueError("The model's forward returned no tensors; nothing to export")
    with tracing(graph):
        leaves = [as_sym(graph, o) for o in leaves]
    return FnIR(graph, phs, leaves), out_structure
