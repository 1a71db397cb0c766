"""Every primitive op's registration, one module per family (see CONTRIBUTING.md)."""

from . import conv, dynamic, elementwise, gather, linalg, nn, random, reduce, shape, state  # noqa: F401
