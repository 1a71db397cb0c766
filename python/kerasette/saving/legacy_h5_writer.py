"""``model.save("x.h5")``: the legacy whole-model HDF5 file Keras 3 still writes
(keras/src/legacy/saving/legacy_h5_format.save_model_to_hdf5), for scripts that
save to ``.h5`` (``ModelCheckpoint("best.h5")`` is common). Keras 2 and 3 read it.

Root attrs ``backend``, ``keras_version``, ``model_config`` and ``training_config``
(JSON; layer entries without ``module``), ``model_weights/<layer>/`` datasets listed
by the ``weight_names`` attr, and ``optimizer_weights`` in the optimizer's order.
"""

import json

import numpy as np

from kerasette.saving.compile_state import get_compile_config
from kerasette.saving.keras_archive import KERAS_FORMAT_VERSION, model_config
from kerasette.saving.weights_h5 import saveable_layers

# HDF5 object headers are limited to 64 KiB; Keras splits long name lists.
_ATTR_LIMIT = 64512


def _set_name_list(group, name, names):
    data = (
        np.array([n.encode("utf8") for n in names], dtype="S")
        if names
        else np.array([], dtype="S1")
    )
    if data.nbytes <= _ATTR_LIMIT:
        group.attrs[name] = data
        return
    chunks = int(np.ceil(data.nbytes / _ATTR_LIMIT))
    for i, part in enumerate(np.array_split(data, chunks)):
        group.attrs[f"{name}{i}"] = part


def _unique(names):
    seen, out = {}, []
    for n in names:
        if n in seen:
            seen[n] += 1
            n = f"{n}_{seen[n]}"
        else:
            seen[n] = 0
        out.append(n)
    return out


def _write_arrays(group, names, variables):
    _set_name_list(group, "weight_names", names)
    for name, v in zip(names, variables):
        group.create_dataset(name, data=np.asarray(v.numpy() if hasattr(v, "numpy") else v))


def legacy_metadata(model):
    """The ``model_config`` and ``training_config`` dicts of the legacy format."""
    config = model_config(model)
    inner = config["config"]
    for entry in inner.get("layers", []):
        if isinstance(entry, dict) and entry.get("registered_name") is None:
            entry.pop("module", None)  # Keras's legacy config has bare layer entries
            entry.pop("registered_name", None)
    meta = {"model_config": {"class_name": config["class_name"], "config": inner}}
    compile_config = get_compile_config(model)
    if compile_config:
        training = {k: v for k, v in compile_config.items() if k != "optimizer"}
        opt = compile_config["optimizer"]
        training["optimizer_config"] = {"class_name": opt["class_name"], "config": opt["config"]}
        meta["training_config"] = training
    return meta


def write_legacy_h5(h5, model, include_optimizer=True):
    """Write ``model`` into an open, empty h5py.File in the legacy layout."""
    h5.attrs["backend"] = "tensorflow"
    h5.attrs["keras_version"] = KERAS_FORMAT_VERSION
    meta = legacy_metadata(model)
    for key, value in meta.items():
        if key == "training_config" and not include_optimizer:
            continue
        h5.attrs[key] = json.dumps(value).encode("utf8")
    group = h5.create_group("model_weights")
    layers = saveable_layers(model)
    _set_name_list(group, "layer_names", [l.name for l in layers])
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = KERAS_FORMAT_VERSION.encode("utf8")
    for layer in sorted(layers, key=lambda l: l.name):
        variables = list(layer.weights)
        names = _unique(
            [
                f"{model.name}/{getattr(v, 'path', None) or f'{layer.name}/{i}'}"
                for i, v in enumerate(variables)
            ]
        )
        _write_arrays(group.create_group(layer.name), names, variables)
    _write_arrays(group.create_group("top_level_model_weights"), [], [])
    opt = getattr(model, "optimizer", None)
    if include_optimizer and opt is not None:
        variables = list(getattr(opt, "variables", []) or [])
        if variables:
            prefix = getattr(opt, "name", "optimizer")
            names = _unique(
                [f"{prefix}/{getattr(v, 'name', None) or i}" for i, v in enumerate(variables)]
            )
            _write_arrays(h5.create_group("optimizer_weights"), names, variables)
