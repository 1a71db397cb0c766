"""A broad sample of ops called with the same inputs on keras.ops (TF backend) and
kerasette.ops: the same values (tolerance per case) and the same result dtype."""

import numpy as np
import pytest

from kerasette import ops as kops

pytestmark = pytest.mark.keras_ref

R = np.random.default_rng(7)
F = R.standard_normal((3, 4)).astype(np.float32)
F2 = R.standard_normal((4,)).astype(np.float32)
P = R.uniform(0.1, 2, (3, 4)).astype(np.float32)
I = np.arange(12, dtype=np.int32).reshape(3, 4) - 5
I8 = I.astype(np.int8)
U8 = np.abs(I).astype(np.uint8)
B = F > 0
H = F.astype(np.float16)
X3 = R.standard_normal((2, 3, 4)).astype(np.float32)
IMG = R.standard_normal((2, 6, 6, 3)).astype(np.float32)
K2 = R.standard_normal((3, 3, 3, 4)).astype(np.float32)
SEQ = R.standard_normal((2, 8, 3)).astype(np.float32)
K1 = R.standard_normal((3, 3, 5)).astype(np.float32)
PR = np.exp(F) / np.exp(F).sum(-1, keepdims=True)
LBL = np.array([0, 3, 1], np.int32)
OH = np.eye(4, dtype=np.float32)[LBL]

CASES = [
    # (id, call(ops, *args), args, rtol)
    ("add_i32_pyfloat", lambda o, a: o.add(a, 1.5), [I]),
    ("add_i8_pyint", lambda o, a: o.add(a, 3), [I8]),
    ("add_f16_pyfloat", lambda o, a: o.add(a, 1.5), [H]),
    ("add_i32_f16", lambda o, a, b: o.add(a, b), [I, H]),
    ("add_u8_i8", lambda o, a, b: o.add(a, b), [U8, I8]),
    ("add_bool_int", lambda o, a: o.add(a, 1), [B]),
    ("subtract_bcast", lambda o, a, b: o.subtract(a, b), [F, F2]),
    ("multiply_i32_f32", lambda o, a, b: o.multiply(a, b), [I, F]),
    ("divide_int", lambda o, a: o.divide(a, 4), [I]),
    ("true_divide_f", lambda o, a, b: o.true_divide(a, b), [F, P]),
    ("floor_divide_int", lambda o, a: o.floor_divide(a, 3), [I]),
    ("floor_divide_f", lambda o, a: o.floor_divide(a, 0.7), [F]),
    ("mod_int", lambda o, a: o.mod(a, 3), [I]),
    ("mod_f", lambda o, a: o.mod(a, 0.7), [F]),
    ("power_int", lambda o, a: o.power(a, 2), [I]),
    ("power_f", lambda o, a, b: o.power(a, b), [P, F]),
    ("maximum_i_f", lambda o, a: o.maximum(a, 1.5), [I]),
    ("minimum", lambda o, a, b: o.minimum(a, b), [F, F2]),
    ("arctan2", lambda o, a, b: o.arctan2(a, b), [F, P]),
    ("hypot", lambda o, a, b: o.hypot(a, b), [F, P]),
    ("logaddexp", lambda o, a, b: o.logaddexp(a, b), [F, P]),
    ("exp_int", lambda o, a: o.exp(a), [I]),
    ("exp_f16", lambda o, a: o.exp(a), [H]),
    ("log_f", lambda o, a: o.log(a), [P]),
    ("log1p", lambda o, a: o.log1p(a), [P]),
    ("log2", lambda o, a: o.log2(a), [P]),
    ("log10", lambda o, a: o.log10(a), [P]),
    ("expm1", lambda o, a: o.expm1(a), [F]),
    ("exp2", lambda o, a: o.exp2(a), [F]),
    ("sqrt_int", lambda o, a: o.sqrt(a), [np.abs(I)]),
    ("cbrt", lambda o, a: o.cbrt(a), [F]),
    ("abs_int", lambda o, a: o.abs(a), [I]),
    ("abs_u8", lambda o, a: o.abs(a), [U8]),
    ("negative", lambda o, a: o.negative(a), [I8]),
    ("sign", lambda o, a: o.sign(a), [F]),
    ("sign_int", lambda o, a: o.sign(a), [I]),
    ("square_bool", lambda o, a: o.square(a), [B]),
    ("square_u8", lambda o, a: o.square(a), [U8]),
    ("floor_int", lambda o, a: o.floor(a), [I]),
    ("ceil", lambda o, a: o.ceil(a), [F * 3]),
    ("round", lambda o, a: o.round(a), [np.array([-2.5, -0.5, 0.5, 1.5, 2.5], np.float32)]),
    ("round_int", lambda o, a: o.round(a), [I]),
    ("round_decimals", lambda o, a: o.round(a, 1), [F]),
    ("trunc", lambda o, a: o.trunc(a), [F * 3]),
    ("sin", lambda o, a: o.sin(a), [F]),
    ("cos_int", lambda o, a: o.cos(a), [I]),
    ("tan", lambda o, a: o.tan(a), [F * 0.5]),
    ("arcsin", lambda o, a: o.arcsin(a), [F * 0.3]),
    ("arccos", lambda o, a: o.arccos(a), [F * 0.3]),
    ("arctan", lambda o, a: o.arctan(a), [F]),
    ("sinh", lambda o, a: o.sinh(a), [F]),
    ("cosh", lambda o, a: o.cosh(a), [F]),
    ("tanh", lambda o, a: o.tanh(a), [F]),
    ("arcsinh", lambda o, a: o.arcsinh(a), [F]),
    ("arccosh", lambda o, a: o.arccosh(a), [P + 1]),
    ("arctanh", lambda o, a: o.arctanh(a), [F * 0.3]),
    ("deg2rad_int", lambda o, a: o.deg2rad(a), [I]),
    ("rad2deg", lambda o, a: o.rad2deg(a), [F]),
    ("reciprocal", lambda o, a: o.reciprocal(a), [P]),
    ("erf", lambda o, a: o.erf(a), [F]),
    ("rsqrt", lambda o, a: o.rsqrt(a), [P]),
    ("equal_i_f", lambda o, a: o.equal(a, 1.0), [I]),
    ("not_equal", lambda o, a, b: o.not_equal(a, b), [I, I.T.reshape(3, 4)]),
    ("less", lambda o, a, b: o.less(a, b), [F, F2]),
    ("greater_equal", lambda o, a: o.greater_equal(a, 0), [I]),
    ("logical_and", lambda o, a, b: o.logical_and(a, b), [B, F2 > 0]),
    ("logical_or", lambda o, a, b: o.logical_or(a, b), [B, F2 > 0]),
    ("logical_xor", lambda o, a, b: o.logical_xor(a, b), [B, F2 > 0]),
    ("logical_not", lambda o, a: o.logical_not(a), [B]),
    ("isnan", lambda o, a: o.isnan(a), [np.array([1.0, np.nan, np.inf], np.float32)]),
    ("isfinite", lambda o, a: o.isfinite(a), [np.array([1.0, np.nan, np.inf], np.float32)]),
    ("where", lambda o, c, a, b: o.where(c, a, b), [B, F, I]),
    ("where_pyint", lambda o, c: o.where(c, 1, 2), [B]),
    ("where_pyfloat", lambda o, c, a: o.where(c, a, 0.5), [B, I]),
    ("clip", lambda o, a: o.clip(a, -0.5, 0.5), [F]),
    ("clip_int", lambda o, a: o.clip(a, -2, 3), [I]),
    ("clip_bool", lambda o, a: o.clip(a, 0, 1), [B]),
    ("cast", lambda o, a: o.cast(a, "int32"), [F * 3]),
    ("cast_u8", lambda o, a: o.cast(a, "uint8"), [np.abs(F) * 50]),
    # reductions
    ("sum_i8", lambda o, a: o.sum(a), [I8]),
    ("sum_u8", lambda o, a: o.sum(a, axis=0), [U8]),
    ("sum_bool", lambda o, a: o.sum(a, axis=1), [B]),
    ("sum_axes_keep", lambda o, a: o.sum(a, axis=(0, 2), keepdims=True), [X3]),
    ("sum_f16", lambda o, a: o.sum(a), [H]),
    ("mean_int", lambda o, a: o.mean(a, axis=0), [I]),
    ("mean_bool", lambda o, a: o.mean(a), [B]),
    ("mean_neg_axis", lambda o, a: o.mean(a, axis=-1, keepdims=True), [X3]),
    ("max_i8", lambda o, a: o.max(a, axis=1), [I8]),
    ("max_bool", lambda o, a: o.max(a), [B]),
    ("min", lambda o, a: o.min(a, axis=(1, 2)), [X3]),
    ("max_initial", lambda o, a: o.max(a, axis=0, initial=0.5), [F]),
    ("prod_int", lambda o, a: o.prod(a, axis=1), [I8]),
    ("prod_f", lambda o, a: o.prod(a, axis=0), [F]),
    ("argmax", lambda o, a: o.argmax(a, axis=-1), [F]),
    ("argmax_none", lambda o, a: o.argmax(a), [F]),
    ("argmin_keep", lambda o, a: o.argmin(a, axis=0, keepdims=True), [F]),
    ("any", lambda o, a: o.any(a, axis=0), [B]),
    ("all_int", lambda o, a: o.all(a), [I]),
    ("cumsum_i8", lambda o, a: o.cumsum(a, axis=1), [I8]),
    ("cumsum_bool", lambda o, a: o.cumsum(a), [B]),
    ("cumprod", lambda o, a: o.cumprod(a, axis=0), [F]),
    ("var_int", lambda o, a: o.var(a), [I]),
    ("std", lambda o, a: o.std(a, axis=1), [F]),
    ("logsumexp", lambda o, a: o.logsumexp(a, axis=-1), [X3 * 30]),
    ("average", lambda o, a, w: o.average(a, axis=1, weights=w), [F, P[0]]),
    ("count_nonzero", lambda o, a: o.count_nonzero(a, axis=1), [I]),
    # linalg
    ("matmul_int", lambda o, a, b: o.matmul(a, b), [I, I.T]),
    ("matmul_i8", lambda o, a, b: o.matmul(a, b), [I8, I8.T]),
    ("matmul_batched", lambda o, a, b: o.matmul(a, b), [X3, F.T]),
    ("matmul_vec", lambda o, a, b: o.matmul(a, b), [F, F2]),
    ("dot", lambda o, a, b: o.dot(a, b), [X3, F.T]),
    ("tensordot", lambda o, a, b: o.tensordot(a, b, axes=([1, 2], [0, 1])), [X3, F]),
    ("einsum", lambda o, a, b: o.einsum("bij,jk->bik", a, b), [X3, F.T]),
    (
        "einsum_attn",
        lambda o, a, b: o.einsum("btnh,bsnh->bnts", a, b),
        [
            R.standard_normal((2, 3, 2, 4)).astype(np.float32),
            R.standard_normal((2, 5, 2, 4)).astype(np.float32),
        ],
    ),
    ("outer", lambda o, a, b: o.outer(a, b), [F2, F2]),
    ("inner", lambda o, a, b: o.inner(a, b), [F, F]),
    ("norm", lambda o, a: o.norm(a, axis=-1), [F]),
    ("norm_1", lambda o, a: o.norm(a, ord=1, axis=0), [F]),
    # shape ops
    ("reshape", lambda o, a: o.reshape(a, (4, -1)), [X3]),
    ("transpose", lambda o, a: o.transpose(a, (2, 0, 1)), [X3]),
    ("swapaxes", lambda o, a: o.swapaxes(a, 0, 2), [X3]),
    ("moveaxis", lambda o, a: o.moveaxis(a, [0, 1], [-1, -2]), [X3]),
    ("expand_dims", lambda o, a: o.expand_dims(a, (0, -1)), [F]),
    ("squeeze", lambda o, a: o.squeeze(a), [F[:, :1]]),
    ("concatenate_dtypes", lambda o, a, b: o.concatenate([a, b], axis=0), [I8, I]),
    ("concatenate_mixed", lambda o, a, b: o.concatenate([a, b], axis=-1), [I, F]),
    ("stack", lambda o, a, b: o.stack([a, b], axis=-1), [F, F]),
    ("split", lambda o, a: o.split(a, [1, 3], axis=1)[1], [F]),
    ("pad", lambda o, a: o.pad(a, ((1, 0), (0, 2))), [I]),
    ("pad_value", lambda o, a: o.pad(a, ((1, 1), (1, 1)), constant_values=7), [I]),
    ("pad_reflect", lambda o, a: o.pad(a, ((1, 1), (2, 2)), mode="reflect"), [F]),
    ("pad_symmetric", lambda o, a: o.pad(a, ((1, 1), (2, 2)), mode="symmetric"), [F]),
    ("tile", lambda o, a: o.tile(a, (2, 3)), [F]),
    ("repeat", lambda o, a: o.repeat(a, 2, axis=0), [I]),
    ("repeat_counts", lambda o, a: o.repeat(a, [1, 2, 0, 1], axis=1), [F]),
    ("flip", lambda o, a: o.flip(a, axis=(0, 2)), [X3]),
    ("broadcast_to", lambda o, a: o.broadcast_to(a, (2, 3, 4)), [F2]),
    ("roll", lambda o, a: o.roll(a, -1, axis=1), [F]),
    ("tril", lambda o, a: o.tril(a, 1), [F]),
    ("triu", lambda o, a: o.triu(a), [F]),
    ("diagonal", lambda o, a: o.diagonal(a, offset=1), [F]),
    ("trace", lambda o, a: o.trace(a), [I]),
    # indexing
    ("take", lambda o, a: o.take(a, np.array([2, 0, -1]), axis=1), [F]),
    ("take_flat", lambda o, a: o.take(a, np.array([1, 7])), [I]),
    ("take_along_axis", lambda o, a: o.take_along_axis(a, np.array([[0], [3], [1]]), axis=1), [F]),
    ("getitem", lambda o, a: o.convert_to_tensor(a)[1:, None, ::-2], [F]),
    ("getitem_ellipsis", lambda o, a: o.convert_to_tensor(a)[..., 1], [X3]),
    ("slice", lambda o, a: o.slice(a, (0, 1, 1), (2, 2, 2)), [X3]),
    (
        "slice_update",
        lambda o, a, u: o.slice_update(a, (1, 1), u),
        [F, np.ones((2, 2), np.float32)],
    ),
    ("scatter", lambda o, v: o.scatter(np.array([[0, 1], [2, 0], [0, 1]]), v, (3, 2)), [F2[:3]]),
    ("one_hot", lambda o, i: o.one_hot(i, 4), [np.array([0, 3, -1, 2])]),
    ("one_hot_axis0", lambda o, i: o.one_hot(i, 4, axis=0), [LBL]),
    ("multi_hot", lambda o, i: o.multi_hot(i, 5), [np.array([[0, 4], [2, 2]])]),
    ("unstack", lambda o, a: o.unstack(a, axis=1)[2], [F]),
    # creation
    ("arange", lambda o: o.arange(5), []),
    ("arange_f", lambda o: o.arange(0, 1, 0.1), []),
    ("arange_neg", lambda o: o.arange(5, 0, -2), []),
    ("zeros", lambda o: o.zeros((2, 3)), []),
    ("ones_int", lambda o: o.ones((2,), dtype="int32"), []),
    ("full", lambda o: o.full((2, 2), 3), []),
    ("full_like", lambda o, a: o.full_like(a, 1.5), [I]),
    ("zeros_like", lambda o, a: o.zeros_like(a), [F]),
    ("eye", lambda o: o.eye(3, 4, k=1), []),
    ("identity", lambda o: o.identity(3), []),
    ("linspace", lambda o: o.linspace(0, 2, 7), []),
    ("tri", lambda o: o.tri(3, 4, -1), []),
    # nn
    ("relu", lambda o, a: o.relu(a), [F]),
    ("relu_int", lambda o, a: o.relu(a), [I]),
    ("relu6", lambda o, a: o.relu6(a * 5), [F]),
    ("sigmoid", lambda o, a: o.sigmoid(a), [F * 5]),
    ("softplus", lambda o, a: o.softplus(a), [F * 20]),
    ("softsign", lambda o, a: o.softsign(a), [F]),
    ("silu", lambda o, a: o.silu(a), [F]),
    ("swish", lambda o, a: o.swish(a), [F]),
    ("log_sigmoid", lambda o, a: o.log_sigmoid(a), [F * 20]),
    ("leaky_relu", lambda o, a: o.leaky_relu(a, 0.1), [F]),
    ("hard_sigmoid", lambda o, a: o.hard_sigmoid(a * 4), [F]),
    ("hard_silu", lambda o, a: o.hard_silu(a * 4), [F]),
    ("hard_tanh", lambda o, a: o.hard_tanh(a * 2), [F]),
    ("hard_shrink", lambda o, a: o.hard_shrink(a), [F]),
    ("soft_shrink", lambda o, a: o.soft_shrink(a), [F]),
    ("tanh_shrink", lambda o, a: o.tanh_shrink(a), [F]),
    ("sparse_plus", lambda o, a: o.sparse_plus(a * 2), [F]),
    ("sparse_sigmoid", lambda o, a: o.sparse_sigmoid(a * 2), [F]),
    ("squareplus", lambda o, a: o.squareplus(a), [F]),
    ("threshold", lambda o, a: o.threshold(a, 0.2, -1.0), [F]),
    ("elu", lambda o, a: o.elu(a, alpha=0.5), [F]),
    ("selu", lambda o, a: o.selu(a), [F]),
    ("gelu", lambda o, a: o.gelu(a), [F]),
    ("gelu_exact", lambda o, a: o.gelu(a, approximate=False), [F]),
    ("celu", lambda o, a: o.celu(a, alpha=0.7), [F]),
    ("glu", lambda o, a: o.glu(a), [F]),
    ("softmax", lambda o, a: o.softmax(a * 30), [X3]),
    ("softmax_axis", lambda o, a: o.softmax(a, axis=1), [X3]),
    ("softmax_none", lambda o, a: o.softmax(a, axis=None), [F]),
    ("log_softmax", lambda o, a: o.log_softmax(a * 30, axis=-1), [X3]),
    (
        "binary_crossentropy",
        lambda o, t, p: o.binary_crossentropy(t, p),
        [(F > 0).astype(np.float32), np.clip(PR * 2, 0, 1)],
    ),
    (
        "binary_crossentropy_edges",
        lambda o, t, p: o.binary_crossentropy(t, p),
        [np.array([0.0, 1, 1, 0], np.float32), np.array([0.0, 0.5, 1, 1], np.float32)],
    ),
    (
        "binary_crossentropy_logits",
        lambda o, t, p: o.binary_crossentropy(t, p, from_logits=True),
        [(F > 0).astype(np.float32), F * 10],
    ),
    ("categorical_crossentropy", lambda o, t, p: o.categorical_crossentropy(t, p), [OH, PR]),
    ("categorical_crossentropy_unnorm", lambda o, t, p: o.categorical_crossentropy(t, p), [OH, P]),
    (
        "categorical_crossentropy_logits",
        lambda o, t, p: o.categorical_crossentropy(t, p, from_logits=True),
        [PR, F * 5],
    ),
    (
        "sparse_categorical_crossentropy",
        lambda o, t, p: o.sparse_categorical_crossentropy(t, p),
        [LBL, PR],
    ),
    (
        "sparse_categorical_crossentropy_2d",
        lambda o, t, p: o.sparse_categorical_crossentropy(t, p),
        [LBL[:, None], PR],
    ),
    (
        "sparse_categorical_crossentropy_logits",
        lambda o, t, p: o.sparse_categorical_crossentropy(t, p, from_logits=True),
        [LBL, F * 5],
    ),
    ("moments_mean", lambda o, a: o.moments(a, axes=(0, 1))[0], [X3]),
    ("moments_var", lambda o, a: o.moments(a, axes=(0,), keepdims=True)[1], [X3]),
    (
        "batch_normalization",
        lambda o, a, m, v: o.batch_normalization(a, m, v, axis=-1, offset=m, scale=v, epsilon=1e-3),
        [X3, F2, P[0]],
    ),
    ("normalize", lambda o, a: o.normalize(a), [F]),
    ("normalize_l1", lambda o, a: o.normalize(a, order=1, axis=0), [F]),
    ("layer_normalization", lambda o, a, g, b: o.layer_normalization(a, g, b), [X3, F2, F2]),
    ("rms_normalization", lambda o, a, s: o.rms_normalization(a, s), [X3, F2]),
    ("conv2d", lambda o, x, k: o.conv(x, k), [IMG, K2]),
    ("conv2d_same_strided", lambda o, x, k: o.conv(x, k, strides=2, padding="same"), [IMG, K2]),
    ("conv2d_dilated", lambda o, x, k: o.conv(x, k, padding="same", dilation_rate=2), [IMG, K2]),
    (
        "conv2d_channels_first",
        lambda o, x, k: o.conv(x, k, padding="same", data_format="channels_first"),
        [np.moveaxis(IMG, -1, 1).copy(), K2],
    ),
    ("conv1d", lambda o, x, k: o.conv(x, k, strides=2), [SEQ, K1]),
    (
        "depthwise_conv",
        lambda o, x, k: o.depthwise_conv(x, k, padding="same"),
        [IMG, R.standard_normal((3, 3, 3, 2)).astype(np.float32)],
    ),
    (
        "separable_conv",
        lambda o, x, d, p: o.separable_conv(x, d, p, padding="same"),
        [
            IMG,
            R.standard_normal((3, 3, 3, 2)).astype(np.float32),
            R.standard_normal((1, 1, 6, 4)).astype(np.float32),
        ],
    ),
    (
        "conv_transpose",
        lambda o, x, k: o.conv_transpose(x, k, strides=2),
        [IMG, R.standard_normal((3, 3, 5, 3)).astype(np.float32)],
    ),
    (
        "conv_transpose_same",
        lambda o, x, k: o.conv_transpose(x, k, strides=2, padding="same"),
        [IMG, R.standard_normal((3, 3, 5, 3)).astype(np.float32)],
    ),
    (
        "conv_transpose_1d",
        lambda o, x, k: o.conv_transpose(x, k, strides=3, padding="same"),
        [SEQ, R.standard_normal((2, 4, 3)).astype(np.float32)],
    ),
    ("max_pool", lambda o, x: o.max_pool(x, 2), [IMG]),
    ("max_pool_same", lambda o, x: o.max_pool(x, 3, strides=2, padding="same"), [IMG]),
    ("average_pool", lambda o, x: o.average_pool(x, (2, 3), strides=(2, 1)), [IMG]),
    ("average_pool_same", lambda o, x: o.average_pool(x, 3, strides=2, padding="same"), [IMG]),
    (
        "max_pool_1d_channels_first",
        lambda o, x: o.max_pool(x, 2, data_format="channels_first"),
        [np.moveaxis(SEQ, 1, 2)],
    ),
    (
        "dot_product_attention",
        lambda o, q, k, v: o.dot_product_attention(q, k, v),
        [R.standard_normal((2, 3, 2, 4)).astype(np.float32)] * 3,
    ),
    (
        "dot_product_attention_causal",
        lambda o, q, k, v: o.dot_product_attention(q, k, v, is_causal=True),
        [R.standard_normal((2, 3, 2, 4)).astype(np.float32)] * 3,
    ),
    ("psnr", lambda o, a, b: o.psnr(a, b, 2.0), [P, P * 1.1]),
]


@pytest.fixture(scope="module")
def keras_ops():
    keras = pytest.importorskip("keras")
    return keras.ops


@pytest.mark.parametrize("name,call,args", CASES, ids=[c[0] for c in CASES])
def test_same_as_keras(keras_ops, name, call, args):
    want = call(keras_ops, *args)
    got = call(kops, *args)
    want = np.asarray(want)
    got = np.asarray(got)
    assert str(got.dtype) == str(want.dtype), f"dtype {got.dtype}, Keras {want.dtype}"
    assert got.shape == want.shape
    if want.dtype == bool or want.dtype.kind in "iu":
        np.testing.assert_array_equal(got, want)
    else:
        tol = 2e-3 if want.dtype == np.float16 else 1e-5
        np.testing.assert_allclose(
            got.astype(np.float64), want.astype(np.float64), rtol=tol, atol=tol
        )
