"""The Keras 3 ``.keras`` file: a zip of metadata.json, config.json and
model.weights.h5, in that order, stored uncompressed (keras/src/saving/saving_lib.py).

Saving goes through atomic_write, so the previous file survives any crash.
Loading reads the archive defensively: a truncated or corrupt zip, bad JSON, a
corrupt HDF5 member or a member that declares an absurd size each raise a
ValueError that says which, before a model is returned.
"""
import datetime
import io
import json
import os
import zipfile
import zlib

from kerasette.saving.atomic_write import atomic_write
from kerasette.saving.compile_state import get_compile_config
from kerasette.saving.serialization import class_identity, serialize_keras_object

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"
# The Keras release whose format these files follow (KERAS-FACTS.md §1).
KERAS_FORMAT_VERSION = "3.15.1"
# Keras's zip-bomb guard (saving_lib._reject_zip_bomb): a member bigger than the
# floor that expands more than 100x its stored size is refused.
_BOMB_FLOOR = 1 << 32
_MAX_EXPANSION = 100


def model_config(model):
    """The top-level config.json dict: model config + build_config + compile_config."""
    config = serialize_keras_object(model)
    config.pop("compile_config", None)
    _fix_layer_identities(config, model)
    if "build_config" not in config and getattr(model, "built", False):
        shape = config["config"].get("build_input_shape")
        if shape is not None:
            config["build_config"] = {"input_shape": list(shape)}
    # Keras writes {} for a model that was never compiled.
    config["compile_config"] = get_compile_config(model) or {}
    return config


def _fix_layer_identities(config, model):
    """Layer entries name their class as Keras would: a user class registered with
    register_keras_serializable gets its registered_name and Python module."""
    entries = config.get("config", {}).get("layers")
    layers = list(getattr(model, "_layers", None) or getattr(model, "layers", []))
    if not isinstance(entries, list) or len(entries) != len(layers):
        return
    for entry, layer in zip(entries, layers):
        if isinstance(entry, dict):
            module, class_name, registered = class_identity(type(layer))
            entry.update(module=module, class_name=class_name, registered_name=registered)


def _metadata():
    try:
        from kerasette import __version__ as version
    except Exception:  # the extension may not be built in a pure-Python checkout
        version = "unknown"
    return {"keras_version": KERAS_FORMAT_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "kerasette_version": version}


def weights_bytes(model, include_optimizer=True):
    """model.weights.h5 as bytes (written in memory, then into the zip)."""
    from kerasette.saving.h5 import require_h5py
    h5py = require_h5py()

    from kerasette.saving.weights_h5 import write_weights

    buf = io.BytesIO()
    with h5py.File(buf, "w") as h5:
        write_weights(h5, model, include_optimizer=include_optimizer)
    return buf.getvalue()


def save_archive(model, filepath):
    config_json = json.dumps(model_config(model))
    metadata_json = json.dumps(_metadata())
    weights = weights_bytes(model, include_optimizer=True)

    def write(target):
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(METADATA_FILENAME, metadata_json)
            zf.writestr(CONFIG_FILENAME, config_json)
            zf.writestr(WEIGHTS_FILENAME, weights)

    if hasattr(filepath, "write"):  # a binary file object (io.BytesIO), as Keras allows
        write(filepath)
        return
    with atomic_write(filepath) as tmp:
        write(tmp)


class _Archive:
    """Read-only access to the members of a .keras zip or an unzipped folder."""

    def __init__(self, filepath):
        self.zf = None
        if hasattr(filepath, "read"):  # a binary file object
            self.filepath = getattr(filepath, "name", None) or "<file object>"
            try:
                self.zf = zipfile.ZipFile(filepath, "r")
            except zipfile.BadZipFile as e:
                raise ValueError(f"{self.filepath} is not a valid .keras file: the zip "
                                 f"archive is truncated or corrupt ({e})") from None
            self.names = set(self.zf.namelist())
            return
        self.filepath = os.fspath(filepath)
        if os.path.isdir(self.filepath):
            self.names = set(os.listdir(self.filepath))
            return
        try:
            self.zf = zipfile.ZipFile(self.filepath, "r")
        except zipfile.BadZipFile as e:
            raise ValueError(f"{self.filepath} is not a valid .keras file: the zip archive "
                             f"is truncated or corrupt ({e})") from None
        self.names = set(self.zf.namelist())

    def read(self, name):
        if name not in self.names:
            raise ValueError(f"{self.filepath} is not a Keras model archive: it has no "
                             f"{name} (members: {sorted(self.names)[:10]})")
        if self.zf is None:
            with open(os.path.join(self.filepath, name), "rb") as f:
                return f.read()
        info = self.zf.getinfo(name)
        if info.file_size > _BOMB_FLOOR and info.file_size > _MAX_EXPANSION * max(
                info.compress_size, 1):
            raise ValueError(f"{self.filepath}: member {name} declares {info.file_size} bytes "
                             f"but stores {info.compress_size}; refusing a zip bomb")
        try:
            with self.zf.open(name, "r") as f:
                return f.read()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
            raise ValueError(f"{self.filepath} is truncated or corrupt: cannot read "
                             f"{name} ({e})") from None

    def close(self):
        if self.zf is not None:
            self.zf.close()


def read_config(archive):
    raw = archive.read(CONFIG_FILENAME)
    try:
        config = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{archive.filepath}: config.json is not valid JSON ({e})") from None
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(f"{archive.filepath}: config.json does not describe a Keras object "
                         f"(expected keys class_name and config)")
    return config


def open_h5_bytes(data, where):
    """An h5py.File over bytes, or a ValueError naming the file as corrupt."""
    from kerasette.saving.h5 import require_h5py
    h5py = require_h5py()

    try:
        return h5py.File(io.BytesIO(data), "r")
    except (OSError, ValueError) as e:
        raise ValueError(f"{where} is not a readable HDF5 file: corrupt or truncated "
                         f"({e})") from None


def load_archive(filepath, custom_objects=None, compile=True, safe_mode=True):
    from kerasette.saving.model_config import model_from_config
    from kerasette.saving.weights_h5 import read_weights

    archive = _Archive(filepath)
    try:
        config = read_config(archive)
        if WEIGHTS_FILENAME not in archive.names:
            if "model.weights.npz" in archive.names:
                raise ValueError(f"{filepath}: npz weights (weights_format='npz') hold "
                                 f"pickled Python objects, which kerasette never loads; "
                                 f"save with the default h5 weights format")
            raise ValueError(f"{filepath}: expected a {WEIGHTS_FILENAME} member")
        weights = archive.read(WEIGHTS_FILENAME)
        model = model_from_config(config, custom_objects=custom_objects, compile=compile,
                                  safe_mode=safe_mode)
        with open_h5_bytes(weights, f"{filepath}/{WEIGHTS_FILENAME}") as h5:
            read_weights(h5, model, load_optimizer=compile)
        return model
    finally:
        archive.close()


def load_weights_from_archive(model, filepath, skip_mismatch=False):
    from kerasette.saving.weights_h5 import read_weights

    archive = _Archive(filepath)
    try:
        weights = archive.read(WEIGHTS_FILENAME)
        with open_h5_bytes(weights, f"{filepath}/{WEIGHTS_FILENAME}") as h5:
            read_weights(h5, model, skip_mismatch=skip_mismatch)
    finally:
        archive.close()
