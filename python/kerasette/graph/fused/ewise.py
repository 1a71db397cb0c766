"""`fused_ewise`: a chain of elementwise ops run as one pass over memory (the C++
`ewise` kernel evaluates it block by block in registers, tinygrad-style).

attrs: program = ((op, attrs, args), ...) where args index registers: the k inputs,
then the immediates `imms`, then each instruction's result in order; the last
instruction's result is the output.
"""

import numpy as np

from ..prims._util import broadcast_shapes
from ..registry import get, register


def _infer(*inputs, program, imms, dtype):
    # every op of the chain broadcasts its operands, so the result has the inputs' shape
    return broadcast_shapes(*[tuple(i.shape) for i in inputs]), dtype


def _eval(*inputs, program, imms, dtype):
    regs = list(inputs) + [np.asarray(v, np.float32) for v in imms]
    for op, attrs, args in program:
        regs.append(np.asarray(get(op).eval(*[regs[a] for a in args], **dict(attrs))))
    shape = np.broadcast_shapes(*[np.shape(i) for i in inputs])
    return np.asarray(np.broadcast_to(regs[-1], shape), dtype=dtype)


register("fused_ewise", infer=_infer, eval=_eval, kernel="ewise")


def _lower(ctx, node):
    from ..lower_rules import encode_ewise, ewise_code

    a = node.attrs
    k = len(node.inputs)
    base = k + len(a["imms"])
    prog = []
    dtypes = [s.dtype for s in node.inputs] + ["float32"] * len(a["imms"])
    for i, (op, attrs, args) in enumerate(a["program"]):
        d = dict(attrs)
        name = ewise_code(op, d, dtypes[args[0]] if args else "float32")
        regs = (list(args) + [0, 0, 0])[:3]
        prog.append((name, base + i, *regs))
        dtypes.append(d.get("dtype", "float32"))
    out = node.outputs[0]
    ints, floats = encode_ewise(
        ctx, node.inputs, out.shape, prog, a["imms"], [base + len(prog) - 1]
    )
    ctx.emit(
        "ewise", [ctx.val(s) for s in node.inputs], [ctx.out(out)], ints, floats, inplace_ok=True
    )


def _install_rules():
    from .. import lower_rules

    lower_rules.RULES["fused_ewise"] = _lower


_install_rules()
