"""Whole-model ``.h5`` files from Keras 2 (and Keras 3's legacy ``save("x.h5")``).

Layout (keras/src/legacy/saving/legacy_h5_format.py; KERAS-FACTS §1.5):
root attrs ``model_config`` / ``training_config`` (JSON), group ``model_weights``
with attr ``layer_names`` and one group per layer whose attr ``weight_names``
lists its datasets (trainable then non-trainable), and ``optimizer_weights``
with its own ``weight_names``. Only JSON and arrays are read from the file.
"""

import warnings

import numpy as np

from kerasette.saving.weights_h5 import saveable_layers


def _attr_str(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def _attr_list(group, name):
    """A string-list attribute, including Keras's chunked form (name0, name1, ...)."""
    if name in group.attrs:
        return [_attr_str(n) for n in group.attrs[name]]
    out, i = [], 0
    while f"{name}{i}" in group.attrs:
        out.extend(_attr_str(n) for n in group.attrs[f"{name}{i}"])
        i += 1
    return out


def _json_attr(h5, name, where):
    from kerasette.saving.file_guard import loads_config

    raw = h5.attrs.get(name)
    if raw is None:
        return None
    if not isinstance(raw, (bytes, str)):
        raw = _attr_str(raw)
    # The same size, nesting and item limits as a .keras config.json.
    return loads_config(raw, f"{where}: attribute {name}")


def _dataset(group, name, where, expected_shape=None):
    """A numeric dataset's values; its shape is checked first (when known), so a
    corrupt file declaring a huge array is refused before anything is read."""
    from kerasette.saving.h5 import require_h5py

    h5py = require_h5py()

    from kerasette.saving.file_guard import check_h5_dataset, h5_child

    node = h5_child(group, name, where)
    if not isinstance(node, h5py.Dataset) or node.dtype.kind not in "iufb":
        raise ValueError(
            f"Corrupt legacy HDF5 file: {where}/{name} is missing or is not a numeric dataset"
        )
    check_h5_dataset(node, f"{where}/{name}")
    if expected_shape is not None and tuple(node.shape) != tuple(expected_shape):
        raise ValueError(
            f"Shape mismatch for weight {name}: the model expects "
            f"{tuple(expected_shape)}, the file ({where}) holds "
            f"{tuple(node.shape)}"
        )
    if expected_shape is None:
        return node  # unread: the caller matches its shape first
    return np.asarray(node[()])


def read_legacy_weights(group, model, where):
    """Assign the per-layer weights of a legacy ``model_weights`` group (or a
    Keras 2 ``save_weights("x.h5")`` root), after checking every count and shape."""
    layer_names = _attr_list(group, "layer_names")
    file_layers = []
    from kerasette.saving.file_guard import h5_child

    for name in layer_names:
        sub = h5_child(group, name, where)
        if sub is None or not hasattr(sub, "attrs"):
            raise ValueError(f"Corrupt legacy HDF5 file: layer group {name} is missing")
        weight_names = _attr_list(sub, "weight_names")
        if weight_names:
            file_layers.append((name, sub, weight_names))
    model_layers = [l for l in saveable_layers(model) if l.weights]
    if len(file_layers) != len(model_layers):
        raise ValueError(
            f"Layer count mismatch: the model has {len(model_layers)} layers with weights, "
            f"the file {where} has {len(file_layers)} ({[n for n, _, _ in file_layers]})"
        )
    plan = []
    for layer, (name, sub, weight_names) in zip(model_layers, file_layers):
        variables = list(layer.weights)
        if len(weight_names) != len(variables):
            raise ValueError(
                f"Layer '{layer.name}' expects {len(variables)} weights, the "
                f"file's layer '{name}' holds {len(weight_names)}"
            )
        values = [
            _dataset(sub, w, f"{where}/{name}", v.shape) for w, v in zip(weight_names, variables)
        ]
        plan.extend(zip(variables, values))
    return plan


def _optimizer_plan(h5, model):
    """Pair saved optimizer weights with the optimizer's variables.

    Keras 3 legacy files: [iteration, learning_rate, slots interleaved per variable]
    like kerasette. Keras 2 (2.11+): [iteration, slots interleaved] with no learning
    rate; Keras 2 before 2.11: [iteration, all first slots, all second slots].
    Anything that does not fit is skipped with a warning, as Keras does."""
    from kerasette.saving.file_guard import h5_child
    from kerasette.saving.weights_h5 import ensure_optimizer_built

    group = h5_child(h5, "optimizer_weights", "")
    if group is None or getattr(model, "optimizer", None) is None:
        return []
    names = _attr_list(group, "weight_names")
    # Dataset handles, unread: only those whose shapes match a variable are read.
    values = [_dataset(group, n, "optimizer_weights") for n in names]
    opt = ensure_optimizer_built(model, len(values))
    variables = list(getattr(opt, "variables", []) or [])
    if not variables:
        return []

    def is_lr(name):
        return "learning_rate" in name or name.endswith("/lr:0") or name.endswith("/lr")

    file_iter = [
        (n, v)
        for n, v in zip(names, values)
        if n.split("/")[-1].split(":")[0] in ("iter", "iteration", "iterations")
    ]
    file_lr = [(n, v) for n, v in zip(names, values) if is_lr(n)]
    special = {n for n, _ in file_iter + file_lr}
    file_slots = [v for n, v in zip(names, values) if n not in special]
    var_lr = [v for v in variables[1:] if "learning_rate" in getattr(v, "name", "")]
    var_slots = [v for v in variables[1:] if all(v is not w for w in var_lr)]

    def fits(var, ds):  # a scalar saved as () or (1,)
        return int(np.prod(ds.shape)) == int(np.prod(var.shape))

    plan = []
    if file_iter and fits(variables[0], file_iter[0][1]):
        plan.append((variables[0], file_iter[0][1]))
    if file_lr and var_lr and fits(var_lr[0], file_lr[0][1]):
        plan.append((var_lr[0], file_lr[0][1]))

    def shapes_match(vals):
        return len(vals) == len(var_slots) and all(
            tuple(v.shape) == tuple(x.shape) for v, x in zip(var_slots, vals)
        )

    slots = file_slots
    if not shapes_match(slots):
        n = len(model.trainable_weights)
        if n and len(slots) % n == 0:
            per = len(slots) // n  # grouped by slot kind -> interleave per variable
            slots = [slots[j * n + i] for i in range(n) for j in range(per)]
    if not shapes_match(slots):
        warnings.warn(
            f"Skipping the saved optimizer state: {len(file_slots)} slot arrays in the "
            f"file do not fit the {len(var_slots)} slot variables of "
            f"'{getattr(opt, 'name', type(opt).__name__)}'; the optimizer starts fresh",
            stacklevel=1,
        )
        return []
    return plan + list(zip(var_slots, slots))


def load_legacy_model(h5, where, custom_objects=None, compile=True, safe_mode=True):
    """The model stored in an open legacy h5py.File."""
    from kerasette.saving.compile_state import call_compile, compile_args_from_config
    from kerasette.saving.file_guard import h5_child
    from kerasette.saving.legacy_config import legacy_compile_config
    from kerasette.saving.model_config import model_from_config

    config = _json_attr(h5, "model_config", where)
    if config is None:
        if "layer_names" in h5.attrs or "layers" in h5:
            raise ValueError(
                f"{where} holds only weights, not a model: build the model "
                f"and call model.load_weights() on it"
            )
        raise ValueError(f"{where} is not a Keras model file: no model_config attribute")
    model = model_from_config(
        config, custom_objects=custom_objects, compile=False, safe_mode=safe_mode
    )
    weights_group = h5_child(h5, "model_weights", where)
    if weights_group is None:
        raise ValueError(f"{where}: legacy model file without a model_weights group")
    plan = read_legacy_weights(weights_group, model, f"{where}/model_weights")
    for v, val in plan:
        v.assign(np.asarray(val, dtype=v.dtype))
    if compile:
        training_config = _json_attr(h5, "training_config", where)
        if training_config is None:
            warnings.warn(
                "No training configuration found in the save file, so the "
                "model was *not* compiled. Compile it manually.",
                stacklevel=1,
            )
            return model
        cc = legacy_compile_config(training_config, custom_objects)
        if cc.get("optimizer") is not None:
            args = compile_args_from_config(cc, custom_objects)
            call_compile(model, args)
            for v, val in _optimizer_plan(h5, model):
                v.assign(np.asarray(val[()], dtype=v.dtype).reshape(v.shape))
    return model
