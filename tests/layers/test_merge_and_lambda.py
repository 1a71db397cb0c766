"""Merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot),
their functional forms, and Lambda, against Keras 3."""

import numpy as np
import pytest

import kerasette as ks
from kerasette.graph import interpreter
from kerasette.graph.ir import Graph

from ._layer_helpers import data, normalize


def close(mine, ref, atol=1e-5, rtol=1e-5):
    np.testing.assert_allclose(np.asarray(mine), np.asarray(ref), atol=atol, rtol=rtol)


ELEMENTWISE = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize(
    "shapes",
    [
        [(4, 3), (4, 3)],
        [(4, 2, 3), (4, 2, 3)],
        [(4, 3), (4, 3), (4, 3)],
        [(4, 2, 3), (4, 3)],
        [(4, 2, 3), (4, 1, 3)],
    ],
)
def test_elementwise_merge(keras, name, shapes):
    if name == "Subtract" and len(shapes) != 2:
        pytest.skip("Subtract takes exactly two inputs")
    xs = [data(*s, seed=i) for i, s in enumerate(shapes)]
    mine = getattr(ks.layers, name)()(xs)
    ref = getattr(keras.layers, name)()(xs)
    assert isinstance(mine, ks.tensor.Tensor)
    close(mine, ref)
    batched = [(None,) + s[1:] for s in shapes]
    assert getattr(ks.layers, name)().compute_output_shape(batched) == getattr(
        keras.layers, name
    )().compute_output_shape(batched)
    fn = getattr(ks.layers, name.lower())
    close(fn(xs), ref)


@pytest.mark.parametrize("name", ELEMENTWISE + ["Concatenate"])
def test_merge_config(keras, name):
    m, k = getattr(ks.layers, name)(name="m"), getattr(keras.layers, name)(name="m")
    assert normalize(m.get_config()) == normalize(k.get_config())
    assert normalize(
        getattr(keras.layers, name).from_config(m.get_config()).get_config()
    ) == normalize(k.get_config())
    assert ks.layers.deserialize(ks.layers.serialize(m)).get_config() == m.get_config()


def test_subtract_needs_two_inputs():
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        ks.layers.Subtract()([data(2, 3), data(2, 3), data(2, 3)])


def test_merge_needs_a_list():
    with pytest.raises(ValueError, match="list"):
        ks.layers.Add()(data(2, 3))


@pytest.mark.parametrize(
    "axis,shapes",
    [
        (-1, [(3, 2), (3, 4)]),
        (1, [(3, 2, 5), (3, 4, 5)]),
        (-1, [(3, 2, 5), (3, 2, 1), (3, 2, 2)]),
        (2, [(3, 2, 5), (3, 2, 1)]),
    ],
)
def test_concatenate(keras, axis, shapes):
    xs = [data(*s, seed=i) for i, s in enumerate(shapes)]
    close(ks.layers.Concatenate(axis=axis)(xs), keras.layers.Concatenate(axis=axis)(xs))
    close(ks.layers.concatenate(xs, axis=axis), keras.layers.concatenate(xs, axis=axis))
    batched = [(None,) + s[1:] for s in shapes]
    assert ks.layers.Concatenate(axis=axis).compute_output_shape(
        batched
    ) == keras.layers.Concatenate(axis=axis).compute_output_shape(batched)
    m = ks.layers.Concatenate(axis=axis, name="c")
    assert normalize(m.get_config()) == normalize(
        keras.layers.Concatenate(axis=axis, name="c").get_config()
    )


def test_concatenate_shape_mismatch():
    with pytest.raises(ValueError, match="matching shapes"):
        ks.layers.Concatenate(axis=1)([data(3, 2, 5), data(3, 4, 4)])


@pytest.mark.parametrize(
    "axes,shapes",
    [
        (1, [(4, 5), (4, 5)]),
        (-1, [(4, 5), (4, 5)]),
        ((1, 2), [(2, 3, 5), (2, 4, 3)]),
        ((2, 1), [(2, 3, 5), (2, 5, 4)]),
        (2, [(2, 3, 4), (2, 5, 4)]),
        ((1, 1), [(2, 6), (2, 6, 3)]),
        ((3, 1), [(2, 3, 4, 5), (2, 5, 2)]),
    ],
)
@pytest.mark.parametrize("normalize_", [False, True])
def test_dot(keras, axes, shapes, normalize_):
    xs = [data(*s, seed=i) for i, s in enumerate(shapes)]
    ref = keras.layers.Dot(axes=axes, normalize=normalize_)(xs)
    close(ks.layers.Dot(axes=axes, normalize=normalize_)(xs), ref)
    close(ks.layers.dot(xs, axes=axes, normalize=normalize_), ref)
    batched = [(None,) + s[1:] for s in shapes]
    assert ks.layers.Dot(axes).compute_output_shape(batched) == keras.layers.Dot(
        axes
    ).compute_output_shape(batched)


def test_dot_config(keras):
    m, k = (
        ks.layers.Dot((1, 2), normalize=True, name="d"),
        keras.layers.Dot((1, 2), normalize=True, name="d"),
    )
    assert normalize(m.get_config()) == normalize(k.get_config())
    assert normalize(
        keras.layers.Dot.from_config(normalize(m.get_config())).get_config()
    ) == normalize(k.get_config())


def test_merge_on_symbolic_tensors_records_one_call():
    g = Graph("merge")
    a, b = g.placeholder((None, 3)), g.placeholder((None, 3))
    y = ks.layers.add([a, b])
    assert y.shape == (None, 3)
    (out,) = interpreter.evaluate([y], {a: np.ones((2, 3)), b: np.ones((2, 3))})
    np.testing.assert_array_equal(out, 2 * np.ones((2, 3)))


@pytest.mark.parametrize("name", ["Add", "Maximum", "Minimum", "Multiply", "Concatenate"])
def test_merge_masks(keras, name):
    """Masked inputs (as an Embedding with mask_zero makes them) give Keras's values and
    output mask."""
    ids = np.array([[1, 2, 0], [0, 3, 4]], "int32")
    ids2 = np.array([[0, 2, 1], [0, 0, 4]], "int32")
    emb = data(5, 2)
    kin = [keras.Input((3,), dtype="int32") for _ in range(2)]
    kemb = [keras.layers.Embedding(5, 2, mask_zero=True) for _ in range(2)]
    kout = getattr(keras.layers, name)()([e(i) for e, i in zip(kemb, kin)])
    kmodel = keras.Model(kin, [kout, kout._keras_mask])
    for e in kemb:
        e.set_weights([emb])
    ref_out, ref_mask = kmodel([ids, ids2])
    g = Graph("masks")
    phs = [g.placeholder((None, 3), "int32") for _ in range(2)]
    membs = [ks.layers.Embedding(5, 2, mask_zero=True) for _ in range(2)]
    for e in membs:
        e.build()
        e.set_weights([emb])
    y = getattr(ks.layers, name)()([e(p) for e, p in zip(membs, phs)])
    out, mask = interpreter.evaluate([y, y._keras_mask], {phs[0]: ids, phs[1]: ids2})
    close(out, ref_out)
    np.testing.assert_array_equal(mask, np.asarray(ref_mask))


# ---- Lambda ---------------------------------------------------------------------------------
def test_lambda_outputs(keras):
    x = data(4, 3)
    close(ks.layers.Lambda(lambda t: t * 2 + 1)(x), keras.layers.Lambda(lambda t: t * 2 + 1)(x))
    m = ks.layers.Lambda(lambda t, k: t * k, arguments={"k": 3.0})
    k = keras.layers.Lambda(lambda t, k: t * k, arguments={"k": 3.0})
    close(m(x), k(x))
    mine = ks.layers.Lambda(lambda ts: ks.ops.concatenate(ts, axis=-1))([x, x])
    ref = keras.layers.Lambda(lambda ts: keras.ops.concatenate(ts, axis=-1))([x, x])
    close(mine, ref)


def test_lambda_training_argument():
    layer = ks.layers.Lambda(lambda t, training=None: t * (2.0 if training else 1.0))
    x = data(2, 3)
    close(layer(x), x)
    close(layer(x, training=True), 2 * x)


def test_lambda_output_shape(keras):
    for output_shape in (None, (6,), lambda s: (s[0], 6)):
        m = ks.layers.Lambda(
            lambda t: ks.ops.concatenate([t, t], axis=-1), output_shape=output_shape
        )
        k = keras.layers.Lambda(
            lambda t: keras.ops.concatenate([t, t], axis=-1), output_shape=output_shape
        )
        assert m.compute_output_shape((None, 3)) == k.compute_output_shape((None, 3)) == (None, 6)


def test_lambda_config_keras_reads_ours(keras):
    offset = 0.5
    m = ks.layers.Lambda(lambda t: t * 3.0 + offset, output_shape=(3,), name="lam")
    config = normalize(m.get_config())
    ref = normalize(
        keras.layers.Lambda(lambda t: t * 3.0 + offset, output_shape=(3,), name="lam").get_config()
    )
    assert config["function"]["class_name"] == ref["function"]["class_name"] == "__lambda__"
    assert set(config) == set(ref)
    assert config["function"]["config"]["closure"] == ref["function"]["config"]["closure"]
    # Keras refuses to run stored bytecode unless told safe_mode=False; so do we
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.layers.Lambda.from_config(dict(config))
    with pytest.raises(ValueError, match="safe_mode=False"):
        ks.layers.Lambda.from_config(dict(config))
    x = data(3, 3)
    theirs = keras.layers.Lambda.from_config(dict(config), safe_mode=False)
    close(theirs(x), x * 3 + offset)
    ours = ks.layers.Lambda.from_config(dict(ref), safe_mode=False)
    close(ours(x), x * 3 + offset)
    assert ours.compute_output_shape((None, 3)) == (None, 3)


def test_lambda_named_function_config(keras):
    m = ks.layers.Lambda(ks.activations.relu, name="l")
    k = keras.layers.Lambda(keras.activations.relu, name="l")
    assert (
        normalize(m.get_config())["function"]["config"]
        == normalize(k.get_config())["function"]["config"]
    )
    again = ks.layers.Lambda.from_config(m.get_config())
    x = data(3, 4)
    close(again(x), np.maximum(x, 0))


def test_lambda_in_a_saved_model_is_refused(tmp_path):
    model = ks.Sequential([ks.Input((3,)), ks.layers.Lambda(lambda t: t + 1.0)])
    path = tmp_path / "m.keras"
    try:
        model.save(path)
    except ValueError:
        return  # the saver refuses to store code: also safe
    with pytest.raises(ValueError):
        ks.models.load_model(path)
