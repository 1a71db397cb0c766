"""The ``model.weights.h5`` layout Keras 3 writes (saving_lib.H5IOStore).

    /layers/<snake_class>[_n]/vars   attrs {name: layer.name}; datasets "0", "1", ...
    /optimizer/vars                  attrs {name: optimizer.name}; iteration, lr, slots
    /vars                            attrs {name: model.name}

Groups are named after the *class* (``dense``, ``dense_1``, numbered per
container), never after the layer name, which is not reproducible. Reading
checks every layer's count and shapes before assigning anything, so a bad file
never leaves a half-loaded model. h5py is imported by the callers' functions
only, never when kerasette is imported.
"""

import re
import warnings

import numpy as np


def to_snake_case(name):
    # keras/src/utils/naming.py
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    return name


def saveable_layers(model):
    """model.layers without the InputLayer (Sequential.layers in Keras)."""
    return [l for l in model.layers if type(l).__name__ != "InputLayer"]


def layer_group_names(layers):
    """Keras's per-container names: dense, dense_1, activation, dense_2, ..."""
    used, names = {}, []
    for layer in layers:
        base = to_snake_case(type(layer).__name__)
        if base in used:
            used[base] += 1
            names.append(f"{base}_{used[base]}")
        else:
            used[base] = 0
            names.append(base)
    return names


def _weight_groups(model):
    """[(group path, layer, variables)]: Keras's walk over the model (nested models
    and subclassed models' attributes included; models/weight_layout.py)."""
    from kerasette.models.weight_layout import weight_groups

    return weight_groups(model)


def layer_variables(layer):
    """The variables Keras's Layer.save_own_variables writes, in its order:
    creation order, trainable or not (gamma, beta, moving_mean, moving_variance)."""
    return list(layer.weights)


def optimizer_variables(model):
    opt = getattr(model, "optimizer", None)
    if opt is None:
        return None, []
    return opt, list(getattr(opt, "variables", []) or [])


def _as_array(v):
    return np.asarray(v.numpy() if hasattr(v, "numpy") else v)


def write_weights(h5, model, include_optimizer=True):
    """Write ``model``'s state into an open, empty h5py.File."""
    for path, layer, variables in _weight_groups(model):
        grp = h5.create_group(f"{path}/vars")
        grp.attrs["name"] = layer.name
        for i, v in enumerate(variables):
            grp.create_dataset(str(i), data=_as_array(v))
        if hasattr(layer, "save_own_variables"):  # named arrays (a lookup's idf_weights)
            layer.save_own_variables(grp)
    if include_optimizer:
        opt, variables = optimizer_variables(model)
        if opt is not None:
            grp = h5.create_group("optimizer/vars")
            grp.attrs["name"] = getattr(opt, "name", type(opt).__name__.lower())
            for i, v in enumerate(variables):
                arr = _as_array(v)
                if i == 0 and arr.dtype.kind in "iuf" and arr.ndim == 0:
                    arr = np.asarray(arr, dtype=np.int64)  # iterations (TF writes int64)
                grp.create_dataset(str(i), data=arr)
    grp = h5.create_group("vars")
    grp.attrs["name"] = model.name


def _vars_group(h5, path):
    """The ``vars`` group under ``path``, with Keras 2.13's fallback name; links
    anywhere on the way are refused (file_guard.h5_child)."""
    from kerasette.saving.file_guard import h5_child

    for p in (path, path.replace("layers", "_layer_checkpoint_dependencies", 1)):
        node, at = h5, ""
        for part in p.split("/"):
            node = h5_child(node, part, at) if hasattr(node, "keys") else None
            at = f"{at}/{part}" if at else part
            if node is None:
                break
        if node is not None and hasattr(node, "keys"):
            vars_ = h5_child(node, "vars", p)
            if vars_ is not None:
                return vars_
    return None


def _is_named(key):
    """A named array beside the numbered weights (a lookup layer's "idf_weights")."""
    return key in _NAMED


_NAMED = ("idf_weights",)


def _read_named(group, where):
    """The named datasets of a vars group (load_own_variables), checked, unread."""
    from kerasette.saving.file_guard import check_h5_dataset, h5_child

    out = {}
    for k in _NAMED:
        if k in group:
            ds = h5_child(group, k, where)
            check_h5_dataset(ds, f"{where}/{k}")
            if ds.dtype.kind not in "iuf":
                raise ValueError(f"Corrupt weights file: {where}/{k} is not a numeric array")
            out[k] = ds
    return out


def _read_datasets(group, where):
    """Datasets "0".."n-1" of a vars group, unread: shapes are checked against the
    model before any data is read, so a file declaring huge arrays costs nothing."""
    from kerasette.saving.h5 import require_h5py

    h5py = require_h5py()

    keys = [k for k in group.keys() if not _is_named(k)]
    expected = [str(i) for i in range(len(keys))]
    if sorted(keys, key=lambda k: (len(k), k)) != expected:
        raise ValueError(
            f"Corrupt weights file: {where} holds entries {keys}, "
            f"expected datasets named 0..{len(keys) - 1}"
        )
    from kerasette.saving.file_guard import check_h5_dataset, h5_child

    out = []
    for k in expected:
        ds = h5_child(group, k, where)
        if not isinstance(ds, h5py.Dataset):
            raise ValueError(f"Corrupt weights file: {where}/{k} is not a dataset")
        check_h5_dataset(ds, f"{where}/{k}")
        if ds.dtype.kind not in "iufb":
            raise ValueError(
                f"Corrupt weights file: {where}/{k} has dtype {ds.dtype}, expected a numeric array"
            )
        out.append(ds)
    return out


def read_weights(h5, model, load_optimizer=True, skip_mismatch=False):
    """Load ``model``'s layer (and optimizer) state from an open h5py.File.

    Every count and shape is checked first; only then is anything assigned."""
    groups = _weight_groups(model)
    # A subclassed model's groups are named after its attributes ("encoder/vars").
    tops = {"layers", "_layer_checkpoint_dependencies"} | {p.split("/")[0] for p, _, _ in groups}
    if not any(t in h5 for t in tops):
        if "model_weights" in h5 or "layer_names" in h5.attrs:
            raise ValueError(
                "This is a legacy Keras 2 HDF5 file, not a Keras 3 "
                "weights file; use load_model / load_weights on the .h5 path"
            )
        raise ValueError("Not a Keras weights file: it has no 'layers' group")
    layers = [layer for _, layer, _ in groups]
    own = []  # (layer, {name: dataset}): named arrays for load_own_variables
    plan = []  # (variable, value)
    seen = set()
    for path, layer, variables in groups:
        name = path.split("/")[1] if path.startswith("layers/") else path
        where = f"{path}/vars"
        group = _vars_group(h5, path)
        if group is None:
            if variables:
                raise ValueError(
                    f"The weights file has no entry {where} for layer '{layer.name}' "
                    f"({type(layer).__name__}, {len(variables)} weights): the file was "
                    f"saved from a different architecture"
                )
            continue
        seen.add(name)
        if hasattr(layer, "load_own_variables"):
            own.append((layer, _read_named(group, where)))
        values = _read_datasets(group, where)
        if len(values) != len(variables):
            if skip_mismatch:
                warnings.warn(
                    f"Skipping layer '{layer.name}': it has {len(variables)} "
                    f"weights, the file has {len(values)} ({where})",
                    stacklevel=1,
                )
                continue
            raise ValueError(
                f"Layer '{layer.name}' ({type(layer).__name__}) expects {len(variables)} "
                f"weights, but the file holds {len(values)} at {where}"
            )
        for i, (v, val) in enumerate(zip(variables, values)):
            if tuple(v.shape) != tuple(val.shape):
                if skip_mismatch:
                    warnings.warn(
                        f"Skipping layer '{layer.name}': weight {i} shape "
                        f"{tuple(v.shape)} != file {tuple(val.shape)}",
                        stacklevel=1,
                    )
                    break
                raise ValueError(
                    f"Shape mismatch for layer '{layer.name}' ({type(layer).__name__}) "
                    f"weight {i} ({getattr(v, 'name', '?')}): the model expects "
                    f"{tuple(v.shape)}, the file ({where}/{i}) holds {tuple(val.shape)}"
                )
        else:
            plan.extend(zip(variables, values))
    from kerasette.saving.file_guard import h5_child

    layers_root = h5_child(h5, "layers", "")
    if layers_root is not None and hasattr(layers_root, "keys"):
        extra = [
            k
            for k in layers_root.keys()
            if k not in seen and len(_vars_group(h5, f"layers/{k}") or ()) > 0
        ]
        if extra and not skip_mismatch:
            raise ValueError(
                f"The weights file holds weights for layers {extra} that this model "
                f"({len(layers)} layers) does not have: different architecture"
            )

    opt_plan = []
    if load_optimizer and "optimizer" in h5 and getattr(model, "optimizer", None) is not None:
        opt_plan = _plan_optimizer(h5, model)
    # Read everything first (a corrupt chunk fails here), then assign: all or nothing.
    values = [(v, np.asarray(ds[()], dtype=v.dtype).reshape(v.shape)) for v, ds in plan + opt_plan]
    named = [(layer, {k: np.asarray(ds[()]) for k, ds in d.items()}) for layer, d in own]
    for v, val in values:
        v.assign(val)
    for layer, store in named:
        layer.load_own_variables(store)


def _plan_optimizer(h5, model):
    group = _vars_group(h5, "optimizer")
    if group is None:
        return []
    values = _read_datasets(group, "optimizer/vars")
    opt = ensure_optimizer_built(model, len(values))
    variables = list(getattr(opt, "variables", []) or [])
    if len(values) != len(variables) or any(
        tuple(v.shape) != tuple(val.shape) for v, val in zip(variables, values)
    ):
        warnings.warn(
            f"Skipping the optimizer state: optimizer '{getattr(opt, 'name', '?')}' has "
            f"{len(variables)} variables {[tuple(v.shape) for v in variables]}, the file "
            f"holds {len(values)} {[tuple(v.shape) for v in values]}; training restarts "
            f"with a fresh optimizer state",
            stacklevel=1,
        )
        return []
    return list(zip(variables, values))


def ensure_optimizer_built(model, wanted_count=None):
    """Create the optimizer's slot variables now (Keras builds them lazily), so a
    saved state has somewhere to go."""
    opt = model.optimizer
    variables = list(getattr(opt, "variables", []) or [])
    built = getattr(opt, "built", None)
    if (
        built is False or (wanted_count is not None and len(variables) < wanted_count)
    ) and callable(getattr(opt, "build", None)):
        if not getattr(model, "built", True):
            return opt
        opt.build(list(model.trainable_weights))
    return opt
