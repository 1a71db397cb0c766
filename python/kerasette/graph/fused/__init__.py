"""Ops the compiler and the trainer make (never users): each runs one fused C++ kernel
where a chain of primitives would take several passes over memory."""

from . import conv, ewise, loss, matmul, recurrent, update  # noqa: F401
