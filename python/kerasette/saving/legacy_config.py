"""Keras 2 (and Keras 3 legacy-h5) configs, turned into Keras 3 config dicts.

Legacy layer dicts carry only ``class_name`` and ``config`` (no ``module``), the
first layer may hold ``batch_input_shape``, nested initializers may lack a
``module``, and some keys were renamed or dropped (keras/src/legacy/saving/
saving_utils.model_from_config does the same conversions).
"""

import copy
import inspect

# Nested-object keys by suffix -> the Keras module their classes live in.
_NESTED_MODULES = (
    ("_initializer", "keras.initializers"),
    ("_regularizer", "keras.regularizers"),
    ("_constraint", "keras.constraints"),
)
# Keys Keras 2 wrote that Keras 3 layers no longer take.
_DROPPED_LAYER_KEYS = (
    "input_length",
    "batch_input_shape",
    "input_dim",
    "input_shape",
    "batch_size",
)


def is_legacy_config(config):
    """True if a model config uses the module-less Keras 2 layout."""
    inner = config.get("config")
    if isinstance(inner, list):
        return True
    if "module" in config:
        return False
    layers = inner.get("layers") if isinstance(inner, dict) else None
    return bool(layers) and all(isinstance(l, dict) and "module" not in l for l in layers)


def _fix_nested(cfg):
    for key, value in list(cfg.items()):
        if isinstance(value, dict) and "class_name" in value and "module" not in value:
            for suffix, module in _NESTED_MODULES:
                if key.endswith(suffix):
                    cfg[key] = dict(value, module=module, registered_name=None)
                    break


def _fix_axis(cfg):
    axis = cfg.get("axis")
    if isinstance(axis, list) and len(axis) == 1:
        cfg["axis"] = int(axis[0])


def convert_legacy_layer(layer):
    """One legacy layer dict -> Keras 3 layer dict (batch_input_shape is handled
    by the caller, which needs it for the InputLayer)."""
    if not isinstance(layer, dict) or "class_name" not in layer:
        raise ValueError(
            f"Legacy model config: a layer entry is not a dict with class_name: {str(layer)[:200]}"
        )
    cfg = copy.deepcopy(layer.get("config") or {})
    class_name = layer["class_name"]
    if class_name == "InputLayer":
        if "batch_input_shape" in cfg:
            cfg["batch_shape"] = cfg.pop("batch_input_shape")
        cfg.pop("input_shape", None)
    else:
        for key in _DROPPED_LAYER_KEYS:
            cfg.pop(key, None)
        _fix_nested(cfg)
        _fix_axis(cfg)
    return {
        "module": "keras.layers",
        "class_name": class_name,
        "config": cfg,
        "registered_name": layer.get("registered_name"),
    }


def convert_legacy_model_config(config):
    """A legacy Sequential config -> Keras 3 form (InputLayer first)."""
    class_name = config.get("class_name")
    if class_name not in ("Sequential", "Model", "Functional"):
        raise ValueError(
            f"Legacy model config describes a {class_name!r}; kerasette loads "
            f"Sequential models only"
        )
    if class_name != "Sequential":
        raise ValueError(
            f"This file holds a Keras functional model ({class_name}); "
            f"kerasette loads Sequential models only"
        )
    inner = config.get("config")
    if isinstance(inner, list):  # Keras 2.2: the config *is* the layer list
        inner = {"name": "sequential", "layers": inner}
    if not isinstance(inner, dict) or not isinstance(inner.get("layers"), list):
        raise ValueError("Legacy model config: expected config.layers to be a list")
    if not all(isinstance(l, dict) for l in inner["layers"]):
        raise ValueError("Legacy model config: every layer entry must be a dict")
    layers = []
    first = inner["layers"][0] if inner["layers"] else None
    if first is not None and first.get("class_name") != "InputLayer":
        fcfg = first.get("config") or {}
        shape = fcfg.get("batch_input_shape")
        if shape is not None:
            layers.append(
                {
                    "module": "keras.layers",
                    "class_name": "InputLayer",
                    "config": {
                        "batch_shape": shape,
                        "dtype": fcfg.get("dtype")
                        if isinstance(fcfg.get("dtype"), str)
                        else "float32",
                        "name": f"{fcfg.get('name', 'layer')}_input",
                    },
                    "registered_name": None,
                }
            )
    layers.extend(convert_legacy_layer(l) for l in inner["layers"])
    new_inner = {k: v for k, v in inner.items() if k != "layers"}
    new_inner["layers"] = layers
    new_inner.setdefault("name", "sequential")
    new_inner.setdefault("trainable", True)
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": new_inner,
        "registered_name": None,
    }


def _accepted_kwargs(cls):
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return None
    return {n for n in params if n != "self"}


def legacy_object(config, kind, custom_objects=None):
    """A Keras 2 optimizer/loss/metric dict -> Keras 3 form, with keys the kerasette
    class does not take dropped (``decay``, ``is_legacy_optimizer``, ...)."""
    from kerasette.saving.serialization import resolve_keras_name

    if not isinstance(config, dict) or "class_name" not in config:
        return config
    class_name = config["class_name"]
    inner = dict(config.get("config") or {})
    if custom_objects and (
        class_name in custom_objects or config.get("registered_name") in custom_objects
    ):
        return config
    if isinstance(class_name, str) and class_name.startswith("Custom>"):
        # tf.keras 2.11+ registered its own optimizers as "Custom>Adam" etc.
        class_name = class_name.split(">", 1)[1]
    if kind == "metrics" and class_name == "MeanMetricWrapper":
        return inner.get("fn") or inner.get("name")
    if "lr" in inner and "learning_rate" not in inner:
        inner["learning_rate"] = inner.pop("lr")
    if inner.get("reduction") == "auto":
        inner["reduction"] = "sum_over_batch_size"
    module = f"keras.{kind}"
    cls = resolve_keras_name(module, class_name, "class")
    if cls is not None:
        accepted = _accepted_kwargs(cls)
        if accepted is not None:
            inner = {k: v for k, v in inner.items() if k in accepted}
        else:
            for key in ("decay", "is_legacy_optimizer", "jit_compile"):
                inner.pop(key, None)
    return {"module": module, "class_name": class_name, "config": inner, "registered_name": None}


def legacy_compile_config(training_config, custom_objects=None):
    """Keras 2 ``training_config`` -> a Keras 3 compile_config dict."""
    tc = dict(training_config)
    opt = tc.pop("optimizer_config", None)
    out = {
        "optimizer": legacy_object(opt, "optimizers", custom_objects) if opt else None,
        "loss": _legacy_nested(tc.get("loss"), "losses", custom_objects),
        "loss_weights": tc.get("loss_weights"),
        "metrics": _legacy_nested(tc.get("metrics"), "metrics", custom_objects),
        "weighted_metrics": _legacy_nested(tc.get("weighted_metrics"), "metrics", custom_objects),
    }
    return out


def _legacy_nested(value, kind, custom_objects):
    if isinstance(value, list):
        # Keras 2 wrapped single-output metrics in an extra list.
        if len(value) == 1 and isinstance(value[0], list):
            value = value[0]
        return [_legacy_nested(v, kind, custom_objects) for v in value]
    if isinstance(value, dict) and "class_name" in value:
        return legacy_object(value, kind, custom_objects)
    return value
