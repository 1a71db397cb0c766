"""model.export's Keras 3 surface: formats, names, input_signature, opset_version, errors;
and format="kerasette", a version folder that the serving code loads and serves."""

import os

import numpy as np
import pytest

import kerasette as ks
from kerasette import layers as L

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def mlp(seed=0):
    ks.utils.set_random_seed(seed)
    return ks.Sequential(
        [L.Input((8,)), L.Dense(16, activation="relu"), L.Dense(3, activation="softmax")]
    )


def session(path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


# ---- formats and errors -----------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["tf_saved_model", "openvino", "litert", "torch"])
def test_tensorflow_formats_name_the_supported_ones(fmt, tmp_path):
    with pytest.raises(ValueError, match=r"'onnx'.*'kerasette'") as e:
        mlp().export(tmp_path / "m", format=fmt)
    assert fmt in str(e.value)
    assert not os.listdir(tmp_path)


def test_default_format_is_keras_default_and_explains(tmp_path):
    with pytest.raises(ValueError, match="tf_saved_model.*needs TensorFlow"):
        mlp().export(tmp_path / "m")


def test_unknown_format(tmp_path):
    with pytest.raises(
        ValueError,
        match=r"Unrecognized format=keras\. Supported formats are: "
        r"\['onnx', 'kerasette'\]",
    ):
        mlp().export(tmp_path / "m", format="keras")


def test_unbuilt_model(tmp_path):
    m = ks.Sequential([L.Dense(2)])
    for fmt in ("onnx", "kerasette"):
        with pytest.raises(ValueError, match="has not yet been built"):
            m.export(tmp_path / "1", format=fmt)


def test_unknown_kwarg_and_bad_opset(tmp_path):
    with pytest.raises(TypeError, match="jax2tf_kwargs"):
        mlp().export(tmp_path / "m.onnx", format="onnx", jax2tf_kwargs={})
    with pytest.raises(ValueError, match="opset_version=11"):
        mlp().export(tmp_path / "m.onnx", format="onnx", opset_version=11)


def test_unsupported_primitive_is_named(tmp_path):
    m = ks.Sequential([L.Input((4,)), L.Lambda(lambda x: ks.ops.cumprod(x, axis=1))])
    with pytest.raises(NotImplementedError, match="'cumprod'.*no cumulative product"):
        m.export(tmp_path / "m.onnx", format="onnx", verbose=False)
    assert not (tmp_path / "m.onnx").exists()


def test_verbose_message(tmp_path, capsys):
    path = tmp_path / "m.onnx"
    mlp().export(path, format="onnx")
    assert capsys.readouterr().out == f"Saved artifact at '{path}'.\n"
    mlp().export(path, format="onnx", verbose=False)
    assert capsys.readouterr().out == ""


# ---- onnx: names, signature, opsets --------------------------------------------------------
def test_onnx_names_and_dynamic_batch(tmp_path):
    m = mlp()
    path = tmp_path / "m.onnx"
    m.export(str(path), format="onnx", verbose=False)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    s = session(path)
    (inp,) = s.get_inputs()
    assert (inp.name, inp.shape, inp.type) == (m.input_layer.name, ["batch", 8], "tensor(float)")
    assert [(o.name, o.shape) for o in s.get_outputs()] == [("output_0", ["batch", 3])]
    x = np.random.default_rng(1).standard_normal((40, 8)).astype("float32")
    for n in (1, 2, 40):  # one file, any batch size
        (y,) = s.run(None, {inp.name: x[:n]})
        np.testing.assert_allclose(y, m.predict(x[:n], verbose=0), atol=1e-5, rtol=0)


def test_functional_multi_input_output_names_and_dtypes(tmp_path):
    a = L.Input((3,), name="dense_features")
    t = L.Input((4,), dtype="int32", name="token_ids")
    e = L.Flatten()(L.Embedding(7, 2)(t))
    h = L.Concatenate()([L.Dense(5)(a), e])
    m = ks.Model(
        {"dense_features": a, "token_ids": t}, [L.Dense(2, name="p")(h), L.Dense(1, name="q")(h)]
    )
    path = tmp_path / "m.onnx"
    m.export(path, format="onnx", verbose=False)
    s = session(path)
    assert {i.name: i.type for i in s.get_inputs()} == {
        "dense_features": "tensor(float)",
        "token_ids": "tensor(int32)",
    }
    assert [o.name for o in s.get_outputs()] == ["output_0", "output_1"]
    rng = np.random.default_rng(2)
    for n in (1, 6):
        feeds = {
            "dense_features": rng.standard_normal((n, 3)).astype("float32"),
            "token_ids": rng.integers(0, 7, (n, 4)).astype("int32"),
        }
        got = s.run(None, feeds)
        want = m.predict(feeds, verbose=0, callbacks=[])
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, atol=1e-5, rtol=0)


def test_input_signature_and_subclassed_model(tmp_path):
    class Net(ks.Model):
        def __init__(self):
            super().__init__()
            self.d1 = L.Dense(4, activation="tanh")
            self.d2 = L.Dense(2)

        def call(self, x):
            return self.d2(self.d1(x))

    net = Net()
    x = np.random.default_rng(3).standard_normal((5, 6)).astype("float32")
    want = np.asarray(net(x))
    net.export(tmp_path / "a.onnx", format="onnx", verbose=False)  # from the build shapes
    s = session(tmp_path / "a.onnx")
    assert s.get_inputs()[0].name == "input_0"
    np.testing.assert_allclose(s.run(None, {"input_0": x})[0], want, atol=1e-5, rtol=0)
    spec = ks.Input((6,), name="features")  # a KerasTensor, as Keras accepts
    net.export(tmp_path / "b.onnx", format="onnx", verbose=False, input_signature=[spec])
    s = session(tmp_path / "b.onnx")
    assert s.get_inputs()[0].name == "features" and s.get_inputs()[0].shape == ["batch", 6]
    np.testing.assert_allclose(s.run(None, {"features": x})[0], want, atol=1e-5, rtol=0)


@pytest.mark.parametrize("opset", [18, 21])
def test_opset_version(opset, tmp_path):
    m = ks.Sequential([L.Input((5, 3)), L.Conv1D(2, 2), L.GRU(3), L.Dense(1)])
    path = tmp_path / "m.onnx"
    m.export(path, format="onnx", verbose=False, opset_version=opset)
    assert onnx.load(str(path)).opset_import[0].version == opset
    x = np.random.default_rng(4).standard_normal((3, 5, 3)).astype("float32")
    (y,) = session(path).run(None, {session(path).get_inputs()[0].name: x})
    np.testing.assert_allclose(y, m.predict(x, verbose=0), atol=1e-5, rtol=0)


def test_weights_are_a_snapshot(tmp_path):
    m = mlp()
    x = np.ones((2, 8), "float32")
    before = m.predict(x, verbose=0)
    m.export(tmp_path / "m.onnx", format="onnx", verbose=False)
    m.layers[0].kernel.assign(np.zeros((8, 16), "float32"))
    (y,) = session(tmp_path / "m.onnx").run(None, {m.input_layer.name: x})
    np.testing.assert_allclose(y, before, atol=1e-6, rtol=0)


def test_large_weights_go_to_a_data_file(tmp_path, monkeypatch):
    from kerasette.export import onnx_export

    monkeypatch.setattr(onnx_export, "EXTERNAL_DATA_BYTES", 1000)  # as if over 1 GiB
    m = ks.Sequential([L.Input((32,)), L.Dense(64, activation="relu"), L.Dense(3)])
    path = tmp_path / "m.onnx"
    m.export(path, format="onnx", verbose=False)
    assert (tmp_path / "m.onnx.data").stat().st_size >= 4 * 32 * 64
    assert path.stat().st_size < 4 * 32 * 64  # the graph, without the big kernels
    x = np.random.default_rng(9).standard_normal((3, 32)).astype("float32")
    (y,) = session(path).run(None, {m.input_layer.name: x})
    np.testing.assert_allclose(y, m.predict(x, verbose=0), atol=1e-5, rtol=0)
    assert onnx.load(str(path)).producer_name == "kerasette"


def test_trained_weights_are_exported(tmp_path):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((64, 6, 3)).astype("float32")
    y = rng.integers(0, 3, 64)
    m = ks.Sequential(
        [
            L.Input((6, 3)),
            L.Conv1D(4, 2),
            L.BatchNormalization(),
            L.LSTM(5),
            L.Dense(3, activation="softmax"),
        ]
    )
    m.compile("adam", "sparse_categorical_crossentropy")
    before = m.predict(x, verbose=0)
    m.fit(x, y, epochs=2, verbose=0)
    after = m.predict(x, verbose=0)
    assert np.abs(after - before).max() > 1e-3  # training moved the weights
    m.export(tmp_path / "m.onnx", format="onnx", verbose=False)
    s = session(tmp_path / "m.onnx")
    np.testing.assert_allclose(
        s.run(None, {s.get_inputs()[0].name: x})[0], after, atol=1e-5, rtol=0
    )


# ---- kerasette: a version folder the server loads ----------------------------------------
def test_kerasette_format_is_what_the_server_loads(tmp_path):
    from kerasette.serving.repository import find_versions
    from kerasette.serving.server import load_servable

    base = tmp_path / "models" / "mnist"
    m1, m2 = mlp(1), mlp(2)
    m1.export(base / "1", format="kerasette", verbose=False)
    m2.export(str(base / "2"), format="kerasette", verbose=False)
    assert sorted(os.listdir(base)) == ["1", "2"]  # no temporary folder left behind
    versions = find_versions(str(base))
    assert versions == {1: str(base / "1" / "model.keras"), 2: str(base / "2" / "model.keras")}
    x = np.random.default_rng(5).standard_normal((4, 8)).astype("float32")
    for v, m in ((1, m1), (2, m2)):
        servable = load_servable(versions[v])
        assert servable.input_shape == (None, 8) and servable.output_shape == (None, 3)
        np.testing.assert_allclose(servable.forward(x), m.predict(x, verbose=0), atol=1e-6)
    m3 = mlp(3)
    m3.export(base / "2", format="kerasette", verbose=False)  # a version written again
    np.testing.assert_allclose(
        load_servable(versions[2]).forward(x), m3.predict(x, verbose=0), atol=1e-6
    )


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_kerasette_format_served_over_rest(tmp_path):
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from kerasette.serving import build_app

    base = tmp_path / "models" / "clf"
    m = mlp(6)
    m.export(base / "7", format="kerasette", verbose=False)
    x = np.random.default_rng(6).standard_normal((3, 8)).astype("float32")
    with TestClient(build_app(str(base), name="clf", poll_seconds=0)) as client:
        status = client.get("/v1/models/clf").json()
        assert status["model_version_status"][0]["version"] == "7"
        r = client.post("/v1/models/clf:predict", json={"instances": x.tolist()})
        assert r.status_code == 200
        np.testing.assert_allclose(
            np.array(r.json()["predictions"]), m.predict(x, verbose=0), atol=1e-5
        )


@pytest.mark.parametrize("folder", ["latest", "0", "v1"])
def test_kerasette_format_needs_a_version_number(folder, tmp_path):
    with pytest.raises(ValueError, match="positive integer"):
        mlp().export(tmp_path / folder, format="kerasette")
    assert not os.listdir(tmp_path)


def test_kerasette_format_refuses_what_the_server_cannot_serve(tmp_path):
    a, b = L.Input((2,)), L.Input((3,))
    two_in = ks.Model([a, b], L.Concatenate()([a, b]))
    with pytest.raises(ValueError, match="one input and one output.*format='onnx'"):
        two_in.export(tmp_path / "1", format="kerasette")
    (tmp_path / "2").mkdir()
    (tmp_path / "2" / "other.keras").write_bytes(b"")
    with pytest.raises(ValueError, match="exactly one .keras file"):
        mlp().export(tmp_path / "2", format="kerasette")


@pytest.mark.parametrize(
    "make",
    [lambda: L.Hashing(num_bins=4), lambda: L.StringLookup(vocabulary=["a", "b"])],
    ids=["hashing", "string_lookup"],
)
def test_python_side_preprocessing_is_refused(make, tmp_path):
    inner = ks.Sequential([L.Input((3,)), make()])
    outer = ks.Sequential([L.Input((3,)), inner, L.Dense(2)])  # found inside a nested model
    with pytest.raises(NotImplementedError, match="runs in Python before the graph"):
        outer.export(tmp_path / "m.onnx", format="onnx", verbose=False)
