"""Nested structures (lists, tuples, dicts) of tensors flattened to a list and back."""


def flatten(x):
    """(leaves, spec): spec rebuilds the structure with `unflatten(spec, leaves)`."""
    leaves = []

    def walk(v):
        if isinstance(v, dict):
            keys = sorted(v)
            return ("dict", keys, [walk(v[k]) for k in keys])
        if isinstance(v, (list, tuple)):
            return (type(v).__name__, None, [walk(i) for i in v])
        if v is None:
            return ("none", None, None)
        leaves.append(v)
        return ("leaf", None, None)

    return leaves, walk(x)


def unflatten(spec, leaves):
    it = iter(leaves)

    def build(s):
        kind, keys, kids = s
        if kind == "leaf":
            return next(it)
        if kind == "none":
            return None
        items = [build(k) for k in kids]
        if kind == "dict":
            return dict(zip(keys, items))
        return tuple(items) if kind == "tuple" else items

    return build(spec)


def map_structure(fn, x):
    leaves, spec = flatten(x)
    return unflatten(spec, [fn(v) for v in leaves])
