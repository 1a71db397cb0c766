"""``save_model`` / ``load_model`` / ``save_weights`` / ``load_weights``: Keras 3's
entry points (keras/src/saving/saving_api.py), choosing the format from the path
on save and from the file's own bytes on load."""

import os
import warnings

from kerasette.saving.atomic_write import atomic_write, check_overwrite

_ZIP_MAGIC = b"PK\x03\x04"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


class ModelFileNotFoundError(FileNotFoundError, ValueError):
    """The path does not exist (a FileNotFoundError; a ValueError as in Keras)."""


def _path(filepath, what):
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(
            f"{what}: filepath must be a str or os.PathLike, got {type(filepath).__name__}"
        )
    return os.fspath(filepath)


def _check_model(model, what):
    if not hasattr(model, "layers") or not hasattr(model, "get_config"):
        raise TypeError(f"{what} expects a kerasette model, got {type(model).__name__}")


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Write ``model`` (architecture, weights, compile state and optimizer state)
    as a Keras 3 ``.keras`` zip, atomically."""
    _check_model(model, "save_model")
    if hasattr(filepath, "write"):  # a binary file object gets the .keras zip
        from kerasette.saving.keras_archive import save_archive

        return save_archive(model, filepath)
    filepath = _path(filepath, "save_model")
    if kwargs.pop("save_format", None) not in (None, "keras"):
        raise ValueError("save_format is not supported: kerasette writes the .keras format")
    if kwargs:
        raise ValueError(f"save_model: unexpected arguments {sorted(kwargs)}")
    if zipped is False:
        raise ValueError("zipped=False is not supported: kerasette writes .keras zip files")
    if filepath.endswith((".h5", ".hdf5")):
        # Keras writes its legacy whole-model HDF5 file here (and warns); so do we.
        check_overwrite(filepath, overwrite)
        from kerasette.saving.h5 import require_h5py

        h5py = require_h5py()

        from kerasette.saving.legacy_h5_writer import write_legacy_h5

        warnings.warn(
            "You are saving your model as an HDF5 file via `model.save()`. This "
            "file format is considered legacy. We recommend using instead the "
            "native Keras format, e.g. `model.save('my_model.keras')`.",
            stacklevel=2,
        )
        with atomic_write(filepath) as tmp:
            with h5py.File(tmp, "w") as h5:
                write_legacy_h5(h5, model)
        return
    if not filepath.endswith(".keras"):
        raise ValueError(
            f"Invalid filepath extension for saving. Please add either a "
            f"`.keras` extension for the native Keras format (recommended) or "
            f"a `.h5` extension. Received: filepath={filepath}"
        )
    check_overwrite(filepath, overwrite)
    from kerasette.saving.keras_archive import save_archive

    save_archive(model, filepath)


def _sniff(filepath):
    if os.path.isdir(filepath):
        return "dir"
    with open(filepath, "rb") as f:
        head = f.read(8)
    if head.startswith(_ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head == _HDF5_MAGIC:
        return "h5"
    return None


def _open_h5(filepath):
    from kerasette.saving.h5 import require_h5py

    h5py = require_h5py()

    try:
        return h5py.File(filepath, "r")
    except (OSError, ValueError) as e:
        raise ValueError(
            f"{filepath} is not a readable HDF5 file: corrupt or truncated ({e})"
        ) from None


def _guard_reader(fn, filepath):
    """Run a reader, turning low-level h5py/zip failures into a ValueError that
    names the file."""
    try:
        return fn()
    except MemoryError:
        raise ValueError(
            f"{filepath}: the model it describes does not fit in memory "
            f"(a corrupt or hostile config?)"
        ) from None
    except (OSError, RuntimeError, KeyError) as e:
        if isinstance(e, FileNotFoundError) and not os.path.exists(filepath):
            raise
        raise ValueError(f"{filepath} is corrupt or truncated: {type(e).__name__}: {e}") from None


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model stored in a ``.keras`` file (or folder) or a legacy ``.h5`` file.

    Only JSON configs and arrays are read: classes come from kerasette, the
    registry and ``custom_objects``; no code stored in the file is ever run."""
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"custom_objects must be a dict, got {type(custom_objects).__name__}")
    if hasattr(filepath, "read"):  # a binary file object holding a .keras zip
        from kerasette.saving.keras_archive import load_archive

        return _guard_reader(
            lambda: load_archive(filepath, custom_objects, compile, safe_mode), "<file object>"
        )
    filepath = _path(filepath, "load_model")
    if not os.path.exists(filepath):
        raise ModelFileNotFoundError(
            f"File not found: filepath={filepath}. Please ensure "
            f"the file is an accessible `.keras` zip file."
        )
    kind = _sniff(filepath)
    if kind in ("zip", "dir"):
        from kerasette.saving.keras_archive import load_archive

        return _guard_reader(
            lambda: load_archive(filepath, custom_objects, compile, safe_mode), filepath
        )
    if kind == "h5":
        from kerasette.saving.legacy_h5 import load_legacy_model

        def read():
            with _open_h5(filepath) as h5:
                if "model_config" not in h5.attrs and "layers" in h5:
                    raise ValueError(
                        f"{filepath} is a weights file (.weights.h5), not a "
                        f"whole model: build the model and call "
                        f"model.load_weights() on it"
                    )
                return load_legacy_model(h5, filepath, custom_objects, compile, safe_mode)

        return _guard_reader(read, filepath)
    raise ValueError(
        f"{filepath} is not a Keras model file: expected a .keras zip "
        f"archive or a legacy HDF5 .h5 file"
    )


def save_weights(model, filepath, overwrite=True, max_shard_size=None):
    """Write the layer and optimizer variables in Keras 3's ``.weights.h5`` layout."""
    _check_model(model, "save_weights")
    filepath = _path(filepath, "save_weights")
    if max_shard_size is not None:
        raise ValueError("max_shard_size (sharded weights) is not supported by kerasette")
    if not filepath.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={filepath}")
    check_overwrite(filepath, overwrite)
    from kerasette.saving.h5 import require_h5py

    h5py = require_h5py()

    from kerasette.saving.weights_h5 import write_weights

    with atomic_write(filepath) as tmp:
        with h5py.File(tmp, "w") as h5:
            write_weights(h5, model, include_optimizer=True)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Load weights saved by ``save_weights`` or ``save_model`` (Keras 3 or
    kerasette), or a legacy Keras 2 ``.h5`` file, into an already built model."""
    _check_model(model, "load_weights")
    filepath = _path(filepath, "load_weights")
    if kwargs:
        raise ValueError(f"load_weights: unexpected arguments {sorted(kwargs)}")
    if not os.path.exists(filepath):
        raise ModelFileNotFoundError(f"File not found: filepath={filepath}")
    if not getattr(model, "built", True):
        raise ValueError(
            "load_weights: the model is not built yet (it has no weights); "
            "build it first, e.g. model.build(input_shape) or with an Input"
        )
    kind = _sniff(filepath)
    if kind in ("zip", "dir"):
        from kerasette.saving.keras_archive import load_weights_from_archive

        return _guard_reader(
            lambda: load_weights_from_archive(model, filepath, skip_mismatch), filepath
        )
    if kind != "h5":
        raise ValueError(
            f"{filepath} is not a weights file: expected HDF5 (.weights.h5 "
            f"or legacy .h5) or a .keras archive"
        )

    def read():
        import numpy as np

        from kerasette.saving.legacy_h5 import read_legacy_weights
        from kerasette.saving.weights_h5 import read_weights

        with _open_h5(filepath) as h5:
            if "layers" in h5 or "_layer_checkpoint_dependencies" in h5:
                return read_weights(h5, model, skip_mismatch=skip_mismatch)
            group = h5["model_weights"] if "model_weights" in h5 else h5
            if "layer_names" not in group.attrs:
                raise ValueError(
                    f"{filepath} is not a Keras weights file: no 'layers' "
                    f"group and no legacy layer_names"
                )
            if skip_mismatch:
                warnings.warn("skip_mismatch is ignored for legacy .h5 weights", stacklevel=1)
            plan = read_legacy_weights(group, model, filepath)
            for v, val in plan:
                v.assign(np.asarray(val, dtype=v.dtype))

    return _guard_reader(read, filepath)
