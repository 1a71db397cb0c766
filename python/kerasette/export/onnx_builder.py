"""`OnnxGraph`: the ONNX nodes, initializers and names that one kerasette graph becomes.

The lowering rules (onnx_rules.py) see only this: `val(sym, dtype)` gives the ONNX name
of an input (cast when the rule needs another dtype), `op(...)` adds a node, `const(...)`
an initializer. A Scan body is a child graph that shares the name counter and puts its
constants in the root graph, where ONNX lets a subgraph read them by name.
"""

import itertools

import numpy as np


def _onnx():
    import onnx

    return onnx


def onnx_dtype(dtype):
    """The TensorProto element type of a numpy dtype name."""
    from onnx import helper

    d = np.dtype(dtype)
    try:
        return helper.np_dtype_to_tensor_dtype(d)
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"ONNX export: dtype {d} has no ONNX equivalent") from None


class OnnxGraph:
    def __init__(self, parent=None):
        self.parent = parent
        self.root = self if parent is None else parent.root
        self._ids = itertools.count() if parent is None else parent._ids
        self.nodes = []
        self.initializers = [] if parent is None else None
        self._names = {}  # id(Sym) -> (ONNX name, dtype)
        self._casts = {}  # (name, dtype) -> cast name
        self._consts = {} if parent is None else None  # small constants, shared

    # ---- names ---------------------------------------------------------------------------
    def fresh(self, hint="t"):
        return f"{hint}_{next(self._ids)}"

    def bind(self, sym, name, dtype=None):
        self._names[id(sym)] = (name, str(np.dtype(dtype or sym.dtype)))

    def lookup(self, sym):
        g = self
        while g is not None:
            hit = g._names.get(id(sym))
            if hit is not None:
                return hit
            g = g.parent
        raise KeyError(f"ONNX export: {sym} has no value yet")

    def val(self, sym, dtype=None):
        """The ONNX name holding `sym`, cast to `dtype` when given and different."""
        name, have = self.lookup(sym)
        return self.cast(name, have, dtype) if dtype is not None else name

    def cast(self, name, have, want):
        want = str(np.dtype(want))
        if str(np.dtype(have)) == want:
            return name
        key = (name, want)
        hit = self._casts.get(key)
        if hit is None:
            hit = self._casts[key] = self.op("Cast", [name], to=onnx_dtype(want))
        return hit

    # ---- nodes and constants ---------------------------------------------------------------
    def op(self, op_type, inputs, n_out=1, outputs=None, **attrs):
        """Adds one node; returns its output name (or the list of them for n_out > 1)."""
        from onnx import helper

        outs = outputs or [self.fresh(op_type.lower()) for _ in range(n_out)]
        self.nodes.append(
            helper.make_node(op_type, list(inputs), outs, name=self.fresh(f"n_{op_type}"), **attrs)
        )
        return outs[0] if len(outs) == 1 else outs

    def const(self, value, dtype=None, hint="c"):
        """An initializer holding `value` (in the root graph, shared when small)."""
        from onnx import numpy_helper

        arr = np.asarray(value, dtype=dtype)
        root = self.root
        key = None
        if arr.size <= 16:
            key = (arr.dtype.str, arr.shape, arr.tobytes())
            hit = root._consts.get(key)
            if hit is not None:
                return hit
        name = self.fresh(hint)
        # copy, not ascontiguousarray, which makes a 0-d value 1-d
        root.initializers.append(numpy_helper.from_array(arr.copy(order="C"), name))
        if key is not None:
            root._consts[key] = name
        return name

    def ints(self, values):
        """A 1-D int64 constant (axes, shapes, pads, slice bounds)."""
        return self.const(np.asarray(list(values), dtype=np.int64).reshape(-1))

    def scalar(self, value, dtype):
        return self.const(np.asarray(value, dtype=dtype))

    def shape_of(self, name):
        return self.op("Shape", [name])

    def shape_vector(self, dims, like):
        """An int64 shape tensor for `dims`, whose None entries are read from the ONNX
        value `like` at the same position (its run-time shape)."""
        dims = list(dims)
        if all(d is not None for d in dims):
            return self.ints(dims)
        if sum(d is None for d in dims) == 1:
            return self.ints([-1 if d is None else d for d in dims])
        shp = self.shape_of(like)
        parts = []
        for i, d in enumerate(dims):
            if d is None:
                parts.append(self.op("Gather", [shp, self.ints([i])], axis=0))
            else:
                parts.append(self.ints([d]))
        return self.op("Concat", parts, axis=0)

    def child(self):
        return OnnxGraph(parent=self)

    def make_graph(self, name, inputs, outputs):
        """inputs/outputs: ValueInfoProtos."""
        from onnx import helper

        return helper.make_graph(
            self.nodes, name, inputs, outputs, initializer=self.initializers or []
        )


def value_info(name, dtype, shape, dim_names=None):
    """A ValueInfoProto; None dims get `dim_names[i]` (a symbolic size) or stay unnamed."""
    from onnx import helper

    if shape is None:
        return helper.make_tensor_value_info(name, onnx_dtype(dtype), None)
    dims = []
    for i, d in enumerate(shape):
        if d is None:
            dims.append((dim_names or {}).get(i))
        else:
            dims.append(int(d))
    return helper.make_tensor_value_info(name, onnx_dtype(dtype), dims)
