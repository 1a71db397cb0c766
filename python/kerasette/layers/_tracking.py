"""Sublayers a layer holds in its attributes (Keras tracks them automatically)."""


def sublayers(layer):
    from .layer import Layer

    found, seen = [], {id(layer)}

    def visit(value, depth):
        if isinstance(value, Layer):
            if id(value) not in seen:
                seen.add(id(value))
                found.append(value)
        elif depth < 3 and isinstance(value, (list, tuple)):
            for v in value:
                visit(v, depth + 1)
        elif depth < 3 and isinstance(value, dict):
            for v in value.values():
                visit(v, depth + 1)

    for key, value in layer.__dict__.items():
        if not key.startswith("_ks_") and key not in ("_inbound_calls", "_eager_fns"):
            visit(value, 0)
    return found


def unique(variables):
    seen, out = set(), []
    for v in variables:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out
