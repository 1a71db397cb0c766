"""Ops with no inputs that bring values into a graph, and ops that write state."""

import numpy as np

from ..registry import register


def _no_eval(name):
    def ev(*a, **k):
        raise RuntimeError(f"a {name} node has no value of its own; feed it")

    return ev


register("placeholder", infer=None, eval=_no_eval("placeholder"))
register("constant", infer=None, eval=lambda value: value, kernel="constant")
register("variable", infer=None, eval=lambda var: var.value, kernel="variable")


def _assign_eval(value, var):
    var.assign(value)
    return np.zeros((), np.float32)


# Writes `value` into Variable `var` (BatchNormalization's moving statistics, metric
# state). Its output is a dummy scalar that callers fetch to run it.
register(
    "assign",
    infer=lambda value, var: ((), "float32"),
    eval=_assign_eval,
    kernel="assign",
    effect=True,
)
