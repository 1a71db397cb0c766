"""Where each layer's variables go in a Keras 3 weights file (saving_lib's walk).

Keras names a group after the path it reached an object by, never after the object's
name: a Sequential or functional model lists `layers/<class>[_n]` first (numbered per
container), then every attribute holding a layer or a list/dict of layers, in sorted
order with private names last; a subclassed model has no such first list, but its
`layers` property is one of its attributes. Nested models recurse. An object reached a
second time is not written again, though it still takes its number in a container.
"""

from ..utils.naming import to_snake_case

_SKIP = ("_eager_fns", "_inbound_calls", "_eager_losses", "_output_sym")


def weight_groups(model):
    """[(group path, layer, its own variables)] in the order Keras writes them; the
    model itself (the file's top-level "vars") is not listed."""
    out, visited = [], {id(model)}
    for attr, value in _children(model):
        _visit(value, attr, visited, out)
    return out


def _is_graph_model(obj):
    from .functional import Functional
    from .sequential import Sequential

    return isinstance(obj, (Sequential, Functional))


def _children(obj):
    """(attribute path, value) pairs Keras's walk visits below `obj`."""
    from ..layers.layer import Layer
    from .model import Model

    if _is_graph_model(obj):
        yield "layers", obj.layers
    attrs = {} if _is_graph_model(obj) else dict(vars(obj))
    if isinstance(obj, Model) and not _is_graph_model(obj):
        attrs["layers"] = obj.layers
    for name in sorted(attrs, key=lambda n: f"~{n}" if n.startswith("_") else n):
        if name in _SKIP or name.startswith("_ks_"):
            continue
        value = attrs[name]
        if isinstance(value, Layer) or (
            isinstance(value, (list, tuple, dict)) and _holds_layers(value)
        ):
            yield name, value


def _holds_layers(container, depth=0):
    from ..layers.layer import Layer

    items = container.values() if isinstance(container, dict) else container
    for v in items:
        if isinstance(v, Layer):
            return True
        if depth < 3 and isinstance(v, (list, tuple, dict)) and _holds_layers(v, depth + 1):
            return True
    return False


def _visit(value, path, visited, out):
    from ..layers.layer import Layer

    if isinstance(value, Layer):
        if id(value) in visited:
            return
        visited.add(id(value))
        own = value._own_weights() if hasattr(value, "_own_weights") else value.weights
        sub = getattr(value, "_keras_weight_groups", None)
        if sub is not None:  # Keras keeps this layer's weights in sublayers it lacks
            out.append((path, value, []))
            out.extend((f"{path}/{name}", value, list(vs)) for name, vs in sub())
        else:
            out.append((path, value, list(own)))
        for attr, child in _children(value):
            _visit(child, f"{path}/{attr}", visited, out)
        return
    items = list(value.values()) if isinstance(value, dict) else list(value)
    used = {}
    for item in items:
        if isinstance(item, Layer):
            name = _unique(to_snake_case(type(item).__name__), used)
        elif isinstance(item, (list, tuple, dict)):
            name = _unique("container", used)
        else:
            continue
        _visit(item, f"{path}/{name}", visited, out)


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name
