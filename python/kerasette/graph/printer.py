"""A readable listing of an FnIR, one op per line, like a jaxpr:

    { lambda ; a:f32[?,784] .
        b:f32[784,256] = variable[dense/kernel]
        c:f32[?,256] = matmul a b
      in (c,) }

`?` is a size known only at run time, `f32[*]` a tensor of unknown rank. Small constants
print their values, larger ones their shape. Each node is exactly one line (the tests
count them), so a listing before and after the passes diffs line by line.
"""

import numpy as np

from .ir import unknown_rank

_SHORT = {
    "float32": "f32",
    "float64": "f64",
    "float16": "f16",
    "int32": "i32",
    "int64": "i64",
    "bool": "bool",
    "uint8": "u8",
    "int8": "i8",
    "bfloat16": "bf16",
}


def _names():
    i = 0
    while True:
        n, s = i, ""
        while True:
            s = chr(ord("a") + n % 26) + s
            n = n // 26 - 1
            if n < 0:
                break
        yield s
        i += 1


def _type(sym):
    if unknown_rank(sym.shape):
        return f"{_SHORT.get(sym.dtype, sym.dtype)}[*]"
    dims = ",".join("?" if d is None else str(d) for d in sym.shape)
    return f"{_SHORT.get(sym.dtype, sym.dtype)}[{dims}]"


def _attr(k, v):
    if k == "var":
        return getattr(v, "path", "variable")
    if isinstance(v, np.ndarray):
        if v.size == 1:
            return repr(v.item())
        if v.size <= 8:
            return (
                np.array2string(v, separator=",", max_line_width=1 << 30)
                .replace("\n", "")
                .replace(" ", "")
            )
        return f"<{v.shape} array>"
    if callable(v):
        return getattr(v, "__name__", type(v).__name__)
    return f"{k}={v!r}"


def _one_line(text):
    return text.replace("\r", "\\r").replace("\n", "\\n")


def format_fn(fn):
    names, gen = {}, _names()

    def name(sym):
        if id(sym) not in names:
            names[id(sym)] = next(gen)
        return names[id(sym)]

    ins = " ".join(f"{name(s)}:{_type(s)}" for s in fn.inputs)
    lines = [f"{{ lambda ; {ins} ."]
    input_ids = {id(s) for s in fn.inputs}
    for node in fn.nodes:
        if node.op == "placeholder" and id(node.outputs[0]) in input_ids:
            continue
        outs = " ".join(f"{name(o)}:{_type(o)}" for o in node.outputs)
        attrs = [_one_line(_attr(k, v)) for k, v in sorted(node.attrs.items()) if v is not None]
        head = node.op + (f"[{', '.join(attrs)}]" if attrs else "")
        args = " ".join(name(i) for i in node.inputs)
        lines.append(f"    {outs} = {head} {args}".rstrip())
    outs = ", ".join(name(s) for s in fn.outputs)
    eff = f" ; effects ({', '.join(name(s) for s in fn.effects)})" if fn.effects else ""
    lines.append(f"  in ({outs},){eff} }}")
    return "\n".join(lines)
