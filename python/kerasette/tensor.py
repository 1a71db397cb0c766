"""`Tensor`: what eager `ops.*`, `layer(x)` and `model(x)` return.

It holds one numpy array and hands it to numpy without a copy (`np.asarray(t)`), so it
goes wherever an array goes; `.numpy()` works as in TensorFlow's tutorials. Operators
and indexing run `kerasette.ops`, so the same expression also works on symbolic tensors.
"""

import numpy as np


class Tensor:
    """An eager tensor: what `ops.*` on arrays, `layer(x)` and `model(x)` return.

    It holds one numpy array and converts to numpy without a copy (`np.asarray(t)`);
    arithmetic, comparisons and indexing run `kerasette.ops`, and numpy's array
    methods (`t.mean()`, `t.reshape(...)`) act on the value.

    Args:
        value: An array-like.
    """

    __slots__ = ("_value", "_keras_mask")  # a layer call's output mask, as in Keras
    __array_priority__ = 100

    def __init__(self, value):
        self._value = value if isinstance(value, np.ndarray) else np.asarray(value)

    # ---- numpy interop -------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        v = self._value
        if dtype is not None and np.dtype(dtype) != v.dtype:
            return v.astype(dtype)
        return v.copy() if copy else v

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = tuple(i._value if isinstance(i, Tensor) else i for i in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(o._value if isinstance(o, Tensor) else o for o in kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)

    def numpy(self):
        """The value as a numpy array (the array itself, not a copy)."""
        return self._value

    def __getattr__(self, name):
        # numpy's array methods (t.mean(), t.reshape(...), t.max(axis=0)...) act on the
        # value, as they would on the array that `predict` returns.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._value, name)

    @property
    def shape(self):
        """The shape, a tuple of ints."""
        return self._value.shape

    @property
    def dtype(self):
        """The numpy dtype."""
        return self._value.dtype

    @property
    def ndim(self):
        """The number of axes."""
        return self._value.ndim

    @property
    def size(self):
        """The number of elements."""
        return self._value.size

    @property
    def T(self):
        """The transpose (axes reversed), as a `Tensor`."""
        from . import ops

        return ops.transpose(self)

    def item(self):
        """The value of a one-element tensor, as a Python number."""
        return self._value.item()

    def tolist(self):
        """The value as nested Python lists."""
        return self._value.tolist()

    def astype(self, dtype):
        """The tensor cast to `dtype` (through `ops.cast`).

        Args:
            dtype: The new dtype.

        Returns:
            A `Tensor`.
        """
        from . import ops

        return ops.cast(self, dtype)

    def __len__(self):
        return len(self._value)

    def __iter__(self):
        return (Tensor(v) for v in self._value)

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __index__(self):
        return self._value.__index__()

    def __bool__(self):
        return bool(self._value)

    def __getitem__(self, key):
        from . import ops

        return ops.getitem(self, key)

    def __repr__(self):
        return f"<kerasette.Tensor shape={self.shape}, dtype={self.dtype}, numpy=\n{self._value!r}>"

    def __str__(self):
        return str(self._value)

    def __format__(self, spec):
        return format(self._value, spec) if self._value.ndim == 0 else str(self)


def _binary(name, reverse=False):
    def method(self, other):
        from . import ops

        fn = getattr(ops, name)
        return fn(other, self) if reverse else fn(self, other)

    method.__name__ = name
    return method


def _unary(name):
    def method(self):
        from . import ops

        return getattr(ops, name)(self)

    return method


# Operators shared by Tensor and the symbolic Sym: both route through ops.
_BINARY = {
    "add": "add",
    "sub": "subtract",
    "mul": "multiply",
    "truediv": "true_divide",
    "floordiv": "floor_divide",
    "mod": "mod",
    "pow": "power",
    "matmul": "matmul",
    "and": "logical_and",
    "or": "logical_or",
    "xor": "logical_xor",
}
_COMPARE = {
    "eq": "equal",
    "ne": "not_equal",
    "lt": "less",
    "le": "less_equal",
    "gt": "greater",
    "ge": "greater_equal",
}


def install_operators(cls, with_eq=True):
    for dunder, op in _BINARY.items():
        setattr(cls, f"__{dunder}__", _binary(op))
        setattr(cls, f"__r{dunder}__", _binary(op, reverse=True))
    for dunder, op in _COMPARE.items():
        if with_eq or dunder not in ("eq", "ne"):
            setattr(cls, f"__{dunder}__", _binary(op))
    cls.__neg__ = _unary("negative")
    cls.__pos__ = lambda self: self
    cls.__abs__ = _unary("abs")
    cls.__invert__ = _unary("logical_not")


install_operators(Tensor)
Tensor.__hash__ = object.__hash__
