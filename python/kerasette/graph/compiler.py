"""The compile pipeline in one place: passes (DCE, constant folding, CSE, simplify) on
the traced function, then per concrete shape: specialize, the passes again, fusion,
lower, memory plan, C++ program. Fusion runs on concrete shapes: two tensors whose
batch-dependent sizes are both unknown (None) before may still differ (B and 12*B)."""

import os

from .passes import fusion, simplify


def _generic(fn):
    try:
        from .passes import run_passes
    except ImportError:  # the generic passes are not in this build
        return fn
    return run_passes(fn)


def optimize(fn):
    """The shape-independent passes, each of which can be switched off
    (KERASETTE_DISABLE_PASSES=fold,cse,simplify,fusion or =all)."""
    fn = _generic(fn)
    return fn if _off("simplify") else simplify.run(fn)


def optimize_concrete(fn):
    """Once shapes are concrete, the batch size is a constant: fold what depends on it
    only (counts, 1/N factors), drop the identities that leaves, then fuse."""
    fn = optimize(fn)
    return fusion.fuse(fn)


def _off(name):
    v = {s.strip() for s in os.environ.get("KERASETTE_DISABLE_PASSES", "").split(",")}
    return name in v or "all" in v


def interpret_only():
    """KERASETTE_INTERPRET=1 runs every traced function on the numpy interpreter."""
    return os.environ.get("KERASETTE_INTERPRET", "") not in ("", "0")
