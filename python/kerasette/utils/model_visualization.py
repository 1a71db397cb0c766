"""`plot_model` and `model_to_dot`: a model's layers as a Graphviz graph, as Keras draws it.

Drawing needs `pydot` and the Graphviz programs (as Keras's does); without them the
functions raise Keras's ImportError (in IPython, plot_model prints it and returns).
One node per layer (its id as the node name, an HTML-like label with the name, class,
and optionally activation, shapes, dtype and trainable flag); an edge for each tensor
one layer hands another.
"""

import os
import sys

try:
    import pydot
except ImportError:  # pragma: no cover - depends on the environment
    pydot = None

_NOT_BUILT = (
    "This model has not yet been built. Build the model first by calling "
    "`build()` or by calling the model on a batch of data."
)


def check_pydot():
    """Whether pydot can be imported."""
    return pydot is not None


def check_graphviz():
    """Whether pydot and the Graphviz programs both work (renders an empty graph)."""
    if pydot is None:
        return False
    try:
        pydot.Dot.create(pydot.Dot())
        return True
    except (OSError, pydot.PydotException):
        return False


def _cell(text, bg="white", color=None, colspan=None):
    span = f' colspan="{colspan}"' if colspan else ""
    font = f'<font point-size="14" color="{color}">' if color else '<font point-size="14">'
    return f'<td bgcolor="{bg}"{span}>{font}{text}</font></td>'


def _activation_name(layer):
    act = layer.activation
    return getattr(act, "name", None) or getattr(act, "__name__", None) or str(act)


def _shape_text(shape):
    if shape is None:
        return "?"
    if isinstance(shape, dict):
        shape = ", ".join(f"{k}: {v}" for k, v in shape.items())
    return str(shape).replace("{", "").replace("}", "")


def _io_attr(layer, attr, fn):
    from ..graph import tree

    try:
        value = getattr(layer, attr)
    except (ValueError, AttributeError):
        return None
    return tree.map_structure(fn, value)


def _sequential_io(model):
    """{id(layer): (input shape, output shape, output dtype)} for a Sequential's layers,
    which have no symbolic input/output here: the shapes follow from the model's."""
    shape, out = getattr(model, "_build_input_shape", None), {}
    if shape is None:
        return out
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        try:
            nxt = tuple(layer.compute_output_shape(shape))
        except Exception:  # a layer that cannot say: Keras's "?"
            return out
        dtype = getattr(layer, "compute_dtype", None) or "float32"
        out[id(layer)] = (tuple(shape), nxt, str(dtype))
        shape = nxt
    return out


def _label(
    layer,
    show_layer_names,
    show_layer_activations,
    show_dtype,
    show_shapes,
    show_trainable,
    known_io=None,
):
    kind = type(layer).__name__
    width = max(1, int(show_dtype) + int(show_trainable) + (2 if show_shapes else 0))
    title = f"<b>{layer.name}</b> ({kind})" if show_layer_names else f"<b>{kind}</b>"
    rows = [
        f'<tr><td colspan="{width}" bgcolor="black"><font point-size="16" '
        f'color="white">{title}</font></td></tr>'
    ]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        rows.append(
            "<tr>" + _cell(f"Activation: <b>{_activation_name(layer)}</b>", colspan=width) + "</tr>"
        )
    cols = []
    shape = lambda x: tuple(x.shape)  # noqa: E731
    in_shape, out_shape, dtype = (known_io or {}).get(id(layer)) or (
        _io_attr(layer, "input", shape),
        _io_attr(layer, "output", shape),
        _io_attr(layer, "output", lambda x: str(x.dtype)),
    )
    if show_shapes:
        if kind != "InputLayer":
            cols.append(_cell(f"Input shape: <b>{_shape_text(in_shape)}</b>"))
        cols.append(_cell(f"Output shape: <b>{_shape_text(out_shape)}</b>"))
    if show_dtype:
        cols.append(_cell(f"Output dtype: <b>{dtype or '?'}</b>"))
    if show_trainable and getattr(layer, "weights", None):
        cols.append(
            _cell("<b>Trainable</b>", "forestgreen", "white")
            if layer.trainable
            else _cell("<b>Non-trainable</b>", "firebrick", "white")
        )
    if cols:
        rows.append("<tr>" + "".join(cols) + "</tr>")
    return (
        '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
        + "".join(rows)
        + "</table>>"
    )


def _node(layer, flags):
    node = pydot.Node(str(id(layer)), label=_label(layer, **flags))
    for key, value in (("fontname", "Helvetica"), ("border", "0"), ("margin", "0")):
        node.set(key, value)
    return node


def _edge(dot, src, dst):
    a, b = str(id(src)), str(id(dst))
    if not dot.get_edge(a, b):
        edge = pydot.Edge(a, b)
        edge.set("penwidth", "2")
        dot.add_edge(edge)


def _is_graph_model(layer):
    from ..models.functional import Functional
    from ..models.sequential import Sequential

    return isinstance(layer, (Functional, Sequential))


def _last_real(model, index):
    """The innermost layer that makes output `index` of a nested model."""
    from ..models.functional import Functional

    while _is_graph_model(model):
        if isinstance(model, Functional):
            call, index = model.tensor_history(model.outputs[index])
            model = call.operation
        else:
            model, index = model.layers[-1], 0
    return model


def _first_real(model, index):
    """The innermost layer that takes input `index` of a nested model."""
    from ..models.functional import Functional

    while _is_graph_model(model):
        if isinstance(model, Functional):
            model = model.tensor_history(model.inputs[index])[0].operation
        else:
            model = model.layers[0]
    return model


def model_to_dot(
    model,
    show_shapes=False,
    show_dtype=False,
    show_layer_names=True,
    rankdir="TB",
    expand_nested=False,
    dpi=200,
    subgraph=False,
    show_layer_activations=False,
    show_trainable=False,
    splines="ortho",
    **kwargs,
):
    """The model as a `pydot.Dot` graph (a `pydot.Cluster` when `subgraph`).

    Args:
        model: A built model.
        show_shapes: Show each layer's input and output shapes.
        show_dtype: Show each layer's output dtype.
        show_layer_names: Show layer names (else only their classes).
        rankdir: Graphviz's layout direction: `"TB"` (top to bottom) or `"LR"`.
        expand_nested: Draw nested Sequential/functional models as clusters.
        dpi: Resolution of the image.
        subgraph: Return a `pydot.Cluster` (used for nested models).
        show_layer_activations: Show the activation of layers that have one.
        show_trainable: Show whether each layer with weights is trainable.
        splines: Graphviz's edge style (`"ortho"`, `"curved"`, `"polyline"`, ...).

    Returns:
        A `pydot.Dot` or `pydot.Cluster`.
    """
    from ..models.functional import Functional
    from ..models.sequential import Sequential

    if not model.built:
        raise ValueError(_NOT_BUILT)
    if pydot is None:
        raise ImportError("You must install pydot (`pip install pydot`) for model_to_dot to work.")
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        for key, value in (
            ("rankdir", rankdir),
            ("concentrate", True),
            ("dpi", dpi),
            ("splines", splines),
        ):
            dot.set(key, value)
        dot.set_node_defaults(shape="record")
    flags = dict(
        show_layer_names=show_layer_names,
        show_layer_activations=show_layer_activations,
        show_dtype=show_dtype,
        show_shapes=show_shapes,
        show_trainable=show_trainable,
    )
    if isinstance(model, Sequential):
        layers = [la for la in model.layers if type(la).__name__ != "InputLayer"]
        flags["known_io"] = _sequential_io(model)
    elif isinstance(model, Functional):
        layers = model.operations
    else:  # a subclassed model is one box
        dot.add_node(_node(model, flags))
        return dot
    for layer in layers:
        if expand_nested and _is_graph_model(layer):
            dot.add_subgraph(
                model_to_dot(
                    layer,
                    show_shapes,
                    show_dtype,
                    show_layer_names,
                    rankdir,
                    expand_nested,
                    subgraph=True,
                    show_layer_activations=show_layer_activations,
                    show_trainable=show_trainable,
                )
            )
        else:
            dot.add_node(_node(layer, flags))
    if isinstance(model, Sequential):
        if not expand_nested:
            for a, b in zip(layers, layers[1:]):
                _edge(dot, a, b)
            return dot
        for a, b in zip(layers, layers[1:]):
            _edge(dot, _last_real(a, 0), _first_real(b, 0))
        return dot
    for layer in layers:
        for call in model.calls_of(layer):
            if call.is_input:
                continue
            for pos, sym in enumerate(call.inputs):
                src_call, out_index = model.tensor_history(sym)
                src = src_call.operation
                if expand_nested:
                    src = _last_real(src, out_index)
                    layer_dst = _first_real(layer, pos)
                else:
                    layer_dst = layer
                _edge(dot, src, layer_dst)
    return dot


def plot_model(
    model,
    to_file="model.png",
    show_shapes=False,
    show_dtype=False,
    show_layer_names=False,
    rankdir="TB",
    expand_nested=False,
    dpi=200,
    show_layer_activations=False,
    show_trainable=False,
    splines="ortho",
    **kwargs,
):
    """Draws the model (model_to_dot) into an image file.

    Args:
        model: A built model.
        to_file: The image's path; its extension picks the format (png by default).
        show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
            show_layer_activations, show_trainable, splines: as in `model_to_dot`.

    Returns:
        An `IPython.display.Image` of the file when IPython is installed (and the
        format is not pdf), else None.

    Raises:
        ImportError: pydot or Graphviz is missing (outside IPython, as Keras).
    """
    if not model.built:
        raise ValueError(_NOT_BUILT)
    for ok, message in (
        (check_pydot, "You must install pydot (`pip install pydot`) for `plot_model` to work."),
        (
            check_graphviz,
            "You must install graphviz (see instructions at "
            "https://graphviz.gitlab.io/download/) for "
            "`plot_model` to work.",
        ),
    ):
        if not ok():
            if "IPython.core.magics.namespace" in sys.modules:
                print(message)  # a notebook goes on, as with Keras
                return None
            raise ImportError(message)
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    dot = model_to_dot(
        model,
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        rankdir=rankdir,
        expand_nested=expand_nested,
        dpi=dpi,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
        splines=splines,
    )
    to_file = str(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    if extension != "pdf":
        try:
            from IPython import display
        except ImportError:
            return None
        return display.Image(filename=to_file)
    return None
