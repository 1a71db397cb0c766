"""Lowering: the ONE place that switches on layer type, turning a layer list into a
C++ `Plan` (ops with fixed per-sample shapes; only the batch dimension varies).

Each layer type has one small entry in `_LOWER`; an entry reads the layer's Keras
attributes, registers its weights with the plan and appends its op. After
`finalize()` every float32 weight `Variable` is rebound onto its view of the plan's
flat arenas (`Variable._rebind`), so the C++ core trains them in place and the optimizer
is one fused call over all trainable parameters.
"""
import math

import numpy as np

from .backend import core

# ---- name -> enum maps (the header enums are the contract) -------------------------
_ACT_ORDER = ("linear", "relu", "leaky_relu", "relu6", "elu", "selu", "gelu", "gelu_tanh",
              "sigmoid", "hard_sigmoid", "tanh", "softmax", "log_softmax", "softplus",
              "softsign", "silu", "mish", "exponential", "hard_silu")
ACTIVATIONS = dict(getattr(core, "ACTIVATIONS", None) or
                   {n: i for i, n in enumerate(_ACT_ORDER)})
ACTIVATION_DEFAULT_PARAMS = dict(getattr(core, "ACTIVATION_DEFAULT_PARAMS", None) or
                                 {"leaky_relu": 0.2, "elu": 1.0})
LOSSES = {n: i for i, n in enumerate((
    "mean_squared_error", "mean_absolute_error", "huber", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence", "hinge",
    "poisson"))}
OPTIMIZERS = dict(getattr(core, "OPTIMIZERS", None) or {n: i for i, n in enumerate(
    ("sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "nadam"))})
OPS = core.PLAN_ENUMS["ops"]
METRICS = core.PLAN_ENUMS["metrics"]
CONSTRAINTS = core.PLAN_ENUMS["constraints"]
COMBINERS = {"mean": 0, "sum": 1, "sqrtn": 2}


def activation_code(fn):
    """(enum, param) for an activation function from kerasette.activations."""
    name = getattr(fn, "__name__", None)
    if name not in ACTIVATIONS:
        raise ValueError(f"Activation {fn!r} is not one the engine runs; use one of "
                         f"{sorted(ACTIVATIONS)}")
    param = getattr(fn, "_ks_param", ACTIVATION_DEFAULT_PARAMS.get(name, 0.0))
    return ACTIVATIONS[name], float(param)


class _Ctx:
    """Collects params and ops for one plan; remembers which Variable has which id."""

    def __init__(self, base_seed):
        self.plan = core.Plan()
        self.bindings = []  # (param id, Variable or numpy constant)
        self.n_ops = 0
        self.layer = None  # the layer being lowered (its activity_regularizer applies)
        self.base_seed = int(base_seed) % (2**63)

    def seed_for(self, layer):
        """A per-op dropout stream derived from the plan seed (fixed by set_random_seed)."""
        return (self.base_seed + 7919 * (1 + self.n_ops)) % (2**63)

    def param(self, var, layer, trainable=None):
        if var is None:
            return -1
        spec = core.ParamSpec()
        value = var.value if hasattr(var, "value") else np.asarray(var, dtype="float32")
        spec.size = int(value.size)
        spec.trainable = bool(getattr(var, "trainable", False) if trainable is None else trainable)
        spec.trainable = spec.trainable and bool(getattr(layer, "trainable", True))
        reg = getattr(var, "regularizer", None)
        if reg is not None:
            spec.l1, spec.l2 = float(getattr(reg, "l1", 0.0)), float(getattr(reg, "l2", 0.0))
        _constraint_spec(spec, getattr(var, "constraint", None), value.shape)
        pid = self.plan.add_param(spec)
        self.bindings.append((pid, var))
        return pid

    def op(self, kind, in_dim, out_dim, channels, **fields):
        spec = core.OpSpec()
        spec.kind, spec.in_dim, spec.out_dim, spec.channels = OPS[kind], in_dim, out_dim, channels
        for k, v in fields.items():
            setattr(spec, k, v)
        reg = getattr(self.layer, "activity_regularizer", None)
        if reg is not None:
            spec.act_l1 = float(getattr(reg, "l1", 0.0))
            spec.act_l2 = float(getattr(reg, "l2", 0.0))
        self.plan.add_op(spec)
        self.n_ops += 1


def _constraint_spec(spec, c, shape):
    if c is None:
        return
    name = type(c).__name__
    kind = {"MaxNorm": "max_norm", "NonNeg": "non_neg", "UnitNorm": "unit_norm",
            "MinMaxNorm": "min_max_norm"}.get(name)
    if kind is None:
        raise ValueError(f"Constraint {name} is not supported by the engine")
    spec.constraint = CONSTRAINTS[kind]
    axis = getattr(c, "axis", 0)
    if isinstance(axis, (list, tuple)):
        axis = axis[0] if len(axis) == 1 else None
    shape = tuple(shape) or (1,)
    if axis is None:
        raise ValueError(f"{name}: only a single constraint axis is supported")
    axis %= len(shape)
    spec.c_outer = int(np.prod(shape[:axis], dtype=np.int64))
    spec.c_len = int(shape[axis])
    spec.c_inner = int(np.prod(shape[axis + 1:], dtype=np.int64))
    spec.c_min = float(getattr(c, "min_value", 0.0))
    spec.c_max = float(getattr(c, "max_value", 0.0) or 0.0)
    spec.c_rate = float(getattr(c, "rate", 1.0))


def _prod(shape):
    return int(math.prod(shape)) if shape else 1


# ---- one entry per layer type: (layer, per-sample input shape, ctx) -> output shape ----
def _dense(layer, shape, ctx):
    act, param = activation_code(layer.activation)
    C, out = shape[-1], shape[:-1] + (layer.units,)
    ctx.op("dense", _prod(shape), _prod(out), C, act=act, act_param=param,
           params=[ctx.param(layer.kernel, layer), ctx.param(layer.bias, layer)])
    return out


def _activation(layer, shape, ctx):
    act, param = activation_code(layer.activation)
    ctx.op("activation", _prod(shape), _prod(shape), shape[-1], act=act, act_param=param)
    return shape


def _dropout(layer, shape, ctx):
    if getattr(layer, "noise_shape", None) is not None:
        raise ValueError(f'Layer "{layer.name}": noise_shape is not supported by the engine')
    seed = layer.seed if layer.seed is not None else ctx.seed_for(layer)
    ctx.op("dropout", _prod(shape), _prod(shape), shape[-1], rate=float(layer.rate),
           seed=int(seed) % (2**63))
    return shape


def _batchnorm(layer, shape, ctx):
    frozen = not layer.trainable
    ctx.op("batchnorm", _prod(shape), _prod(shape), shape[-1], epsilon=float(layer.epsilon),
           momentum=float(layer.momentum), frozen=frozen,
           params=[ctx.param(layer.gamma, layer), ctx.param(layer.beta, layer),
                   ctx.param(layer.moving_mean, layer, False),
                   ctx.param(layer.moving_variance, layer, False)])
    return shape


def _layernorm(layer, shape, ctx):
    axis = layer.axis if isinstance(layer.axis, int) else (
        layer.axis[0] if len(layer.axis) == 1 else None)
    if axis is None or axis % (len(shape) + 1) != len(shape) or layer.rms_scaling:
        raise ValueError(f'Layer "{layer.name}": the engine normalizes over the last axis only '
                         "(axis=-1, rms_scaling=False)")
    ctx.op("layernorm", _prod(shape), _prod(shape), shape[-1], epsilon=float(layer.epsilon),
           params=[ctx.param(layer.gamma, layer), ctx.param(layer.beta, layer)])
    return shape


def _embedding(layer, shape, ctx):
    out = shape + (layer.output_dim,)
    ctx.op("embedding", _prod(shape), _prod(out), 1, params=[ctx.param(layer.embeddings, layer)])
    return out


def _normalization(layer, shape, ctx):
    keep = tuple(a - 1 for a in layer._keep_axis)  # per-sample axes kept
    if keep != (len(shape) - 1,):
        raise ValueError(f'Layer "{layer.name}": the engine normalizes per feature on the last '
                         f"axis only; got axis={layer.axis}")
    ctx.op("normalization", _prod(shape), _prod(shape), shape[-1], invert=bool(layer.invert),
           params=[ctx.param(layer.mean, layer, False), ctx.param(layer.variance, layer, False)])
    return shape


def _dense_features(layer, shape, ctx):
    # The layer's preprocess() produced rows [dense block | id slots per embedding column];
    # `lowering_spec()` describes that layout (see docs/internals.md).
    spec = layer.lowering_spec()
    cols = spec["embeddings"]
    out = spec["dense_dim"] + sum(int(c["variable"].shape[1]) for c in cols)
    ctx.op("dense_features", _prod(shape), out, _prod(shape), df_dense=int(spec["dense_dim"]),
           df_nids=[int(c["n_ids"]) for c in cols],
           df_vocab=[int(c["variable"].shape[0]) for c in cols],
           df_dim=[int(c["variable"].shape[1]) for c in cols],
           df_combiner=[COMBINERS[c.get("combiner", "mean")] for c in cols],
           params=[ctx.param(c["variable"], layer) for c in cols])
    return (out,)


def _reshape_only(layer, shape, ctx):
    return tuple(layer.compute_output_shape((None,) + tuple(shape))[1:])


def _input(layer, shape, ctx):
    return shape


_LOWER = {
    "Dense": _dense, "Activation": _activation, "Dropout": _dropout,
    "BatchNormalization": _batchnorm, "LayerNormalization": _layernorm,
    "Embedding": _embedding, "Normalization": _normalization,
    "DenseFeatures": _dense_features, "Flatten": _reshape_only, "Reshape": _reshape_only,
    "InputLayer": _input,
}


def _entry(layer):
    for cls in type(layer).__mro__:
        if cls.__name__ in _LOWER:
            return _LOWER[cls.__name__]
    raise NotImplementedError(f"Layer {type(layer).__name__} ({layer.name!r}) has no lowering "
                              "to the engine")


class LoweredPlan:
    """A finalized core.Plan plus what Python needs around it."""

    def __init__(self, plan, input_shape, output_shape, bindings, rebound):
        self.plan = plan
        self.input_shape = input_shape      # per-sample
        self.output_shape = output_shape    # per-sample
        self.in_dim = _prod(input_shape)
        self.out_dim = _prod(output_shape)
        self.bindings = bindings            # [(param id, Variable or constant)]
        self.views = [(pid, var, plan.param_view(pid)) for pid, var in bindings]
        # The arrays the Variables were rebound to: identity says they still live here.
        self._bound = [(var, var.value) for _, var, _ in self.views if _is_f32_var(var)]
        self.trainable = [(pid, var) for pid, var in bindings
                          if plan.grad_view(pid) is not None]
        self.rebound = rebound

    def still_bound(self):
        """True while every float32 Variable still stores into this plan's arena."""
        if not self.rebound:
            return True
        for var, arr in self._bound:
            if var.value is not arr:
                return False
        return True

    def sync_in(self):
        """Copies the Variables' current values into the arena (plans built without rebind)."""
        for _, var, view in self.views:
            if _is_f32_var(var):
                view[...] = var.value.reshape(-1)

    def sync_out(self):
        """Copies the arena back into the Variables (after a training-mode eager call)."""
        for _, var, view in self.views:
            if _is_f32_var(var):
                np.copyto(var.value, view.reshape(var.shape))


def _is_f32_var(var):
    return hasattr(var, "_rebind") and np.dtype(var.dtype) == np.float32


def lower(layers, input_shape, train_config=None, metric_specs=(), seed=None, rebind=True):
    """Builds and finalizes a plan for `layers` taking per-sample `input_shape`.

    train_config: a core.TrainConfig (loss/optimizer), or None for inference only.
    rebind: move the Variables' storage into the plan's arena (the trainer's plan); the
    eager plans of `forward_layers` copy values in instead, so they never steal storage.
    """
    ctx = _Ctx(seed if seed is not None else _next_seed())
    shape = tuple(input_shape)
    for layer in layers:
        if not layer.built:
            layer.build((None,) + shape)
        ctx.layer = layer
        shape = tuple(_entry(layer)(layer, shape, ctx))
    if ctx.n_ops == 0:  # only reshapes: one identity op keeps the plan well formed
        ctx.op("activation", _prod(shape), _prod(shape), shape[-1] if shape else 1,
               act=ACTIVATIONS["linear"])
    for m in metric_specs:
        ctx.plan.add_metric(m)
    cfg = train_config if train_config is not None else core.TrainConfig()
    cfg.seed = ctx.base_seed
    if train_config is None:
        cfg.target_width = _prod(shape)
    ctx.plan.configure(cfg)
    ctx.plan.finalize()
    for pid, var in ctx.bindings:
        view = ctx.plan.param_view(pid)
        if _is_f32_var(var):
            if rebind:
                var._rebind(view.reshape(var.shape))
            else:
                view[...] = var.value.reshape(-1)
        else:
            view[...] = np.asarray(var, dtype="float32").reshape(-1)
    return LoweredPlan(ctx.plan, tuple(input_shape), shape, ctx.bindings, rebind)


def _next_seed():
    from .utils import random as ks_random
    return ks_random.next_seed() % (2**63)


# ---- eager calls --------------------------------------------------------------------
_EAGER_CACHE = {}


def forward_layers(layers, x, training=False):
    """Runs `layers` on the numpy batch x through the engine; returns a float32 array.

    With training=True, Dropout drops and BatchNormalization uses (and updates) its batch
    statistics, as Keras's `layer(x, training=True)`.
    """
    x = np.asarray(x)
    if x.ndim < 1:
        raise ValueError("forward_layers expects an input with a batch axis")
    if x.dtype.kind not in "biuf":
        raise TypeError(f"forward_layers expects a numeric array, got dtype {x.dtype}")
    in_shape, n = tuple(x.shape[1:]), x.shape[0]
    key = (tuple(id(l) for l in layers), in_shape,
           tuple(bool(getattr(l, "trainable", True)) for l in layers),
           tuple(id(v) for l in layers for v in getattr(l, "weights", ())))
    entry = _EAGER_CACHE.get(key)
    if entry is None:
        if len(_EAGER_CACHE) > 64:
            _EAGER_CACHE.clear()
        entry = _EAGER_CACHE[key] = (lower(layers, in_shape, rebind=False), list(layers))
    lp = entry[0]
    if n == 0:
        return np.zeros((0,) + lp.output_shape, dtype=np.float32)
    flat = np.ascontiguousarray(x.reshape(n, -1), dtype=np.float32)
    lp.sync_in()
    if training:
        out = lp.plan.forward_train(flat)
        lp.sync_out()  # moving statistics updated by BatchNormalization
    else:
        out = lp.plan.predict(flat)
    return out.reshape((n,) + lp.output_shape)
