"""Custom classes through register_keras_serializable, custom_objects= and
custom_object_scope; Keras-identical serialization of built-in objects."""

import json
import zipfile

import numpy as np
import pytest

import kerasette as ks
from kerasette import saving


@saving.register_keras_serializable(package="test_pkg")
class TaggedDense(ks.layers.Dense):
    """A user layer: Dense with one extra config entry (lowers as Dense)."""

    def __init__(self, units, tag="none", **kwargs):
        super().__init__(units, **kwargs)
        self.tag = tag

    def get_config(self):
        return {**super().get_config(), "tag": self.tag}


class UnregisteredDense(ks.layers.Dense):
    def __init__(self, units, scale=1.0, **kwargs):
        super().__init__(units, **kwargs)
        self.scale = scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@saving.register_keras_serializable(package="test_pkg", name="HalfMSE")
class HalfMSE(ks.losses.MeanSquaredError):
    pass


def build(layer_cls, **kw):
    ks.utils.set_random_seed(0)
    return ks.Sequential(
        [
            ks.layers.Input(shape=(3,)),
            layer_cls(4, name="custom", **kw),
            ks.layers.Dense(2, name="out"),
        ],
        name="custom_model",
    )


# A compiled model saved before any training: on loading it, kerasette warns that the
# optimizer state is skipped, as Keras does.
@pytest.mark.filterwarnings("ignore:Skipping the (saved )?optimizer state:UserWarning")
def test_registered_layer_round_trip(tmp_path):
    m = build(TaggedDense, tag="blue", activation="tanh")
    m.compile(optimizer="adam", loss=HalfMSE())
    m.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        cfg = json.loads(z.read("config.json"))
    entry = cfg["config"]["layers"][1]
    assert entry["registered_name"] == "test_pkg>TaggedDense"
    assert cfg["compile_config"]["loss"]["registered_name"] == "test_pkg>HalfMSE"
    loaded = ks.models.load_model(tmp_path / "m.keras")
    layer = loaded.get_layer("custom")
    assert type(layer) is TaggedDense and layer.tag == "blue"
    assert type(loaded.loss) is HalfMSE
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), m.predict(x, verbose=0))
    assert "test_pkg>TaggedDense" in saving.get_custom_objects()
    assert saving.get_registered_name(TaggedDense) == "test_pkg>TaggedDense"
    assert saving.get_registered_object("test_pkg>TaggedDense") is TaggedDense


def test_unregistered_layer_needs_custom_objects(tmp_path):
    m = build(UnregisteredDense, scale=2.5)
    m.save(tmp_path / "m.keras")
    with pytest.raises((ValueError, TypeError), match="UnregisteredDense"):
        ks.models.load_model(tmp_path / "m.keras")
    loaded = ks.models.load_model(
        tmp_path / "m.keras", custom_objects={"UnregisteredDense": UnregisteredDense}
    )
    assert type(loaded.get_layer("custom")) is UnregisteredDense
    assert loaded.get_layer("custom").scale == 2.5
    with saving.custom_object_scope({"UnregisteredDense": UnregisteredDense}):
        scoped = ks.models.load_model(tmp_path / "m.keras")
    assert type(scoped.get_layer("custom")) is UnregisteredDense
    with pytest.raises((ValueError, TypeError)):  # the scope has ended
        ks.models.load_model(tmp_path / "m.keras")


def test_scopes_nest_and_register_checks():
    class A:
        def get_config(self):
            return {}

    with saving.CustomObjectScope({"A": A}):
        with saving.CustomObjectScope({"B": int}):
            assert saving.get_registered_object("A") is A
            assert saving.get_registered_object("B") is int
        assert saving.get_registered_object("B") is None
    with pytest.raises(ValueError, match="get_config"):
        saving.register_keras_serializable("p")(type("NoConfig", (), {}))
    with pytest.raises(TypeError):
        saving.CustomObjectScope(["not a dict"])


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.optimizers.Adam(0.01, beta_1=0.8, amsgrad=True),
        lambda lib: lib.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
        lambda lib: lib.optimizers.RMSprop(0.002, rho=0.8, centered=True),
        lambda lib: lib.losses.SparseCategoricalCrossentropy(from_logits=True),
        lambda lib: lib.losses.Huber(delta=2.0),
        lambda lib: lib.initializers.HeNormal(seed=3),
        lambda lib: lib.initializers.Constant(0.5),
        lambda lib: lib.regularizers.L1L2(l1=0.01, l2=0.02),
        lambda lib: lib.constraints.MaxNorm(3.0),
        lambda lib: lib.optimizers.schedules.ExponentialDecay(0.1, 100, 0.9),
        lambda lib: lib.layers.Dense(7, activation="gelu", name="d"),
        lambda lib: lib.layers.BatchNormalization(momentum=0.9, name="bn"),
    ],
)
def test_serialize_matches_keras(keras, make):
    ours = json.loads(json.dumps(saving.serialize_keras_object(make(ks))))
    theirs = json.loads(json.dumps(keras.saving.serialize_keras_object(make(keras))))
    # Keras's Huber.get_config forgets `delta`; kerasette keeps it (Keras reads it back).
    extra = {"delta"} if theirs["class_name"] == "Huber" else set()
    if theirs["module"] == "keras.optimizers":
        extra.add("name")  # Keras names every Adam "adam"; kerasette numbers them
    diff = {
        k: (ours["config"].get(k), theirs["config"].get(k))
        for k in set(ours["config"]) | set(theirs["config"])
        if k not in extra and ours["config"].get(k) != theirs["config"].get(k)
    }
    assert not diff
    assert {k: v for k, v in ours.items() if k != "config"} == {
        k: v for k, v in theirs.items() if k != "config"
    }
    back = saving.deserialize_keras_object(theirs)
    assert type(back).__name__ == type(make(ks)).__name__
    again = saving.deserialize_keras_object(ours)
    assert json.loads(json.dumps(saving.serialize_keras_object(again))) == ours


def test_deserialize_plain_values_and_specials():
    assert saving.deserialize_keras_object(None) is None
    assert saving.deserialize_keras_object([1, "a", {"k": 2}]) == [1, "a", {"k": 2}]
    arr = saving.deserialize_keras_object(
        {"class_name": "__numpy__", "config": {"value": [1, 2], "dtype": "int32"}}
    )
    assert arr.dtype == np.int32 and arr.tolist() == [1, 2]
    fn = saving.deserialize_keras_object(
        {
            "module": "keras.activations",
            "class_name": "function",
            "config": "relu",
            "registered_name": "relu",
        }
    )
    assert fn is ks.activations.relu
    with pytest.raises(ValueError, match="lambda"):
        saving.serialize_keras_object(lambda x: x)
