"""Models from configs: ``model_from_config``, ``model_from_json``, ``clone_model``."""

import json

from kerasette.saving.serialization import deserialize_keras_object


def _check_is_model(obj, class_name):
    if getattr(type(obj), "_ks_saves_whole", False):  # a FeatureSpace is a file of its own
        return obj
    if not (hasattr(obj, "layers") and hasattr(obj, "get_weights")):
        raise ValueError(f"The config describes a {class_name}, not a model")
    return obj


def model_from_config(config, custom_objects=None, compile=True, safe_mode=True):
    """Rebuild a model (compiled if ``compile`` and the config has a compile_config)
    from a Keras 3 or legacy Keras 2 config dict."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "Not a Keras model config: expected a dict with 'class_name' and "
            f"'config', got {type(config).__name__}"
        )
    from kerasette.saving.legacy_config import convert_legacy_model_config, is_legacy_config

    if is_legacy_config(config):
        config = convert_legacy_model_config(config)
    config = dict(config)
    if not compile:
        config["compile_config"] = None
    model = deserialize_keras_object(config, custom_objects=custom_objects, safe_mode=safe_mode)
    return _check_is_model(model, config.get("class_name"))


def model_from_json(json_string, custom_objects=None):
    """The (uncompiled) model a ``model.to_json()`` string describes."""
    if not isinstance(json_string, (str, bytes)):
        raise TypeError(f"model_from_json expects a JSON string, got {type(json_string).__name__}")
    try:
        config = json.loads(json_string)
    except json.JSONDecodeError as e:
        raise ValueError(f"model_from_json: invalid JSON ({e})") from None
    return model_from_config(config, custom_objects=custom_objects, compile=False)


def _default_clone(layer):
    return type(layer).from_config(layer.get_config())


def clone_model(
    model, input_tensors=None, clone_function=None, call_function=None, recursive=False, **kwargs
):
    """A new model with the same architecture and freshly initialised weights
    (Keras's clone_model for Sequential): each layer is rebuilt by
    ``clone_function(layer)`` (default: ``from_config(get_config())``)."""
    if input_tensors is not None:
        raise ValueError(
            "clone_model: input_tensors is not supported for Sequential models in kerasette"
        )
    if call_function is not None:
        raise ValueError("clone_model: call_function only applies to functional models")
    if kwargs:
        raise ValueError(f"clone_model: unexpected arguments {sorted(kwargs)}")
    clone_function = clone_function or _default_clone
    if not callable(clone_function):
        raise TypeError("clone_function must be callable")
    if not hasattr(model, "layers") or not hasattr(model, "get_config"):
        raise TypeError(f"clone_model expects a kerasette model, got {type(model).__name__}")
    config = model.get_config()
    new_layers = []
    layer_configs = config.get("layers") or []
    if (
        layer_configs
        and layer_configs[0].get("class_name") == "InputLayer"
        and not any(type(l).__name__ == "InputLayer" for l in model.layers)
    ):
        new_layers.append(deserialize_keras_object(layer_configs[0]))
    for layer in model.layers:
        clone = clone_function(layer)
        if clone is None:
            raise ValueError(f"clone_function returned None for layer '{layer.name}'")
        new_layers.append(clone)
    new = type(model)(new_layers, name=config.get("name"), trainable=config.get("trainable", True))
    if getattr(model, "built", False) and not getattr(new, "built", False):
        shape = config.get("build_input_shape")
        if shape is not None:
            new.build(tuple(shape))
    return new
