"""Variable: one numpy array the C++ core reads and writes in place (see docs/internals.md)."""

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

_UFUNC_OPS = {
    "add": "add",
    "subtract": "subtract",
    "multiply": "multiply",
    "true_divide": "divide",
    "divide": "divide",
    "power": "power",
    "negative": "negative",
    "absolute": "abs",
    "matmul": "matmul",
    "floor_divide": "floor_divide",
    "remainder": "mod",
    "square": "square",
    "sqrt": "sqrt",
    "exp": "exp",
    "log": "log",
    "greater": "greater",
    "greater_equal": "greater_equal",
    "less": "less",
    "less_equal": "less_equal",
    "equal": "equal",
    "not_equal": "not_equal",
    "maximum": "maximum",
    "minimum": "minimum",
}


class Variable(NDArrayOperatorsMixin):
    """A named, shape-fixed numpy buffer; Keras's `Variable` surface on numpy storage.

    Arithmetic and numpy functions see the current value (`lr * 0.5`, `np.sum(v)`), as
    with Keras's variables; they return plain arrays, never a new Variable.
    """

    def __init__(
        self, initializer, shape=None, dtype="float32", trainable=True, name=None, path=None
    ):
        dtype = np.dtype(dtype)
        if callable(initializer) and not isinstance(initializer, np.ndarray):
            if shape is None:
                raise ValueError(f"Variable {name!r}: a callable initializer needs a shape")
            value = initializer(tuple(shape), dtype=dtype)
        else:
            value = initializer
        self._value = np.array(value, dtype=dtype, copy=True, order="C")
        if shape is not None and tuple(self._value.shape) != tuple(shape):
            raise ValueError(
                f"Variable {name!r}: initial value has shape {self._value.shape}, "
                f"expected {tuple(shape)}"
            )
        self.name = name or "variable"
        self.path = path or self.name
        self.trainable = bool(trainable)

    @property
    def value(self):
        """The backing array itself (no copy): the engine writes into it."""
        return self._value

    @property
    def shape(self):
        """The shape, a tuple of ints (fixed for the variable's life)."""
        return tuple(self._value.shape)

    @property
    def dtype(self):
        """The dtype name (`"float32"`)."""
        return self._value.dtype.name

    @property
    def ndim(self):
        """The number of axes."""
        return self._value.ndim

    @property
    def size(self):
        """The number of elements."""
        return int(self._value.size)

    def numpy(self):
        """A copy of the current value, as a numpy array."""
        return self._value.copy()

    def assign(self, value):
        """Sets the variable's value, copying into its storage (the shape is checked).

        Inside a traced function (a training step), the assignment becomes part of the
        compiled program instead.

        Args:
            value: An array-like of the variable's shape.

        Returns:
            The variable (eagerly), or the assigned symbolic value (traced).

        Raises:
            TypeError: If the value is not numeric.
            ValueError: If the shape differs.
        """
        from .graph.trace import current_graph, graph_for

        graph = graph_for([value]) or (current_graph() if isinstance(value, Variable) else None)
        if graph is not None:
            return self._assign_symbolic(graph, value)
        value = np.asarray(value)
        if value.dtype.kind not in "biuf":
            raise TypeError(
                f"Variable {self.path!r} holds numbers; cannot assign a value of "
                f"dtype {value.dtype}"
            )
        if value.shape != self._value.shape:
            raise ValueError(
                f"Variable {self.path!r} has shape {self._value.shape}; "
                f"cannot assign a value of shape {value.shape}"
            )
        # Copy into the storage: the engine and arena views must keep seeing this buffer.
        np.copyto(self._value, value, casting="unsafe")
        return self

    def assign_add(self, value):
        """Adds `value` to the variable (`assign(self + value)`).

        Args:
            value: An array-like broadcastable to the variable's shape.

        Returns:
            What `assign` returns.
        """
        return self.assign(self + value)

    def assign_sub(self, value):
        """Subtracts `value` from the variable (`assign(self - value)`).

        Args:
            value: An array-like broadcastable to the variable's shape.

        Returns:
            What `assign` returns.
        """
        return self.assign(self - value)

    def _assign_symbolic(self, graph, value):
        """Inside a traced function: an `assign` node the function runs as an effect."""
        from . import ops
        from .graph.trace import apply

        value = ops.cast(
            ops.reshape(value, self.shape)
            if tuple(getattr(value, "shape", ())) != self.shape
            else value,
            self.dtype,
        )
        out = apply("assign", [value], var=self)
        if not hasattr(graph, "updates"):
            graph.updates = []
        graph.updates.append(out)
        return out

    def _rebind(self, view):
        """Engine only: move the storage into `view` (e.g. an arena slice), keeping values."""
        if view.shape != self._value.shape or view.dtype != self._value.dtype:
            raise ValueError(
                f"Variable {self.path!r}: cannot rebind {self._value.shape} "
                f"{self._value.dtype} storage to {view.shape} {view.dtype}"
            )
        np.copyto(view, self._value)
        self._value = view

    def __array__(self, dtype=None, copy=None):
        if dtype is None or np.dtype(dtype) == self._value.dtype:
            return self._value.copy() if copy else self._value
        return self._value.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from .graph.trace import current_graph

        if current_graph() is not None and method == "__call__" and not kwargs:
            # Traced: `v * 2` inside a layer's call is a graph node reading v.
            from . import ops

            fn = getattr(ops, _UFUNC_OPS.get(ufunc.__name__, ""), None)
            if fn is not None:
                return fn(*inputs)

        def unwrap(a):
            return a._value if isinstance(a, Variable) else a

        inputs = tuple(unwrap(a) for a in inputs)
        if "out" in kwargs:  # writing into a Variable writes into its storage
            kwargs["out"] = tuple(unwrap(a) for a in kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __len__(self):
        return len(self._value)

    def __repr__(self):
        return (
            f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
            f"value={self._value!r}>"
        )
