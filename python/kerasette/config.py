"""Thread count and CPU dispatch information (``kerasette.config``)."""
from .backend import core


def set_num_threads(n):
    """Sets the number of OpenMP threads kerasette's kernels use."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_num_threads expects a positive int, got {n!r}")
    core.set_num_threads(n)


def get_num_threads():
    """Returns the number of threads kerasette's kernels use."""
    return core.get_num_threads()


def cpu_features():
    """Returns a dict of the CPU features found and the kernel path (`isa`) in use."""
    return dict(core.cpu_features())
