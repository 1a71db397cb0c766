"""Where user-defined classes and functions are found when a model is loaded.

Keras's rules (keras/src/saving/object_registration.py): a global dict filled by
``@register_keras_serializable(package, name)`` under the key ``"package>name"``,
plus ``custom_objects=`` and ``custom_object_scope`` blocks. Loading resolves a class
only from these and from kerasette's own public classes; nothing is imported by
name from the file.
"""

import inspect
import threading

# "package>name" -> class or function, filled by the decorator.
GLOBAL_CUSTOM_OBJECTS = {}
# class or function -> "package>name", so that saving can write registered_name.
GLOBAL_CUSTOM_NAMES = {}

_scopes = threading.local()


def _scope_stack():
    stack = getattr(_scopes, "stack", None)
    if stack is None:
        stack = _scopes.stack = []
    return stack


class CustomObjectScope:
    """``with CustomObjectScope({"MyLayer": MyLayer}):`` makes the names visible to
    every deserialization inside the block (nested scopes add to outer ones)."""

    def __init__(self, custom_objects=None, *more):
        objs = {}
        for d in (custom_objects, *more):
            if d is None:
                continue
            if not isinstance(d, dict):
                raise TypeError(
                    f"CustomObjectScope expects dicts of name -> class/function, "
                    f"got {type(d).__name__}"
                )
            objs.update(d)
        self.custom_objects = objs

    def __enter__(self):
        _scope_stack().append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scope_stack().pop()
        return False


custom_object_scope = CustomObjectScope


def scoped_custom_objects():
    """The merged dict of every active CustomObjectScope (inner wins)."""
    merged = {}
    for d in _scope_stack():
        merged.update(d)
    return merged


def get_custom_objects():
    """The live global registry dict (``get_custom_objects()["Name"] = cls`` works)."""
    return GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package="Custom", name=None):
    """Decorator: register a class or function under ``"package>name"``.

    A registered class must define ``get_config`` (Keras checks this too), since
    that is what saving writes.
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"package must be a string without '>', got {package!r}")

    def decorator(arg):
        reg_name = name if name is not None else getattr(arg, "__name__", None)
        if not reg_name:
            raise ValueError(f"Cannot register {arg!r}: it has no __name__; pass name=")
        key = f"{package}>{reg_name}"
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError(
                f"Cannot register class {arg.__name__}: it must implement get_config()"
            )
        GLOBAL_CUSTOM_OBJECTS[key] = arg
        GLOBAL_CUSTOM_NAMES[arg] = key
        return arg

    return decorator


def get_registered_name(obj):
    """``"package>name"`` for a registered object, else its ``__name__``."""
    if obj in GLOBAL_CUSTOM_NAMES:
        return GLOBAL_CUSTOM_NAMES[obj]
    return getattr(obj, "__name__", None)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Look ``name`` up: active scopes, then the global registry, then
    ``custom_objects``, then ``module_objects`` (Keras's order)."""
    if name is None:
        return None
    scoped = scoped_custom_objects()
    if name in scoped:
        return scoped[name]
    if name in GLOBAL_CUSTOM_OBJECTS:
        return GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None
