"""The one module that imports the native extension ``kerasette._core``."""

from . import _core  # noqa: F401  (re-exported for the rest of the package)

core = _core


def __getattr__(name):
    # keras.backend.epsilon(), floatx(), image_data_format(): keras.config's settings
    if name in ("epsilon", "set_epsilon", "floatx", "image_data_format"):
        from . import config

        return getattr(config, name)
    raise AttributeError(f"module 'kerasette.backend' has no attribute {name!r}")
