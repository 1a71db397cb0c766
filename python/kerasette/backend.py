"""The one module that imports the native extension ``kerasette._core``."""
from . import _core  # noqa: F401  (re-exported for the rest of the package)

core = _core
