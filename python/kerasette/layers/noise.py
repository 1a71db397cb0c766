"""Keras 3's noise and regularization layers: GaussianNoise, GaussianDropout,
AlphaDropout (active in training only), ActivityRegularization and UnitNormalization.

The Gaussian layers draw one normal per element of an input whose batch size is only
known when the program runs. The graph's `random_normal` needs a static shape, so this
module registers `random_normal_like` (the shape of its input x, which it does not
read) with a numpy implementation and a lowering onto the C++ tape's `random_normal`
instruction (the size is known after specialization). Its counter input is a per-layer
state Variable advanced by each training call, as Dropout's; the lowering feeds it to
the instruction as its seed state, so compiled and interpreted draws are the same.
"""

import math
import numbers

import numpy as np

from .. import ops, regularizers
from ..graph import registry
from ..graph.prims.random import normal
from ..variables import Variable
from .dropout import _check_noise_shape
from .layer import Layer

_OP = "random_normal_like"


def _eval(x, counter, seed, mean, stddev):
    return normal(seed, int(np.asarray(counter)), tuple(x.shape), mean, stddev)


def _lower(ctx, node):
    from ..graph.lower import numel

    out = node.outputs[0]
    stream = int(node.attrs.get("seed", 0) or 0) % (1 << 62)
    ctx.emit(
        "random_normal",
        [ctx.val(node.inputs[1])],  # the counter keys the draw
        [ctx.out(out)],
        [numel(out.shape), stream],
        [node.attrs["mean"], node.attrs["stddev"]],
    )


try:
    registry.get(_OP)
except KeyError:
    registry.register(
        _OP,
        infer=lambda x, counter, seed, mean, stddev: (tuple(x.shape), "float32"),
        eval=_eval,
        grad=lambda node, g: [None, None],
        kernel="random",
        random=True,
    )
    from ..graph import lower_rules

    lower_rules.RULES.setdefault(_OP, _lower)


def _check_rate(rate):
    if not isinstance(rate, numbers.Real) or isinstance(rate, bool) or not 0 <= rate <= 1:
        raise ValueError(
            "Invalid value received for argument `rate`. Expected a float value "
            f"between 0 and 1. Received: rate={rate}"
        )
    return rate


class _Noise(Layer):
    """A seed (given or drawn from kerasette.utils.random) and a step counter."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        from ..utils import random as ks_random

        self.seed = seed
        self._seed = seed if seed is not None else ks_random.next_seed()
        self._counter = Variable(
            0,
            shape=(),
            dtype="float32",
            trainable=False,
            name="seed_generator_state",
            path=f"{self.name}/seed_generator_state",
        )
        self.supports_masking = True
        self.built = True

    def _normal_like(self, x, mean, stddev):
        from ..graph.trace import apply

        counter = ops.cast(self._counter, "int32")
        out = apply(_OP, [x, counter], seed=int(self._seed), mean=float(mean), stddev=float(stddev))
        self._counter.assign(ops.add(self._counter, 1.0))
        return out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class GaussianNoise(_Noise):
    """Adds zero-mean Gaussian noise during training (a regularizer); in inference it passes
    the input through.

    Args:
        stddev: The standard deviation of the noise.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if not 0 <= stddev <= 1:
            raise ValueError(
                "Invalid value received for argument `stddev`. Expected a float "
                f"value between 0 and 1. Received: stddev={stddev}"
            )
        self.stddev = stddev

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            return ops.add(inputs, self._normal_like(inputs, 0.0, self.stddev))
        return inputs

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Noise):
    """Multiplies its input by Gaussian noise of mean 1 and variance `rate / (1 - rate)`
    during training; in inference it passes the input through.

    Args:
        rate: The drop probability the noise stands for, in `[0, 1)`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate(rate)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            return ops.multiply(inputs, self._normal_like(inputs, 1.0, stddev))
        return inputs

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(_Noise):
    """Dropout that keeps SELU's mean and variance: dropped units are set to
    -alpha*scale, then an affine map a*x + b restores the statistics (Keras's)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate(rate)
        self.noise_shape = _check_noise_shape(noise_shape)

    def call(self, inputs, training=False):
        if not training or self.rate <= 0:
            return inputs
        counter = ops.cast(self._counter, "int32")
        if self.noise_shape is None:
            from ..ops import _prim

            rate = min(self.rate, 1.0 - 1e-7)
            # dropout(ones) is 1/(1-rate) where kept, 0 elsewhere: the keep mask
            kept = ops.multiply(
                _prim.dropout(ops.ones_like(inputs), counter, rate, self._seed), 1.0 - rate
            )
        else:
            from ..graph.trace import apply

            shape = tuple(d if d is not None else s for d, s in zip(self.noise_shape, inputs.shape))
            if any(d is None for d in shape):
                raise ValueError(
                    f'Layer "{self.name}": noise_shape={self.noise_shape} '
                    "leaves a dimension unknown; give it explicitly"
                )
            u = apply("random_uniform", [counter], shape=shape, dtype="float32", seed=self._seed)
            kept = ops.cast(ops.greater_equal(u, self.rate), "float32")
        self._counter.assign(ops.add(self._counter, 1.0))
        alpha = 1.6732632423543772848170429916717
        scale = 1.0507009873554804934193349852946
        alpha_p = -alpha * scale
        a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = ops.add(ops.multiply(inputs, kept), ops.multiply(ops.subtract(1.0, kept), alpha_p))
        return ops.add(ops.multiply(x, a), b)

    def get_config(self):
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": self.noise_shape,
        }


class ActivityRegularization(Layer):
    """The identity, adding l1*sum|x| + l2*sum(x^2) (per batch sample) to the losses."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1, self.l2 = l1, l2
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}


class UnitNormalization(Layer):
    """x * min(rsqrt(sum(x^2 over axis)), 1e12): unit L2 norm along `axis`."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                "Invalid value for `axis` argument: expected an int or a "
                f"list/tuple of ints. Received: axis={axis}"
            )
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        square_sum = ops.sum(ops.square(inputs), axis=axis, keepdims=True)
        inv = ops.minimum(ops.rsqrt(square_sum), 1e12)
        return ops.multiply(inputs, inv)

    def compute_output_shape(self, input_shape):
        axes = [self.axis] if isinstance(self.axis, int) else self.axis
        for a in axes:
            if a >= len(input_shape) or a < -len(input_shape):
                raise ValueError(
                    f"Axis {self.axis} is out of bounds for input shape {input_shape}."
                )
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
