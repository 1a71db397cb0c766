"""Plain numpy forward + backward of every core op: the Python oracle.

Everything is computed in float64 from the formulas Keras 3 uses on the TensorFlow
backend (keras/src/backend/tensorflow/nn.py, keras/src/losses/losses.py,
keras/src/optimizers/*.py). Other test suites may import it:

    from tests.reference import numpy_ref as ref      # or sys.path tricks
    y = ref.act_forward("gelu", x)
    dx = ref.act_backward("gelu", x, dy)
    value, dpred = ref.loss_forward_backward("categorical_ce", pred, target, ...)
    ref.optimizer_step("adam", step, param, grad, slots, **hyper)

Conventions match the C++ contract (csrc/include/kerasette/*.h).
"""
from __future__ import annotations

import math

import numpy as np

# ---------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715

ACTIVATION_NAMES = (
    "linear", "relu", "leaky_relu", "relu6", "elu", "selu", "gelu", "gelu_tanh", "sigmoid",
    "hard_sigmoid", "tanh", "softmax", "log_softmax", "softplus", "softsign", "silu", "mish",
    "exponential", "hard_silu",
)
DEFAULT_PARAM = {"leaky_relu": 0.2, "elu": 1.0}

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def sigmoid(x):
    x = _f64(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(x):
    x = _f64(x)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def act_forward(name, x, param=None):
    """y = activation(x) in float64; softmax/log_softmax over the last axis."""
    x = _f64(x)
    p = DEFAULT_PARAM.get(name, 0.0) if param is None else float(param)
    if name == "linear":
        return x.copy()
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "leaky_relu":
        return np.where(x > 0, x, p * x)
    if name == "relu6":
        return np.clip(x, 0.0, 6.0)
    if name == "elu":
        return np.where(x > 0, x, p * np.expm1(np.minimum(x, 0.0)))
    if name == "selu":
        return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0.0)))
    if name == "gelu":
        return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))
    if name == "gelu_tanh":
        return 0.5 * x * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x**3)))
    if name == "sigmoid":
        return sigmoid(x)
    if name == "hard_sigmoid":
        return np.clip(x + 3.0, 0.0, 6.0) / 6.0
    if name == "tanh":
        return np.tanh(x)
    if name in ("softmax", "log_softmax"):
        m = np.max(x, axis=-1, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)
        z = x - m
        lse = np.log(np.sum(np.exp(z), axis=-1, keepdims=True))
        return np.exp(z - lse) if name == "softmax" else z - lse
    if name == "softplus":
        return softplus(x)
    if name == "softsign":
        return x / (1.0 + np.abs(x))
    if name == "silu":
        return x * sigmoid(x)
    if name == "mish":
        return x * np.tanh(softplus(x))
    if name == "exponential":
        return np.exp(x)
    if name == "hard_silu":
        return x * np.clip(x + 3.0, 0.0, 6.0) / 6.0
    raise ValueError(f"unknown activation {name!r}")


def act_derivative(name, x, param=None):
    """f'(x) elementwise (not defined for softmax/log_softmax: use act_backward)."""
    x = _f64(x)
    p = DEFAULT_PARAM.get(name, 0.0) if param is None else float(param)
    one = np.ones_like(x)
    if name == "linear":
        return one
    if name == "relu":
        return (x > 0).astype(np.float64)
    if name == "leaky_relu":
        return np.where(x > 0, 1.0, p)
    if name == "relu6":
        return ((x > 0) & (x < 6)).astype(np.float64)
    if name == "elu":
        return np.where(x > 0, 1.0, p * np.exp(np.minimum(x, 0.0)))
    if name == "selu":
        return np.where(x > 0, SELU_SCALE, SELU_SCALE * SELU_ALPHA * np.exp(np.minimum(x, 0.0)))
    if name == "gelu":
        return 0.5 * (1.0 + _erf(x / math.sqrt(2.0))) + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    if name == "gelu_tanh":
        t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x**3))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * _GELU_C * x * x)
    if name == "sigmoid":
        s = sigmoid(x)
        return s * (1 - s)
    if name == "hard_sigmoid":
        return np.where((x > -3) & (x < 3), 1.0 / 6.0, 0.0)
    if name == "tanh":
        return 1.0 - np.tanh(x) ** 2
    if name == "softplus":
        return sigmoid(x)
    if name == "softsign":
        return 1.0 / (1.0 + np.abs(x)) ** 2
    if name == "silu":
        s = sigmoid(x)
        return s * (1 + x * (1 - s))
    if name == "mish":
        t = np.tanh(softplus(x))
        return t + x * (1 - t * t) * sigmoid(x)
    if name == "exponential":
        return np.exp(x)
    if name == "hard_silu":
        return np.where(x <= -3, 0.0, np.where(x >= 3, 1.0, (2 * x + 3) / 6.0))
    raise ValueError(f"no elementwise derivative for {name!r}")


def act_backward(name, x, dy, param=None):
    """dx = dL/dx given dy = dL/dy, in float64."""
    x, dy = _f64(x), _f64(dy)
    if name == "softmax":
        y = act_forward("softmax", x)
        return y * (dy - np.sum(dy * y, axis=-1, keepdims=True))
    if name == "log_softmax":
        y = act_forward("softmax", x)
        return dy - y * np.sum(dy, axis=-1, keepdims=True)
    return dy * act_derivative(name, x, param)


def act_kinks(name, param=None):
    """Points where the derivative is discontinuous (finite differences skip near them)."""
    return {
        "relu": [0.0], "leaky_relu": [0.0], "relu6": [0.0, 6.0], "elu": [0.0], "selu": [0.0],
        "hard_sigmoid": [-3.0, 3.0], "hard_silu": [-3.0, 3.0],
    }.get(name, [])
