"""Every core layer's `call` (written in kerasette.ops) against Keras 3's, on the same
weights and inputs: outputs in inference and training, BatchNormalization's moving
statistics, Dropout's statistics, masks, and get_config round trips both ways."""

import numpy as np
import pytest

import kerasette as ks
from kerasette.graph.ir import Graph

from ._layer_helpers import copy_weights, data, normalize

ATOL, RTOL = 1e-5, 1e-5


def twin(keras, name, shape, seed=0, **kwargs):
    """The same layer in Keras and kerasette, built for `shape`, Keras's weights copied
    (randomized first so that ones/zeros initializers prove nothing by accident)."""
    k = getattr(keras.layers, name)(**kwargs)
    k.build(shape)
    r = np.random.default_rng(seed)
    k.set_weights(
        [
            np.abs(r.normal(size=w.shape)).astype(w.dtype) + 0.5
            if "variance" in w.path
            else r.normal(size=w.shape).astype(w.dtype)
            for w in k.weights
        ]
    )
    m = getattr(ks.layers, name)(**kwargs)
    m.build(shape)
    copy_weights(m, k)
    return m, k


def close(mine, ref, atol=ATOL, rtol=RTOL):
    assert isinstance(mine, ks.tensor.Tensor) or isinstance(mine, np.ndarray)
    np.testing.assert_allclose(np.asarray(mine), np.asarray(ref), atol=atol, rtol=rtol)


def configs_agree(keras, m, k):
    """Our config equals Keras's; each library rebuilds the other's; round trips hold."""
    mine, ref = normalize(m.get_config()), normalize(k.get_config())
    assert mine == ref
    assert normalize(type(m).from_config(m.get_config()).get_config()) == mine
    assert normalize(type(k).from_config(mine).get_config()) == ref  # Keras reads ours
    assert normalize(type(m).from_config(ref).get_config()) == mine  # we read Keras's


# ---- Dense ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(units=4),
        dict(units=3, activation="relu"),
        dict(units=5, activation="softmax", use_bias=False),
        dict(units=2, activation="tanh"),
    ],
)
@pytest.mark.parametrize("shape", [(None, 6), (None, 3, 6), (None, 2, 3, 6)])
def test_dense(keras, kwargs, shape):
    m, k = twin(keras, "Dense", shape, **kwargs)
    x = data(7, *shape[1:])
    out = m(x)
    assert isinstance(out, ks.tensor.Tensor)
    assert out.shape == (7,) + shape[1:-1] + (kwargs["units"],)
    close(out, k(x))
    assert m.compute_output_shape(shape) == k.compute_output_shape(shape)


def test_dense_config(keras):
    kw = dict(
        units=3,
        activation="relu",
        use_bias=False,
        name="d",
        kernel_regularizer={
            "module": "keras.regularizers",
            "class_name": "L2",
            "config": {"l2": 0.5},
            "registered_name": None,
        },
    )
    m, k = ks.layers.Dense(**kw), keras.layers.Dense(**kw)
    configs_agree(keras, m, k)


# ---- Activation -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "linear",
        "relu",
        "leaky_relu",
        "relu6",
        "elu",
        "selu",
        "celu",
        "gelu",
        "glu",
        "sigmoid",
        "hard_sigmoid",
        "log_sigmoid",
        "sparse_sigmoid",
        "tanh",
        "tanh_shrink",
        "hard_tanh",
        "hard_shrink",
        "soft_shrink",
        "softmax",
        "log_softmax",
        "softplus",
        "sparse_plus",
        "squareplus",
        "softsign",
        "silu",
        "swish",
        "mish",
        "exponential",
        "hard_silu",
        "hard_swish",
    ],
)
def test_activation_functions_and_layer(keras, name):
    x = data(5, 8) * 3
    ref = np.asarray(keras.activations.get(name)(x))
    fn = ks.activations.get(name)
    close(fn(x), ref, atol=2e-5, rtol=1e-4)
    layer = ks.layers.Activation(name)
    close(layer(x), ref, atol=2e-5, rtol=1e-4)
    assert ks.activations.serialize(fn) == keras.activations.serialize(keras.activations.get(name))
    configs_agree(
        keras, ks.layers.Activation(name, name="a"), keras.layers.Activation(name, name="a")
    )


def test_every_keras_activation_is_there(keras):
    from keras.src.activations import ALL_OBJECTS_DICT

    missing = set(ALL_OBJECTS_DICT) - set(ks.activations.ALIASES)
    assert missing <= {"sparsemax"}  # sparsemax waits for ops.sparsemax


@pytest.mark.parametrize(
    "kw",
    [
        dict(negative_slope=0.1),
        dict(max_value=6.0),
        dict(max_value=2.5),
        dict(threshold=0.3),
        dict(negative_slope=0.2, max_value=1.0, threshold=0.5),
        dict(negative_slope=0.1, threshold=-0.2),
    ],
)
def test_relu_arguments(keras, kw):
    x = data(6, 7) * 2
    close(ks.activations.relu(x, **kw), keras.activations.relu(x, **kw))


def test_activations_with_arguments(keras):
    x = data(4, 6) * 2
    close(
        ks.activations.leaky_relu(x, negative_slope=0.05),
        keras.activations.leaky_relu(x, negative_slope=0.05),
    )
    close(ks.activations.elu(x, alpha=0.5), keras.activations.elu(x, alpha=0.5))
    close(
        ks.activations.gelu(x, approximate=True),
        keras.activations.gelu(x, approximate=True),
        rtol=1e-4,
    )
    close(ks.activations.softmax(x, axis=0), keras.activations.softmax(x, axis=0))
    close(ks.activations.threshold(x, 0.5, -1.0), keras.activations.threshold(x, 0.5, -1.0))


def test_activation_on_symbolic_tensor_adds_nodes():
    g = Graph("act")
    x = g.placeholder((None, 4))
    y = ks.activations.relu(x)
    assert y.graph is g and y.shape == (None, 4)
    assert ks.activations.sigmoid(x)._keras_logits is x


def test_user_function_is_an_activation(keras):
    def scaled_tanh(t):
        return ks.ops.tanh(t) * 2.0

    layer = ks.layers.Dense(3, activation=scaled_tanh)
    x = data(4, 5)
    layer.build((None, 5))
    w, b = layer.get_weights()
    close(layer(x), np.tanh(x @ w + b) * 2.0)


# ---- Dropout ----------------------------------------------------------------------------
def test_dropout_rate_zero_and_inference_are_identity(keras):
    x = data(8, 5)
    for rate in (0.0, 0.5):
        m, k = ks.layers.Dropout(rate), keras.layers.Dropout(rate)
        close(m(x), k(x))
        close(m(x, training=False), x)
    close(ks.layers.Dropout(0.0)(x, training=True), keras.layers.Dropout(0.0)(x, training=True))


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8])
def test_dropout_statistics_match_keras(keras, rate):
    x = np.ones((400, 250), "float32")
    mine = np.asarray(ks.layers.Dropout(rate)(x, training=True))
    ref = np.asarray(keras.layers.Dropout(rate)(x, training=True))
    for out in (mine, ref):
        kept = out != 0
        assert abs(1 - kept.mean() - rate) < 0.01
        np.testing.assert_allclose(out[kept], 1 / (1 - rate), rtol=1e-6)
    assert abs((mine != 0).mean() - (ref != 0).mean()) < 0.015


def test_dropout_new_mask_each_call_and_reproducible_with_seed():
    x = np.ones((64, 32), "float32")
    ks.utils.set_random_seed(3)
    a = ks.layers.Dropout(0.5)
    first, second = np.asarray(a(x, training=True)), np.asarray(a(x, training=True))
    assert not np.array_equal(first, second)
    ks.utils.set_random_seed(3)
    b = ks.layers.Dropout(0.5)
    np.testing.assert_array_equal(np.asarray(b(x, training=True)), first)


def test_dropout_same_seed_same_masks():
    """Keras: two Dropout(seed=s) layers start from the same SeedGenerator state."""
    x = np.ones((64, 32), "float32")
    c, d = ks.layers.Dropout(0.5, seed=11), ks.layers.Dropout(0.5, seed=11)
    np.testing.assert_array_equal(np.asarray(c(x, training=True)), np.asarray(d(x, training=True)))


def test_dropout_noise_shape(keras):
    x = np.ones((6, 5, 4), "float32")
    out = np.asarray(ks.layers.Dropout(0.5, noise_shape=(6, 1, 4))(x, training=True))
    # one draw per (sample, feature), shared along axis 1
    assert (out == out[:, :1, :]).all()
    assert set(np.unique(out)) <= {0.0, 2.0}


def test_dropout_config(keras):
    configs_agree(
        keras,
        ks.layers.Dropout(0.3, seed=5, name="dr"),
        keras.layers.Dropout(0.3, seed=5, name="dr"),
    )


# ---- Flatten, Reshape --------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(None, 3, 4), (None, 2, 3, 4), (None, 5)])
def test_flatten(keras, shape):
    x = data(3, *shape[1:])
    close(ks.layers.Flatten()(x), keras.layers.Flatten()(x))
    assert ks.layers.Flatten().compute_output_shape(
        shape
    ) == keras.layers.Flatten().compute_output_shape(shape)


@pytest.mark.parametrize("target", [(12,), (2, 6), (-1, 3), (4, -1), (3, 2, 2)])
def test_reshape(keras, target):
    x = data(5, 3, 4)
    close(ks.layers.Reshape(target)(x), keras.layers.Reshape(target)(x))
    assert ks.layers.Reshape(target).compute_output_shape((None, 3, 4)) == keras.layers.Reshape(
        target
    ).compute_output_shape((None, 3, 4))
    configs_agree(
        keras, ks.layers.Reshape(target, name="r"), keras.layers.Reshape(target, name="r")
    )


# ---- BatchNormalization --------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape,axis",
    [
        ((None, 6), -1),
        ((None, 4, 5), -1),
        ((None, 4, 5), 1),
        ((None, 3, 4, 5), 1),
        ((None, 3, 4, 5), -1),
    ],
)
@pytest.mark.parametrize("kw", [{}, dict(center=False), dict(scale=False, momentum=0.9)])
def test_batch_normalization(keras, shape, axis, kw):
    m, k = twin(keras, "BatchNormalization", shape, axis=axis, **kw)
    x = data(16, *shape[1:]) * 2 + 1
    close(m(x), k(x))  # moving statistics
    close(m(x, training=False), k(x, training=False))
    close(m(x, training=True), k(x, training=True), atol=2e-5)  # batch statistics
    for a, b in zip(m.get_weights(), k.get_weights()):  # moving stats updated once
        close(a, b, atol=2e-5)
    close(m(x, training=True), k(x, training=True), atol=2e-5)
    for a, b in zip(m.get_weights(), k.get_weights()):
        close(a, b, atol=2e-5)


def test_frozen_batch_normalization_uses_moving_statistics(keras):
    m, k = twin(keras, "BatchNormalization", (None, 5))
    m.trainable = k.trainable = False
    x = data(12, 5) * 3
    before = m.get_weights()
    close(m(x, training=True), k(x, training=True))
    for a, b in zip(m.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert m.trainable_weights == [] and len(m.non_trainable_weights) == 4


def test_batch_normalization_config_and_weights(keras):
    m = ks.layers.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-4, name="bn")
    k = keras.layers.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-4, name="bn")
    configs_agree(keras, m, k)
    m.build((None, 3, 4))
    k.build((None, 3, 4))
    assert [v.shape for v in m.weights] == [tuple(v.shape) for v in k.weights]
    assert [v.name for v in m.weights] == [v.name for v in k.weights]


def test_batch_normalization_traced_updates_are_effects():
    from kerasette.graph.trace import tracing

    layer = ks.layers.BatchNormalization()
    g = Graph("bn")
    x = g.placeholder((None, 3))
    with tracing(g):
        layer(x, training=True)
    writes = [n.attrs["var"] for n in (u.node for u in g.updates)]
    assert writes == [layer.moving_mean, layer.moving_variance]


# ---- LayerNormalization --------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape,axis",
    [
        ((None, 6), -1),
        ((None, 4, 5), -1),
        ((None, 4, 5), 1),
        ((None, 3, 4, 5), [1, 2]),
        ((None, 3, 4, 5), [-2, -1]),
        ((None, 3, 4, 5), [1, 3]),
    ],
)
@pytest.mark.parametrize("kw", [{}, dict(center=False), dict(scale=False), dict(epsilon=1e-5)])
def test_layer_normalization(keras, shape, axis, kw):
    m, k = twin(keras, "LayerNormalization", shape, axis=axis, **kw)
    x = data(6, *shape[1:]) * 3 + 2
    close(m(x), k(x), atol=2e-5)
    close(m(x, training=True), k(x, training=True), atol=2e-5)


def test_layer_normalization_rms_scaling(keras):
    with pytest.warns(UserWarning):
        m, k = twin(keras, "LayerNormalization", (None, 4, 6), rms_scaling=True)
    x = data(5, 4, 6) * 2 + 1
    assert len(m.weights) == len(k.weights) == 1
    close(m(x), k(x), atol=2e-5)


def test_layer_normalization_config(keras):
    m = ks.layers.LayerNormalization(axis=[1, 2], epsilon=1e-5, name="ln")
    k = keras.layers.LayerNormalization(axis=[1, 2], epsilon=1e-5, name="ln")
    configs_agree(keras, m, k)
    m.build((None, 3, 4))
    k.build((None, 3, 4))
    assert normalize(m.get_config()) == normalize(k.get_config())  # axis as built
    m1, k1 = ks.layers.LayerNormalization(name="l1"), keras.layers.LayerNormalization(name="l1")
    m1.build((None, 3))
    k1.build((None, 3))
    assert normalize(m1.get_config()) == normalize(k1.get_config())


# ---- Embedding ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["int32", "int64", "float32"])
def test_embedding(keras, dtype):
    m, k = twin(keras, "Embedding", (None, 5), input_dim=11, output_dim=4)
    ids = np.random.default_rng(1).integers(0, 11, size=(7, 5)).astype(dtype)
    close(m(ids), k(ids))
    ids3 = ids.reshape(7, 5, 1)
    close(m(ids3), k(ids3))


def test_embedding_mask_zero(keras):
    m, k = twin(keras, "Embedding", (None, 4), input_dim=6, output_dim=3, mask_zero=True)
    ids = np.array([[1, 2, 0, 0], [0, 5, 4, 0]], "int32")
    close(m(ids), k(ids))
    np.testing.assert_array_equal(np.asarray(m.compute_mask(ids)), np.asarray(k.compute_mask(ids)))
    # symbolic: the output carries the mask, and a masking-aware layer passes it on
    g = Graph("mask")
    x = g.placeholder((None, 4), "int32")
    y = m(x)
    assert y._keras_mask is not None and y._keras_mask.shape == (None, 4)
    z = ks.layers.Dense(2)(y)
    assert z._keras_mask is y._keras_mask
    from kerasette.graph import interpreter

    (mask,) = interpreter.evaluate([y._keras_mask], {x: ids})
    np.testing.assert_array_equal(mask, ids != 0)


def test_embedding_rejects_bad_ids():
    layer = ks.layers.Embedding(5, 2)
    with pytest.raises(ValueError, match="ids must be in"):
        layer(np.array([[1, 5]]))
    with pytest.raises(ValueError, match="ids must be in"):
        layer(np.array([[-1, 2]]))


def test_embedding_config(keras):
    configs_agree(
        keras,
        ks.layers.Embedding(7, 3, mask_zero=True, name="e"),
        keras.layers.Embedding(7, 3, mask_zero=True, name="e"),
    )


# ---- Normalization -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "axis,shape",
    [(-1, (40, 5)), (None, (40, 5)), ((1, 2), (40, 3, 4)), (1, (40, 3, 4)), (-1, (40, 3, 4))],
)
@pytest.mark.parametrize("invert", [False, True])
def test_normalization_adapted(keras, axis, shape, invert):
    x = data(*shape) * 3 + 1
    m = ks.layers.Normalization(axis=axis, invert=invert)
    k = keras.layers.Normalization(axis=axis, invert=invert)
    m.adapt(x)
    k.adapt(x)
    close(m(x), k(x), atol=1e-4, rtol=1e-4)


def test_normalization_given_statistics(keras):
    mean, var = [1.0, 2.0, 3.0], [4.0, 0.0, 0.25]
    x = data(6, 3)
    for invert in (False, True):
        m = ks.layers.Normalization(mean=mean, variance=var, invert=invert)
        k = keras.layers.Normalization(mean=mean, variance=var, invert=invert)
        close(m(x), k(x))
    configs_agree(
        keras,
        ks.layers.Normalization(mean=mean, variance=var, name="n"),
        keras.layers.Normalization(mean=mean, variance=var, name="n"),
    )


# ---- DenseFeatures (no Keras 3 counterpart: numpy decides; tests/tf compares with TF) -----
@pytest.mark.parametrize("combiner", ["mean", "sum", "sqrtn"])
def test_dense_features_matches_numpy(combiner):
    from kerasette import feature_column as fc

    ks.utils.set_random_seed(0)
    cols = [
        fc.numeric_column("a", shape=(2,)),
        fc.embedding_column(fc.categorical_column_with_identity("ids", 7), 3, combiner=combiner),
        fc.embedding_column(fc.categorical_column_with_identity("one", 4), 2, combiner=combiner),
    ]
    layer = ks.layers.DenseFeatures(cols)
    r = np.random.default_rng(0)
    feats = {
        "a": r.normal(size=(5, 2)).astype("float32"),
        "ids": np.array([[1, 2, 6], [3, -1, -1], [-1, -1, -1], [0, 0, 5], [4, 6, -1]]),
        "one": np.array([[1], [0], [3], [2], [-1]]),
    }
    out = np.asarray(layer(feats))
    # numpy reference of the combiners
    parts = [feats["a"]]
    for key, width, col in zip(("ids", "one"), (3, 2), layer._embedding):
        table = layer._tables[col.name].numpy()
        rows = []
        for ids in feats[key]:
            ids = ids[ids >= 0]
            s = table[ids].sum(0) if len(ids) else np.zeros(width, "float32")
            n = len(ids)
            f = {"sum": 1.0, "mean": 1.0 / max(n, 1), "sqrtn": 1.0 / np.sqrt(max(n, 1))}[combiner]
            rows.append(s * f)
        parts.append(np.array(rows))
    np.testing.assert_allclose(out, np.concatenate(parts, 1), atol=1e-6, rtol=1e-6)


def test_dense_features_traces_on_a_symbolic_matrix():
    from kerasette import feature_column as fc

    layer = ks.layers.DenseFeatures(
        [
            fc.numeric_column("a"),
            fc.embedding_column(fc.categorical_column_with_identity("c", 5), 4),
        ]
    )
    layer.preprocess({"a": np.zeros((2, 1)), "c": np.array([[1], [2]])})
    g = Graph("df")
    y = layer(g.placeholder((None, layer.input_width)))
    assert y.shape == (None, 5)


# ---- every layer runs on symbolic tensors, has call(), needs no lowering ------------------
@pytest.mark.parametrize(
    "make,shape",
    [
        (lambda: ks.layers.Dense(3), (None, 4)),
        (lambda: ks.layers.Activation("relu"), (None, 4)),
        (lambda: ks.layers.Dropout(0.5), (None, 4)),
        (lambda: ks.layers.Flatten(), (None, 2, 3)),
        (lambda: ks.layers.Reshape((3, 2)), (None, 6)),
        (lambda: ks.layers.BatchNormalization(), (None, 4)),
        (lambda: ks.layers.LayerNormalization(), (None, 4)),
        (lambda: ks.layers.Normalization(mean=0.5, variance=2.0), (None, 4)),
    ],
)
def test_layers_trace_and_run_their_traced_function(make, shape):
    layer = make()
    g = Graph("t")
    y = layer(g.placeholder(shape))
    assert tuple(y.shape) == tuple(layer.compute_output_shape(shape))
    x = data(3, *shape[1:])
    assert np.asarray(layer(x, training=True)).shape[0] == 3
    assert layer.__dict__.get("_eager_fns")  # the eager call ran the traced function
