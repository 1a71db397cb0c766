"""Graph-level compiler passes: each is `fn -> fn` on an FnIR (graph/fnir.py).

A pass builds a new graph with a `Rebuilder` and never changes its input (a user's graph
may be finalized, and other FnIRs share it). Every pass keeps the nodes in fn.effects
and every node of an effect op (registry `effect=True`) the function can run.

`run_passes(fn)` runs dce, fold, cse, dce in that order. For debugging, any of them can
be switched off with the `disabled` argument or the environment variable
KERASETTE_DISABLE_PASSES ("fold,cse", or "all"); results must not change beyond float
rounding when one is off.
"""

import os

from .. import registry
from ..fnir import FnIR, Rebuilder

PIPELINE = ("dce", "fold", "cse", "dce")
# Names the same switch turns off in later stages of the compiler (passes/fusion.py,
# passes/memory.py read KERASETTE_DISABLE_PASSES themselves); a name in neither list is
# a typo and is reported rather than silently ignored.
OTHER_PASSES = {"fusion", "memory", "simplify"}


def _pass(name):
    from . import cse, dce, fold

    return {"dce": dce.run, "fold": fold.run, "cse": cse.run}[name]


def disabled_passes(disabled=()):
    """The set of pass names switched off by `disabled` and KERASETTE_DISABLE_PASSES."""
    names = {d.strip().lower() for d in disabled if d and d.strip()}
    env = os.environ.get("KERASETTE_DISABLE_PASSES", "")
    names |= {d.strip().lower() for d in env.split(",") if d.strip()}
    unknown = names - set(PIPELINE) - OTHER_PASSES - {"all"}
    if unknown:
        raise ValueError(
            f"Unknown pass name(s) {sorted(unknown)} in disabled passes "
            f"(KERASETTE_DISABLE_PASSES={env!r}); known: "
            f"{sorted(set(PIPELINE) | OTHER_PASSES)} or 'all'"
        )
    return set(PIPELINE) if "all" in names else names & set(PIPELINE)


def run_passes(fn, disabled=()):
    """fn after the graph passes (a new FnIR; fn itself is left as it was)."""
    off = disabled_passes(disabled)
    for name in PIPELINE:
        if name not in off:
            fn = _pass(name)(fn)
    return fn


# ---- helpers the passes share -----------------------------------------------------------
def with_all_effects(fn):
    """fn with every runnable effect-op node of its graph among its effects.

    An effect node the outputs do not read still writes state, so no pass may drop it;
    listing it in effects makes FnIR.nodes (what the passes walk) include it. "Runnable"
    means it needs no placeholder that is not one of fn's inputs (a shared graph may hold
    other functions' updates)."""
    if fn.graph is None:
        return fn
    listed = {id(s) for s in fn.effects}
    inputs = {id(s) for s in fn.inputs}
    extra = []
    for node in fn.graph.nodes:
        if registry_effect(node.op) and not any(id(o) in listed for o in node.outputs):
            if _runnable(node, inputs):
                extra.append(node.outputs[0])
    if not extra:
        return fn
    return FnIR(fn.graph, fn.inputs, fn.outputs, fn.effects + extra)


def registry_effect(op):
    try:
        return registry.get(op).effect
    except KeyError:
        return False


def _runnable(node, inputs):
    seen, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n.id in seen:
            continue
        seen.add(n.id)
        if n.op == "placeholder" and id(n.outputs[0]) not in inputs:
            return False
        stack.extend(i.node for i in n.inputs if id(i) not in inputs)
    return True


def start(fn, name="fn"):
    """A Rebuilder with fn's inputs already made (an unused input stays an input: the
    function's signature does not change)."""
    rb = Rebuilder(name)
    for s in fn.inputs:
        if id(s) in rb.map:  # the same placeholder listed twice
            continue
        (new,) = rb.graph.add("placeholder", [], {"name": s.name}, [(s.shape, s.dtype)])
        new.name = s.name
        rb.alias(s, new)
    return rb


def body(fn):
    """The nodes a pass rewrites: what outputs and effects need, less fn's inputs."""
    inputs = {id(s) for s in fn.inputs}
    return [n for n in fn.nodes if not all(id(o) in inputs for o in n.outputs)]


def finish(rb, fn):
    return FnIR(
        rb.graph,
        [rb[s] for s in fn.inputs],
        [rb[s] for s in fn.outputs],
        [rb[s] for s in fn.effects],
    )
