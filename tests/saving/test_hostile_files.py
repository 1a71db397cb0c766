"""Hostile files: each crafted file (all <= 10 MB) is refused with a ValueError that
says why, in under 1 s of CPU and 200 MB of peak RSS, measured in a fresh
subprocess so that the numbers are the loader's own.

The bombs inflate for real (a loader that trusts them spends GBs), built here by
splicing flushed deflate fragments, which takes milliseconds."""

import json
import os
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib

import numpy as np
import pytest

import kerasette as ks

h5py = pytest.importorskip("h5py")

MAX_CPU_S = 1.0
MAX_WALL_S = 5.0  # a loaded test machine; the CPU bound is the target
MAX_RSS_MB = 200
MAX_FILE_BYTES = 10 << 20

_CHILD = textwrap.dedent("""
    import json, resource, sys, time, traceback
    import numpy, h5py
    import kerasette as ks
    kind, path = sys.argv[1], sys.argv[2]
    model = None
    if kind == "weights":
        model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(8), ks.layers.Dense(2)])
        model.compile(optimizer="adam", loss="mse")
    def usage():
        # VmHWM is this process image's own peak: ru_maxrss would also count the
        # pages of the (large) pytest process this child was forked from.
        r = resource.getrusage(resource.RUSAGE_SELF)
        try:
            with open("/proc/self/status") as f:
                hwm = [l for l in f if l.startswith("VmHWM:")][0]
            peak = int(hwm.split()[1]) / 1024
        except (OSError, IndexError):
            peak = r.ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1024)
        return r.ru_utime + r.ru_stime, peak
    cpu0, base = usage()
    t0 = time.perf_counter()
    try:
        if kind == "weights":
            model.load_weights(path)
        else:
            ks.models.load_model(path)
        err = None
    except Exception as e:
        err = [type(e).__name__, str(e)[:2000]]
    wall = time.perf_counter() - t0
    cpu1, peak = usage()
    print(json.dumps({"error": err, "wall": wall, "cpu": cpu1 - cpu0, "peak_mb": peak,
                      "base_mb": base}))
""")


def _load_in_child(path, kind="model"):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _assert_refused(path, match, kind="model"):
    size = os.path.getsize(path)
    assert size <= MAX_FILE_BYTES, size
    r = _load_in_child(path, kind)
    print(f"{os.path.basename(path)}: {size / 1e6:.2f} MB file, {r}")
    assert r["error"] is not None, f"{path} was loaded: {r}"
    assert r["error"][0] == "ValueError", r["error"]
    message = r["error"][1].replace(os.path.dirname(os.path.abspath(path)), "<dir>")
    assert any(m in message for m in match), r["error"]
    assert r["cpu"] < MAX_CPU_S, r
    assert r["wall"] < MAX_WALL_S, r
    assert r["peak_mb"] < MAX_RSS_MB, r


# ---- crafted zips ----------------------------------------------------------------------


def _fragment(data):
    """Raw deflate of ``data`` ending on a full flush: fragments splice into one
    valid stream (each starts with an empty history and ends byte-aligned)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)


def _bomb(prefix, fill, repeats, suffix):
    """(deflated bytes, crc, inflated size) of prefix + fill * repeats + suffix."""
    block = _fragment(fill)
    crc = zlib.crc32(prefix)
    for _ in range(repeats):
        crc = zlib.crc32(fill, crc)
    crc = zlib.crc32(suffix, crc)
    data = (
        _fragment(prefix)
        + block * repeats
        + _fragment(suffix)
        + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    )
    return data, crc, len(prefix) + len(fill) * repeats + len(suffix)


def _write_zip(path, members):
    """members: (name, method, stored bytes, crc, size), written by hand so that a
    member can hold a precomputed deflate stream."""
    out, central = bytearray(), bytearray()
    for name, method, data, crc, size in members:
        n = name.encode()
        offset = len(out)
        out += (
            struct.pack(
                "<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), size, len(n), 0
            )
            + n
            + data
        )
        central += (
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(n),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + n
        )
    out += central + struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0
    )
    with open(path, "wb") as f:
        f.write(out)


def _stored(name, data):
    return (name, zipfile.ZIP_STORED, data, zlib.crc32(data), len(data))


@pytest.fixture(scope="module")
def genuine(tmp_path_factory):
    """(config.json bytes, model.weights.h5 bytes) of a small saved model."""
    path = tmp_path_factory.mktemp("genuine") / "m.keras"
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(8), ks.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.save(path)
    with zipfile.ZipFile(path) as z:
        return z.read("config.json"), z.read("model.weights.h5")


META = b'{"keras_version": "3.15.1"}'


def test_the_harness_loads_a_genuine_file_within_the_bounds(tmp_path, genuine):
    config, weights = genuine
    _write_zip(
        tmp_path / "ok.keras",
        [
            _stored("metadata.json", META),
            _stored("config.json", config),
            _stored("model.weights.h5", weights),
        ],
    )
    r = _load_in_child(tmp_path / "ok.keras")
    assert r["error"] is None, r
    assert r["peak_mb"] < MAX_RSS_MB, r


def test_weights_member_zip_bomb(tmp_path, genuine):
    """model.weights.h5 deflated from 512 MiB of zeros after a real HDF5 header."""
    config, weights = genuine
    data, crc, size = _bomb(weights, b"\0" * (1 << 20), 512, b"")
    _write_zip(
        tmp_path / "bomb.keras",
        [
            _stored("metadata.json", META),
            _stored("config.json", config),
            ("model.weights.h5", zipfile.ZIP_DEFLATED, data, crc, size),
        ],
    )
    _assert_refused(tmp_path / "bomb.keras", ["zip bomb"])
    # load_weights reads the same member
    _assert_refused(tmp_path / "bomb.keras", ["zip bomb"], kind="weights")


def test_config_member_zip_bomb(tmp_path, genuine):
    """config.json deflated from 512 MiB: a valid config with a huge padding string."""
    config, weights = genuine
    head = config.rstrip()[:-1] + b', "pad": "'
    data, crc, size = _bomb(head, b" " * (1 << 20), 512, b'"}')
    _write_zip(
        tmp_path / "bomb.keras",
        [
            _stored("metadata.json", META),
            ("config.json", zipfile.ZIP_DEFLATED, data, crc, size),
            _stored("model.weights.h5", weights),
        ],
    )
    _assert_refused(tmp_path / "bomb.keras", ["zip bomb", "limit"])


def test_metadata_and_extra_members_are_never_inflated(tmp_path, genuine):
    """A bomb in a member the loader does not need costs nothing."""
    config, weights = genuine
    data, crc, size = _bomb(b"{", b" " * (1 << 20), 512, b"}")
    _write_zip(
        tmp_path / "m.keras",
        [
            ("metadata.json", zipfile.ZIP_DEFLATED, data, crc, size),
            _stored("config.json", config),
            _stored("model.weights.h5", weights),
        ],
    )
    r = _load_in_child(tmp_path / "m.keras")
    assert r["error"] is None and r["peak_mb"] < MAX_RSS_MB, r


def test_wide_json_config(tmp_path, genuine):
    """9 MB of '[],' stored: 3 M lists, 300 MB and seconds of json.loads."""
    config, weights = genuine
    wide = config.rstrip()[:-1] + b', "pad": [' + b"[]," * 3_000_000 + b"[]]}"
    _write_zip(
        tmp_path / "wide.keras",
        [
            _stored("metadata.json", META),
            _stored("config.json", wide),
            _stored("model.weights.h5", weights),
        ],
    )
    _assert_refused(tmp_path / "wide.keras", ["values"])


@pytest.mark.parametrize("depth", [500, 4_000_000])
def test_nested_json_config(tmp_path, genuine, depth):
    """Deep nesting inside a layer's config (500: within Python's recursion limit,
    so json parses it and the rebuild recurses; 4 M: an 8 MB bracket bomb)."""
    config, weights = genuine
    cfg = json.loads(config)
    cfg["config"]["layers"][1]["config"]["kernel_initializer"] = "@@"
    text = json.dumps(cfg).encode()
    text = text.replace(b'"@@"', b"[" * depth + b"]" * depth)
    _write_zip(
        tmp_path / "deep.keras",
        [
            _stored("metadata.json", META),
            _stored("config.json", text),
            _stored("model.weights.h5", weights),
        ],
    )
    _assert_refused(tmp_path / "deep.keras", ["nested more than"])


def test_many_zip_entries(tmp_path, genuine):
    """A genuine archive plus 60,000 empty entries: refused from the end record
    before zipfile builds an object per entry."""
    config, weights = genuine
    members = [
        _stored("metadata.json", META),
        _stored("config.json", config),
        _stored("model.weights.h5", weights),
    ]
    members += [_stored(f"assets/{i}", b"") for i in range(60_000)]
    _write_zip(tmp_path / "many.keras", members)
    _assert_refused(tmp_path / "many.keras", ["entries"])


def test_stored_member_larger_than_the_archive(tmp_path, genuine):
    config, weights = genuine
    _write_zip(
        tmp_path / "lie.keras",
        [
            _stored("metadata.json", META),
            _stored("config.json", config),
            ("model.weights.h5", zipfile.ZIP_STORED, weights, zlib.crc32(weights), len(weights)),
        ],
    )
    data = bytearray((tmp_path / "lie.keras").read_bytes())
    # Patch the central directory's sizes of the last member to 3 GiB.
    at = data.rfind(b"PK\x01\x02")
    data[at + 20 : at + 28] = struct.pack("<2L", 3 << 30, 3 << 30)
    (tmp_path / "lie.keras").write_bytes(bytes(data))
    _assert_refused(tmp_path / "lie.keras", ["truncated or corrupt", "zip bomb"])


# ---- HDF5 ------------------------------------------------------------------------------


def _fill_only(h5, name, shape):
    """A dataset declaring ``shape`` and storing nothing (chunked, fill value)."""
    h5.create_dataset(
        name,
        shape=shape,
        dtype="float32",
        chunks=(64, 64)[: len(shape)],
        compression="gzip",
        fillvalue=1.0,
    )


def test_legacy_h5_huge_optimizer_dataset(tmp_path):
    """A legacy .h5 whose optimizer_weights declare 1 GiB arrays (iteration and a
    slot): read before any shape check, they cost 1 GiB each."""
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(8), ks.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.zeros((8, 4), "float32"), np.zeros((8, 2), "float32"), verbose=0)
    path = tmp_path / "legacy.h5"
    with pytest.warns(UserWarning):
        model.save(path)
    with h5py.File(path, "r+") as h5:
        group = h5["optimizer_weights"]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
        for n in (names[0], names[2]):
            del group[n]
            _fill_only(group, n, (16384, 16384))
    assert os.path.getsize(path) < 1 << 20
    r = _load_in_child(path)
    print(r)
    # Keras skips an optimizer state that does not fit (a warning), so the load may
    # succeed; what matters is that the declared arrays were never read.
    assert r["error"] is None or r["error"][0] == "ValueError", r
    assert r["cpu"] < MAX_CPU_S and r["peak_mb"] < MAX_RSS_MB, r


@pytest.mark.parametrize("kind", ["weights.h5", "legacy.h5", "keras"])
def test_huge_declared_layer_dataset(tmp_path, genuine, kind):
    """A layer weight declaring a (16384, 16384) float32 array (1 GiB), storing
    nothing: refused from its shape before reading."""
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(8), ks.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    if kind == "weights.h5":
        path = tmp_path / "m.weights.h5"
        model.save_weights(path)
        with h5py.File(path, "r+") as h5:
            del h5["layers/dense/vars/0"]
            _fill_only(h5["layers/dense/vars"], "0", (16384, 16384))
        _assert_refused(path, ["Shape mismatch"], kind="weights")
    elif kind == "legacy.h5":
        path = tmp_path / "m.h5"
        with pytest.warns(UserWarning):
            model.save(path)
        with h5py.File(path, "r+") as h5:
            layer = h5["model_weights"][list(h5["model_weights"].attrs["layer_names"])[0]]
            first = layer.attrs["weight_names"][0]
            first = first.decode() if isinstance(first, bytes) else first
            del layer[first]
            _fill_only(layer, first, (16384, 16384))
        _assert_refused(path, ["Shape mismatch"])
    else:
        config, weights = genuine
        import io

        buf = io.BytesIO(weights)
        with h5py.File(buf, "r+") as h5:
            del h5["layers/dense/vars/0"]
            _fill_only(h5["layers/dense/vars"], "0", (16384, 16384))
        _write_zip(
            tmp_path / "m.keras",
            [
                _stored("metadata.json", META),
                _stored("config.json", config),
                _stored("model.weights.h5", buf.getvalue()),
            ],
        )
        _assert_refused(tmp_path / "m.keras", ["Shape mismatch"])


def test_external_dataset_is_refused(tmp_path):
    """A weight whose bytes live in another file (any file the loader can read):
    loading it would copy that file's bytes into the model."""
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.arange(32, dtype="float32").tobytes())
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(8), ks.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "r+") as h5:
        del h5["layers/dense/vars/0"]
        h5["layers/dense/vars"].create_dataset(
            "0", shape=(4, 8), dtype="float32", external=[(str(secret), 0, 128)]
        )
    _assert_refused(path, ["external HDF5 dataset"], kind="weights")


def test_external_link_is_refused(tmp_path):
    other = tmp_path / "other.weights.h5"
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(8), ks.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.save_weights(other)
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "r+") as h5:
        del h5["layers/dense"]
        h5["layers/dense"] = h5py.ExternalLink(str(other), "/layers/dense")
    _assert_refused(path, ["ExternalLink"], kind="weights")


# A compiled model saved before any training: on loading it, kerasette warns that the
# optimizer state is skipped, as Keras does.
@pytest.mark.filterwarnings("ignore:Skipping the (saved )?optimizer state:UserWarning")
def test_recompressed_genuine_archive_still_loads(tmp_path):
    """`zip -r` of a real model (deflated members, within the limits) loads, its
    weights inflated through a temporary file rather than read whole."""
    model = ks.Sequential([ks.Input((64,)), ks.layers.Dense(256), ks.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.save(tmp_path / "m.keras")
    with (
        zipfile.ZipFile(tmp_path / "m.keras") as src,
        zipfile.ZipFile(tmp_path / "z.keras", "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in src.namelist():
            dst.writestr(name, src.read(name))
    loaded = ks.models.load_model(tmp_path / "z.keras")
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    fresh = ks.Sequential([ks.Input((64,)), ks.layers.Dense(256), ks.layers.Dense(2)])
    fresh.load_weights(tmp_path / "z.keras")
    for a, b in zip(fresh.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# A compiled model saved before any training: on loading it, kerasette warns that the
# optimizer state is skipped, as Keras does.
@pytest.mark.filterwarnings("ignore:Skipping the (saved )?optimizer state:UserWarning")
def test_big_stored_weights_are_read_in_place(tmp_path, monkeypatch):
    """Stored members past file_guard.IN_MEMORY_BYTES are read through a window on
    the archive file (no copy): same weights, and the CRC still catches corruption."""
    import importlib

    guard = importlib.import_module("kerasette.saving.file_guard")
    monkeypatch.setattr(guard, "IN_MEMORY_BYTES", 0)
    model = ks.Sequential([ks.Input((64,)), ks.layers.Dense(256), ks.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = ks.models.load_model(path)
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with open(path, "rb") as f:  # a file object goes the same way
        loaded = ks.models.load_model(f)
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    data = bytearray(path.read_bytes())
    at = data.find(b"\x89HDF")
    data[at + 4000 : at + 4100] = b"\x01" * 100
    (tmp_path / "flip.keras").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="CRC"):
        ks.models.load_model(tmp_path / "flip.keras")
