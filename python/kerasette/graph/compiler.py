"""The compile pipeline in one place: passes (DCE, constant folding, CSE), fusion, then
per concrete shape: specialize, lower, memory plan, C++ program."""
import os

from .passes import fusion


def optimize(fn):
    """The shape-independent passes, each of which can be switched off
    (KERASETTE_DISABLE_PASSES=fold,cse,fusion or =all)."""
    try:
        from .passes import run_passes
    except ImportError:  # the generic passes are not in this build
        run_passes = None
    if run_passes is not None:
        fn = run_passes(fn)
    return fusion.fuse(fn)


def interpret_only():
    """KERASETTE_INTERPRET=1 runs every traced function on the numpy interpreter."""
    return os.environ.get("KERASETTE_INTERPRET", "") not in ("", "0")
