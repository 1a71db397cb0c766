"""The one module that imports the native extension ``kerasette._core``."""
import os

# GNU OpenMP's threads spin between parallel regions by default. When the cores are
# busy (another process, scikit-learn's n_jobs workers each running kerasette), a
# spinning thread holds the core its partner needs, and two-thread training ran about
# 20x slower than one thread. Passive waiting avoids that collapse; the user's own
# OMP_WAIT_POLICY wins. Must be set before libgomp loads with the extension.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from . import _core  # noqa: E402,F401  (re-exported for the rest of the package)

core = _core
