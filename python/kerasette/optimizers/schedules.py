"""Learning-rate schedules: callables of the step (Keras's iterations), float32 results."""

import math

import numpy as np


def _finite(value, name):
    """Schedule settings checked at construction: a NaN/inf one yields NaN rates."""
    try:
        ok = value is None or bool(np.all(np.isfinite(np.asarray(value, dtype=np.float64))))
    except (TypeError, ValueError):
        ok = True  # not numeric: left to the schedule's own arithmetic to refuse
    if not ok:
        raise ValueError(f"Argument `{name}` must be finite. Received: {name}={value!r}")
    return value


class LearningRateSchedule:
    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must "
            "override `get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """initial_learning_rate * decay_rate ** (step / decay_steps) (floored if staircase)."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        decay_rate,
        staircase=False,
        name="ExponentialDecay",
    ):
        if decay_steps <= 0:
            raise ValueError(
                f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}"
            )
        _finite(initial_learning_rate, "initial_learning_rate")
        _finite(decay_rate, "decay_rate")
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        p = np.float32(step) / np.float32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return np.float32(
            np.float32(self.initial_learning_rate)
            * np.power(np.float32(self.decay_rate), p, dtype=np.float32)
        )

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] for step <= boundaries[0], values[i] for b[i-1] < step <= b[i], ..."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of "
                f"values. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} of length {len(values)}."
            )
        _finite(list(values), "values")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        for b, v in zip(self.boundaries, self.values):
            if step <= b:
                return np.float32(v)
        return np.float32(self.values[-1])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay to alpha * initial over decay_steps, after an optional linear warmup."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        alpha=0.0,
        name="CosineDecay",
        warmup_target=None,
        warmup_steps=0,
    ):
        if decay_steps <= 0:
            raise ValueError(
                f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}"
            )
        for arg, arg_name in (
            (initial_learning_rate, "initial_learning_rate"),
            (alpha, "alpha"),
            (warmup_target, "warmup_target"),
        ):
            _finite(arg, arg_name)
        self.initial_learning_rate, self.decay_steps, self.alpha = (
            initial_learning_rate,
            decay_steps,
            alpha,
        )
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps

    def _decay(self, step, decay_from):
        f32 = np.float32
        fraction = f32(step) / f32(self.decay_steps)
        cosine = f32(0.5) * (f32(1.0) + np.cos(f32(math.pi) * fraction, dtype=f32))
        return f32(f32(decay_from) * ((f32(1) - f32(self.alpha)) * cosine + f32(self.alpha)))

    def __call__(self, step):
        step = float(step)
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps), self.initial_learning_rate)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            delta = np.float32(self.warmup_target) - np.float32(self.initial_learning_rate)
            return np.float32(
                delta * np.float32(step / self.warmup_steps)
                + np.float32(self.initial_learning_rate)
            )
        return self._decay(step - self.warmup_steps, self.warmup_target)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


def _check_decay_steps(decay_steps, name="decay_steps"):
    if decay_steps <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={decay_steps}")


class InverseTimeDecay(LearningRateSchedule):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps) (floored if staircase)."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        decay_rate,
        staircase=False,
        name="InverseTimeDecay",
    ):
        _check_decay_steps(decay_steps)
        _finite(initial_learning_rate, "initial_learning_rate")
        _finite(decay_rate, "decay_rate")
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        f32 = np.float32
        p = f32(step) / f32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return f32(f32(self.initial_learning_rate) / (f32(1) + f32(self.decay_rate) * p))

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PolynomialDecay(LearningRateSchedule):
    """(initial - end) * (1 - step / decay_steps) ** power + end, the step capped at
    decay_steps, or with cycle=True decay_steps stretched to the next multiple."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        end_learning_rate=0.0001,
        power=1.0,
        cycle=False,
        name="PolynomialDecay",
    ):
        _check_decay_steps(decay_steps)
        for arg, arg_name in (
            (initial_learning_rate, "initial_learning_rate"),
            (end_learning_rate, "end_learning_rate"),
            (power, "power"),
        ):
            _finite(arg, arg_name)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle, self.name = (
            end_learning_rate,
            power,
            cycle,
            name,
        )

    def __call__(self, step):
        f32 = np.float32
        step = f32(step)
        decay_steps = f32(self.decay_steps)
        if self.cycle:
            mult = f32(1.0) if step == 0 else f32(np.ceil(step / decay_steps))
            decay_steps = decay_steps * mult
        else:
            step = min(step, decay_steps)
        frac = step / decay_steps
        init, end = f32(self.initial_learning_rate), f32(self.end_learning_rate)
        return f32((init - end) * np.power(f32(1) - frac, f32(self.power), dtype=f32) + end)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """SGDR: cosine decay over periods that grow by t_mul, each restart's peak times m_mul."""

    def __init__(
        self,
        initial_learning_rate,
        first_decay_steps,
        t_mul=2.0,
        m_mul=1.0,
        alpha=0.0,
        name="SGDRDecay",
    ):
        _check_decay_steps(first_decay_steps, "first_decay_steps")
        for arg, arg_name in (
            (initial_learning_rate, "initial_learning_rate"),
            (t_mul, "t_mul"),
            (m_mul, "m_mul"),
            (alpha, "alpha"),
        ):
            _finite(arg, arg_name)
        self.initial_learning_rate, self.first_decay_steps = (
            initial_learning_rate,
            first_decay_steps,
        )
        self._t_mul, self._m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def __call__(self, step):
        f32 = np.float32
        frac = f32(step) / f32(self.first_decay_steps)
        t_mul, m_mul = f32(self._t_mul), f32(self._m_mul)
        if self._t_mul != 1.0:
            i = np.floor(np.log(f32(1) - frac * (f32(1) - t_mul)) / np.log(t_mul))
            sum_r = (f32(1) - t_mul**i) / (f32(1) - t_mul)
            frac = (frac - sum_r) / t_mul**i
        else:
            i = np.floor(frac)
            frac = frac - i
        cosine = f32(0.5) * m_mul**i * (f32(1) + np.cos(f32(math.pi) * frac))
        decayed = (f32(1) - f32(self.alpha)) * cosine + f32(self.alpha)
        return f32(f32(self.initial_learning_rate) * decayed)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


_ALL = {
    c.__name__: c
    for c in (
        ExponentialDecay,
        PiecewiseConstantDecay,
        CosineDecay,
        InverseTimeDecay,
        PolynomialDecay,
        CosineDecayRestarts,
    )
}


def serialize(schedule):
    return {
        "module": "keras.optimizers.schedules",
        "class_name": type(schedule).__name__,
        "config": schedule.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    table = dict(_ALL, **(custom_objects or {}))
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in table:
        raise ValueError(f"Unknown learning rate schedule: {name!r}")
    return table[name].from_config(config.get("config") or {})
