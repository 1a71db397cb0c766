"""Keras's compute_output_spec: run a layer's `call` on placeholders of a scratch graph
and read the shapes off the result (the default `compute_output_shape`)."""

import numpy as np


def _is_shape(x):
    return isinstance(x, (tuple, list)) and all(
        d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool)) for d in x
    )


def map_shapes(fn, structure):
    """Applies fn to every shape (a tuple of ints/None) in a nest of lists/tuples/dicts."""
    if _is_shape(structure):
        return fn(tuple(structure))
    if isinstance(structure, dict):
        return {k: map_shapes(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_shapes(fn, v) for v in structure)
    return structure


def output_spec(layer, *args, **kwargs):
    """The Syms `layer.call` returns for inputs given as shapes or Syms (any graph)."""
    from ..graph import tree
    from ..graph.ir import Graph, Sym
    from ..graph.trace import inside_layer, suspended, tracing

    graph = Graph(f"{layer.name}_output_spec")

    def placeholder(x):
        if isinstance(x, Sym):
            return graph.placeholder(x.shape, x.dtype)
        return graph.placeholder(tuple(x), "float32")

    inputs = args[0] if args else kwargs.pop("inputs")
    if (
        isinstance(inputs, Sym)
        or not _is_shape(inputs)
        and tree.flatten(inputs)[0]
        and all(isinstance(v, Sym) for v in tree.flatten(inputs)[0])
    ):
        phs = tree.map_structure(placeholder, inputs)
    else:
        phs = map_shapes(placeholder, inputs)
    if not layer.built:
        with suspended():  # weights are made eagerly, never as graph nodes
            layer._build_from_inputs(phs)
    with tracing(graph), inside_layer():
        return layer.call(phs, *args[1:], **kwargs)


def output_shapes(layer, input_shape):
    from ..graph import tree

    out = output_spec(layer, input_shape)
    return tree.map_structure(lambda s: tuple(s.shape), out)
