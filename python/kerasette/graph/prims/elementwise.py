"""Elementwise ops: unary math, binary arithmetic with numpy broadcasting.

Each is a row in a table: name, numpy implementation, gradient rule. The C++ program
runs the whole family with two kernels ("unary", "binary") keyed by the op's name.
"""
import numpy as np

from ..registry import register
from ._util import broadcast_shapes, float_dtype, result_dtype, unbroadcast


def _ops():
    from ... import ops
    return ops


# ---- unary -----------------------------------------------------------------------------
def _unary(name, fn, grad, float_out=True):
    def infer(x):
        return x.shape, (float_dtype(x.dtype) if float_out else str(np.dtype(x.dtype)))

    def ev(x):
        out = fn(x)
        return np.asarray(out, dtype=float_dtype(x.dtype) if float_out else x.dtype)

    register(name, infer=infer, eval=ev, grad=grad, kernel="unary")


def _g(rule):
    """A grad rule from dy/dx written in ops: node, g -> [g * rule(x, y)]."""
    def grad(node, g):
        x, y = node.inputs[0], node.outputs[0]
        return [_ops().multiply(g, rule(x, y))]
    return grad


_unary("negative", np.negative, lambda node, g: [_ops().negative(g)], float_out=False)
_unary("exp", np.exp, _g(lambda x, y: y))
_unary("log", np.log, _g(lambda x, y: _ops().reciprocal(x)))
_unary("reciprocal", np.reciprocal, _g(lambda x, y: _ops().negative(_ops().square(y))))
_unary("square", np.square, _g(lambda x, y: _ops().multiply(x, 2.0)), float_out=False)


# ---- binary ----------------------------------------------------------------------------
def _binary(name, fn, grad, out_dtype=None):
    def infer(a, b):
        shape = broadcast_shapes(a.shape, b.shape)
        return shape, out_dtype or result_dtype(a.dtype, b.dtype)

    def ev(a, b):
        return np.asarray(fn(a, b), dtype=out_dtype or result_dtype(a.dtype, b.dtype))

    register(name, infer=infer, eval=ev, grad=grad, kernel="binary")


def _add_grad(node, g):
    a, b = node.inputs
    return [unbroadcast(g, a.shape), unbroadcast(g, b.shape)]


def _sub_grad(node, g):
    a, b = node.inputs
    return [unbroadcast(g, a.shape), unbroadcast(_ops().negative(g), b.shape)]


def _mul_grad(node, g):
    a, b = node.inputs
    ops = _ops()
    return [unbroadcast(ops.multiply(g, b), a.shape), unbroadcast(ops.multiply(g, a), b.shape)]


def _div_grad(node, g):
    a, b = node.inputs
    ops = _ops()
    ga = ops.divide(g, b)
    gb = ops.negative(ops.multiply(ga, node.outputs[0]))
    return [unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)]


_binary("add", np.add, _add_grad)
_binary("subtract", np.subtract, _sub_grad)
_binary("multiply", np.multiply, _mul_grad)
_binary("divide", lambda a, b: np.true_divide(a, b), _div_grad)
