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
    "linear",
    "relu",
    "leaky_relu",
    "relu6",
    "elu",
    "selu",
    "gelu",
    "gelu_tanh",
    "sigmoid",
    "hard_sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "softplus",
    "softsign",
    "silu",
    "mish",
    "exponential",
    "hard_silu",
)
DEFAULT_PARAM = {"leaky_relu": 0.2, "elu": 1.0}
ALIASES = {"swish": "silu", "hard_swish": "hard_silu"}

_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def normal_cdf(x):
    """Phi(x) via erfc, accurate in relative terms in the left tail (1 + erf is not)."""
    return 0.5 * _erfc(-_f64(x) / math.sqrt(2.0))


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
    name = ALIASES.get(name, name)
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
        return x * normal_cdf(x)
    if name == "gelu_tanh":
        # 0.5 * x * (1 + tanh(z)) == x * sigmoid(2z), without the tail cancellation
        return x * sigmoid(2 * _SQRT_2_OVER_PI * (x + _GELU_C * x**3))
    if name == "sigmoid":
        return sigmoid(x)
    if name == "hard_sigmoid":
        return np.clip(x + 3.0, 0.0, 6.0) / 6.0
    if name == "tanh":
        return np.tanh(x)
    if name in ("softmax", "log_softmax"):
        if x.size == 0:
            return x.copy()
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
    name = ALIASES.get(name, name)
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
        return np.where(x >= 0, SELU_SCALE, SELU_SCALE * SELU_ALPHA * np.exp(np.minimum(x, 0.0)))
    if name == "gelu":
        return normal_cdf(x) + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    if name == "gelu_tanh":
        s = sigmoid(2 * _SQRT_2_OVER_PI * (x + _GELU_C * x**3))
        return s + 2 * x * s * (1 - s) * _SQRT_2_OVER_PI * (1 + 3 * _GELU_C * x * x)
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
    name = ALIASES.get(name, name)
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
        "relu": [0.0],
        "leaky_relu": [0.0],
        "relu6": [0.0, 6.0],
        "elu": [0.0],
        "selu": [0.0],
        "hard_sigmoid": [-3.0, 3.0],
        "hard_silu": [-3.0, 3.0],
    }.get(name, [])


# ---------------------------------------------------------------------------------------
# Losses (Keras 3, per-sample then weighted sum; see csrc/include/kerasette/loss.h)
# ---------------------------------------------------------------------------------------

LOSS_NAMES = (
    "mse",
    "mae",
    "huber",
    "binary_ce",
    "categorical_ce",
    "sparse_categorical_ce",
    "kld",
    "hinge",
    "poisson",
)
EPS = float(np.float32(1e-7))
ONE_MINUS_EPS = float(np.float32(1.0) - np.float32(1e-7))


def _clip_mask(v, lo, hi):
    return np.clip(v, lo, hi), ((v >= lo) & (v <= hi)).astype(np.float64)


def _logsumexp(z):
    m = np.max(z, axis=-1, keepdims=True)
    return m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))


def loss_per_sample(name, pred, target, from_logits=False, label_smoothing=0.0, delta=1.0):
    """(loss_i (N,), dloss_i/dpred (N, K)) in float64, Keras 3 formulas."""
    p = _f64(pred)
    N, K = p.shape
    t = _f64(target)
    ls = float(label_smoothing)
    if name == "mse":
        e = p - t
        return np.mean(e * e, -1), 2 * e / K
    if name == "mae":
        e = p - t
        return np.mean(np.abs(e), -1), np.sign(e) / K
    if name == "huber":
        e = p - t
        a = np.abs(e)
        small = a <= delta
        L = np.where(small, 0.5 * e * e, delta * a - 0.5 * delta * delta)
        return np.mean(L, -1), np.where(small, e, delta * np.sign(e)) / K
    if name == "binary_ce":
        t = t * (1 - ls) + 0.5 * ls
        if from_logits:
            L = np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))
            return np.mean(L, -1), (sigmoid(p) - t) / K
        c, ins = _clip_mask(p, EPS, ONE_MINUS_EPS)
        L = -(t * np.log(c) + (1 - t) * np.log(1 - c))
        return np.mean(L, -1), ins * (-t / c + (1 - t) / (1 - c)) / K
    if name == "categorical_ce":
        t = t * (1 - ls) + ls / K
        tsum = np.sum(t, -1, keepdims=True)
        if from_logits:
            lse = _logsumexp(p)
            return np.sum(t * (lse - p), -1), tsum * np.exp(p - lse) - t
        s = np.sum(p, -1, keepdims=True)
        q = p / s
        c, ins = _clip_mask(q, EPS, ONE_MINUS_EPS)
        gq = np.where(ins > 0, -t / np.where(q == 0, 1.0, q), 0.0)
        return -np.sum(t * np.log(c), -1), (gq - np.sum(gq * q, -1, keepdims=True)) / s
    if name == "sparse_categorical_ce":
        y = np.asarray(target).reshape(N).astype(np.int64)
        onehot = np.zeros((N, K))
        onehot[np.arange(N), y] = 1.0
        if from_logits:
            lse = _logsumexp(p)
            return (lse - p[np.arange(N), y][:, None])[:, 0], np.exp(p - lse) - onehot
        c, ins = _clip_mask(p, EPS, ONE_MINUS_EPS)
        S = np.sum(c, -1, keepdims=True)
        L = np.log(S[:, 0]) - np.log(c[np.arange(N), y])
        return L, ins * (1.0 / S - onehot / c)
    if name == "kld":
        tc = np.clip(t, EPS, 1.0)
        q, ins = _clip_mask(p, EPS, 1.0)
        return np.sum(tc * np.log(tc / q), -1), ins * (-tc / q)
    if name == "hinge":
        if np.all((t == 0) | (t == 1)):
            t = 2 * t - 1
        h = 1 - t * p
        return np.mean(np.maximum(h, 0), -1), np.where(h > 0, -t, 0.0) / K
    if name == "poisson":
        q = p + EPS
        return np.mean(p - t * np.log(q), -1), (1 - t / q) / K
    raise ValueError(f"unknown loss {name!r}")


def loss_forward_backward(
    name,
    pred,
    target,
    sample_weight=None,
    from_logits=False,
    label_smoothing=0.0,
    delta=1.0,
    grad_scale=1.0,
):
    """(sum_i w_i loss_i, grad_scale * d/dpred) in float64: the loss.h contract."""
    L, g = loss_per_sample(name, pred, target, from_logits, label_smoothing, delta)
    w = np.ones(len(L)) if sample_weight is None else _f64(sample_weight).reshape(len(L))
    return float(np.sum(w * L)), grad_scale * w[:, None] * g


# ---------------------------------------------------------------------------------------
# Optimizers (Keras 3 update_step, in float64; slot order as in optimizer.h)
# ---------------------------------------------------------------------------------------

OPTIMIZER_NAMES = (
    "sgd",
    "adam",
    "adamw",
    "rmsprop",
    "adagrad",
    "adadelta",
    "nadam",
    "adamax",
    "ftrl",
    "lion",
    "lamb",
)
OPTIMIZER_DEFAULTS = {
    "sgd": dict(learning_rate=0.01, momentum=0.0, nesterov=False),
    "adam": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False),
    "adamw": dict(
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
    ),
    "rmsprop": dict(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False),
    "adagrad": dict(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7),
    "adadelta": dict(learning_rate=0.001, rho=0.95, epsilon=1e-7),
    "nadam": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
    "adamax": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
    "ftrl": dict(
        learning_rate=0.001,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
    ),
    "lion": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.99),
    "lamb": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
}


def optimizer_hyper(name, **overrides):
    h = dict(OPTIMIZER_DEFAULTS[name])
    h.setdefault("weight_decay", 0.0)
    h.update({k: v for k, v in overrides.items() if v is not None})
    return h


def optimizer_num_slots(name, **hyper):
    h = optimizer_hyper(name, **hyper)
    if name == "sgd":
        return 1 if h["momentum"] != 0 else 0
    if name in ("adam", "adamw"):
        return 3 if h["amsgrad"] else 2
    if name == "rmsprop":
        return 1 + int(h["momentum"] > 0) + int(bool(h["centered"]))
    return {"adagrad": 1, "adadelta": 2, "nadam": 2, "adamax": 2, "ftrl": 2, "lion": 1, "lamb": 2}[
        name
    ]


def optimizer_init_slots(name, shape, **hyper):
    h = optimizer_hyper(name, **hyper)
    n = optimizer_num_slots(name, **hyper)
    fill = h["initial_accumulator_value"] if name in ("adagrad", "ftrl") else 0.0
    return [np.full(shape, fill if i == 0 else 0.0, np.float64) for i in range(n)]


def nadam_u_product(step, beta_1=0.9):
    """Keras's Nadam u_product after `step` steps."""
    prod = 1.0
    for s in range(1, step + 1):
        prod *= beta_1 * (1.0 - 0.5 * 0.96**s)
    return prod


def optimizer_step(name, step, param, grad, slots, **hyper):
    """One Keras 3 step (1-based `step`); returns (new_param, new_slots), float64."""
    h = optimizer_hyper(name, **hyper)
    w, g = _f64(param).copy(), _f64(grad)
    s = [_f64(x).copy() for x in slots]
    lr, eps, t = h["learning_rate"], h.get("epsilon", 1e-7), float(step)
    if h["weight_decay"]:
        w = w - w * h["weight_decay"] * lr
    if name == "sgd":
        mom = h["momentum"]
        if mom != 0:
            s[0] = mom * s[0] - lr * g
            w = w + (mom * s[0] - lr * g if h["nesterov"] else s[0])
        else:
            w = w - lr * g
    elif name in ("adam", "adamw"):
        b1, b2 = h["beta_1"], h["beta_2"]
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        s[0] = s[0] + (g - s[0]) * (1 - b1)
        s[1] = s[1] + (g * g - s[1]) * (1 - b2)
        v = s[1]
        if h["amsgrad"]:
            s[2] = np.maximum(s[2], s[1])
            v = s[2]
        w = w - s[0] * alpha / (np.sqrt(v) + eps)
    elif name == "rmsprop":
        rho, mom = h["rho"], h["momentum"]
        s[0] = rho * s[0] + (1 - rho) * g * g
        denom = s[0] + eps
        if h["centered"]:
            i = 2 if mom > 0 else 1
            s[i] = rho * s[i] + (1 - rho) * g
            denom = s[0] - s[i] ** 2 + eps
        inc = lr * g / np.sqrt(denom)
        if mom > 0:
            s[1] = mom * s[1] + inc
            w = w - s[1]
        else:
            w = w - inc
    elif name == "adagrad":
        s[0] = s[0] + g * g
        w = w - lr * g / np.sqrt(s[0] + eps)
    elif name == "adadelta":
        rho = h["rho"]
        s[0] = rho * s[0] + (1 - rho) * g * g
        delta = -np.sqrt(s[1] + eps) * g / np.sqrt(s[0] + eps)
        s[1] = rho * s[1] + (1 - rho) * delta * delta
        w = w + lr * delta
    elif name == "nadam":
        b1, b2 = h["beta_1"], h["beta_2"]
        u_t = b1 * (1 - 0.5 * 0.96**t)
        u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        up_t = nadam_u_product(step, b1)
        up_t1 = up_t * u_t1
        s[0] = s[0] + (g - s[0]) * (1 - b1)
        s[1] = s[1] + (g * g - s[1]) * (1 - b2)
        m_hat = u_t1 * s[0] / (1 - up_t1) + (1 - u_t) * g / (1 - up_t)
        v_hat = s[1] / (1 - b2**t)
        w = w - m_hat * lr / (np.sqrt(v_hat) + eps)
    elif name == "adamax":
        b1, b2 = h["beta_1"], h["beta_2"]
        s[0] = s[0] + (g - s[0]) * (1 - b1)
        s[1] = np.maximum(b2 * s[1], np.abs(g))
        w = w - lr * s[0] / ((1 - b1**t) * (s[1] + eps))
    elif name == "ftrl":
        p = -h["learning_rate_power"]
        l1 = h["l1_regularization_strength"]
        l2 = h["l2_regularization_strength"] + h["beta"] / (2 * lr)
        na = s[0] + g * g
        s[1] = (
            s[1]
            + g
            + 2 * h["l2_shrinkage_regularization_strength"] * w
            - (na**p - s[0] ** p) / lr * w
        )
        w = (np.clip(s[1], -l1, l1) - s[1]) / (na**p / lr + 2 * l2)
        s[0] = na
    elif name == "lion":
        b1, b2 = h["beta_1"], h["beta_2"]
        w = w - lr * np.sign(s[0] * b1 + g * (1 - b1))
        s[0] = s[0] * b2 + g * (1 - b2)
    elif name == "lamb":  # the whole array is one variable (one trust ratio)
        b1, b2 = h["beta_1"], h["beta_2"]
        s[0] = s[0] + (g - s[0]) * (1 - b1)
        s[1] = s[1] + (g * g - s[1]) * (1 - b2)
        upd = (s[0] / (1 - b1**t)) / (np.sqrt(s[1] / (1 - b2**t)) + eps)
        wn, un = np.linalg.norm(w), np.linalg.norm(upd)
        w = w - (wn / un if wn > 0 and un > 0 else 1.0) * lr * upd
    else:
        raise ValueError(f"unknown optimizer {name!r}")
    return w, s
