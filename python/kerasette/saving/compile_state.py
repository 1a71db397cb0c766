"""compile_config: what ``compile`` was called with, as Keras stores it.

Keras writes ``{"optimizer", "loss", "loss_weights", "metrics",
"weighted_metrics", "run_eagerly", "steps_per_execution", "jit_compile"}``
(saving_lib via Trainer.get_compile_config); loading calls ``compile`` again
with the deserialized objects. The optimizer's *state* travels separately, in
``optimizer/vars`` of the weights file.
"""

import inspect

from kerasette.saving.serialization import deserialize_keras_object, serialize_keras_object

_COMPILE_KEYS = (
    "optimizer",
    "loss",
    "loss_weights",
    "metrics",
    "weighted_metrics",
    "run_eagerly",
    "steps_per_execution",
    "jit_compile",
)


def is_compiled(model):
    if getattr(model, "compiled", None) is not None:
        return bool(model.compiled)
    return getattr(model, "optimizer", None) is not None


def get_compile_config(model):
    """The model's compile_config dict (Keras's keys), or None if not compiled."""
    if not is_compiled(model):
        return None
    fn = getattr(model, "get_compile_config", None)
    if callable(fn):
        cfg = fn()
        if cfg is not None:
            return serialize_keras_object(cfg)
    raw = getattr(model, "_compile_config", None)
    if isinstance(raw, dict):
        cfg = dict(raw)
    else:
        # Fall back to what the trainer kept of the compile arguments.
        cfg = {
            "optimizer": getattr(model, "optimizer", None),
            "loss": getattr(model, "loss", None),
            "loss_weights": getattr(model, "loss_weights", None),
            # the trainer keeps the metrics exactly as compile received them
            "metrics": getattr(model, "_metric_ids", None) or None,
            "weighted_metrics": getattr(model, "_weighted_metric_ids", None) or None,
            "run_eagerly": getattr(model, "run_eagerly", False),
            "steps_per_execution": getattr(model, "steps_per_execution", 1),
        }
    cfg.setdefault("loss_weights", None)
    cfg.setdefault("metrics", None)
    cfg.setdefault("weighted_metrics", None)
    cfg.setdefault("run_eagerly", False)
    cfg.setdefault("steps_per_execution", 1)
    cfg.setdefault("jit_compile", False)
    if getattr(model, "optimizer", None) is not None:
        # The live optimizer, not the string compile got: its learning rate may
        # have changed (ReduceLROnPlateau) and Keras stores the object.
        cfg["optimizer"] = model.optimizer
    return serialize_keras_object(cfg)


def compile_args_from_config(config, custom_objects=None, module_objects=None):
    """compile() keyword arguments rebuilt from a compile_config dict."""
    if not isinstance(config, dict):
        raise ValueError(f"compile_config must be a dict, got {type(config).__name__}")
    args = {}
    for key in _COMPILE_KEYS:
        if key in config:
            args[key] = config[key]
    for key in ("optimizer", "loss", "metrics", "weighted_metrics"):
        if args.get(key) is not None:
            args[key] = deserialize_keras_object(
                args[key], custom_objects, module_objects=module_objects
            )
    return args


def compile_from_config(model, config, custom_objects=None):
    """Call ``model.compile`` with the arguments ``config`` records."""
    args = compile_args_from_config(config, custom_objects)
    if args.get("optimizer") is None:
        return
    call_compile(model, args)


def call_compile(model, args):
    """model.compile(**args), dropping keys this compile does not take (Keras-only
    switches such as jit_compile)."""
    try:
        params = inspect.signature(model.compile).parameters
    except (TypeError, ValueError):
        params = {}
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    kwargs = {k: v for k, v in args.items() if takes_any or k in params}
    model.compile(**kwargs)
