"""keras.Input as a symbolic tensor, Model's construction rules and errors, and
Sequential as a Model (no Keras needed)."""

import numpy as np
import pytest

import kerasette as ks
from kerasette import ops
from kerasette.graph.ir import Sym


def test_input_is_a_symbolic_tensor_of_its_input_layer():
    x = ks.Input(shape=(4,), batch_size=8, dtype="int32", name="ids")
    assert isinstance(x, Sym)
    assert x.shape == (8, 4) and x.dtype == "int32"
    layer = x._keras_history[0].layer
    assert isinstance(layer, ks.layers.InputLayer) and layer.name == "ids"
    assert layer.output is x


@pytest.mark.parametrize("how", ["list", "add", "input_layer"])
def test_sequential_takes_input_in_every_form(how):
    if how == "list":
        model = ks.Sequential([ks.Input(shape=(6,)), ks.layers.Dense(3)])
    elif how == "add":
        model = ks.Sequential()
        model.add(ks.Input(shape=(6,)))
        model.add(ks.layers.Dense(3))
    else:
        model = ks.Sequential([ks.layers.InputLayer(shape=(6,)), ks.layers.Dense(3)])
    assert isinstance(model, ks.Model)
    assert model.built and model.input_shape == (None, 6)
    assert [type(l).__name__ for l in model.layers] == ["Dense"]
    assert model(np.ones((2, 6), "float32")).shape == (2, 3)


def test_sequential_runs_symbolically_inside_a_functional_model():
    seq = ks.Sequential([ks.Input(shape=(4,)), ks.layers.Dense(3), ks.layers.Dense(2)])
    a = ks.Input(shape=(4,))
    model = ks.Model(a, seq(a) * 2.0)
    x = np.random.default_rng(0).random((5, 4)).astype("float32")
    np.testing.assert_allclose(model(x).numpy(), 2 * np.asarray(seq(x)), rtol=1e-5)
    assert [type(l).__name__ for l in model.layers] == ["InputLayer", "Sequential"]


def test_model_call_on_symbolic_tensors_nests_and_on_arrays_returns_tensors():
    a = ks.Input(shape=(3,))
    inner = ks.Model(a, ks.layers.Dense(2)(a))
    b = ks.Input(shape=(3,))
    y = inner(b)
    assert isinstance(y, Sym) and y.shape == (None, 2)
    out = inner(np.ones((4, 3), "float32"))
    assert isinstance(out, ks.tensor.Tensor) and out.numpy().shape == (4, 2)


def test_ops_between_layers_are_replayed():
    a = ks.Input(shape=(3,))
    h = ops.exp(a) - 1.0
    model = ks.Model(a, ops.sum(h * h, axis=1, keepdims=True))
    x = np.random.default_rng(1).random((4, 3)).astype("float32")
    want = ((np.exp(x) - 1) ** 2).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model(x).numpy(), want, rtol=1e-5)
    assert [op.name.split("_")[0] for op in model.operations[1:]] == [
        "exp",
        "subtract",
        "multiply",
        "sum",
    ]


def test_training_flag_reaches_the_layers():
    class Flag(ks.layers.Layer):  # doubles its input while training
        def call(self, x, training=None):
            return x * (2.0 if training else 1.0)

    a = ks.Input(shape=(3,))
    model = ks.Model(a, Flag()(ks.layers.Dense(3)(a)))
    x = np.ones((2, 3), "float32")
    inference = model(x).numpy()
    np.testing.assert_allclose(model(x, training=True).numpy(), 2 * inference, rtol=1e-6)
    np.testing.assert_allclose(model(x, training=False).numpy(), inference)


def test_disconnected_graph_is_refused():
    a, b = ks.Input(shape=(2,)), ks.Input(shape=(2,))
    out = ks.layers.Dense(1)(a + b)
    with pytest.raises(ValueError, match="Graph disconnected"):
        ks.Model(a, out)


def test_inputs_must_come_from_input_and_names_be_unique():
    a = ks.Input(shape=(2,))
    # An intermediate tensor is a valid input, as in Keras 3 (the calls after it are
    # replayed on a fresh Input: tests/models/test_intermediate_inputs_vs_keras.py).
    with pytest.raises(ValueError, match="must be symbolic tensors"):
        ks.Model(a, np.ones(2))
    x = ks.layers.Dense(2, name="same")(a)
    with pytest.raises(ValueError, match='The name "same" is used 2 times'):
        ks.Model(a, ks.layers.Dense(2, name="same")(x))


def test_wrong_number_of_inputs():
    a, b = ks.Input(shape=(2,)), ks.Input(shape=(2,))
    model = ks.Model([a, b], a + b)
    with pytest.raises(ValueError, match="expects 2 input"):
        model([np.ones((1, 2), "float32")])


def test_subclass_without_call_and_weights_before_build():
    class Empty(ks.Model):
        pass

    with pytest.raises(NotImplementedError, match="call"):
        Empty()(np.ones((1, 2), "float32"))

    class Two(ks.Model):
        def __init__(self):
            super().__init__(name="two")
            self.d = ks.layers.Dense(3, name="d")

        def call(self, x):
            return self.d(x)

    model = Two()
    assert not model.built and model.weights == []
    model.build((None, 4))
    assert model.built and [w.path for w in model.weights] == ["two/d/kernel", "two/d/bias"]
    assert [w.shape for w in model.weights] == [(4, 3), (3,)]


def test_trainer_facing_attributes():
    a = ks.Input(shape=(3,), name="x")
    model = ks.Model(a, {"y": ks.layers.Dense(2, name="head")(a)})
    assert model.inputs == [a]
    assert model.output_names == ["head"]
    assert model._build_input_shape == (None, 3) and model.built
    for name in ("compile", "fit", "evaluate", "predict"):
        assert callable(getattr(model, name))
