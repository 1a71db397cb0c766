"""Sequential's model API against Keras 3: add/pop/build, input declarations, layers,
weights, set_weights errors, config and JSON round trips, auto-naming, freezing."""

import json

import numpy as np
import pytest
from conftest import normalize

import kerasette as ks

pytestmark = pytest.mark.usefixtures("fresh_names")


def _both(keras, build):
    return build(ks), build(keras)


def _mlp(lib):
    L = lib.layers
    return lib.Sequential(
        [
            lib.Input(shape=(6,)),
            L.Dense(8, activation="relu"),
            L.Dropout(0.1),
            L.BatchNormalization(),
            L.Dense(3, activation="softmax"),
        ],
        name="mlp",
    )


def test_config_equals_keras_and_round_trips(keras):
    mine, ref = _both(keras, _mlp)
    assert normalize(mine.get_config()) == normalize(ref.get_config())
    assert json.loads(mine.to_json()) == normalize(json.loads(ref.to_json()))
    again = ks.Sequential.from_config(mine.get_config())
    assert normalize(again.get_config()) == normalize(mine.get_config())
    assert again.built and [w.shape for w in again.weights] == [w.shape for w in mine.weights]


def test_reads_a_config_keras_wrote(keras):
    ref = keras.Sequential(
        [
            keras.Input(shape=(3,)),
            keras.layers.Dense(4, activation="tanh"),
            keras.layers.LayerNormalization(),
            keras.layers.Dense(2, kernel_regularizer="l2"),
        ],
        name="k",
    )
    mine = ks.Sequential.from_config(ref.get_config())
    assert normalize(mine.get_config()) == normalize(ref.get_config())
    assert [w.shape for w in mine.weights] == [tuple(w.shape) for w in ref.weights]


def test_input_declarations_are_equivalent(keras):
    def variants(lib):
        L = lib.layers
        return [
            lib.Sequential([lib.Input(shape=(5,)), L.Dense(2)]),
            lib.Sequential([L.Dense(2, input_shape=(5,))]),
            lib.Sequential([L.Dense(2, input_dim=5)]),
            lib.Sequential([L.InputLayer(shape=(5,)), L.Dense(2)]),
        ]

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refs = variants(keras)
    for mine, ref in zip(variants(ks), refs):
        assert mine.built and ref.built
        assert len(mine.layers) == len(ref.layers) == 1
        assert mine.get_config()["build_input_shape"] == tuple(
            ref.get_config()["build_input_shape"]
        )
        assert mine.count_params() == ref.count_params() == 12


def test_add_pop_build_and_deferred_build():
    L = ks.layers
    m = ks.Sequential()
    m.add(L.Dense(4))
    m.add(L.Dense(2))
    assert not m.built and m.layers[0].name.startswith("dense")
    with pytest.raises(ValueError, match="isn't built"):
        m.count_params()
    m.build((None, 3))
    assert m.built and m.count_params() == (3 * 4 + 4) + (4 * 2 + 2)
    popped = m.pop()
    assert popped.units == 2 and len(m.layers) == 1 and m.built
    assert m.compute_output_shape((None, 3)) == (None, 4)
    m.add(L.Dense(7))
    assert m.built and m.output_shape == (None, 7)
    # Deferred: built from the first data's shape.
    d = ks.Sequential([L.Dense(3)])
    d._maybe_build((10, 5))
    assert d.built and d.layers[0].kernel.shape == (5, 3)


def test_add_and_build_errors():
    L = ks.layers
    m = ks.Sequential([ks.Input(shape=(4,)), L.Dense(2, name="a")])
    with pytest.raises(ValueError, match="unique names"):
        m.add(L.Dense(3, name="a"))
    with pytest.raises(ValueError, match="already been configured"):
        m.add(ks.Input(shape=(4,)))
    with pytest.raises(ValueError, match="already been configured"):
        m.build((None, 5))
    with pytest.raises(ValueError, match="Only instances of `keras.Layer`"):
        m.add("dense")
    with pytest.raises(ValueError, match="no layers"):
        ks.Sequential().build((None, 3))
    with pytest.raises(TypeError, match="no layers"):
        ks.Sequential().pop()
    # A layer already built for 4 features, stacked after one producing 5.
    b = L.Dense(2, name="b")
    b.build((None, 4))
    with pytest.raises(ValueError, match=r'Input 0 of layer "b".*value 4.*\(None, 5\)'):
        ks.Sequential([L.Dense(5, input_dim=3), b])


def test_weights_get_set_and_errors(keras):
    mine, ref = _both(keras, _mlp)
    ref_w = ref.get_weights()
    assert [w.shape for w in mine.get_weights()] == [w.shape for w in ref_w]
    storage = [v.value for v in mine.weights]
    mine.set_weights(ref_w)
    for a, b in zip(mine.get_weights(), ref_w, strict=True):
        np.testing.assert_array_equal(a, b)
    # set_weights copies into the same storage (the engine may hold views of it).
    assert all(v.value is s for v, s in zip(mine.weights, storage, strict=True))
    bad = [w.copy() for w in ref_w]
    bad[2] = np.zeros((7,), "float32")
    before = mine.get_weights()
    with pytest.raises(
        ValueError,
        match=r"Layer batch_normalization\w* weight shape \(8,\) is "
        r"not compatible with provided weight shape \(7,\)",
    ):
        mine.set_weights(bad)
    for a, b in zip(mine.get_weights(), before, strict=True):  # nothing written on error
        np.testing.assert_array_equal(a, b)
    with pytest.raises(
        ValueError, match="weight list of length 3, but the layer was expecting 8 weights"
    ):
        mine.set_weights(ref_w[:3])
    with pytest.raises(ValueError, match=r"Layer dense\w* weight shape \(6, 8\)"):
        mine.layers[0].set_weights([np.zeros((5, 8)), np.zeros(8)])


def test_layers_weights_and_trainable(keras):
    mine, ref = _both(keras, _mlp)
    assert [type(l).__name__ for l in mine.layers] == [type(l).__name__ for l in ref.layers]
    assert len(mine.trainable_weights) == len(ref.trainable_weights) == 6
    assert len(mine.non_trainable_weights) == len(ref.non_trainable_weights) == 2
    mine.layers[0].trainable = False
    ref.layers[0].trainable = False
    assert len(mine.trainable_weights) == len(ref.trainable_weights) == 4
    assert len(mine.non_trainable_weights) == len(ref.non_trainable_weights) == 4
    mine.trainable = False
    ref.trainable = False
    assert mine.trainable_weights == [] and len(ref.trainable_weights) == 0
    assert len(mine.non_trainable_weights) == 8
    # Keras scopes a layer's variables under the model that built it: "mlp/dense/kernel"
    assert [v.path for v in mine.layers[0].weights] == [v.path for v in ref.layers[0].weights]


def test_auto_naming_matches_keras(keras):
    from keras.src.utils import naming as knaming

    from kerasette.utils import naming

    knaming.reset_uids() if hasattr(knaming, "reset_uids") else None
    naming.reset_uids()

    def names(lib):
        L = lib.layers
        objs = [
            L.Dense(1),
            L.Dense(1),
            L.BatchNormalization(),
            L.Dense(1, name="x"),
            L.LayerNormalization(),
            L.BatchNormalization(),
            L.Dropout(0.1),
            L.Dense(1),
            L.Activation("relu"),
            lib.Sequential(),
            lib.Sequential(),
            L.Flatten(),
        ]
        return [o.name for o in objs]

    assert names(ks) == names(keras)


def test_layer_bad_arguments():
    L = ks.layers
    with pytest.raises(ValueError, match="units"):
        L.Dense(0)
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Dense"):
        L.Dense(3, foo=1)
    with pytest.raises(ValueError, match="rate"):
        L.Dropout(1.5)
    with pytest.raises(ValueError, match="input_dim"):
        L.Embedding(0, 3)
    with pytest.raises(ValueError, match="Could not interpret activation"):
        L.Dense(3, activation="relu7")
    with pytest.raises(ValueError, match="total size"):
        ks.Sequential([ks.Input(shape=(6,)), L.Reshape((4, -1))])


def test_pickle_round_trip_keeps_weights_and_optimizer_state():
    import pickle

    m = ks.Sequential(
        [
            ks.Input(shape=(4,)),
            ks.layers.Dense(3, activation="relu"),
            ks.layers.BatchNormalization(),
            ks.layers.Dense(2),
        ]
    )
    m.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).random((8, 4)).astype("float32")
    m.fit(x, np.ones((8, 2), "float32"), verbose=0)
    again = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(again.predict(x, verbose=0), m.predict(x, verbose=0))
    assert again.optimizer.iterations == m.optimizer.iterations == 1
    assert [l.name for l in again.layers] == [l.name for l in m.layers]


def test_registered_custom_layer_round_trips_through_config():
    @ks.utils.register_keras_serializable(package="front_tests")
    class ScaledDense(ks.layers.Dense):
        pass

    m = ks.Sequential([ks.Input(shape=(3,)), ScaledDense(2), ks.layers.Dense(1)])
    config = m.get_config()
    assert config["layers"][1]["registered_name"] == "front_tests>ScaledDense"
    assert config["layers"][2]["module"] == "keras.layers"
    again = ks.Sequential.from_config(config)
    assert type(again.layers[0]) is ScaledDense
    with pytest.raises(Exception, match="Nope"):
        ks.Sequential.from_config(
            {
                "name": "x",
                "layers": [{"module": "keras.layers", "class_name": "Nope", "config": {}}],
            }
        )
