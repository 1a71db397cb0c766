"""TF1's default graph: `Graph` with names and `as_default()`, `get_default_graph`,
`reset_default_graph` and `placeholder`.

The default graph is global, and `with g.as_default():` makes g the default on this
thread only, as in TensorFlow. Ops on placeholders join the placeholders' graph
(graph/trace.py); ops on arrays alone stay eager, as everywhere in kerasette.
"""

import contextlib
import threading

import numpy as np

from . import ir

# TF's dtype names (the ones its messages print) for numpy's.
_TF_DTYPE = {"float32": "float", "float64": "double", "float16": "half"}
_FROM_TF = {"float": "float32", "double": "float64", "half": "float16"}


def tf_dtype_name(dtype):
    d = str(dtype)
    return _TF_DTYPE.get(d, d)


def as_dtype(dtype):
    """A dtype argument (numpy dtype, Keras name, or TF's "float"/"double") as a name."""
    if dtype is None:
        return "float32"
    if isinstance(dtype, str) and dtype in _FROM_TF:
        return _FROM_TF[dtype]
    if isinstance(dtype, str) and dtype == "bfloat16":
        return dtype
    name = getattr(dtype, "name", None)  # a tf.DType or a numpy dtype
    if isinstance(name, str) and not isinstance(dtype, (np.dtype, type)):
        return as_dtype(name)
    return str(np.dtype(dtype))


class Graph(ir.Graph):
    """ir.Graph plus TF1's naming (each node a unique name, `get_tensor_by_name`) and
    `as_default()`."""

    def __init__(self, name="graph"):
        super().__init__(name)
        self._node_names = {}  # node.id -> its unique name ("add", "add_1", ...)
        self._names = {}  # name -> node
        self._name_counts = {}  # base name -> times used

    def unique_name(self, base):
        """TF's rule: "x", then "x_1", "x_2", ... skipping names already taken."""
        n = self._name_counts.get(base, 0)
        name = base
        while name in self._names:
            n += 1
            name = f"{base}_{n}"
        self._name_counts[base] = n
        return name

    def add(self, op, inputs, attrs, out_specs):
        outs = super().add(op, inputs, attrs, out_specs)
        node = self.nodes[-1]
        name = attrs.get("name") if op == "placeholder" else None
        if not name or name in self._names:
            name = self.unique_name(name or op)
        self._node_names[node.id] = name
        self._names[name] = node
        return outs

    def placeholder(self, shape, dtype="float32", name=None):
        # A placeholder's name is unique before the node exists, so its attr says it.
        name = self.unique_name(name or "Placeholder")
        return super().placeholder(shape, dtype, name)

    def node_name(self, node):
        return self._node_names.get(node.id, f"{node.op}_{node.id}")

    def get_tensor_by_name(self, name):
        """The tensor "op_name:index" (or "op_name", meaning output 0)."""
        op_name, _, index = name.partition(":")
        node = self._names.get(op_name)
        if node is None:
            raise KeyError(
                f"The name '{name}' refers to a Tensor which does not exist. "
                f"The operation, '{op_name}', does not exist in the graph."
            )
        i = int(index or 0)
        if i >= len(node.outputs):
            raise KeyError(
                f"The name '{name}' refers to a Tensor which does not exist. "
                f"The operation, '{op_name}', exists but only has "
                f"{len(node.outputs)} outputs."
            )
        return node.outputs[i]

    def get_operations(self):
        return list(self.nodes)

    @contextlib.contextmanager
    def as_default(self):
        stack = _stack()
        stack.append(self)
        try:
            yield self
        finally:
            # Pop this graph even if the body pushed others and left them (as TF does).
            while stack and stack.pop() is not self:
                pass


def tensor_name(sym):
    """TF's name for a tensor, "op_name:index", as its error messages print it."""
    g = sym.graph
    base = (
        g.node_name(sym.node)
        if isinstance(g, Graph)
        else (sym.name or f"{sym.node.op}_{sym.node.id}")
    )
    return f"{base}:{sym.index}"


_state = threading.local()
_lock = threading.Lock()
_global_default = None


def _stack():
    s = getattr(_state, "stack", None)
    if s is None:
        s = _state.stack = []
    return s


def get_default_graph():
    """The innermost `as_default()` graph on this thread, else the global default."""
    global _global_default
    s = _stack()
    if s:
        return s[-1]
    with _lock:
        if _global_default is None:
            _global_default = Graph("default")
        return _global_default


def reset_default_graph():
    """Replaces the global default graph with a new, empty one."""
    global _global_default
    if _stack():
        raise AssertionError(
            "Do not use tf.reset_default_graph() to clear nested graphs. "
            "If you need a cleared graph, exit the nesting and create a "
            "new graph."
        )
    with _lock:
        _global_default = Graph("default")


def _looks_like_dtype(x):
    if isinstance(x, str):
        return x in _FROM_TF or x == "bfloat16" or _is_numpy_dtype_name(x)
    return isinstance(x, (np.dtype, type)) or hasattr(x, "as_numpy_dtype")


def _is_numpy_dtype_name(x):
    try:
        np.dtype(x)
        return True
    except TypeError:
        return False


def placeholder(*args, **kwargs):
    """placeholder(shape=None, dtype="float32", name=None): a tensor of the default
    graph whose value every run must feed.

    shape: None (any rank: any fed shape is accepted) or a list whose None entries take
    any size. dtype: the fed value is converted to it, as TF does. TF1's argument order,
    `placeholder("float32", shape=[None, 3])`, is accepted too (a dtype comes first).
    """
    if args and _looks_like_dtype(args[0]):
        names = ("dtype", "shape", "name")  # TF1: placeholder(dtype, shape=None, name=None)
    else:
        names = ("shape", "dtype", "name")
    if len(args) > 3:
        raise TypeError(f"placeholder() takes at most 3 positional arguments ({len(args)} given)")
    for k, v in zip(names, args):
        if k in kwargs:
            raise TypeError(f"placeholder() got multiple values for argument '{k}'")
        kwargs[k] = v
    unknown = set(kwargs) - {"shape", "dtype", "name"}
    if unknown:
        raise TypeError(f"placeholder() got an unexpected keyword argument '{sorted(unknown)[0]}'")
    shape, dtype, name = kwargs.get("shape"), kwargs.get("dtype"), kwargs.get("name")
    if shape is None:
        shape = ir.UnknownRank()
    else:
        shape = (shape,) if isinstance(shape, (int, np.integer)) else shape
        shape = tuple(
            None if d is None or (isinstance(d, int) and d < 0) else int(d) for d in shape
        )
    return get_default_graph().placeholder(shape, as_dtype(dtype), name)


def _signature():
    import inspect

    P = inspect.Parameter
    return inspect.Signature(
        [
            P("shape", P.POSITIONAL_OR_KEYWORD, default=None),
            P("dtype", P.POSITIONAL_OR_KEYWORD, default="float32"),
            P("name", P.POSITIONAL_OR_KEYWORD, default=None),
        ]
    )


placeholder.__signature__ = _signature()
