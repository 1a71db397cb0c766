"""kerasette: Keras's Sequential API over a small C++ core.

Change ``import keras`` to ``import kerasette as keras``. Submodules load on first
use, so ``import kerasette`` costs little more than ``import numpy``.
"""

import importlib as _importlib
from pkgutil import extend_path as _extend_path

# Lets a developer build (cmake -B build/dev) place kerasette/_core*.so in another
# folder on sys.path; an installed wheel has a single folder and is unaffected.
__path__ = _extend_path(__path__, __name__)

_SUBMODULES = {
    "activations",
    "applications",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "data",
    "datasets",
    "distribute",
    "feature_column",
    "graph",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "preprocessing",
    "random",
    "regularizers",
    "saving",
    "serving",
    "utils",
    "wrappers",
}
# Top-level names Keras exports, each with the submodule that defines it.
_ATTRS = {
    "Sequential": "models",
    "Model": "models",
    "Input": "layers",
    "Layer": "layers",
    "Tensor": "tensor",
    "Variable": "variables",
    "arg_scope": "arg_scope",
    "add_arg_scope": "arg_scope",
}


def __getattr__(name):
    if name == "__version__":
        return _importlib.import_module(f"{__name__}._core").__version__
    if name in _SUBMODULES:
        return _importlib.import_module(f"{__name__}.{name}")
    if name in _ATTRS:
        return getattr(_importlib.import_module(f"{__name__}.{_ATTRS[name]}"), name)
    raise AttributeError(f"module 'kerasette' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES | set(_ATTRS))
