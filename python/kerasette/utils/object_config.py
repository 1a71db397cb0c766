"""Keras 3's object-config envelope: {"module", "class_name", "config", "registered_name"}.

Shared by initializers, regularizers, constraints, losses, metrics and optimizers so
that their dicts are the ones Keras writes into config.json.
"""


def serialize(obj, module):
    if obj is None:
        return None
    return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(),
            "registered_name": None}


def make_getter(kind, classes, aliases, module):
    """Builds Keras's `get(identifier)` for one family of objects.

    identifier: None, an instance, a string (alias or class name), a config dict
    {"class_name", "config"} or a callable (kept as is).
    """
    by_name = {cls.__name__: cls for cls in classes}

    def deserialize(config, custom_objects=None):
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(f"Could not interpret {kind} config: {config!r}")
        name = config["class_name"]
        table = dict(by_name, **(custom_objects or {}))
        if name not in table:
            raise ValueError(f"Unknown {kind}: {name!r}. Known: {sorted(by_name)}")
        return table[name].from_config(config.get("config") or {})

    def get(identifier):
        if identifier is None:
            return None
        if isinstance(identifier, tuple(classes)):
            return identifier
        if isinstance(identifier, dict):
            return deserialize(identifier)
        if isinstance(identifier, str):
            key = identifier
            if key in aliases:
                return aliases[key]()
            if key in by_name:
                return by_name[key]()
            raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}. "
                             f"Known names: {sorted(set(aliases) | set(by_name))}")
        if callable(identifier):
            return identifier
        raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}")

    def serialize_obj(obj):
        return serialize(obj, module)

    return get, deserialize, serialize_obj
