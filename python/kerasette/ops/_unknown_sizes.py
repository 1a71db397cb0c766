"""Shapes with sizes known only when a traced step runs.

Inside a traced call `ops.shape(x)[0]` is None (the batch), and Keras code passes it on
to creation ops: `ops.zeros((ops.shape(x)[0], units))`, `keras.random.normal(shape=(batch,
dim))`. Those ops take the unknown sizes from a traced tensor that has them: an input of
the layer call in progress, else an input of the function being traced. A None at axis
i is that tensor's size at axis i (Keras code writes the batch at axis 0)."""


def reference_for(shape):
    """A traced tensor with an unknown size at every axis where `shape` has None; None
    when `shape` is fully known. Raises outside a traced call, or when none fits."""
    if all(d is not None for d in shape):
        return None
    from ..graph.trace import current_graph
    from ..layers import call_context

    candidates = list(call_context.call_inputs())
    graph = current_graph()
    if graph is not None:
        candidates += [n.outputs[0] for n in graph.nodes if n.op == "placeholder"]
    if not candidates:
        raise ValueError(
            f"A shape needs all its sizes known here, got {tuple(shape)} (a "
            "size may be unknown only inside a layer's call or a traced "
            "function)"
        )
    for ref in candidates:
        if all(
            i < len(ref.shape) and ref.shape[i] is None for i, d in enumerate(shape) if d is None
        ):
            return ref
    raise ValueError(
        f"The shape {tuple(shape)}: its unknown sizes match no input of the "
        "traced call (only a size that is unknown in an input, such as the "
        "batch, can be left unknown)"
    )


def sized_like(shape):
    """A traced tensor of rank len(shape): the run-time size where `shape` has None, 1
    elsewhere (something to broadcast a constant against)."""
    from . import _prim

    ref = reference_for(shape)
    rank = len(shape)
    view = _prim.strided_slice(
        ref,
        [None if (i < rank and shape[i] is None) else 0 for i in range(len(ref.shape))],
        [None if (i < rank and shape[i] is None) else 1 for i in range(len(ref.shape))],
        [1] * len(ref.shape),
    )
    extra = tuple(range(rank, len(ref.shape)))
    return _prim.squeeze(view, extra) if extra else view
