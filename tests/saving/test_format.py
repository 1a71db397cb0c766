"""The files kerasette writes have the layout Keras 3 writes (KERAS-FACTS §1):
same zip members in the same order, stored; same config.json structure; same HDF5
groups, attributes, dataset shapes and dtypes for the same architecture."""

import json
import zipfile

import numpy as np
import pytest

import kerasette as ks
from tests.saving import models


def h5_layout(h5py, data_or_path):
    import io

    src = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    out = {}
    with h5py.File(src, "r") as f:

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                kind = obj.dtype.kind
                out[name] = ("D", obj.shape, "int" if kind in "iu" else str(obj.dtype))
            else:
                out[name] = ("G", {k: str(v) for k, v in obj.attrs.items()})

        f.visititems(visit)
    return out


def zip_members(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, i.compress_type) for i in z.infolist()], {
            i.filename: z.read(i.filename) for i in z.infolist()
        }


def strip_keys(obj, drop=("shared_object_id",)):
    if isinstance(obj, dict):
        return {k: strip_keys(v, drop) for k, v in obj.items() if k not in drop}
    if isinstance(obj, list):
        return [strip_keys(v, drop) for v in obj]
    return obj


@pytest.mark.parametrize(
    "build", [models.all_layers, models.embedding_model, models.mlp, models.regularized]
)
def test_keras_archive_layout_matches_keras(tmp_path, keras, h5py, build):
    ours, theirs = tmp_path / "ours.keras", tmp_path / "theirs.keras"
    build(ks).save(ours)
    build(keras).save(theirs)
    (our_list, our_files), (their_list, their_files) = zip_members(ours), zip_members(theirs)
    assert (
        our_list
        == their_list
        == [("metadata.json", 0), ("config.json", 0), ("model.weights.h5", 0)]
    )
    meta = json.loads(our_files["metadata.json"])
    assert meta["keras_version"].startswith("3.") and "@" in meta["date_saved"]
    assert h5_layout(h5py, our_files["model.weights.h5"]) == h5_layout(
        h5py, their_files["model.weights.h5"]
    )
    our_cfg = json.loads(our_files["config.json"])
    their_cfg = json.loads(their_files["config.json"])
    # InputLayer names come from different global counters; the rest is identical
    # except two documented quirks: Keras records the adapt() batch size as
    # Normalization's build shape, and writes LayerNormalization's axis as a list
    # (both forms load in Keras).
    for cfg in (our_cfg, their_cfg):
        cfg["config"]["layers"][0]["config"].pop("name")
        for layer in cfg["config"]["layers"]:
            if layer["class_name"] == "Normalization":
                layer["build_config"]["input_shape"][0] = None
            if layer["class_name"] == "LayerNormalization" and isinstance(
                layer["config"]["axis"], list
            ):
                layer["config"]["axis"] = layer["config"]["axis"][0]
    assert strip_keys(our_cfg) == strip_keys(their_cfg)


def test_sample_files_from_keras_have_the_layout_we_read(h5py):
    """The Keras-written samples: the layout our reader relies on."""
    layout = h5_layout(h5py, "/work/shared/keras-samples/m.weights.h5")
    assert layout["layers/dense/vars"] == ("G", {"name": "dense"})
    assert layout["layers/dense_1/vars/0"] == ("D", (8, 3), "float32")
    assert layout["optimizer/vars/0"] == ("D", (), "int")
    assert layout["vars"] == ("G", {"name": "seq"})


def test_save_weights_layout_matches_keras(tmp_path, keras, h5py):
    ours, theirs = tmp_path / "o.weights.h5", tmp_path / "t.weights.h5"
    models.all_layers(ks).save_weights(ours)
    models.all_layers(keras).save_weights(theirs)
    assert h5_layout(h5py, str(ours)) == h5_layout(h5py, str(theirs))


def test_save_path_rules(tmp_path):
    m = models.mlp(ks)
    with pytest.raises(ValueError, match=r"\.keras"):
        ks.saving.save_model(m, tmp_path / "m.zip")
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        ks.saving.save_weights(m, tmp_path / "m.h5")
    with pytest.raises(ValueError, match=r"zipped=False"):
        ks.saving.save_model(m, tmp_path / "m.keras", zipped=False)
    m.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError):
        ks.saving.save_model(m, tmp_path / "m.keras", overwrite=False)
    with pytest.raises(TypeError, match="filepath"):
        ks.saving.save_model(m, 123)


def test_import_kerasette_saving_does_not_import_h5py():
    import subprocess
    import sys

    code = (
        "import sys, kerasette, kerasette.saving, kerasette.models;"
        "kerasette.callbacks.ModelCheckpoint; kerasette.callbacks.BackupAndRestore;"
        "print('h5py' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unbuilt_compiled_model_round_trip(tmp_path, keras):
    """Like Keras: an unbuilt model saves without build_config and without weights;
    it loads unbuilt and compiled, in kerasette and in Keras."""
    m = ks.Sequential([ks.layers.Dense(3, name="a"), ks.layers.Dense(1, name="b")], name="lazy")
    m.compile(optimizer="sgd", loss="mse")
    m.save(tmp_path / "lazy.keras")
    with zipfile.ZipFile(tmp_path / "lazy.keras") as z:
        cfg = json.loads(z.read("config.json"))
    assert "build_config" not in cfg and cfg["compile_config"]["optimizer"]["class_name"] == "SGD"
    back = ks.models.load_model(tmp_path / "lazy.keras")
    assert not back.built and type(back.optimizer).__name__ == "SGD"
    assert [l.name for l in back.layers] == ["a", "b"]
    theirs = keras.models.load_model(tmp_path / "lazy.keras")
    assert [l.name for l in theirs.layers] == ["a", "b"]


def test_file_objects(keras):
    """Keras's saving_lib also reads and writes .keras zips through file objects."""
    import io

    m = models.randomize(models.mlp(ks))
    buf = io.BytesIO()
    ks.saving.save_model(m, buf)
    buf.seek(0)
    back = ks.models.load_model(buf)
    for a, b in zip(back.get_weights(), m.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    buf.seek(0)
    from keras.src.saving import saving_lib  # Keras's file-object entry point

    theirs = saving_lib.load_model(buf)
    for a, b in zip(theirs.get_weights(), m.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="truncated or corrupt"):
        ks.models.load_model(io.BytesIO(b"PK\x03\x04garbage"))


def test_missing_h5py_gives_an_install_hint(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_h5py(name, *args, **kwargs):
        if name == "h5py":
            raise ImportError("No module named 'h5py'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_h5py)
    with pytest.raises(ImportError, match="pip install h5py"):
        models.mlp(ks).save(tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()
