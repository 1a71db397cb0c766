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


# ---- Keras 3's keras.config settings ------------------------------------------------------
_EPSILON = 1e-7


def epsilon():
    """The fuzz factor Keras's formulas use (1e-7 by default)."""
    return _EPSILON


def set_epsilon(value):
    """Sets the fuzz factor Keras's formulas use.

    Args:
        value: A positive float.

    Raises:
        ValueError: If `value` is not positive.
    """
    global _EPSILON
    value = float(value)
    if not value > 0:
        raise ValueError(f"epsilon must be positive, got {value!r}")
    _EPSILON = value


def floatx():
    """kerasette computes in float32 (Keras's default floatx)."""
    return "float32"


def image_data_format():
    """The image data format: always `"channels_last"`."""
    return "channels_last"


def backend():
    """The backend's name: `"kerasette"`."""
    return "kerasette"


def disable_traceback_filtering():
    """Keras trims its frames from tracebacks; kerasette's errors are raised where the
    check is, so there is nothing to filter: these three are kept for scripts that call
    them."""


def enable_traceback_filtering():
    """Does nothing (see `disable_traceback_filtering`)."""
    pass


def is_traceback_filtering_enabled():
    """Always `False` (see `disable_traceback_filtering`)."""
    return False
