"""`kerasette.graph`: the graph engine (ir, registry, trace, interpreter, passes) and the
seed's TF1 graph API on top of it: `placeholder`, `Session` (`run`, `partial_run_setup`,
`partial_run`), `Graph.as_default`, `get_default_graph`, `reset_default_graph`,
`finalize`, and TF's error classes in `kerasette.graph.errors`."""

from . import errors
from .default import Graph, get_default_graph, placeholder, reset_default_graph
from .errors import InvalidArgumentError, OpError
from .session import Session

__all__ = [
    "Graph",
    "Session",
    "placeholder",
    "get_default_graph",
    "reset_default_graph",
    "errors",
    "InvalidArgumentError",
    "OpError",
]
