"""keras.utils.FeatureSpace against real Keras 3.15 (TensorFlow backend).

The same FeatureSpace is built, adapted on the same data and called on the same data in
both libraries: adapted state (vocabularies, means, bin boundaries), encoded outputs of
each feature type in both output modes, crosses, configs, .keras files both ways, errors,
and a model drawn on `get_encoded_features()` trained from copied weights.
"""

import numpy as np
import pytest

import kerasette as ks

N = 100


def _data(seed=0, n=N):
    rng = np.random.default_rng(seed)
    words = np.array(["red", "green", "blue", "cyan", "plum", "gold"])
    return {
        "f": rng.normal(2.0, 3.0, n).astype("float32"),
        "g": rng.uniform(-1, 1, n).astype("float32"),
        # skewed counts, with ties, so the vocabulary order is tested
        "i": rng.choice([0, 1, 2, 3, 7, 40], n, p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.1]).astype("int32"),
        "j": rng.integers(0, 4, n).astype("int32"),
        "s": rng.choice(words, n, p=[0.3, 0.25, 0.15, 0.15, 0.1, 0.05]),
        "t": rng.choice(words[:3], n),
    }


def _unseen(data):
    """The data with values adapt never saw (OOV ids, unseen strings, far floats)."""
    out = {k: v.copy() for k, v in data.items()}
    out["i"][:5] = 99
    out["s"] = out["s"].astype("<U8")
    out["s"][:5] = "unseen"
    out["f"][:3] = [-100.0, 0.0, 100.0]
    return out


FEATURES = {
    "float": lambda FS: FS.float(name="p"),
    "float_rescaled": lambda FS: FS.float_rescaled(scale=0.5, offset=1.0, name="p"),
    "float_normalized": lambda FS: FS.float_normalized(name="p"),
    "float_discretized": lambda FS: FS.float_discretized(num_bins=5, name="p"),
    "float_discretized-int": lambda FS: FS.float_discretized(num_bins=5, output_mode="int"),
    "integer_categorical": lambda FS: FS.integer_categorical(name="p"),
    "integer_categorical-int-oov2": lambda FS: FS.integer_categorical(
        max_tokens=5, num_oov_indices=2, output_mode="int", name="p"
    ),
    "string_categorical": lambda FS: FS.string_categorical(name="p"),
    "string_categorical-max3": lambda FS: FS.string_categorical(max_tokens=3, name="p"),
    "string_categorical-int": lambda FS: FS.string_categorical(output_mode="int", name="p"),
    "string_hashed": lambda FS: FS.string_hashed(num_bins=7, name="p"),
    "integer_hashed-int": lambda FS: FS.integer_hashed(num_bins=6, output_mode="int", name="p"),
}
SOURCE = {"float": "f", "integer": "i", "string": "s"}


def _column(kind):
    return SOURCE[kind.split("_")[0]]


def _adapted_state(fs, name):
    layer = fs.preprocessors[name]
    if hasattr(layer, "get_vocabulary"):
        return [
            str(t) if not isinstance(t, (int, np.integer)) else int(t)
            for t in layer.get_vocabulary()
        ]
    if hasattr(layer, "bin_boundaries") and type(layer).__name__ == "Discretization":
        return np.asarray(layer.bin_boundaries, "float32").tolist()
    if type(layer).__name__ == "Normalization":
        return np.concatenate([np.ravel(layer.mean), np.ravel(layer.variance)]).tolist()
    return None


def _as_np(x):
    if isinstance(x, dict):
        return {k: np.asarray(v) for k, v in x.items()}
    return np.asarray(x)


def _assert_same(got, want):
    if isinstance(want, dict):
        assert sorted(got) == sorted(want)
        for k in want:
            _assert_same(got[k], want[k])
        return
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_array_equal(got.astype("int64"), want.astype("int64"))


@pytest.mark.parametrize("kind", sorted(FEATURES))
@pytest.mark.parametrize("mode", ["dict", "concat"])
def test_each_feature_type_matches_keras(keras, kind, mode):
    if mode == "concat" and "-int" in kind:
        pytest.skip("an int-encoded feature cannot be concatenated (tested in the errors)")
    data = _data()
    col = {"x": data[_column(kind)]}
    built = {}
    for lib in (keras, ks):
        FS = lib.utils.FeatureSpace
        fs = FS(features={"x": FEATURES[kind](FS)}, output_mode=mode)
        fs.adapt(col)
        built[lib] = fs
    assert _adapted_state(built[ks], "x") == pytest.approx(_adapted_state(built[keras], "x"))
    for sample in (col, {"x": _unseen(data)[_column(kind)]}):
        _assert_same(_as_np(built[ks](sample)), _as_np(built[keras](sample)))


def _mixed(FS, mode="concat", crosses=True):
    features = {
        "f": "float_normalized",
        "g": "float_discretized",
        "i": "integer_categorical",
        "j": FS.integer_categorical(num_oov_indices=0),
        "s": "string_categorical",
        "t": "string_hashed",
    }
    cross = [("s", "i"), FS.cross(("j", "t"), crossing_dim=5)] if crosses else None
    return FS(
        features=features,
        output_mode=mode,
        crosses=cross,
        crossing_dim=16,
        hashing_dim=4,
        num_discretization_bins=6,
    )


def _int_dict_space(FS):
    """Keras's "dict of integer-encoded features" example, with a hashed feature."""
    return FS(
        features={
            "s": FS.string_categorical(output_mode="int"),
            "i": FS.integer_categorical(output_mode="int"),
            "t": FS.string_hashed(num_bins=5, output_mode="int"),
        },
        crosses=[FS.cross(("s", "i"), crossing_dim=32, output_mode="int")],
        output_mode="dict",
    )


SPACES = {
    "concat+crosses": lambda FS: _mixed(FS, "concat"),
    "dict+crosses": lambda FS: _mixed(FS, "dict"),
    "dict-int": _int_dict_space,
}


@pytest.mark.parametrize("space", sorted(SPACES))
def test_spaces_with_crosses_match_keras(keras, space):
    data = _data()
    out = {}
    for lib in (keras, ks):
        fs = SPACES[space](lib.utils.FeatureSpace)
        fs.adapt(data)
        out[lib] = fs
        for name in fs.preprocessors:
            if lib is ks:
                assert _adapted_state(fs, name) == pytest.approx(_adapted_state(out[keras], name))
    names = list(out[ks].features)  # Keras reads every key of the data it is given
    for sample in (data, _unseen(data)):
        sample = {k: sample[k] for k in names}
        _assert_same(_as_np(out[ks](sample)), _as_np(out[keras](sample)))
    # one sample of scalars: Keras batches it and drops the batch axis again
    one = {k: data[k][7] for k in names}
    _assert_same(_as_np(out[ks](one)), _as_np(out[keras](one)))


def test_concat_width_and_order():
    """Concat joins features in sorted-name order, then crosses (sorted): each block
    is that feature's own encoding."""
    data = _data()
    fs = _mixed(ks.utils.FeatureSpace)
    fs.adapt(data)
    # f, g (6 bins), i (6 values + OOV), j (4, no OOV), s (6 + OOV), t (4), j_X_t, s_X_i
    widths = {"f": 1, "g": 6, "i": 7, "j": 4, "s": 7, "t": 4, "j_X_t": 5, "s_X_i": 16}
    out = np.asarray(fs(data))
    assert out.shape == (N, sum(widths.values())) and out.dtype == np.float32
    blocks = np.split(out, np.cumsum(list(widths.values()))[:-1], axis=1)
    parts = _mixed(ks.utils.FeatureSpace, "dict")
    parts.adapt(data)
    as_dict = parts(data)
    for name, block in zip(widths, blocks):
        np.testing.assert_array_equal(block, np.asarray(as_dict[name]))


@pytest.mark.parametrize("batched", [None, 1, 16])
def test_adapt_on_datasets_matches_keras(keras, batched):
    """A Dataset of dicts (unbatched samples, or batches) adapts as tf.data does in
    Keras: Discretization's approximate quantiles depend on the batching."""
    import tensorflow as tf

    data = _data(seed=3, n=150)
    kds = tf.data.Dataset.from_tensor_slices(data)
    ds = ks.data.Dataset.from_tensor_slices(data)
    if batched:
        kds, ds = kds.batch(batched), ds.batch(batched)
    out = {}
    for lib, source in ((keras, kds), (ks, ds)):
        fs = _mixed(lib.utils.FeatureSpace, crosses=False)
        fs.adapt(source)
        out[lib] = fs
    for name in ("f", "g", "i", "s"):
        assert _adapted_state(out[ks], name) == pytest.approx(_adapted_state(out[keras], name))
    _assert_same(_as_np(out[ks](data)), _as_np(out[keras](data)))


def test_adapt_on_labelled_dataset_mapped_to_features(keras):
    """keras-io's `train_ds.map(lambda x, _: x)` before adapt, on a batched Dataset."""
    data = _data(seed=4)
    labels = (data["f"] > 2).astype("int32")
    ds = ks.data.Dataset.from_tensor_slices((data, labels)).batch(32)
    fs = _mixed(ks.utils.FeatureSpace)
    fs.adapt(ds.map(lambda x, _: x))
    ref = _mixed(keras.utils.FeatureSpace)
    ref.adapt(data)  # 32 per batch either way: the same boundaries
    _assert_same(_as_np(fs(data)), _as_np(ref(data)))
    mapped = ds.map(lambda x, y: (fs(x), y))
    x0, y0 = next(iter(mapped))
    _assert_same(_as_np(x0), _as_np(ref({k: v[:32] for k, v in data.items()})))
    np.testing.assert_array_equal(np.asarray(y0), labels[:32])


def _plain(config):
    """A config with numpy/tuple noise removed and auto-numbered names ignored."""
    if isinstance(config, dict):
        return {k: _plain(v) for k, v in config.items() if k != "name"}
    if isinstance(config, (list, tuple)):
        return [_plain(v) for v in config]
    if isinstance(config, float):
        return round(config, 6)
    return config


def test_config_matches_keras(keras):
    data = _data()
    configs = {}
    for lib in (keras, ks):
        fs = _mixed(lib.utils.FeatureSpace)
        fs.adapt(data)
        configs[lib] = lib.saving.serialize_keras_object(fs)
    want, got = configs[keras], configs[ks]
    assert (got["module"], got["class_name"]) == ("keras.utils", "FeatureSpace")
    assert sorted(got["config"]) == sorted(want["config"])
    for key in ("output_mode", "crossing_dim", "hashing_dim", "num_discretization_bins"):
        assert got["config"][key] == want["config"][key]
    assert _plain(got["config"]["crosses"]) == _plain(want["config"]["crosses"])
    for name, feature in want["config"]["features"].items():
        mine = got["config"]["features"][name]
        assert (mine["module"], mine["class_name"], mine["registered_name"]) == (
            feature["module"],
            feature["class_name"],
            feature["registered_name"],
        )
        assert mine["config"]["dtype"] == feature["config"]["dtype"]
        assert mine["config"]["output_mode"] == feature["config"]["output_mode"]
        pre, kpre = mine["config"]["preprocessor"], feature["config"]["preprocessor"]
        assert pre["class_name"] == kpre["class_name"]
        if isinstance(want["config"]["features"][name], dict) and name != "j":
            assert pre["config"]["name"] == kpre["config"]["name"]  # j's is auto-numbered
    import json

    as_json = [json.loads(json.dumps(c.get("build_config"))) for c in (got, want)]
    assert as_json[0] == as_json[1]


def test_from_keras_config_gives_keras_outputs(keras):
    """A config Keras wrote rebuilds here; adapted on the same data it encodes alike."""
    data = _data()
    ref = _mixed(keras.utils.FeatureSpace)
    config = ref.get_config()
    ref.adapt(data)
    import json

    plain = json.loads(json.dumps(keras.saving.serialize_keras_object(config)))
    fs = ks.utils.FeatureSpace.from_config(plain)
    fs.adapt(data)
    _assert_same(_as_np(fs(data)), _as_np(ref(data)))
    again = ks.utils.FeatureSpace.from_config(fs.get_config())
    assert again.get_config()["features"].keys() == fs.get_config()["features"].keys()


@pytest.mark.parametrize("direction", ["kerasette->keras", "keras->kerasette", "kerasette"])
@pytest.mark.parametrize("mode", ["concat", "dict"])
def test_files_both_ways(keras, tmp_path, direction, mode):
    src = keras if direction.startswith("keras->") else ks
    dst = ks if direction != "kerasette->keras" else keras
    data = _data()
    fs = _mixed(src.utils.FeatureSpace, mode)
    fs.adapt(data)
    path = str(tmp_path / "fs.keras")
    fs.save(path)
    loaded = dst.saving.load_model(path)
    assert type(loaded).__name__ == "FeatureSpace"
    for sample in (data, _unseen(data)):
        _assert_same(_as_np(loaded(sample)), _as_np(fs(sample)))
    assert loaded.preprocessors["s"].get_vocabulary() == fs.preprocessors["s"].get_vocabulary()


def test_file_members_match_keras(keras, tmp_path):
    """The weights file's groups and the assets are where Keras puts them."""
    import zipfile

    import h5py

    data = _data()
    names = {}
    for lib in (keras, ks):
        fs = _mixed(lib.utils.FeatureSpace)
        fs.adapt(data)
        fs(data)
        path = tmp_path / f"{lib.__name__}.keras"
        fs.save(str(path))
        with zipfile.ZipFile(path) as z:
            members = sorted(m for m in z.namelist() if m != "metadata.json")
            with z.open("model.weights.h5") as f, h5py.File(f, "r") as h5:
                groups = []
                h5.visit(groups.append)
        names[lib] = (members, sorted(groups))
    assert names[ks] == names[keras]


def _errors(lib):
    FS = lib.utils.FeatureSpace
    return {
        "empty": lambda: FS(features={}),
        "bad type": lambda: FS(features={"a": "float_fancy"}),
        "bad mode": lambda: FS(features={"a": "float"}, output_mode="list"),
        "unknown cross": lambda: FS(features={"a": "float"}, crosses=[("a", "b")]),
        "bad cross mode": lambda: FS.cross(("a", "b"), 4, output_mode="float"),
        "bad feature mode": lambda: FS.feature("float32", None, "multi_hot"),
    }


@pytest.mark.parametrize("case", sorted(_errors(ks)))
def test_construction_errors_like_keras(keras, case):
    with pytest.raises(ValueError) as kerr:
        _errors(keras)[case]()
    with pytest.raises(ValueError) as err:
        _errors(ks)[case]()
    assert str(err.value).split(":")[0] == str(kerr.value).split(":")[0]


def test_use_errors_like_keras(keras):
    data = _data()
    for lib in (keras, ks):
        FS = lib.utils.FeatureSpace
        fs = FS(features={"s": "string_categorical"})
        with pytest.raises(ValueError, match="adapt"):
            fs({"s": data["s"]})
        fs.adapt({"s": data["s"]})
        with pytest.raises(ValueError, match="only be called with a dict"):
            fs(data["s"])
        concat_int = FS(features={"s": FS.string_categorical(output_mode="int")})
        with pytest.raises(ValueError, match="Cannot concatenate"):
            concat_int.adapt({"s": data["s"]})  # adapt finishes the encoders: it raises
        layer = lib.layers.Rescaling(2.0)
        rescaled_one_hot = FS(features={"f": FS.feature("float32", layer, "one_hot")})
        with pytest.raises(ValueError, match="one_hot"):
            rescaled_one_hot({"f": data["f"]})


def test_no_adapt_needed_without_adaptable_features(keras):
    data = _data()
    outs = []
    for lib in (keras, ks):
        FS = lib.utils.FeatureSpace
        fs = FS(
            features={
                "f": FS.float_rescaled(scale=2.0),
                "t": FS.string_hashed(num_bins=3),
            }
        )
        outs.append(_as_np(fs({k: data[k] for k in ("f", "t")})))
    _assert_same(outs[1], outs[0])


def test_fixed_bin_boundaries_need_no_adapt():
    """Keras 3.15 cannot use `bin_boundaries` here (float_discretized passes num_bins
    too, and adapt() then refuses the fixed layer); kerasette takes them and leaves the
    layer out of adapt. Reference: Keras's Discretization rule, bin = #boundaries <= x."""
    FS = ks.utils.FeatureSpace
    bounds = [-1.0, 0.0, 3.0]
    fs = FS(features={"g": FS.float_discretized(None, bin_boundaries=bounds)})
    x = np.array([-5.0, -1.0, -0.5, 0.0, 2.9, 3.0, 7.0], "float32")
    want = np.eye(4, dtype="float32")[np.searchsorted(bounds, x, side="right")]
    np.testing.assert_array_equal(np.asarray(fs({"g": x})), want)
    fs.adapt({"g": x * 10})  # nothing to adapt: the boundaries stay
    np.testing.assert_array_equal(np.asarray(fs({"g": x})), want)


# ---- keras-io's structured_data_classification_with_feature_space -----------------------
# Our own transcription of the example's calls, on local data shaped like its heart.csv
# (13 feature columns: integer codes, one string column, numbers; a binary target).


def _heart(n, seed):
    rng = np.random.default_rng(seed)
    d = {
        "age": rng.integers(29, 78, n),
        "sex": rng.integers(0, 2, n),
        "cp": rng.integers(0, 5, n),
        "trestbps": rng.integers(94, 200, n),
        "chol": rng.integers(126, 564, n),
        "fbs": rng.integers(0, 2, n),
        "restecg": rng.integers(0, 3, n),
        "thalach": rng.integers(71, 202, n),
        "exang": rng.integers(0, 2, n),
        "oldpeak": np.round(rng.uniform(0, 6.2, n), 1),
        "slope": rng.integers(1, 4, n),
        "ca": rng.integers(0, 4, n),
        "thal": rng.choice(["fixed", "normal", "reversible"], n),
    }
    score = (d["cp"] > 1) + (d["thal"] == "normal") - d["oldpeak"] / 3 + d["thalach"] / 150
    y = (score - d["exang"] + rng.normal(0, 0.5, n) > 1.0).astype("int64")
    return d, y


def _heart_space(FeatureSpace):
    categorical = FeatureSpace.integer_categorical
    return FeatureSpace(
        features={
            "sex": categorical(num_oov_indices=0),
            "cp": categorical(num_oov_indices=0),
            "fbs": categorical(num_oov_indices=0),
            "restecg": categorical(num_oov_indices=0),
            "exang": categorical(num_oov_indices=0),
            "ca": categorical(num_oov_indices=0),
            "thal": FeatureSpace.string_categorical(num_oov_indices=0),
            "age": FeatureSpace.float_discretized(num_bins=30),
            "trestbps": FeatureSpace.float_normalized(),
            "chol": FeatureSpace.float_normalized(),
            "thalach": FeatureSpace.float_normalized(),
            "oldpeak": FeatureSpace.float_normalized(),
            "slope": FeatureSpace.float_normalized(),
        },
        crosses=[
            FeatureSpace.cross(feature_names=("sex", "age"), crossing_dim=64),
            FeatureSpace.cross(feature_names=("thal", "ca"), crossing_dim=16),
        ],
        output_mode="concat",
    )


SAMPLE = {
    "age": 60,
    "sex": 1,
    "cp": 1,
    "trestbps": 145,
    "chol": 233,
    "fbs": 1,
    "restecg": 2,
    "thalach": 150,
    "exang": 0,
    "oldpeak": 2.3,
    "slope": 3,
    "ca": 0,
    "thal": "fixed",
}


def _flow(lib, dataset_cls, dropout=0.5):
    """The example's steps, up to the two models (training and inference)."""
    train, y_train = _heart(240, 0)
    val, y_val = _heart(60, 1)
    train_ds = dataset_cls.from_tensor_slices((train, y_train)).batch(32)
    val_ds = dataset_cls.from_tensor_slices((val, y_val)).batch(32)
    feature_space = _heart_space(lib.utils.FeatureSpace)
    feature_space.adapt(train_ds.map(lambda x, _: x))
    preprocessed_train_ds = train_ds.map(lambda x, y: (feature_space(x), y))
    preprocessed_val_ds = val_ds.map(lambda x, y: (feature_space(x), y))
    dict_inputs = feature_space.get_inputs()
    encoded_features = feature_space.get_encoded_features()
    x = lib.layers.Dense(32, activation="relu")(encoded_features)
    if dropout:
        x = lib.layers.Dropout(dropout)(x)
    predictions = lib.layers.Dense(1, activation="sigmoid")(x)
    training_model = lib.Model(inputs=encoded_features, outputs=predictions)
    training_model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    inference_model = lib.Model(inputs=dict_inputs, outputs=predictions)
    return {
        "fs": feature_space,
        "train_ds": preprocessed_train_ds,
        "val_ds": preprocessed_val_ds,
        "training": training_model,
        "inference": inference_model,
        "raw": (train, y_train, val, y_val),
    }


def test_keras_io_feature_space_example_runs(keras):
    import tensorflow as tf

    ref = _flow(keras, tf.data.Dataset)
    got = _flow(ks, ks.data.Dataset)
    x, _ = next(iter(got["train_ds"]))
    kx, _ = next(iter(ref["train_ds"]))
    assert np.asarray(x).shape == tuple(kx.shape) == (32, 136)
    assert [type(layer).__name__ for layer in got["inference"].layers] == [
        type(layer).__name__ for layer in ref["inference"].layers
    ]
    history = got["training"].fit(
        got["train_ds"], epochs=20, validation_data=got["val_ds"], verbose=0
    )
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    input_dict = {name: ks.ops.convert_to_tensor([value]) for name, value in SAMPLE.items()}
    pred = got["inference"].predict(input_dict, verbose=0)
    encoded = np.asarray(got["fs"](SAMPLE))[None]
    np.testing.assert_allclose(pred, got["training"].predict(encoded, verbose=0), rtol=1e-6)


def test_model_on_encoded_features_trains_like_keras(keras):
    """Without dropout and from copied weights, training on the encoded features gives
    Keras's losses, and the inference model (raw dict in) gives Keras's predictions."""
    import tensorflow as tf

    ref = _flow(keras, tf.data.Dataset, dropout=0)
    got = _flow(ks, ks.data.Dataset, dropout=0)
    dense = [layer for layer in ref["training"].layers if type(layer).__name__ == "Dense"]
    mine = [layer for layer in got["training"].layers if type(layer).__name__ == "Dense"]
    for d, s in zip(mine, dense):
        d.set_weights([np.asarray(w) for w in s.get_weights()])
    train, y_train, val, y_val = got["raw"]
    k_hist = ref["training"].fit(ref["train_ds"], epochs=3, verbose=0, shuffle=False)
    hist = got["training"].fit(got["train_ds"], epochs=3, verbose=0, shuffle=False)
    np.testing.assert_allclose(hist.history["loss"], k_hist.history["loss"], rtol=1e-4)
    np.testing.assert_allclose(
        got["inference"].predict(val, verbose=0),
        # Keras's predict refuses numpy str arrays: give it tf.data, as the example does
        ref["inference"].predict(tf.data.Dataset.from_tensor_slices(val).batch(32), verbose=0),
        rtol=1e-4,
        atol=1e-6,
    )


def test_convert_to_tensor_keeps_strings(keras):
    """The example feeds `keras.ops.convert_to_tensor([value])` for every column, the
    string one too; kerasette has no string tensors and keeps a numpy array of str."""
    got = ks.ops.convert_to_tensor(["fixed"])
    want = keras.ops.convert_to_tensor(["fixed"])
    assert np.asarray(got).tolist() == [s.decode() for s in want.numpy().tolist()]
    assert np.asarray(ks.ops.convert_to_tensor([60])).tolist() == [60]


@pytest.mark.parametrize("direction", ["kerasette->keras", "keras->kerasette"])
def test_inference_model_files_both_ways(keras, tmp_path, direction):
    """The example's inference model (string input, lookups, bins, crosses, encoders,
    concat, dense layers) in a .keras file, read by the other library."""
    import tensorflow as tf

    val, _ = _heart(60, 1)
    kds = tf.data.Dataset.from_tensor_slices(val).batch(32)
    if direction == "kerasette->keras":
        src = _flow(ks, ks.data.Dataset, dropout=0)["inference"]
        want = src.predict(val, verbose=0)
        src.save(tmp_path / "inference.keras")
        got = keras.saving.load_model(tmp_path / "inference.keras").predict(kds, verbose=0)
    else:
        src = _flow(keras, tf.data.Dataset, dropout=0)["inference"]
        want = src.predict(kds, verbose=0)
        src.save(tmp_path / "inference.keras")
        got = ks.saving.load_model(tmp_path / "inference.keras").predict(val, verbose=0)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
