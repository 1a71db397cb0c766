"""keras-io's mnist_convnet shape (Conv2D relu -> MaxPooling2D -> Conv2D relu ->
MaxPooling2D -> Flatten -> Dense softmax; Dropout left out, its masks differ by library)
trained in kerasette and in Keras 3 on TensorFlow from the same weights. The first
layer's filter and bias gradients come from the fused conv2d_pool_grad_filter
(graph/passes/conv_fusion.py); ragged sizes (a conv output of odd size whose last row
and column no window reads), batches of 1 and 3, 1 and 3 channels, 1 and 2 threads."""

import numpy as np
import pytest

import kerasette as ks
from kerasette.backend import core

pytestmark = pytest.mark.keras_ref


def _net(lib, shape):
    L = lib.layers
    return lib.Sequential(
        [
            L.Input(shape),
            L.Conv2D(8, 3, activation="relu"),
            L.MaxPooling2D(2),
            L.Conv2D(6, 3, activation="relu"),
            L.MaxPooling2D(2),
            L.Flatten(),
            L.Dense(10, activation="softmax"),
        ]
    )


@pytest.mark.parametrize(
    "shape, n, batch, threads",
    [
        ((28, 28, 1), 12, 3, 2),  # 26 -> 13 -> 11 -> 5
        ((29, 29, 1), 6, 1, 1),  # 27 -> 13: the last conv row and column in no window
        ((17, 18, 3), 9, 3, 1),  # 15 x 16 -> 7 x 8, three channels
        ((17, 18, 3), 9, 3, 2),
    ],
)
def test_mnist_convnet_shape_fits_like_keras(keras, shape, n, batch, threads, monkeypatch):
    from keras.src.utils import naming as keras_naming

    from kerasette.graph import program
    from kerasette.utils import naming

    seen = []
    init = program.CompiledProgram.__init__

    def record(self, *a, **kw):
        init(self, *a, **kw)
        seen.extend(i.kernel for i in self.instrs)

    monkeypatch.setattr(program.CompiledProgram, "__init__", record)

    keras_naming.reset_uids()
    naming.reset_uids()
    r = np.random.default_rng(11)
    x = r.random((n, *shape)).astype("float32")
    y = r.integers(0, 10, size=n)
    k, m = _net(keras, shape), _net(ks, shape)
    m.set_weights([np.asarray(w) for w in k.get_weights()])
    for net, lib in ((k, keras), (m, ks)):
        net.compile(optimizer=lib.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy")
    before = core.get_num_threads()
    core.set_num_threads(threads)
    try:
        hm = m.fit(x, y, batch_size=batch, epochs=2, shuffle=False, verbose=0).history
    finally:
        core.set_num_threads(before)
    assert seen.count("conv2d_pool_grad_filter") == 1  # the train step's, fused
    hk = k.fit(x, y, batch_size=batch, epochs=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(hm["loss"], hk["loss"], rtol=1e-4)
    for a, b in zip(m.get_weights(), k.get_weights()):
        np.testing.assert_allclose(a, b, atol=2e-5, rtol=1e-4)
    assert not np.allclose(m.get_weights()[1], 0)  # the first bias did move
