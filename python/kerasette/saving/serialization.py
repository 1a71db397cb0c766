"""Keras 3's object dicts: ``{"module", "class_name", "config", "registered_name"}``.

kerasette objects are written under Keras's public names (``keras.layers.Dense``),
so real Keras reads them; on the way back a ``keras.*`` name is resolved to the
kerasette class of the same name. Classes come only from kerasette's public
modules, the custom-object registry and ``custom_objects=``: nothing named in a
file is imported, and code stored in a file (``__lambda__``) is never run.
"""

import importlib
import inspect
import types

import numpy as np

from kerasette.saving import object_registration as _reg


class UnknownObjectError(ValueError, TypeError):
    """A config names a class or function that kerasette cannot resolve.

    Both a ValueError (bad file) and a TypeError (what Keras raises here)."""


# kerasette submodule -> the Keras module its public names live in.
_KERASETTE_TO_KERAS = (
    ("kerasette.optimizers.schedules", "keras.optimizers.schedules"),
    ("kerasette.optimizers", "keras.optimizers"),
    ("kerasette.layers", "keras.layers"),
    ("kerasette.losses", "keras.losses"),
    ("kerasette.metrics", "keras.metrics"),
    ("kerasette.initializers", "keras.initializers"),
    ("kerasette.regularizers", "keras.regularizers"),
    ("kerasette.constraints", "keras.constraints"),
    ("kerasette.activations", "keras.activations"),
    ("kerasette.models", "keras"),
)
# Keras module -> kerasette modules searched for the same class name.
_KERAS_TO_KERASETTE = {
    "keras": ("kerasette.models", "kerasette.layers"),
    "keras.models": ("kerasette.models",),
    "keras.layers": ("kerasette.layers",),
    "keras.optimizers": ("kerasette.optimizers",),
    "keras.optimizers.schedules": ("kerasette.optimizers.schedules",),
    "keras.losses": ("kerasette.losses",),
    "keras.metrics": ("kerasette.metrics",),
    "keras.initializers": ("kerasette.initializers",),
    "keras.regularizers": ("kerasette.regularizers",),
    "keras.constraints": ("kerasette.constraints",),
    "keras.activations": ("kerasette.activations",),
    # FeatureSpace and the specs in its config (Keras writes these two module names)
    "keras.utils": ("kerasette.utils",),
    "keras.src.layers.preprocessing.feature_space": ("kerasette.utils.feature_space",),
}
# Where a bare function name ("relu", module "builtins") may come from.
_FUNCTION_MODULES = ("kerasette.activations", "kerasette.losses", "kerasette.metrics")
# Keras dtype policies become their dtype name: kerasette layers take "float32".
_DTYPE_POLICIES = {"DTypePolicy", "FloatDTypePolicy", "Policy"}

_PLAIN = (str, int, float, bool)


def _import(modname):
    try:
        return importlib.import_module(modname)
    except ImportError:
        return None


def _public_keras_name(obj):
    """(keras_module, name) if ``obj`` (class or function) is a public kerasette
    object reachable under that Keras module, else None."""
    mod = getattr(obj, "__module__", "") or ""
    name = getattr(obj, "__name__", None)
    if not name:
        return None
    for prefix, keras_mod in _KERASETTE_TO_KERAS:
        if mod == prefix or mod.startswith(prefix + "."):
            public = _import(prefix)
            if public is not None and getattr(public, name, None) is obj:
                return keras_mod, name
            return None
    return None


def serialize_keras_object(obj):
    """The Keras 3 config dict of ``obj`` (plain values pass through)."""
    if obj is None or isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        if obj.ndim == 0:
            return obj.item()
        return {
            "class_name": "__numpy__",
            "config": {"value": obj.tolist(), "dtype": str(obj.dtype)},
        }
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        raise ValueError(
            "Cannot serialize a lambda: kerasette never stores code in a file. "
            "Use a named function decorated with "
            "@kerasette.saving.register_keras_serializable()."
        )
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        public = _public_keras_name(obj)
        if public is not None:
            return {
                "module": public[0],
                "class_name": "function",
                "config": public[1],
                "registered_name": public[1],
            }
        registered = _reg.GLOBAL_CUSTOM_NAMES.get(obj)
        return {
            "module": obj.__module__,
            "class_name": "function",
            "config": registered or obj.__name__,
            "registered_name": registered,
        }
    if not hasattr(obj, "get_config"):
        raise TypeError(
            f"Cannot serialize {obj!r} of type {type(obj).__name__}: it has no get_config() method"
        )
    inner = obj.get_config()
    if not isinstance(inner, dict):
        raise TypeError(
            f"{type(obj).__name__}.get_config() must return a dict, got {type(inner).__name__}"
        )
    inner = {k: serialize_keras_object(v) for k, v in inner.items()}
    module, class_name, registered = class_identity(type(obj))
    out = {
        "module": module,
        "class_name": class_name,
        "config": inner,
        "registered_name": registered,
    }
    build_config = _call_optional(obj, "get_build_config")
    if build_config is not None:
        out["build_config"] = serialize_keras_object(build_config)
    compile_config = _call_optional(obj, "get_compile_config")
    if compile_config is not None:
        out["compile_config"] = serialize_keras_object(compile_config)
    return out


def class_identity(cls):
    """(module, class_name, registered_name) as Keras writes them for ``cls``:
    a registered class keeps its Python module and gets "package>name"; a public
    kerasette class takes its Keras name."""
    registered = _reg.GLOBAL_CUSTOM_NAMES.get(cls)
    if registered:
        return cls.__module__, cls.__name__, registered
    if "_keras_identity" in cls.__dict__:  # a class Keras names its own way (Functional)
        return cls.__dict__["_keras_identity"]
    public = _public_keras_name(cls)
    if public is not None:
        return public[0], public[1], None
    return cls.__module__, cls.__name__, None


def _call_optional(obj, method):
    fn = getattr(obj, method, None)
    return fn() if callable(fn) else None


def _merged_custom_objects(custom_objects):
    merged = dict(custom_objects or {})
    merged.update(_reg.GLOBAL_CUSTOM_OBJECTS)
    merged.update(_reg.scoped_custom_objects())
    return merged


def _check_name(name, what, full):
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise UnknownObjectError(f"Invalid {what} name {name!r} in config {_short(full)}")


def _short(config, limit=300):
    text = repr(config)
    return text if len(text) <= limit else text[:limit] + "..."


def resolve_keras_name(module, name, kind="class", module_objects=None):
    """The kerasette object Keras would find at ``module.name``, or None.

    ``module`` is a Keras module path (``keras.layers``), a ``keras.src.*`` path
    from older files, or None for legacy configs (then ``module_objects``)."""
    candidates = ()
    if module in _KERAS_TO_KERASETTE:
        candidates = _KERAS_TO_KERASETTE[module]
    elif isinstance(module, str) and module.startswith("keras.src."):
        # keras.src.layers.core.dense -> kerasette.layers
        top = module.split(".")[2]
        candidates = tuple(m for m in _KERAS_TO_KERASETTE.get(f"keras.{top}", ()))
        if top == "models":
            candidates = ("kerasette.models",)
    elif module == "builtins" and kind == "function":
        candidates = _FUNCTION_MODULES
    elif isinstance(module, str) and module.startswith("kerasette."):
        candidates = tuple(
            p for p, _ in _KERASETTE_TO_KERAS if module == p or module.startswith(p + ".")
        )
    for modname in candidates:
        mod = _import(modname)
        obj = getattr(mod, name, None) if mod is not None else None
        if obj is not None and _acceptable(obj, kind):
            return obj
    if module_objects:
        obj = module_objects.get(name)
        if obj is not None and _acceptable(obj, kind):
            return obj
    return None


def _acceptable(obj, kind):
    if kind == "function":
        return callable(obj) and not inspect.isclass(obj)
    return inspect.isclass(obj) and hasattr(obj, "from_config")


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, module_objects=None):
    """Rebuild the object a Keras 3 config dict (or plain value) describes.

    ``module_objects`` (name -> class) resolves legacy dicts that carry no
    ``module``. A class is only ever taken from kerasette's public modules, the
    registry, ``custom_objects`` and active CustomObjectScopes."""
    if config is None or isinstance(config, _PLAIN):
        if isinstance(config, str):
            custom = _merged_custom_objects(custom_objects)
            if config in custom:
                return custom[config]
        return config
    if isinstance(config, (list, tuple)):
        return [
            deserialize_keras_object(x, custom_objects, safe_mode, module_objects) for x in config
        ]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config of type {type(config).__name__}: {_short(config)}")
    if "class_name" not in config or "config" not in config:
        return {
            k: deserialize_keras_object(v, custom_objects, safe_mode, module_objects)
            for k, v in config.items()
        }

    class_name = config["class_name"]
    inner = config["config"] if config["config"] is not None else {}
    special = _deserialize_special(
        class_name, inner, config, custom_objects, safe_mode, module_objects
    )
    if special is not _NOT_SPECIAL:
        return special

    module = config.get("module")
    registered_name = config.get("registered_name")
    custom = _merged_custom_objects(custom_objects)

    if class_name == "function":
        if not isinstance(inner, str):
            raise UnknownObjectError(
                f"A function config must name the function as a string, got {_short(inner)}"
            )
        fn = (custom.get(registered_name) if registered_name else None) or custom.get(inner)
        if fn is None:
            _check_name(inner.split(">")[-1], "function", config)
            fn = resolve_keras_name(module, inner.split(">")[-1], "function", module_objects)
        if fn is None:
            raise UnknownObjectError(
                f"Unknown function {inner!r} (module {module!r}). Pass it in "
                f"custom_objects= or decorate it with "
                f"@kerasette.saving.register_keras_serializable()."
            )
        return fn

    if class_name in _DTYPE_POLICIES and (module is None or str(module).startswith("keras")):
        name = inner.get("name") if isinstance(inner, dict) else None
        if not isinstance(name, str):
            raise ValueError(f"DTypePolicy config without a name: {_short(config)}")
        return name

    cls = None
    if registered_name and registered_name in custom:
        cls = custom[registered_name]
    elif class_name in custom:
        cls = custom[class_name]
    else:
        _check_name(class_name, "class", config)
        cls = resolve_keras_name(module, class_name, "class", module_objects)
    if cls is None:
        raise UnknownObjectError(
            f"Unknown class {class_name!r} (module {module!r}, registered_name "
            f"{registered_name!r}). kerasette does not provide it; if it is a custom "
            f"class, pass it in custom_objects= or decorate it with "
            f"@kerasette.saving.register_keras_serializable()."
        )
    if not inspect.isclass(cls):
        return cls  # a function registered under a class-like name
    if not hasattr(cls, "from_config"):
        raise TypeError(f"Cannot rebuild {class_name!r}: {cls.__name__} has no from_config()")
    if not isinstance(inner, dict):
        raise TypeError(f"Expected a dict config for {class_name!r}, got {_short(inner)}")
    with _reg.CustomObjectScope(custom), SafeModeScope(safe_mode):
        try:
            instance = _from_config(cls, normalize_dtype_policies(inner), custom)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as e:
            # A malformed config is a bad file: say which object, keep the cause.
            kind = TypeError if isinstance(e, TypeError) else ValueError
            raise kind(
                f"Could not rebuild {class_name!r} from its config: {type(e).__name__}: {e}"
            ) from e
        build_config = config.get("build_config")
        if build_config and not getattr(instance, "built", True):
            _build_from_config(instance, build_config)
        compile_config = config.get("compile_config")
        if compile_config:
            from kerasette.saving.compile_state import compile_from_config

            compile_from_config(instance, compile_config, custom)
    return instance


def _from_config(cls, inner, custom):
    """cls.from_config, handing containers (Sequential) the custom objects under both
    their registered "package>Name" and their bare class name, so that their own
    layer lookup finds registered classes too."""
    try:
        takes_custom = "custom_objects" in inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        takes_custom = False
    if not takes_custom:
        return cls.from_config(inner)
    names = dict(custom)
    for key, obj in custom.items():
        if ">" in key:
            names.setdefault(key.split(">")[-1], obj)
    return cls.from_config(inner, custom_objects=names)


def _build_from_config(instance, build_config):
    fn = getattr(instance, "build_from_config", None)
    if callable(fn):
        fn(build_config)
        return
    shape = build_config.get("input_shape") if isinstance(build_config, dict) else None
    if shape is not None and hasattr(instance, "build"):
        instance.build(tuple(shape) if isinstance(shape, list) else shape)


def normalize_dtype_policies(inner):
    """Keras 3.1+ writes ``dtype`` as a DTypePolicy dict; kerasette layers take the
    dtype name (Keras 3.0 wrote the name itself)."""
    dtype = inner.get("dtype")
    if isinstance(dtype, dict) and dtype.get("class_name") in _DTYPE_POLICIES:
        inner = dict(inner)
        inner["dtype"] = (dtype.get("config") or {}).get("name", "float32")
    return inner


_NOT_SPECIAL = object()


def _deserialize_special(class_name, inner, config, custom_objects, safe_mode, module_objects):
    if class_name == "__lambda__":
        raise ValueError(
            "The file holds a Python lambda (`__lambda__`). kerasette never runs code "
            "stored in a model file, whatever safe_mode says. Rebuild the model with a "
            "named function registered through register_keras_serializable()."
        )
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=np.dtype(inner["dtype"]))
    if class_name == "__tensor__":
        return np.array(inner["value"], dtype=np.dtype(inner["dtype"]))
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__tuple__":
        return tuple(
            deserialize_keras_object(inner["value"], custom_objects, safe_mode, module_objects)
        )
    if class_name == "__slice__":
        return slice(
            *(
                deserialize_keras_object(inner.get(k), custom_objects, safe_mode, module_objects)
                for k in ("start", "stop", "step")
            )
        )
    if isinstance(class_name, str) and class_name.startswith("__"):
        raise UnknownObjectError(f"Unsupported special object {class_name!r} in config")
    return _NOT_SPECIAL


class SafeModeScope:
    """Kept for Keras API parity: kerasette is always safe, the flag is recorded
    so that nested from_config calls can read it."""

    _current = [True]

    def __init__(self, safe_mode=True):
        self.safe_mode = bool(safe_mode) if safe_mode is not None else True

    def __enter__(self):
        self._current.append(self.safe_mode)
        return self

    def __exit__(self, *exc):
        self._current.pop()
        return False
