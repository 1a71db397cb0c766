"""The layer catalogue the ONNX export is checked on: one small model per layer type
(and per code path that traces to different primitives: masked and unmasked RNNs,
fused and unrolled activations, strided and dilated convolutions...).

Each case is `name -> () -> (model, make_inputs)`; make_inputs(rng, n) gives the model's
inputs for a batch of n (an array, or a list for several inputs).
"""

import numpy as np

import kerasette as ks
from kerasette import layers as L
from kerasette import ops


def _f(shape):
    return lambda rng, n: rng.standard_normal((n,) + shape).astype("float32")


def _ints(shape, high, low=0):
    return lambda rng, n: rng.integers(low, high, (n,) + shape).astype("int32")


def seq(shape, *layers, dtype="float32"):
    return ks.Sequential([L.Input(shape, dtype=dtype), *layers])


def _one(shape, *layers):
    return seq(shape, *layers), _f(shape)


CASES = {}


def case(name, fn):
    CASES[name] = fn


# ---- core -----------------------------------------------------------------------------
case(
    "dense_mlp", lambda: _one((6,), L.Dense(8, activation="relu"), L.Dense(3, activation="softmax"))
)
case("dense_3d", lambda: _one((4, 6), L.Dense(5, use_bias=False), L.Dense(2, activation="tanh")))
for _act in [
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "softplus",
    "softsign",
    "selu",
    "elu",
    "exponential",
    "gelu",
    "silu",
    "hard_sigmoid",
    "hard_silu",
    "linear",
    "log_softmax",
    "relu6",
    "leaky_relu",
    "mish",
    "celu",
    "log_sigmoid",
    "hard_tanh",
    "tanh_shrink",
    "soft_shrink",
    "hard_shrink",
    "squareplus",
    "sparse_plus",
    "sparse_sigmoid",
]:
    case(f"activation_{_act}", lambda a=_act: _one((8,), L.Activation(a)))
case("relu_layer", lambda: _one((8,), L.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2)))
case("leaky_relu_layer", lambda: _one((8,), L.LeakyReLU(negative_slope=0.2)))
case("prelu", lambda: _one((4, 3), L.PReLU(alpha_initializer="random_uniform")))
case("elu_layer", lambda: _one((8,), L.ELU(alpha=0.7)))
case("softmax_layer", lambda: _one((3, 5), L.Softmax(axis=-1)))
case(
    "lambda",
    lambda: _one(
        (6,),
        L.Lambda(
            lambda x: (
                ops.sin(x) * ops.abs(x) + ops.cumsum(x, axis=1) - ops.max(x, axis=-1, keepdims=True)
            )
        ),
    ),
)
case(
    "embedding",
    lambda: (seq((5,), L.Embedding(11, 4), L.Flatten(), dtype="int32"), _ints((5,), 11)),
)
case("masking", lambda: (seq((5, 3), L.Masking(mask_value=0.0), L.LSTM(4)), _masked((5, 3))))
case(
    "masking_simple_rnn_gru",
    lambda: (
        seq(
            (6, 2),
            L.Masking(mask_value=0.0),
            L.SimpleRNN(3, return_sequences=True),
            L.GRU(3, reset_after=False),
        ),
        _masked((6, 2)),
    ),
)


def _masked(shape):
    def make(rng, n):
        x = rng.standard_normal((n,) + shape).astype("float32")
        x[rng.random((n, shape[0])) < 0.3] = 0.0  # masked time steps, anywhere
        return x

    return make


# ---- convolution ------------------------------------------------------------------------
case(
    "conv1d",
    lambda: _one(
        (9, 3), L.Conv1D(4, 3, padding="same", activation="relu"), L.Conv1D(2, 2, strides=2)
    ),
)
case(
    "conv1d_causal_dilated",
    lambda: _one((10, 2), L.Conv1D(3, 3, padding="causal", dilation_rate=2)),
)
case(
    "conv2d",
    lambda: _one(
        (7, 8, 3),
        L.Conv2D(4, 3, padding="same"),
        L.Conv2D(5, (2, 3), strides=(2, 1), padding="valid"),
    ),
)
case("conv2d_strided_same", lambda: _one((7, 7, 2), L.Conv2D(3, 3, strides=2, padding="same")))
case("conv2d_dilated_groups", lambda: _one((8, 8, 4), L.Conv2D(4, 3, dilation_rate=2, groups=2)))
case("conv2d_channels_first", lambda: _one((3, 6, 6), L.Conv2D(2, 3, data_format="channels_first")))
case(
    "conv3d", lambda: _one((5, 5, 4, 2), L.Conv3D(3, 2, padding="same"), L.Conv3D(2, 2, strides=2))
)
case("conv1d_transpose", lambda: _one((5, 3), L.Conv1DTranspose(2, 3, strides=2, padding="same")))
case("conv2d_transpose", lambda: _one((4, 5, 3), L.Conv2DTranspose(2, 3, strides=2)))
case(
    "conv2d_transpose_same",
    lambda: _one((4, 4, 2), L.Conv2DTranspose(3, 2, strides=2, padding="same")),
)
case(
    "conv2d_transpose_output_padding",
    lambda: _one((3, 3, 2), L.Conv2DTranspose(2, 3, strides=2, output_padding=1)),
)
case("depthwise_conv2d", lambda: _one((6, 6, 3), L.DepthwiseConv2D(3, depth_multiplier=2)))
case("depthwise_conv1d", lambda: _one((8, 3), L.DepthwiseConv1D(3, padding="same")))
case("separable_conv2d", lambda: _one((6, 6, 3), L.SeparableConv2D(4, 3)))
case("separable_conv1d", lambda: _one((8, 3), L.SeparableConv1D(4, 3, padding="same")))

# ---- pooling ----------------------------------------------------------------------------
case("max_pool1d", lambda: _one((9, 3), L.MaxPooling1D(2)))
case("avg_pool1d_same", lambda: _one((9, 3), L.AveragePooling1D(3, strides=2, padding="same")))
case("max_pool2d", lambda: _one((7, 7, 2), L.MaxPooling2D(2)))
case("max_pool2d_same", lambda: _one((7, 7, 2), L.MaxPooling2D(3, strides=2, padding="same")))
case("avg_pool2d_same", lambda: _one((7, 6, 2), L.AveragePooling2D(3, strides=2, padding="same")))
case("max_pool3d", lambda: _one((4, 4, 4, 2), L.MaxPooling3D(2)))
case("avg_pool3d", lambda: _one((5, 4, 4, 2), L.AveragePooling3D(2, padding="same")))
case("global_pools", lambda: (_pools_model(), _f((5, 6, 3))))


def _pools_model():
    x = L.Input((5, 6, 3))
    a = L.GlobalAveragePooling2D()(x)
    b = L.GlobalMaxPooling2D(keepdims=True)(x)
    c = L.GlobalAveragePooling1D()(L.Reshape((30, 3))(x))
    d = L.GlobalMaxPooling1D()(L.Reshape((30, 3))(x))
    e = L.GlobalAveragePooling3D()(L.Reshape((5, 6, 3, 1))(x))
    f = L.GlobalMaxPooling3D()(L.Reshape((5, 6, 3, 1))(x))
    return ks.Model(x, [a, b, c, d, e, f])


# ---- normalization ------------------------------------------------------------------------
case("batch_norm", lambda: _one((5, 4), L.BatchNormalization()))
case("batch_norm_conv", lambda: _one((4, 4, 3), L.BatchNormalization(axis=-1, center=False)))
case("layer_norm", lambda: _one((5, 6), L.LayerNormalization()))
case("layer_norm_axes", lambda: _one((3, 4, 5), L.LayerNormalization(axis=(1, 2), scale=False)))
case("unit_norm", lambda: _one((6,), L.UnitNormalization()))

# ---- recurrent ------------------------------------------------------------------------------
case("lstm", lambda: _one((6, 3), L.LSTM(5, return_sequences=True), L.LSTM(4)))
case("lstm_go_backwards", lambda: _one((6, 3), L.LSTM(4, go_backwards=True)))
case(
    "lstm_unrolled_acts",
    lambda: _one((5, 3), L.LSTM(4, activation="relu", recurrent_activation="hard_sigmoid")),
)
case("gru", lambda: _one((6, 3), L.GRU(5, return_sequences=True), L.GRU(3)))
case("gru_reset_before", lambda: _one((6, 3), L.GRU(4, reset_after=False, return_sequences=True)))
case("gru_no_bias", lambda: _one((6, 3), L.GRU(4, use_bias=False)))
case(
    "simple_rnn",
    lambda: _one((6, 3), L.SimpleRNN(4, return_sequences=True), L.SimpleRNN(3, activation="relu")),
)
case("simple_rnn_unrolled", lambda: _one((5, 3), L.SimpleRNN(4, activation="sigmoid")))
case(
    "bidirectional",
    lambda: _one(
        (6, 3),
        L.Bidirectional(L.LSTM(4, return_sequences=True)),
        L.Bidirectional(L.GRU(3), merge_mode="sum"),
    ),
)
case("time_distributed", lambda: _one((4, 5), L.TimeDistributed(L.Dense(3))))
case(
    "embedding_mask_rnn",
    lambda: (
        seq(
            (7,),
            L.Embedding(10, 4, mask_zero=True),
            L.GRU(3, return_sequences=True),
            L.LSTM(3),
            dtype="int32",
        ),
        _ints((7,), 10),
    ),
)
case("lstm_states", lambda: (_rnn_states_model(), _f((5, 3))))


def _rnn_states_model():
    x = L.Input((5, 3))
    out, h, c = L.LSTM(4, return_state=True)(x)
    seq_out, h2 = L.GRU(4, return_sequences=True, return_state=True)(x, initial_state=[h])
    return ks.Model(x, [out, c, seq_out, h2])


# ---- attention --------------------------------------------------------------------------
case("multi_head_attention", lambda: (_mha_model(), _two((4, 6), (5, 6))))
case("multi_head_attention_self", lambda: (_mha_self_model(), _f((5, 8))))
case("attention", lambda: (_attention_model(), _two((4, 6), (5, 6))))


def _two(s1, s2):
    return lambda rng, n: [_f(s1)(rng, n), _f(s2)(rng, n)]


def _mha_model():
    q, v = L.Input((4, 6)), L.Input((5, 6))
    return ks.Model([q, v], L.MultiHeadAttention(num_heads=2, key_dim=3)(q, v))


def _mha_self_model():
    x = L.Input((5, 8))
    y = L.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3, output_shape=6)(
        x, x, use_causal_mask=True
    )
    return ks.Model(x, y)


def _attention_model():
    q, v = L.Input((4, 6)), L.Input((5, 6))
    return ks.Model([q, v], L.Attention(use_scale=True, score_mode="concat")([q, v]))


# ---- merging ----------------------------------------------------------------------------
def _merge_model():
    a, b = L.Input((4,), name="left"), L.Input((4,), name="right")
    outs = [
        L.Add()([a, b]),
        L.Subtract()([a, b]),
        L.Multiply()([a, b]),
        L.Average()([a, b]),
        L.Maximum()([a, b]),
        L.Minimum()([a, b]),
        L.Concatenate()([a, b]),
        L.Dot(axes=1)([a, b]),
        L.Dot(axes=1, normalize=True)([a, b]),
    ]
    return ks.Model([a, b], outs)


case("merge", lambda: (_merge_model(), _two((4,), (4,))))

# ---- reshaping ----------------------------------------------------------------------------
case(
    "reshape_flatten_permute",
    lambda: _one((2, 3, 4), L.Permute((3, 1, 2)), L.Reshape((4, 6)), L.Flatten()),
)
case("repeat_vector", lambda: _one((5,), L.RepeatVector(3)))
case("cropping_padding_1d", lambda: _one((8, 3), L.Cropping1D((1, 2)), L.ZeroPadding1D((2, 1))))
case(
    "cropping_padding_2d",
    lambda: _one((6, 7, 2), L.Cropping2D(((1, 0), (2, 1))), L.ZeroPadding2D(((0, 2), (1, 1)))),
)
case("upsampling_1d", lambda: _one((4, 3), L.UpSampling1D(2)))
case("upsampling_2d", lambda: _one((3, 4, 2), L.UpSampling2D((2, 3))))
case("upsampling_2d_bilinear", lambda: _one((3, 4, 2), L.UpSampling2D(2, interpolation="bilinear")))

# ---- regularization (identity at inference) -----------------------------------------------
case(
    "dropouts",
    lambda: _one(
        (6, 4),
        L.Dropout(0.5),
        L.SpatialDropout1D(0.3),
        L.GaussianNoise(0.2),
        L.GaussianDropout(0.2),
        L.AlphaDropout(0.1),
        L.ActivityRegularization(l1=0.1),
    ),
)
case("spatial_dropout2d", lambda: _one((4, 4, 3), L.SpatialDropout2D(0.4)))

# ---- numeric preprocessing ------------------------------------------------------------------
case("normalization", lambda: _one((5,), L.Normalization(mean=[0.5] * 5, variance=[2.0] * 5)))
case("rescaling", lambda: _one((4, 4, 3), L.Rescaling(1 / 255.0, offset=-1.0)))
case("discretization", lambda: _one((6,), L.Discretization(bin_boundaries=[-1.0, 0.0, 0.5])))
case(
    "category_encoding",
    lambda: (
        seq((4,), L.CategoryEncoding(num_tokens=6, output_mode="multi_hot"), dtype="int32"),
        _ints((4,), 6),
    ),
)
case(
    "category_encoding_count",
    lambda: (
        seq((4,), L.CategoryEncoding(num_tokens=6, output_mode="count"), dtype="int32"),
        _ints((4,), 6),
    ),
)
case(
    "integer_lookup",
    lambda: (seq((4,), L.IntegerLookup(vocabulary=[2, 4, 6, 8]), dtype="int32"), _ints((4,), 10)),
)
case(
    "integer_lookup_one_hot",
    lambda: (
        seq((1,), L.IntegerLookup(vocabulary=[2, 4, 6], output_mode="one_hot"), dtype="int32"),
        _ints((1,), 8),
    ),
)
case("center_crop", lambda: _one((8, 7, 3), L.CenterCrop(4, 5)))
case("resizing", lambda: _one((6, 8, 3), L.Resizing(4, 5)))
case("resizing_nearest", lambda: _one((6, 8, 3), L.Resizing(9, 4, interpolation="nearest")))
case(
    "random_augmentations",
    lambda: _one(
        (6, 6, 3),
        L.RandomFlip(),
        L.RandomRotation(0.1),
        L.RandomZoom(0.1),
        L.RandomTranslation(0.1, 0.1),
        L.RandomContrast(0.2),
    ),
)


# ---- functional models with several inputs and outputs ----------------------------------
def _multi_io_model():
    img = L.Input((6, 6, 2), name="image")
    vec = L.Input((3,), name="features")
    ids = L.Input((4,), dtype="int32", name="tokens")
    h = L.Flatten()(L.MaxPooling2D()(L.Conv2D(3, 3, padding="same", activation="relu")(img)))
    e = L.GlobalAveragePooling1D()(L.Embedding(9, 3)(ids))
    joined = L.Concatenate()([h, L.Dense(4)(vec), e])
    return ks.Model(
        [img, vec, ids],
        [L.Dense(2, activation="softmax", name="cls")(joined), L.Dense(1, name="reg")(joined)],
    )


def _multi_io_inputs(rng, n):
    return [_f((6, 6, 2))(rng, n), _f((3,))(rng, n), _ints((4,), 9)(rng, n)]


case("functional_multi_io", lambda: (_multi_io_model(), _multi_io_inputs))


def randomize_weights(model, rng):
    """Every weight random (biases, BN statistics, embeddings), so none is a no-op."""
    for v in model.weights:
        shape = tuple(v.shape)
        path = str(getattr(v, "path", "") or getattr(v, "name", ""))
        if np.dtype(v.dtype).kind != "f":
            continue
        if "variance" in path:
            v.assign(rng.uniform(0.5, 1.5, shape).astype(v.dtype))
        else:
            v.assign(rng.uniform(-0.6, 0.6, shape).astype(v.dtype))
