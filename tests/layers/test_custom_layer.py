"""A Layer subclass written once against the Keras API and run by both libraries:
build/call/get_config/add_weight/add_loss and a `training` argument give the same
numbers from the same weights."""

import numpy as np
import pytest

import kerasette as ks

from ._layer_helpers import data, normalize


def make_layer_class(K):
    """The same source for keras and kerasette (K is the module)."""

    class ScaledDense(K.layers.Layer):
        def __init__(self, units, rate=0.1, **kwargs):
            super().__init__(**kwargs)
            self.units, self.rate = units, rate

        def build(self, input_shape):
            self.w = self.add_weight(
                shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="w"
            )
            self.b = self.add_weight(
                shape=(self.units,),
                initializer="zeros",
                name="b",
                regularizer=K.regularizers.L2(0.01),
            )
            self.scale = self.add_weight(
                shape=(), initializer="ones", trainable=False, name="scale"
            )

        def call(self, inputs, training=None):
            y = K.ops.matmul(inputs, self.w) + self.b
            self.add_loss(self.rate * K.ops.sum(K.ops.square(y)))
            if training:
                y = y * 2.0
            return K.ops.tanh(y) * self.scale

        def get_config(self):
            return {**super().get_config(), "units": self.units, "rate": self.rate}

    return ScaledDense


def make_block_class(K):
    """A layer made of layers: its weights are its sublayers' weights."""

    class Block(K.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.dense = K.layers.Dense(units, activation="relu")
            self.norm = K.layers.LayerNormalization()

        def call(self, inputs):
            return self.norm(self.dense(inputs))

    return Block


def twins(keras, shape=(None, 5)):
    k = make_layer_class(keras)(3, rate=0.2, name="sd")
    m = make_layer_class(ks)(3, rate=0.2, name="sd")
    k.build(shape)
    m.build(shape)
    r = np.random.default_rng(0)
    weights = [r.normal(size=w.shape).astype("float32") for w in k.weights]
    k.set_weights(weights)
    m.set_weights(weights)
    return m, k


def test_same_numbers(keras):
    m, k = twins(keras)
    x = data(6, 5)
    for training in (None, False, True):
        np.testing.assert_allclose(
            np.asarray(m(x, training=training)),
            np.asarray(k(x, training=training)),
            atol=1e-5,
            rtol=1e-5,
        )
        mine, ref = m.losses, k.losses
        assert len(mine) == len(ref) == 2  # add_loss, then the bias regularizer
        for a, b in zip(mine, ref):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5)


def test_weights_and_trainability(keras):
    m, k = twins(keras)
    assert [v.name for v in m.weights] == [v.name for v in k.weights]
    assert [v.name for v in m.trainable_weights] == [v.name for v in k.trainable_weights]
    assert [v.name for v in m.non_trainable_weights] == [v.name for v in k.non_trainable_weights]
    assert m.count_params() == k.count_params()
    assert m.built and k.built


def test_config_round_trip(keras):
    m, k = twins(keras)
    assert normalize(m.get_config()) == normalize(k.get_config())
    again = type(m).from_config(m.get_config())
    assert normalize(again.get_config()) == normalize(m.get_config())


def test_automatic_config_without_get_config(keras):
    """Keras records plain constructor arguments; other arguments make get_config raise."""

    def make(K):
        class Plain(K.layers.Layer):
            def __init__(self, units, flag=True, **kwargs):
                super().__init__(**kwargs)
                self.units, self.flag = units, flag

            def call(self, x):
                return x

        return Plain

    m, k = make(ks)(4, name="p"), make(keras)(4, name="p")
    assert normalize(m.get_config()) == normalize(k.get_config())
    assert make(ks).from_config(m.get_config()).units == 4
    with pytest.raises(NotImplementedError):
        make(keras)(np.ones(3), name="q").get_config()
    with pytest.raises(NotImplementedError, match="non-serializable"):
        make(ks)(np.ones(3), name="q").get_config()


def test_default_compute_output_shape_traces_call(keras):
    m, k = twins(keras)
    assert m.compute_output_shape((None, 5)) == tuple(
        k.compute_output_spec(keras.KerasTensor((None, 5))).shape
    )
    block = make_block_class(ks)(4)
    assert block.compute_output_shape((None, 7)) == (None, 4)


def test_sublayer_weights(keras):
    m, k = make_block_class(ks)(4), make_block_class(keras)(4)
    x = data(3, 6)
    k(x)
    m(x)
    assert [tuple(v.shape) for v in m.weights] == [tuple(v.shape) for v in k.weights]
    m.set_weights(k.get_weights())
    np.testing.assert_allclose(np.asarray(m(x)), np.asarray(k(x)), atol=1e-5, rtol=1e-5)
    m.trainable = False
    assert m.trainable_weights == [] and not m.dense.trainable


def test_add_weight_keras_arguments(keras):
    layer = ks.layers.Layer()
    v = layer.add_weight(
        (2, 3), "ones", "float32", name="v", autocast=False, aggregation="sum", constraint="non_neg"
    )
    assert v.shape == (2, 3) and v.aggregation == "sum" and not v.autocast
    np.testing.assert_array_equal(v.numpy(), np.ones((2, 3)))
    with pytest.raises(ValueError, match="keyword argument"):
        layer.add_weight("w", (2,))
    with pytest.raises(ValueError, match="both positionally"):
        layer.add_weight((2,), shape=(2,))


def test_input_and_output_of_a_functional_call():
    from kerasette.graph.ir import Graph

    layer = ks.layers.Dense(2)
    with pytest.raises(AttributeError, match="never been called"):
        layer.input
    g = Graph("f")
    x = g.placeholder((None, 3))
    x._keras_history = ("input", 0)  # as the functional API's Input carries one
    y = layer(x)
    assert layer.input is x and layer.output is y
