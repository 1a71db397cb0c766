"""Every primitive op's registration, one module per family (see CONTRIBUTING.md)."""

from . import (  # noqa: F401
    conv,
    deferred,
    dynamic,
    elementwise,
    gather,
    linalg,
    nn,
    random,
    reduce,
    shape,
    state,
)
