"""Keras 3's object-config envelope: {"module", "class_name", "config", "registered_name"}.

Shared by initializers, regularizers, constraints, losses, metrics and optimizers so
that their dicts are the ones Keras writes into config.json.
"""


def serialize(obj, module):
    if obj is None:
        return None
    return {
        "module": module,
        "class_name": type(obj).__name__,
        "config": obj.get_config(),
        "registered_name": None,
    }


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
            raise ValueError(
                f"Could not interpret {kind} identifier: {identifier!r}. "
                f"Known names: {sorted(set(aliases) | set(by_name))}"
            )
        if callable(identifier):
            return identifier
        raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}")

    def serialize_obj(obj):
        return serialize(obj, module)

    # help() and the API pages read these; each names its own family.
    a_kind = ("an " if kind[0] in "aeiou" else "a ") + kind
    get.__doc__ = f"""The {kind} for an identifier.

    Args:
        identifier: `None`, {a_kind} instance, a name (`"{next(iter(aliases), "")}"`) or
            class name, a config dict `{{"class_name", "config"}}`, or a callable
            (returned as is).

    Returns:
        The {kind}, or `None` for `None`.

    Raises:
        ValueError: If the identifier cannot be interpreted.
    """
    deserialize.__doc__ = f"""The {kind} a config dict describes (what `serialize` returns).

    Args:
        config: A dict with `"class_name"` and `"config"`.
        custom_objects: A dict mapping class names to custom classes.
            Defaults to `None`.

    Returns:
        A new {kind}.

    Raises:
        ValueError: If the config is not a dict or names an unknown class.
    """
    serialize_obj.__doc__ = f"""The config dict of {a_kind}, in Keras's layout
    (`{{"module", "class_name", "config", "registered_name"}}`).

    Args:
        obj: The {kind}.

    Returns:
        A JSON-serializable dict that `deserialize` reads.
    """
    return get, deserialize, serialize_obj
