"""`apply_gradients`: the optimizer step as one op. Its inputs are the gradients (which
the compiler writes straight into the flat gradient arena, so nothing is gathered); it
runs clipping, one fused optimizer pass over the whole parameter arena, and the weight
constraints. `plan` (engine/update_plan.py) holds the arenas and the settings."""

import numpy as np

from ..registry import register


def _eval(*grads, plan):
    plan.apply_numpy(grads)
    return np.zeros((), np.float32)


register(
    "apply_gradients",
    infer=lambda *grads, plan: ((), "float32"),
    eval=_eval,
    kernel="optimizer",
    effect=True,
)


def _lower(ctx, node):
    plan = node.attrs["plan"]
    params = ctx.ext(plan.params, "params")
    grads = ctx.ext(plan.grads, "grads")
    for mode, value, segments in plan.clip_steps():
        ctx.emit("clip", [grads], [], [mode, len(segments), *segments], [value])
    if plan.params.size:
        slots = [ctx.ext(s, f"slot{i}") for i, s in enumerate(plan.slots)]
        ctx.emit("optimizer", [params, grads, *slots], [], plan.opt_ints(), plan.opt_floats())
    for off, size, ints, floats in plan.constraint_steps():
        view = ctx.ext(plan.params[off : off + size], "constrained")
        ctx.emit("constraint", [view], [], ints, floats)
    from ..lower_rules import effect_done

    effect_done(ctx, node)


def _install_rules():
    from .. import lower_rules

    lower_rules.RULES["apply_gradients"] = _lower


_install_rules()
