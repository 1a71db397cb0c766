"""The op registry: each primitive op is registered once, with everything about it.

infer(*inputs, **attrs) -> (shape, dtype) or [(shape, dtype), ...]
    Shape/dtype rule. Inputs are anything with `.shape` and `.dtype` (Syms, arrays);
    a shape may hold None (unknown until run time: the batch).
eval(*arrays, **attrs) -> ndarray or tuple of ndarrays
    The numpy implementation: eager `ops.*` on arrays run it, the graph interpreter
    runs it, and the C++ kernels are tested against it.
grad(node, *output_grads) -> [input grad or None, ...]
    The gradient rule, written in `kerasette.ops` (so it adds nodes to the graph the
    autodiff is building). An output grad may be None (that output is unused).
kernel: the name of the C++ program kernel that runs the op in a compiled program
    (graph/lower.py packs its operands and attributes), or None while only the
    interpreter runs it.
effect: the op writes state (a Variable, an optimizer slot), so passes keep it and
    never fold or merge it.
random: the op draws random numbers; CSE never merges two of them.
"""


class OpDef:
    __slots__ = ("name", "infer", "eval", "grad", "kernel", "effect", "random", "n_out")

    def __init__(
        self, name, infer, eval, grad=None, kernel=None, effect=False, random=False, n_out=1
    ):
        self.name, self.infer, self.eval, self.grad = name, infer, eval, grad
        self.kernel, self.effect, self.random, self.n_out = kernel, effect, random, n_out

    def __repr__(self):
        return f"<OpDef {self.name}>"


_OPS = {}


def register(name, infer, eval, grad=None, kernel=None, effect=False, random=False, n_out=1):
    if name in _OPS:
        raise ValueError(f"op {name!r} is registered twice")
    _OPS[name] = OpDef(name, infer, eval, grad, kernel, effect, random, n_out)
    return _OPS[name]


def get(name):
    try:
        return _OPS[name]
    except KeyError:
        raise KeyError(f"no op named {name!r} is registered") from None


def all_ops():
    return dict(_OPS)


def specs(result):
    """An infer result as a list of (shape, dtype)."""
    if isinstance(result, list):
        return [(tuple(s), d) for s, d in result]
    shape, dtype = result
    return [(tuple(shape), dtype)]
