"""`UpdatePlan`: the flat arenas a compiled training step updates, and the optimizer's
settings as the C++ `optimizer`, `clip` and `constraint` kernels take them.

Every trainable float32 Variable is rebound onto its slice of one parameter arena (its
values kept), so the optimizer is one fused pass over all of them; the gradients land in
a gradient arena of the same layout; each optimizer slot is one more arena, and the
optimizer's slot Variables are rebound onto their slices too.
"""

import numpy as np

from ..backend import core

_CONSTRAINTS = {"MaxNorm": 1, "NonNeg": 2, "UnitNorm": 3, "MinMaxNorm": 4}
# Ftrl's settings, in the order the `optimizer` instruction's floats 7..11 take them.
_FTRL = (
    "learning_rate_power",
    "l1_regularization_strength",
    "l2_regularization_strength",
    "l2_shrinkage_regularization_strength",
    "beta",
)


class UpdatePlan:
    def __init__(self, variables, optimizer):
        self.variables = list(variables)
        self.optimizer = optimizer
        self.kind = type(optimizer).__name__.lower()
        if self.kind not in core.OPTIMIZERS:
            raise NotImplementedError(
                f"Optimizer {type(optimizer).__name__} has no kernel in "
                f"the engine; use one of {sorted(core.OPTIMIZERS)}"
            )
        self.offsets, off = [], 0
        for v in self.variables:
            self.offsets.append(off)
            off += v.size
        self.size = off
        self.params = np.empty(off, np.float32)
        self.grads = np.zeros(off, np.float32)
        for v, o in zip(self.variables, self.offsets):
            v._rebind(self.params[o : o + v.size].reshape(v.shape))
        self.hyper = self._hyper()
        n_slots = core.optimizer_num_slots(self.kind, **self.hyper)
        self.slots = [np.zeros(off, np.float32) for _ in range(n_slots)]
        if n_slots and off:
            core.optimizer_init_slots(self.kind, self.slots, **self.hyper)

    def _hyper(self):
        opt = self.optimizer
        h = {}
        for name in (
            "beta_1",
            "beta_2",
            "epsilon",
            "momentum",
            "rho",
            "initial_accumulator_value",
            *_FTRL,
        ):
            if getattr(opt, name, None) is not None:
                h[name] = float(getattr(opt, name))
        for name in ("nesterov", "amsgrad", "centered"):
            h[name] = bool(getattr(opt, name, False))
        h["weight_decay"] = float(getattr(opt, "weight_decay", None) or 0.0)
        return h

    def __repr__(self):
        return f"{self.kind}: {len(self.variables)} variables, {self.size} floats"

    def grad_view(self, i):
        o = self.offsets[i]
        return self.grads[o : o + self.variables[i].size]

    # ---- kernel arguments ---------------------------------------------------------------
    def opt_ints(self):
        h = self.hyper
        ints = [
            core.OPTIMIZERS[self.kind],
            self.size,
            int(h["nesterov"]),
            int(h["amsgrad"]),
            int(h["centered"]),
        ]
        if self.kind == "lamb":  # its trust ratio is per variable
            ints += [len(self.variables)] + [v.size for v in self.variables]
        return ints

    def opt_floats(self):
        h = self.hyper
        return [
            h.get("beta_1", 0.9),
            h.get("beta_2", 0.999),
            h.get("epsilon", 1e-7),
            h.get("momentum", 0.0),
            h.get("rho", 0.9),
            h["weight_decay"],
            h.get("initial_accumulator_value", 0.1),
        ] + ([h[k] for k in _FTRL] if self.kind == "ftrl" else [])

    def clip_steps(self):
        """Keras's order: clipnorm per variable, then global_clipnorm, then clipvalue."""
        opt, seg = self.optimizer, [v.size for v in self.variables]
        steps = []
        if getattr(opt, "clipnorm", None):
            steps.append((1, float(opt.clipnorm), seg))
        if getattr(opt, "global_clipnorm", None):
            steps.append((2, float(opt.global_clipnorm), [self.size]))
        if getattr(opt, "clipvalue", None):
            steps.append((0, float(opt.clipvalue), [self.size]))
        return [s for s in steps if self.size]

    def constraint_steps(self):
        out = []
        for v, off in zip(self.variables, self.offsets):
            c = getattr(v, "constraint", None)
            if c is None:
                continue
            kind = _CONSTRAINTS.get(type(c).__name__)
            if kind is None:
                raise NotImplementedError(
                    f"Constraint {type(c).__name__} is not supported by the engine"
                )
            shape = tuple(v.shape) or (1,)
            axis = getattr(c, "axis", 0)
            if isinstance(axis, (list, tuple)):
                if len(axis) != 1:
                    raise NotImplementedError(f"{type(c).__name__}: only one axis is supported")
                axis = axis[0]
            axis %= len(shape)
            outer = int(np.prod(shape[:axis], dtype=np.int64))
            inner = int(np.prod(shape[axis + 1 :], dtype=np.int64))
            out.append(
                (
                    off,
                    v.size,
                    [kind, outer, shape[axis], inner],
                    [
                        float(getattr(c, "min_value", 0.0)),
                        float(getattr(c, "max_value", 0.0) or 0.0),
                        float(getattr(c, "rate", 1.0)),
                    ],
                )
            )
        return out

    def apply_numpy(self, grads):
        raise NotImplementedError("the optimizer update runs compiled only")
