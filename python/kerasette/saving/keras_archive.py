"""The Keras 3 ``.keras`` file: a zip of metadata.json, config.json and
model.weights.h5, in that order, stored uncompressed (keras/src/saving/saving_lib.py).

Saving goes through atomic_write, so the previous file survives any crash.
Loading reads the archive defensively: a truncated or corrupt zip, bad JSON, a
corrupt HDF5 member or a member that declares an absurd size each raise a
ValueError that says which, before a model is returned.
"""

import contextlib
import datetime
import io
import json
import os
import shutil
import tempfile
import zipfile
import zlib

from kerasette.saving import file_guard
from kerasette.saving.atomic_write import atomic_write
from kerasette.saving.compile_state import get_compile_config
from kerasette.saving.serialization import class_identity, serialize_keras_object

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"
# The Keras release whose format these files follow (KERAS-FACTS.md §1).
KERAS_FORMAT_VERSION = "3.15.1"


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
    return {
        "keras_version": KERAS_FORMAT_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "kerasette_version": version,
    }


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
    assets = _assets(model)

    def write(target):
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(METADATA_FILENAME, metadata_json)
            zf.writestr(CONFIG_FILENAME, config_json)
            zf.writestr(WEIGHTS_FILENAME, weights)
            for name, data in assets:
                zf.writestr(name, data)

    if hasattr(filepath, "write"):  # a binary file object (io.BytesIO), as Keras allows
        write(filepath)
        return
    with atomic_write(filepath) as tmp:
        write(tmp)


def _asset_layers(model):
    """(path, layer) of the layers with save_assets/load_assets (lookup layers), at
    the path of their weights group, as Keras's assets/ folder names them."""
    from kerasette.models.weight_layout import weight_groups

    seen = set()
    for path, layer, _ in weight_groups(model):
        if id(layer) not in seen and hasattr(layer, "save_assets"):
            seen.add(id(layer))
            yield path, layer


def _assets(model):
    """[(member name, bytes)] under assets/."""
    out = []
    for path, layer in _asset_layers(model):
        with tempfile.TemporaryDirectory() as d:
            layer.save_assets(d)
            for fname in sorted(os.listdir(d)):
                with open(os.path.join(d, fname), "rb") as f:
                    out.append((f"assets/{path}/{fname}", f.read()))
    return out


def _load_assets(archive, model):
    for path, layer in _asset_layers(model):
        prefix = f"assets/{path}/"
        names = [
            n
            for n in archive.names
            if n.startswith(prefix)
            and "/" not in n[len(prefix) :]
            and n[len(prefix) :] not in ("", ".", "..")
        ]
        if archive.zf is None:  # an unzipped folder
            folder = os.path.join(archive.filepath, "assets", *path.split("/"))
            if os.path.isdir(folder):
                layer.load_assets(folder)
            continue
        if not names:
            continue
        with tempfile.TemporaryDirectory() as d:
            for n in names:
                info = archive.zf.getinfo(n)
                file_guard.check_member(info, archive.size, archive.filepath)
                with (
                    archive.zf.open(info) as src,
                    open(os.path.join(d, n[len(prefix) :]), "wb") as dst,
                ):
                    shutil.copyfileobj(src, dst, 1 << 20)
            layer.load_assets(d)


class _Archive:
    """Read-only access to the members of a .keras zip or an unzipped folder.

    Every member is sized from the zip directory before it is read (file_guard):
    config.json is read in bounded chunks, and model.weights.h5 is opened in place
    when stored (as Keras and kerasette write it) or inflated into a temporary file
    within the archive-scaled limit when compressed, never read whole into memory."""

    def __init__(self, filepath):
        self.zf = None
        self._f = None
        self._own_f = False
        if hasattr(filepath, "read"):  # a binary file object
            self.filepath = getattr(filepath, "name", None) or "<file object>"
            self._f = filepath
        else:
            self.filepath = os.fspath(filepath)
            if os.path.isdir(self.filepath):
                self.names = set(os.listdir(self.filepath))
                return
            self._f = open(self.filepath, "rb")
            self._own_f = True
        try:
            self.size = file_guard.stream_size(self._f)
            file_guard.check_zip_directory(self._f, self.filepath)
            self.zf = zipfile.ZipFile(self._f, "r")
            self.names = set(self.zf.namelist())
        except zipfile.BadZipFile as e:
            self.close()
            raise ValueError(
                f"{self.filepath} is not a valid .keras file: the zip "
                f"archive is truncated or corrupt ({e})"
            ) from None
        except BaseException:
            self.close()
            raise

    def _check_name(self, name):
        if name not in self.names:
            raise ValueError(
                f"{self.filepath} is not a Keras model archive: it has no "
                f"{name} (members: {sorted(self.names)[:10]})"
            )

    def read_config(self, name=None):
        """config.json's bytes, at most file_guard.MAX_CONFIG_BYTES."""
        name = name or CONFIG_FILENAME
        self._check_name(name)
        limit = file_guard.MAX_CONFIG_BYTES
        if self.zf is None:
            path = os.path.join(self.filepath, name)
            if os.path.getsize(path) > limit:
                raise ValueError(
                    f"{path} is {os.path.getsize(path)} bytes; the limit "
                    f"for a config is {limit} (kerasette.saving.file_guard."
                    f"MAX_CONFIG_BYTES)"
                )
            with open(path, "rb") as f:
                return f.read(limit + 1)
        info = self.zf.getinfo(name)
        file_guard.check_member(
            info, self.size, self.filepath, limit=min(limit, file_guard.member_limit(self.size))
        )
        try:
            return file_guard.read_member(self.zf, info, limit, self.filepath)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
            raise ValueError(
                f"{self.filepath} is truncated or corrupt: cannot read {name} ({e})"
            ) from None

    @contextlib.contextmanager
    def open_h5(self, name):
        """``with archive.open_h5(name) as h5:`` the member as an open h5py.File."""
        from kerasette.saving.h5 import require_h5py

        h5py = require_h5py()

        self._check_name(name)
        where = f"{self.filepath}/{name}"
        if self.zf is None:
            source = os.path.join(self.filepath, name)
            with _h5_file(h5py, source, where) as h5:
                yield h5
            return
        info = self.zf.getinfo(name)
        file_guard.check_member(info, self.size, self.filepath)
        if info.compress_type == zipfile.ZIP_STORED:
            source = file_guard.stored_member_window(self._f, info, self.size, self.filepath)
            with _h5_file(h5py, source, where) as h5:
                yield h5
            return
        # A recompressed archive: inflate into memory up to 16 MiB, then to disk.
        with tempfile.SpooledTemporaryFile(max_size=16 << 20) as spool:
            try:
                with self.zf.open(info, "r") as src:
                    shutil.copyfileobj(src, spool, 1 << 20)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
                raise ValueError(
                    f"{self.filepath} is truncated or corrupt: cannot read {name} ({e})"
                ) from None
            spool.seek(0)
            with _h5_file(h5py, spool, where) as h5:
                yield h5

    def close(self):
        if self.zf is not None:
            self.zf.close()
            self.zf = None
        if self._own_f and self._f is not None:
            self._f.close()
            self._f = None


@contextlib.contextmanager
def _h5_file(h5py, source, where):
    try:
        h5 = h5py.File(source, "r")
    except (OSError, ValueError) as e:
        raise ValueError(
            f"{where} is not a readable HDF5 file: corrupt or truncated ({e})"
        ) from None
    try:
        yield h5
    finally:
        h5.close()


def read_config(archive):
    config = file_guard.loads_config(archive.read_config(), f"{archive.filepath}: config.json")
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(
            f"{archive.filepath}: config.json does not describe a Keras object "
            f"(expected keys class_name and config)"
        )
    return config


def open_h5_bytes(data, where):
    """An h5py.File over bytes, or a ValueError naming the file as corrupt."""
    from kerasette.saving.h5 import require_h5py

    h5py = require_h5py()

    try:
        return h5py.File(io.BytesIO(data), "r")
    except (OSError, ValueError) as e:
        raise ValueError(
            f"{where} is not a readable HDF5 file: corrupt or truncated ({e})"
        ) from None


def load_archive(filepath, custom_objects=None, compile=True, safe_mode=True):
    from kerasette.saving.model_config import model_from_config
    from kerasette.saving.weights_h5 import read_weights

    archive = _Archive(filepath)
    try:
        config = read_config(archive)
        if WEIGHTS_FILENAME not in archive.names:
            if "model.weights.npz" in archive.names:
                raise ValueError(
                    f"{filepath}: npz weights (weights_format='npz') hold "
                    f"pickled Python objects, which kerasette never loads; "
                    f"save with the default h5 weights format"
                )
            raise ValueError(f"{filepath}: expected a {WEIGHTS_FILENAME} member")
        if archive.zf is not None:  # refuse a bomb before spending time on the model
            file_guard.check_member(
                archive.zf.getinfo(WEIGHTS_FILENAME), archive.size, archive.filepath
            )
        model = model_from_config(
            config, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
        )
        with archive.open_h5(WEIGHTS_FILENAME) as h5:
            read_weights(h5, model, load_optimizer=compile)
        _load_assets(archive, model)
        return model
    finally:
        archive.close()


def load_weights_from_archive(model, filepath, skip_mismatch=False):
    from kerasette.saving.weights_h5 import read_weights

    archive = _Archive(filepath)
    try:
        with archive.open_h5(WEIGHTS_FILENAME) as h5:
            read_weights(h5, model, skip_mismatch=skip_mismatch)
    finally:
        archive.close()
