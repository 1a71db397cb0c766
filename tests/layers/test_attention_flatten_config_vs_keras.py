"""get_config / build_config parity with real Keras for MultiHeadAttention, Attention and
Flatten (issue 14's get_config round trip): the same constructor arguments give the same
config before and after building, each library's config rebuilds the other's layer, and
.keras files with these layers (non-default arguments) load both ways with equal outputs.
Only names are normalized: Keras does not guarantee their numeric suffixes."""

import json
import zipfile

import numpy as np
import pytest

import kerasette as ks

from ._layer_helpers import normalize

pytestmark = pytest.mark.keras_ref


def _mha_cases(lib):
    return [
        dict(num_heads=2, key_dim=4),
        dict(num_heads=2, key_dim=4, attention_axes=(1,)),
        dict(num_heads=2, key_dim=4, attention_axes=-2),
        dict(num_heads=3, key_dim=2, value_dim=5, dropout=0.25, use_bias=False, seed=7),
        dict(num_heads=2, key_dim=4, output_shape=5),
        dict(num_heads=2, key_dim=4, output_shape=[5]),
        dict(
            num_heads=1,
            key_dim=3,
            kernel_initializer=lib.initializers.HeNormal(seed=1),
            bias_initializer=lib.initializers.Constant(0.5),
            kernel_regularizer=lib.regularizers.L2(0.01),
        ),
    ]


_ATT_CASES = [
    dict(),
    dict(use_scale=True),
    dict(score_mode="concat"),
    dict(use_scale=True, score_mode="concat", dropout=0.2, seed=3),
]


def _cfg(layer):
    c = normalize(layer.get_config())
    c.pop("name")
    return c


def _call_mha(lib, layer):
    q, v = lib.layers.Input((3, 6)), lib.layers.Input((4, 6))
    layer(q, v)


def _call_att(lib, layer):
    q, v = lib.layers.Input((3, 6)), lib.layers.Input((4, 6))
    layer([q, v])


@pytest.mark.parametrize("i", range(7))
def test_mha_config_matches_keras(keras, i):
    kw_ks, kw_k = _mha_cases(ks)[i], _mha_cases(keras)[i]
    mine, ref = ks.layers.MultiHeadAttention(**kw_ks), keras.layers.MultiHeadAttention(**kw_k)
    assert _cfg(mine) == _cfg(ref)
    assert mine.get_build_config() is None and ref.get_build_config() is None
    _call_mha(ks, mine)
    _call_mha(keras, ref)
    # after build Keras fills attention_axes in (the sequence axis)
    assert _cfg(mine) == _cfg(ref)
    assert normalize(mine.get_build_config()) == normalize(ref.get_build_config())
    # each library's config makes the other's layer, with the same config again
    ref_cfg, my_cfg = ref.get_config(), mine.get_config()
    assert _cfg(ks.layers.MultiHeadAttention.from_config(ref_cfg)) == _cfg(ref)
    assert _cfg(keras.layers.MultiHeadAttention.from_config(my_cfg)) == _cfg(mine)


def test_mha_build_from_keras_build_config(keras):
    """Keras's build_config (query/value/key shapes) builds the same weights here."""
    ref = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4, output_shape=7)
    q, v, k = (keras.layers.Input(s) for s in ((3, 6), (4, 5), (4, 2)))
    ref(q, v, key=k)
    mine = ks.layers.MultiHeadAttention.from_config(ref.get_config())
    mine.build_from_config(json.loads(json.dumps(ref.get_build_config())))
    assert mine.built
    assert [tuple(w.shape) for w in mine.weights] == [tuple(w.shape) for w in ref.weights]
    assert normalize(mine.get_build_config()) == normalize(ref.get_build_config())
    ref.set_weights([np.random.default_rng(1).normal(size=w.shape) for w in ref.weights])
    mine.set_weights(ref.get_weights())
    r = np.random.default_rng(2)
    xs = [r.normal(size=(2,) + s).astype("float32") for s in ((3, 6), (4, 5), (4, 2))]
    np.testing.assert_allclose(
        np.asarray(mine(xs[0], xs[1], key=xs[2])),
        np.asarray(ref(xs[0], xs[1], key=xs[2])),
        rtol=1e-5,
        atol=1e-5,
    )


@pytest.mark.parametrize("kwargs", _ATT_CASES, ids=str)
def test_attention_config_matches_keras(keras, kwargs):
    mine, ref = ks.layers.Attention(**kwargs), keras.layers.Attention(**kwargs)
    assert _cfg(mine) == _cfg(ref)
    _call_att(ks, mine)
    _call_att(keras, ref)
    assert _cfg(mine) == _cfg(ref)
    assert normalize(mine.get_build_config()) == normalize(ref.get_build_config())
    assert _cfg(ks.layers.Attention.from_config(ref.get_config())) == _cfg(ref)
    assert _cfg(keras.layers.Attention.from_config(mine.get_config())) == _cfg(mine)


def test_flatten_build_config_matches_keras(keras):
    mine, ref = ks.layers.Flatten(), keras.layers.Flatten()
    assert mine.get_build_config() is None and ref.get_build_config() is None
    mine(ks.layers.Input((3, 4)))
    ref(keras.layers.Input((3, 4)))
    assert normalize(mine.get_build_config()) == normalize(ref.get_build_config())
    assert _cfg(mine) == _cfg(ref)
    # like Keras's, a built Flatten still takes inputs of another shape
    assert np.asarray(mine(np.ones((2, 5, 2, 3), "float32"))).shape == (2, 30)


def _model(lib, seed):
    L = lib.layers
    q, v = L.Input((3, 6), name="q"), L.Input((4, 5), name="v")
    y = L.MultiHeadAttention(
        num_heads=3, key_dim=2, value_dim=4, use_bias=False, output_shape=5, dropout=0.1
    )(q, v)
    a = L.Attention(use_scale=True)([y, v])
    out = L.Dense(2)(L.Flatten()(a))
    model = lib.Model([q, v], out)
    r = np.random.default_rng(seed)
    model.set_weights([r.normal(scale=0.5, size=w.shape).astype("float32") for w in model.weights])
    return model


def _layer_entries(path):
    with zipfile.ZipFile(path) as z:
        cfg = json.loads(z.read("config.json"))
    return {
        e["class_name"]: (e["config"], e.get("build_config"))
        for e in cfg["config"]["layers"]
        if e["class_name"] in ("MultiHeadAttention", "Attention", "Flatten")
    }


def _strip_names(entries):
    # Keras's file also gives the dtype policy a shared_object_id; normalize drops it
    return normalize({k: ({**c, "name": None}, b) for k, (c, b) in entries.items()})


def test_keras_files_with_mha_both_ways(keras, tmp_path):
    r = np.random.default_rng(3)
    x = [r.normal(size=(4, 3, 6)).astype("float32"), r.normal(size=(4, 4, 5)).astype("float32")]
    k, m = _model(keras, 0), _model(ks, 0)
    np.testing.assert_allclose(m.predict(x, verbose=0), k.predict(x, verbose=0), atol=1e-4)
    k.save(tmp_path / "theirs.keras")
    m.save(tmp_path / "ours.keras")
    # the files hold the same layer configs and build configs
    theirs, ours = (
        _layer_entries(tmp_path / "theirs.keras"),
        _layer_entries(tmp_path / "ours.keras"),
    )
    assert set(theirs) == {"MultiHeadAttention", "Attention", "Flatten"}
    assert _strip_names(ours) == _strip_names(theirs)
    back = ks.models.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(back.predict(x, verbose=0), k.predict(x, verbose=0), atol=1e-4)
    there = keras.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(there.predict(x, verbose=0), m.predict(x, verbose=0), atol=1e-4)


# weightless layers that Keras builds on their first call: (name, sample shape, kwargs,
# another sample shape a built layer still takes)
BUILT_ON_CALL = [
    ("Flatten", (3, 4), {}, (5, 2)),
    ("Permute", (3, 4), dict(dims=(2, 1)), (5, 2)),
    ("RepeatVector", (3,), dict(n=2), (5,)),
    ("UpSampling1D", (3, 4), dict(size=2), (5, 4)),
    ("UpSampling2D", (3, 4, 2), dict(size=(2, 1)), (2, 2, 2)),
    ("ZeroPadding1D", (3, 4), dict(padding=(1, 2)), (5, 4)),
    ("ZeroPadding2D", (3, 4, 2), dict(padding=1), (2, 2, 2)),
    ("Cropping1D", (5, 4), dict(cropping=(1, 2)), (6, 4)),
    ("Cropping2D", (5, 4, 2), dict(cropping=1), (3, 3, 2)),
    ("Rescaling", (4, 4, 3), dict(scale=0.5, offset=1.0), (3, 5, 3)),
    ("Resizing", (4, 4, 3), dict(height=2, width=3), (6, 5, 3)),
    ("CenterCrop", (4, 4, 3), dict(height=2, width=3), (6, 5, 3)),
    # the random ones are the identity at inference (predict), the same in both
    ("RandomFlip", (4, 4, 3), dict(seed=1), None),
    ("RandomRotation", (4, 4, 3), dict(factor=0.1, seed=1), None),
    ("RandomTranslation", (4, 4, 3), dict(height_factor=0.1, width_factor=0.1), None),
    ("RandomZoom", (4, 4, 3), dict(height_factor=0.1, seed=1), None),
    ("RandomContrast", (4, 4, 3), dict(factor=0.1, seed=1), None),
]


@pytest.mark.parametrize("name, shape, kwargs, other", BUILT_ON_CALL, ids=lambda v: str(v))
def test_weightless_build_config_and_files_match_keras(keras, tmp_path, name, shape, kwargs, other):
    mine, ref = getattr(ks.layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    assert mine.get_build_config() is None and ref.get_build_config() is None
    mine(ks.layers.Input(shape))
    ref(keras.layers.Input(shape))
    assert normalize(mine.get_build_config()) == normalize(ref.get_build_config())
    assert _cfg(mine) == _cfg(ref)
    # a built layer takes another sample shape of the same rank, as Keras's does
    if other is not None:
        x2 = np.random.default_rng(0).normal(size=(2,) + other).astype("float32")
        np.testing.assert_allclose(np.asarray(mine(x2)), np.asarray(ref(x2)), atol=1e-5)
    # Sequential files both ways: same entries (build_config included), same outputs
    x = np.random.default_rng(1).normal(size=(3,) + shape).astype("float32")
    models = {}
    for lib, tag in ((ks, "ours"), (keras, "theirs")):
        m = lib.Sequential([lib.layers.Input(shape), getattr(lib.layers, name)(**kwargs)])
        m.save(tmp_path / f"{tag}.keras")
        models[tag] = m
    entries = {}
    for tag in ("ours", "theirs"):
        with zipfile.ZipFile(tmp_path / f"{tag}.keras") as z:
            e = json.loads(z.read("config.json"))["config"]["layers"][-1]
        entries[tag] = normalize({**e, "config": {**e["config"], "name": None}})
    assert entries["ours"] == entries["theirs"]
    np.testing.assert_allclose(
        ks.models.load_model(tmp_path / "theirs.keras").predict(x, verbose=0),
        models["theirs"].predict(x, verbose=0),
        atol=1e-5,
    )
    np.testing.assert_allclose(
        keras.models.load_model(tmp_path / "ours.keras").predict(x, verbose=0),
        models["ours"].predict(x, verbose=0),
        atol=1e-5,
    )
