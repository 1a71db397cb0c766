"""Safe loading: every broken or hostile file gives a clear exception that names the
problem; nothing from the file is executed; a failed load changes nothing."""

import json
import zipfile

import numpy as np
import pytest

import kerasette as ks
from tests.saving import models


def write_archive(path, config, weights_bytes, metadata=b'{"keras_version": "3.15.1"}'):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", metadata)
        z.writestr("config.json", json.dumps(config) if not isinstance(config, bytes) else config)
        if weights_bytes is not None:
            z.writestr("model.weights.h5", weights_bytes)


def read_archive(path):
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("config.json")), z.read("model.weights.h5")


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.keras"
    models.mlp(ks).save(path)
    return path


def test_unknown_layer_class(tmp_path, good):
    config, weights = read_archive(good)
    config["config"]["layers"][1]["class_name"] = "EvilLayer"
    write_archive(tmp_path / "bad.keras", config, weights)
    with pytest.raises((ValueError, TypeError), match="EvilLayer"):
        ks.models.load_model(tmp_path / "bad.keras")


def test_module_from_file_is_never_imported(tmp_path, good):
    """A config naming an arbitrary module/class resolves to nothing."""
    config, weights = read_archive(good)
    config["config"]["layers"][1].update(module="subprocess", class_name="Popen")
    write_archive(tmp_path / "bad.keras", config, weights)
    with pytest.raises((ValueError, TypeError), match="Popen"):
        ks.models.load_model(tmp_path / "bad.keras")
    config["config"]["layers"][1].update(module="keras.layers", class_name="__class__")
    write_archive(tmp_path / "bad2.keras", config, weights)
    with pytest.raises((ValueError, TypeError), match="__class__"):
        ks.models.load_model(tmp_path / "bad2.keras")


@pytest.mark.parametrize("safe_mode", [True, False])
def test_lambda_in_file_is_refused(tmp_path, good, safe_mode):
    config, weights = read_archive(good)
    config["config"]["layers"][1]["config"]["activation"] = {
        "class_name": "__lambda__",
        "config": {"value": ["4wEAAAAAAAAA", None, None]},
    }
    write_archive(tmp_path / "bad.keras", config, weights)
    with pytest.raises(ValueError, match="lambda"):
        ks.models.load_model(tmp_path / "bad.keras", safe_mode=safe_mode)


def test_truncated_zip(tmp_path, good):
    data = good.read_bytes()
    for cut in (10, len(data) // 3, len(data) - 30):
        (tmp_path / "cut.keras").write_bytes(data[:cut])
        with pytest.raises(ValueError, match="truncated|corrupt|not a Keras model"):
            ks.models.load_model(tmp_path / "cut.keras")


def test_corrupt_member_bytes(tmp_path, good):
    data = bytearray(good.read_bytes())
    start = data.find(b"\x89HDF")  # inside model.weights.h5, stored uncompressed
    data[start + 600 : start + 700] = b"\x00" * 100
    (tmp_path / "flip.keras").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupt"):  # the zip's CRC catches it
        ks.models.load_model(tmp_path / "flip.keras")


def test_corrupt_hdf5_member(tmp_path, good):
    config, weights = read_archive(good)
    write_archive(tmp_path / "bad.keras", config, b"\x89HDF\r\n\x1a\n" + b"\x07" * 900)
    with pytest.raises(ValueError, match="HDF5"):
        ks.models.load_model(tmp_path / "bad.keras")
    write_archive(tmp_path / "bad2.keras", config, weights[: len(weights) // 2])
    with pytest.raises(ValueError, match="HDF5|corrupt|truncated"):
        ks.models.load_model(tmp_path / "bad2.keras")


def test_corrupt_legacy_h5(tmp_path):
    data = open("/work/shared/keras-samples/legacy.h5", "rb").read()
    (tmp_path / "cut.h5").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="HDF5|corrupt|truncated"):
        ks.models.load_model(tmp_path / "cut.h5")


def test_shape_mismatch_between_config_and_weights(tmp_path, good):
    config, _ = read_archive(good)
    other = tmp_path / "other.keras"
    models.mlp(ks, sizes=(4, 9, 3)).save(other)
    _, weights = read_archive(other)
    write_archive(tmp_path / "bad.keras", config, weights)
    with pytest.raises(ValueError, match=r"Shape mismatch.*\(4, 8\).*\(4, 9\)"):
        ks.models.load_model(tmp_path / "bad.keras")


def test_layer_count_mismatch(tmp_path, good):
    config, _ = read_archive(good)
    other = tmp_path / "other.keras"
    models.mlp(ks, sizes=(4, 8, 8, 3)).save(other)
    _, weights = read_archive(other)
    write_archive(tmp_path / "bad.keras", config, weights)
    with pytest.raises(ValueError, match="different architecture|layers"):
        ks.models.load_model(tmp_path / "bad.keras")


@pytest.mark.parametrize(
    "content", [b"", b"hello world, not a model", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64]
)
def test_not_a_model_file(tmp_path, content):
    (tmp_path / "x.keras").write_bytes(content)
    with pytest.raises(ValueError, match="not a Keras model file"):
        ks.models.load_model(tmp_path / "x.keras")


def test_zip_without_model(tmp_path, good):
    with zipfile.ZipFile(tmp_path / "x.keras", "w") as z:
        z.writestr("readme.txt", "nothing here")
    with pytest.raises(ValueError, match="config.json"):
        ks.models.load_model(tmp_path / "x.keras")
    config, weights = read_archive(good)
    write_archive(tmp_path / "y.keras", b"{not json", weights)
    with pytest.raises(ValueError, match="JSON"):
        ks.models.load_model(tmp_path / "y.keras")
    layer_cfg = config["config"]["layers"][1]
    write_archive(tmp_path / "z.keras", layer_cfg, weights)
    with pytest.raises(ValueError, match="not a model"):
        ks.models.load_model(tmp_path / "z.keras")
    write_archive(tmp_path / "w.keras", config, None)
    with pytest.raises(ValueError, match="model.weights.h5"):
        ks.models.load_model(tmp_path / "w.keras")


def test_weights_file_given_to_load_model(tmp_path):
    models.mlp(ks).save_weights(tmp_path / "m.weights.h5")
    with pytest.raises(ValueError, match="load_weights"):
        ks.models.load_model(tmp_path / "m.weights.h5")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        ks.models.load_model(tmp_path / "nope.keras")
    with pytest.raises(ValueError, match="File not found"):  # Keras raises ValueError
        ks.models.load_model(tmp_path / "nope.keras")


def test_failed_load_weights_changes_nothing(tmp_path):
    """Layer 1 matches, layer 2 does not: nothing at all is assigned."""
    src = models.randomize(models.mlp(ks, sizes=(4, 8, 5)), seed=5)
    src.save_weights(tmp_path / "src.weights.h5")
    dst = models.randomize(models.mlp(ks, sizes=(4, 8, 3)), seed=6)
    before = [w.copy() for w in dst.get_weights()]
    with pytest.raises(ValueError, match="Shape mismatch"):
        dst.load_weights(tmp_path / "src.weights.h5")
    for a, b in zip(before, dst.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_random_corruption_never_crashes(tmp_path, good):
    """Flip bytes all over a valid file: each load either succeeds or raises a
    ValueError/TypeError; no other exception type, no crash."""
    data = good.read_bytes()
    rng = np.random.default_rng(0)
    outcomes = {"ok": 0, "error": 0}
    for i in range(150):
        buf = bytearray(data)
        for pos in rng.integers(0, len(buf), size=int(rng.integers(1, 8))):
            buf[pos] = int(rng.integers(0, 256))
        path = tmp_path / f"f{i}.keras"
        path.write_bytes(bytes(buf))
        try:
            ks.models.load_model(path)
            outcomes["ok"] += 1
        except (ValueError, TypeError):
            outcomes["error"] += 1
    assert outcomes["error"] > 0


def test_functional_model_file_loads(tmp_path, keras):
    # Functional models load now (tests/models has the full comparisons).
    inp = keras.Input(shape=(3,))
    model = keras.Model(inp, keras.layers.Dense(2)(inp))
    model.save(tmp_path / "f.keras")
    x = np.ones((2, 3), "float32")
    back = ks.models.load_model(tmp_path / "f.keras")
    np.testing.assert_allclose(np.asarray(back(x)), np.asarray(model(x)), rtol=1e-6)


@pytest.mark.parametrize("kind", ["legacy", "weights"])
def test_random_corruption_of_hdf5_files_never_crashes(tmp_path, kind):
    """HDF5 has no checksums over data, so some corrupted files still load (with odd
    values, as in Keras); every other outcome must be a ValueError/TypeError."""
    if kind == "legacy":
        data = open("/work/shared/keras-samples/legacy.h5", "rb").read()
        path, load = tmp_path / "x.h5", lambda p: ks.models.load_model(p, compile=False)
    else:
        models.mlp(ks).save_weights(tmp_path / "src.weights.h5")
        data = (tmp_path / "src.weights.h5").read_bytes()
        path, load = tmp_path / "x.weights.h5", lambda p: models.mlp(ks).load_weights(p)
    rng = np.random.default_rng(1)
    errors = 0
    for _ in range(120):
        buf = bytearray(data)
        for pos in rng.integers(0, len(buf), size=int(rng.integers(1, 6))):
            buf[pos] = int(rng.integers(0, 256))
        path.write_bytes(bytes(buf))
        try:
            load(path)
        except (ValueError, TypeError):
            errors += 1
    assert errors > 0


def test_huge_declared_dataset_is_refused_before_reading(tmp_path, h5py):
    """A small file that declares a 40 GB weight: refused from its metadata."""
    path = tmp_path / "bomb.weights.h5"
    models.mlp(ks).save_weights(path)
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset("0", shape=(100_000, 100_000), dtype="f4")
    assert path.stat().st_size < 1_000_000
    model = models.mlp(ks)
    with pytest.raises(ValueError, match=r"Shape mismatch.*\(100000, 100000\)"):
        model.load_weights(path)


def test_random_config_values_never_crash(tmp_path):
    """Replace one value anywhere in config.json by junk (wrong types, huge sizes,
    empty containers): every load succeeds or raises ValueError/TypeError."""
    import copy

    models.all_layers(ks).save(tmp_path / "base.keras")
    config, weights = read_archive(tmp_path / "base.keras")

    def paths(node, prefix=()):
        if prefix:
            yield prefix
        items = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        for k, v in items:
            yield from paths(v, prefix + (k,))

    where = list(paths(config))
    junk = [
        None,
        -1,
        0,
        10**12,
        1.5,
        "x",
        "",
        [],
        {},
        [1, 2],
        {"class_name": "Dense"},
        True,
        "relu",
        [None],
    ]
    rng = np.random.default_rng(0)
    errors = 0
    for _ in range(200):
        cfg = copy.deepcopy(config)
        path = where[rng.integers(len(where))]
        node = cfg
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = junk[rng.integers(len(junk))]
        write_archive(tmp_path / "c.keras", cfg, weights)
        try:
            ks.models.load_model(tmp_path / "c.keras")
        except (ValueError, TypeError):
            errors += 1
    assert errors > 0


def test_npz_weights_archive_is_refused(tmp_path, keras):
    """Keras's weights_format="npz" stores pickled dicts: never unpickled here."""
    from keras.src.saving import saving_lib

    saving_lib.save_model(models.mlp(keras), str(tmp_path / "n.keras"), weights_format="npz")
    with pytest.raises(ValueError, match="pickled"):
        ks.models.load_model(tmp_path / "n.keras")


def test_load_weights_skip_mismatch(tmp_path):
    """Keras's skip_mismatch=True: matching layers load, the others are skipped with a
    warning."""
    src = models.randomize(models.mlp(ks, sizes=(4, 8, 5)), seed=5)
    src.save_weights(tmp_path / "src.weights.h5")
    dst = models.mlp(ks, sizes=(4, 8, 3))
    before_out = [w.copy() for w in dst.get_weights()[2:]]
    with pytest.warns(UserWarning, match="Skipping layer 'out'"):
        dst.load_weights(tmp_path / "src.weights.h5", skip_mismatch=True)
    for a, b in zip(dst.get_weights()[:2], src.get_weights()[:2], strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(dst.get_weights()[2:], before_out, strict=True):
        np.testing.assert_array_equal(a, b)
