"""python/kerasette/_core.pyi names everything the built core exports, and nothing else.

Regenerate it with tools/core_stub.py after adding a binding.
"""

import ast
import re
from pathlib import Path

from kerasette import _core

STUB = Path(__file__).resolve().parents[2] / "python" / "kerasette" / "_core.pyi"


def _stub_tree():
    return ast.parse(STUB.read_text())


def _stub_entries(body):
    """{name: node} for the functions, classes and annotated names of a stub body."""
    out = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out.setdefault(node.name, node)
        elif isinstance(node, ast.AnnAssign):
            out[node.target.id] = node
    return out


def _public(names):
    return {n for n in names if not n.startswith("_")}


def test_every_module_name_has_a_stub_entry():
    stub = _stub_entries(_stub_tree().body)
    module = _public(dir(_core)) | {"__version__"}
    assert module - set(stub) == set(), "names of _core missing from _core.pyi"
    assert _public(stub) - module == set(), "_core.pyi names what _core does not have"


def test_every_program_member_has_a_stub_entry():
    stub = _stub_entries(_stub_entries(_stub_tree().body)["Program"].body)
    assert _public(dir(_core.Program)) == _public(stub)


def _doc_params(func):
    """The parameter names pybind11 writes in a function's signature line."""
    line = func.__doc__.splitlines()[0]
    inside = line[line.index("(") + 1 : line.rindex(") ->")]
    depth, names, current = 0, [], ""
    for ch in inside + ",":
        depth += ch in "[(" and 1 or 0
        depth -= ch in "])" and 1 or 0
        if ch == "," and depth == 0:
            if current.strip():
                names.append(re.split(r"[:=]", current.strip())[0].strip().lstrip("*"))
            current = ""
        else:
            current += ch
    return names


def test_function_parameters_match_the_bindings():
    stub = _stub_entries(_stub_tree().body)
    for name in _public(dir(_core)):
        obj = getattr(_core, name)
        if not callable(obj) or isinstance(obj, type):
            continue
        args = stub[name].args
        stub_names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
        if args.kwarg:
            stub_names.append(args.kwarg.arg)
        assert stub_names == _doc_params(obj), name
