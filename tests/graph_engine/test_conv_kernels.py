"""A compiled conv net runs on the C++ conv2d/pool2d kernels (not the im2col composite):
its training step lowers to conv2d, conv2d_grad_input, conv2d_grad_filter, pool2d and
pool2d_grad instructions, and gives the interpreter's numbers."""

import numpy as np

from kerasette import ops
from kerasette.graph import compiler
from kerasette.graph.function import Function
from kerasette.graph.lower import Lowering
from kerasette.graph.program import specialize
from kerasette.variables import Variable

RNG = np.random.default_rng(3)
K1 = Variable(RNG.standard_normal((3, 3, 2, 4)).astype(np.float32) * 0.3)
K2 = Variable(RNG.standard_normal((3, 3, 4, 5)).astype(np.float32) * 0.3)


def net(x):
    h = ops.relu(ops.conv(x, K1, padding="same"))
    h = ops.max_pool(h, 2)
    h = ops.conv(h, K2, strides=2)
    h = ops.average_pool(h, 2, padding="same")
    return ops.sum(ops.square(h))


def _kernels(f, x):
    fn = specialize(compiler.optimize(Function(f).get(x).fn), [x.shape])
    return [i.kernel for i in Lowering(fn).run().instrs]


def test_conv_net_lowers_to_conv_kernels():
    x = RNG.standard_normal((2, 10, 10, 2)).astype(np.float32)
    ks = _kernels(lambda x: net(x), x)
    assert ks.count("conv2d") == 2 and ks.count("pool2d") == 2
    # the composite would gather windows with strided copies and one matmul per conv
    assert "matmul" not in ks and "concatenate" not in ks


def test_fit_step_uses_conv_gradient_kernels(monkeypatch):
    import kerasette as ks
    from kerasette.graph import program

    seen = []
    init = program.CompiledProgram.__init__

    def record(self, *a, **k):
        init(self, *a, **k)
        seen.append([i.kernel for i in self.instrs])

    monkeypatch.setattr(program.CompiledProgram, "__init__", record)
    L = ks.layers
    m = ks.Sequential(
        [
            L.Input((10, 10, 2)),
            L.Conv2D(4, 3, activation="relu"),
            L.MaxPooling2D(2),
            L.Conv2D(3, 2),
            L.GlobalAveragePooling2D(),
            L.Dense(2),
        ]
    )
    m.compile(optimizer="sgd", loss="mse")
    x = RNG.standard_normal((8, 10, 10, 2)).astype(np.float32)
    m.fit(x, np.zeros((8, 2), np.float32), batch_size=4, epochs=1, verbose=0)
    step = max(seen, key=lambda ks_: ks_.count("conv2d_grad_input"))
    # each Conv2D's bias (and the first one's relu) runs in the convolution's epilogue
    assert step.count("conv2d_bias_act") == 2 and step.count("conv2d") == 0
    # the first conv's input gradient is never needed; the second's is
    assert step.count("conv2d_grad_input") == 1
    # the first conv (3 * 3 * 2 taps) is pooled 2x2: its filter and bias gradients come
    # from the pooled gradient in one instruction (conv2d_pool_grad_filter)
    assert step.count("conv2d_grad_filter") == 1 and step.count("conv2d_pool_grad_filter") == 1
    assert step.count("pool2d") == 1 and step.count("pool2d_grad") == 0


def test_relu_gradient_folds_into_max_pooling_backward():
    """relu -> max_pool: the relu's gradient (dx * (y > 0)) is the pooling backward's
    mask (mode | 2), not an elementwise pass; numbers: the convnet vs Keras tests in
    tests/layers/test_image_layers_vs_keras.py."""
    from kerasette.graph import autodiff

    def dloss(x):
        h = ops.relu(ops.conv(x, K1, padding="same"))
        (g,) = autodiff.gradients(ops.sum(ops.square(ops.max_pool(h, 2))), [x])
        return g

    x = RNG.standard_normal((2, 10, 10, 2)).astype(np.float32)
    grad = Function(dloss).get(x).fn
    fn = specialize(compiler.optimize(grad), [x.shape])
    pools = [i for i in Lowering(fn).run().instrs if i.kernel == "pool2d_grad"]
    assert len(pools) == 1 and pools[0].ints[12] == 2
