"""Gradients of the whole lowered plan against central finite differences (float64 numpy
evaluation of the same loss through the plan's own forward).

With SGD(lr) and no momentum one train step moves every trainable weight by -lr * grad,
so (w_before - w_after) / lr is the plan's gradient. The finite-difference reference
evaluates the loss with `test_on_batch` (inference mode), so the layers used here behave
the same in both modes (no Dropout / BatchNormalization; LayerNormalization is
mode-free). eps = 1e-2 in float32 gives ~1e-3 relative truncation + rounding error.
"""

import numpy as np
import pytest

import kerasette
from kerasette import layers


def _plan_grads(model, x, y, lr=1e-3):
    before = [w.copy() for w in model.get_weights()]
    model.train_on_batch(x, y)
    after = model.get_weights()
    model.set_weights(before)
    return [(b - a) / lr for b, a in zip(before, after)]


def _fd_grads(model, x, y, eps=1e-2, max_per_weight=12, seed=0):
    r = np.random.default_rng(seed)
    weights = model.get_weights()
    out = []
    for i, w in enumerate(weights):
        idx = r.choice(w.size, size=min(max_per_weight, w.size), replace=False)
        g = {}
        for j in idx:
            vals = []
            for sgn in (1, -1):
                ws = [v.copy() for v in weights]
                ws[i].flat[j] += sgn * eps
                model.set_weights(ws)
                vals.append(float(model.test_on_batch(x, y)))
            g[j] = (vals[0] - vals[1]) / (2 * eps)
        out.append(g)
    model.set_weights(weights)
    return out


CASES = {
    "dense-softmax-sparse-ce": (
        [layers.Dense(7, activation="tanh"), layers.Dense(3, activation="softmax")],
        "sparse_categorical_crossentropy",
        3,
    ),
    "dense-sigmoid-bce": (
        [layers.Dense(5, activation="elu"), layers.Dense(1, activation="sigmoid")],
        "binary_crossentropy",
        1,
    ),
    "layernorm-mse-l1l2": (
        [
            layers.Dense(6, activation="gelu", kernel_regularizer=kerasette.regularizers.L2(0.02)),
            layers.LayerNormalization(),
            layers.Dense(2),
        ],
        "mse",
        2,
    ),
    "activation-layer-ce": (
        [layers.Dense(4), layers.Activation("softmax")],
        "categorical_crossentropy",
        4,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_plan_gradient_matches_finite_differences(name):
    stack, loss, k = CASES[name]
    r = np.random.default_rng(1)
    x = r.normal(size=(9, 5)).astype("float32")
    if loss == "sparse_categorical_crossentropy":
        y = r.integers(0, k, 9)
    elif loss == "categorical_crossentropy":
        y = np.eye(k, dtype="float32")[r.integers(0, k, 9)]
    elif loss == "binary_crossentropy":
        y = r.integers(0, 2, (9, 1)).astype("float32")
    else:
        y = r.normal(size=(9, k)).astype("float32")
    model = kerasette.models.Sequential([layers.Input((5,))] + stack)
    model.compile(optimizer=kerasette.optimizers.SGD(learning_rate=1e-3), loss=loss)
    grads = _plan_grads(model, x, y)
    fd = _fd_grads(model, x, y)
    for g, ref in zip(grads, fd):
        for j, v in ref.items():
            assert abs(g.flat[j] - v) <= 2e-3 + 2e-2 * abs(v), (name, j, g.flat[j], v)


def test_embedding_gradient_is_scatter_add():
    """Embedding rows used twice get both gradients summed; unused rows get none."""
    model = kerasette.models.Sequential(
        [layers.Input((3,)), layers.Embedding(6, 2), layers.Flatten(), layers.Dense(1)]
    )
    model.compile(optimizer=kerasette.optimizers.SGD(learning_rate=1.0), loss="mse")
    x = np.array([[1, 1, 4]], dtype="float32")
    y = np.zeros((1, 1), "float32")
    table0, kernel = model.layers[0].embeddings.numpy(), model.layers[2].kernel.numpy()
    pred = model.predict(x, verbose=0)[0, 0]
    model.train_on_batch(x, y)
    dtable = table0 - model.layers[0].embeddings.numpy()
    dpred = 2 * (pred - 0.0)
    kern = kernel.reshape(3, 2)
    np.testing.assert_allclose(dtable[1], dpred * (kern[0] + kern[1]), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(dtable[4], dpred * kern[2], rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(dtable[[0, 2, 3, 5]], 0)


@pytest.mark.parametrize("units", [3, 8, 70, 256])
def test_small_batch_predict_path_matches_numpy_and_large_batches(units):
    """a few rows (GEMM small-M path) must agree with numpy and with
    the same rows inside a large (GEMM) batch."""
    r = np.random.default_rng(units)
    m = kerasette.models.Sequential(
        [
            layers.Input((37,)),
            layers.Dense(units, activation="relu"),
            layers.Dense(5, activation="softmax"),
        ]
    )
    x = r.normal(size=(40, 37)).astype("float32")
    k1, b1 = m.layers[0].kernel.numpy(), m.layers[0].bias.numpy()
    m.layers[0].bias.assign(r.normal(size=b1.shape).astype("float32"))
    b1 = m.layers[0].bias.numpy()
    k2, b2 = m.layers[1].kernel.numpy(), m.layers[1].bias.numpy()
    h = np.maximum(x.astype(np.float64) @ k1 + b1, 0) @ k2 + b2
    ref = np.exp(h - h.max(1, keepdims=True))
    ref /= ref.sum(1, keepdims=True)
    big = m.predict(x, verbose=0)
    for n in (1, 2, 3, 4, 5):
        small = m.predict(x[:n], verbose=0)
        np.testing.assert_allclose(small, ref[:n], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(small, big[:n], rtol=1e-5, atol=1e-6)
