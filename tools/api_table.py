"""The "Supported Keras API" page: every public name of Keras 3 beside kerasette's.

Two steps, so that the page can be checked without TensorFlow:

    python3 tools/api_table.py --dump-keras   # real Keras -> tools/keras_api.json
    python3 tools/api_table.py                # keras_api.json + kerasette -> docs/keras-api.md
    python3 tools/api_table.py --check        # exit 1 when the page is out of date

A name's status comes from the code, never from a hand-kept list:

- missing: ``kerasette.<module>`` has no such attribute (or the module does not exist);
- partial: it exists, and
  - one of Keras's named arguments is not accepted (the signatures are compared,
    following ``**kwargs`` up kerasette's base classes), or
  - its docstring (or, for a class, a kerasette base class's) has a
    ``Limitations:`` section (the documented marker), or
  - its body (a function) or the ``__init__``s its arguments reach (a class), or
    a kerasette function they call by name, raise ``NotImplementedError``
    or ``ValueError`` with a message that says "not supported" or names kerasette
    (kerasette's refusals of what Keras accepts say so; Keras's own checks don't).
- supported: it exists and none of the above holds.
"""

import argparse
import ast
import functools
import importlib
import importlib.util
import inspect
import json
import re
import sys
import textwrap
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERAS_JSON = ROOT / "tools" / "keras_api.json"
PAGE = ROOT / "docs" / "keras-api.md"
# Base classes whose limitations every subclass shares (float32 only, no EMA...): the
# page lists them once, under "Shared limitations", instead of on every row.
SHARED_BASES = (
    "kerasette.layers.layer.Layer",
    "kerasette.losses.loss.Loss",
    "kerasette.metrics.metric.Metric",
    "kerasette.optimizers.optimizer.Optimizer",
)
# Keras's public modules that are a compatibility shim, not Keras 3's API.
SKIP_MODULES = {"keras.legacy", "keras.optimizers.legacy", "keras.utils.legacy"}


# -- real Keras ----------------------------------------------------------------------


def _named_params(func):
    """The named parameters of a callable (no self, *args or **kwargs), or None."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    return [
        p.name
        for p in sig.parameters.values()
        if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _describe(obj):
    if inspect.isclass(obj):
        init = obj.__dict__.get("__init__")
        return {"kind": "class", "params": _named_params(init) if init else []}
    if callable(obj):
        return {"kind": "function", "params": _named_params(obj)}
    return {"kind": "value", "params": None}


def dump_keras():
    """Every public name of every public Keras module, with its named arguments."""
    import keras

    modules = {}

    def walk(module, path):
        names = {}
        for name in sorted(dir(module)):
            if name.startswith("_"):
                continue
            obj = getattr(module, name)
            if isinstance(obj, types.ModuleType):
                if obj.__name__.startswith("keras") and ".src" not in obj.__name__:
                    sub = f"{path}.{name}"
                    if sub not in SKIP_MODULES:
                        walk(obj, sub)
                continue
            names[name] = _describe(obj)
        modules[path] = names

    walk(keras, "keras")
    return {"keras_version": keras.__version__, "modules": dict(sorted(modules.items()))}


# -- kerasette -----------------------------------------------------------------------


def _kerasette_module(keras_path):
    """kerasette's module for a Keras module path, or None when it has none."""
    name = "kerasette" + keras_path[len("keras") :]
    try:
        if importlib.util.find_spec(name) is None:
            return None
    except ModuleNotFoundError:  # a parent package is missing
        return None
    # A module that exists but fails to import is a bug to report, not "missing".
    return importlib.import_module(name)


def _accepted(obj):
    """The argument names kerasette's object takes, or None when it takes any."""
    if not inspect.isclass(obj):
        try:
            sig = inspect.signature(obj)
        except (TypeError, ValueError):
            return None
        if any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values()):
            return None
        return {p.name for p in sig.parameters.values()}
    names = set()
    for klass in obj.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        if klass is object:
            return names
        try:
            params = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            return None
        names.update(p.name for p in params)
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            return names
        module = getattr(klass, "__module__", "")
        if not module.startswith("kerasette"):
            return None
    return names


_LIMITS = re.compile(r"^\s*Limitations:\s*\n(?P<body>(?:\s+\S.*\n?)+)", re.M)


def _ours(klass):
    return getattr(klass, "__module__", "").startswith("kerasette")


def _shared(klass):
    return f"{klass.__module__}.{klass.__qualname__}" in SHARED_BASES


def _limitation(obj):
    """The documented limitations of an object: the `Limitations:` sections of its
    docstring and, for a class, of its kerasette base classes' docstrings."""
    owners = (
        [k for k in obj.__mro__ if _ours(k) and not _shared(k)] if inspect.isclass(obj) else [obj]
    )
    found = []
    for owner in owners:
        match = _LIMITS.search(inspect.cleandoc(owner.__doc__ or "") + "\n")
        if match:
            found.append(" ".join(match.group("body").split()))
    return " ".join(dict.fromkeys(found)) or None


def _message(node):
    """The text of a string or f-string expression ({...} for its fields)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            _message(v) if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
            for v in node.values
        )
    return ""


def _init_chain(cls):
    """The kerasette __init__s a class's constructor arguments reach: its own, then its
    bases' for as long as each passes **kwargs on."""
    chain = []
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        if not _ours(klass) or _shared(klass):
            break
        chain.append(init)
        try:
            params = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            break
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            break
    return chain


def _is_refusal(text):
    # "does not support" alone is also Keras's own wording for values Keras refuses too
    # (ReduceLROnPlateau's factor >= 1); kerasette's refusals say "not supported" or
    # name kerasette.
    return "not supported" in text or "kerasette" in text


def _raised_messages(func, depth=1):
    """The messages of the NotImplementedErrors and ValueErrors `func` raises, and those
    of the kerasette functions it calls by name (`depth` levels down)."""
    func = inspect.unwrap(func)  # arg_scope wraps every layer's __init__
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return []
    found = []
    helpers = getattr(func, "__globals__", {})
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Raise)
            and isinstance(node.exc, ast.Call)
            and getattr(node.exc.func, "id", None) in ("NotImplementedError", "ValueError")
            and node.exc.args
        ):
            found.append(_message(node.exc.args[0]))
        elif depth and isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            helper = helpers.get(node.func.id)
            if inspect.isfunction(helper) and _ours(helper):
                found += _raised_messages(helper, depth - 1)
    return found


@functools.cache
def _shared_refusals():
    """What the SHARED_BASES' constructors refuse (float32 only...), wherever raised."""
    out = set()
    for path in SHARED_BASES:
        module, name = path.rsplit(".", 1)
        klass = getattr(importlib.import_module(module), name)
        out.update(t for t in _raised_messages(klass.__dict__["__init__"]) if _is_refusal(t))
    return frozenset(out)


def _refusal(obj):
    """What a function, or the __init__s a class's arguments reach, refuses: the messages
    of the NotImplementedErrors and ValueErrors they raise that say a value is "not
    supported" or name kerasette."""
    targets = _init_chain(obj) if inspect.isclass(obj) else [obj]
    found = [
        text
        for target in targets
        for text in _raised_messages(target)
        if _is_refusal(text) and text not in _shared_refusals()
    ]
    return "; ".join(dict.fromkeys(found)) or None


def status(keras_path, name, info, module):
    """('supported' | 'partial' | 'missing', note) for one Keras name."""
    if module is None:
        return "missing", ""
    try:
        obj = getattr(module, name)
    except (AttributeError, ImportError):
        return "missing", ""
    if isinstance(obj, types.ModuleType):
        return "missing", ""
    notes = []
    params = info.get("params")
    if params and callable(obj):
        accepted = _accepted(obj)
        if accepted is not None:
            absent = [p for p in params if p not in accepted]
            if absent:
                notes.append("no argument " + ", ".join(f"`{p}`" for p in absent))
    if callable(obj):
        limit = _limitation(obj)
        if limit:
            notes.append(limit)
        refusal = _refusal(obj)
        if refusal and not limit:
            notes.append("refuses: " + refusal)
    return ("partial" if notes else "supported"), "; ".join(notes)


def table(keras_api):
    """{keras module: [(name, status, note)]} over every public Keras name."""
    out = {}
    for path, names in keras_api["modules"].items():
        if not names:
            continue
        module = _kerasette_module(path)
        out[path] = [(name, *status(path, name, info, module)) for name, info in names.items()]
    return out


def _shared_limitations():
    """[(base class path, limitations)] of the SHARED_BASES, from their code."""
    out = []
    for path in SHARED_BASES:
        module, name = path.rsplit(".", 1)
        klass = getattr(importlib.import_module(module), name)
        match = _LIMITS.search(inspect.cleandoc(klass.__doc__ or "") + "\n")
        # The documented limitation, or else what the code refuses.
        notes = (
            [" ".join(match.group("body").split())]
            if match
            else [t for t in _raised_messages(klass.__dict__["__init__"]) if _is_refusal(t)]
        )
        if notes:
            out.append((path, "; ".join(dict.fromkeys(notes))))
    return out


def render(keras_api, rows):
    counts = {s: 0 for s in ("supported", "partial", "missing")}
    for entries in rows.values():
        for _, state, _ in entries:
            counts[state] += 1
    total = sum(counts.values())
    lines = [
        "# Supported Keras API",
        "",
        f"Every public name of Keras {keras_api['keras_version']}, module by module, "
        "beside kerasette's. Generated by `tools/api_table.py` from the code; "
        "`tests/test_docs_api_table.py` fails when this page is out of date.",
        "",
        "- **supported**: `kerasette.<module>.<name>` exists and takes every named "
        "argument Keras's takes.",
        "- **partial**: it exists, but does not take some of Keras's arguments, or "
        "documents a limitation (a `Limitations:` section in its docstring), or refuses "
        "some argument values that Keras accepts (a `NotImplementedError` or "
        '`ValueError` saying "not supported" or naming kerasette, raised by its '
        "constructor or body). The note says which.",
        "- **missing**: kerasette has no such name.",
        "",
        "A name's status counts its own limitations. Those that every subclass of a "
        "base class shares are listed once here (from the same code markers):",
        "",
        *[f"- `{path}`: {note}" for path, note in _shared_limitations()],
        "",
        f"Overall: **{counts['supported']}** supported, **{counts['partial']}** partial, "
        f"**{counts['missing']}** missing, of {total} names.",
        "",
        "| Keras module | supported | partial | missing |",
        "|---|---:|---:|---:|",
    ]
    for path, entries in rows.items():
        n = {s: sum(1 for _, st, _ in entries if st == s) for s in counts}
        anchor = path.replace(".", "")
        lines.append(
            f"| [`{path}`](#{anchor}) | {n['supported']} | {n['partial']} | {n['missing']} |"
        )
    for path, entries in rows.items():
        lines += [
            "",
            f"## `{path}` {{#{path.replace('.', '')}}}",
            "",
            "| name | status | note |",
            "|---|---|---|",
        ]
        for name, state, note in entries:
            note = note.replace("|", "\\|")
            lines.append(f"| `{name}` | {state} | {note} |")
    return "\n".join(lines) + "\n"


def build_page():
    keras_api = json.loads(KERAS_JSON.read_text())
    return render(keras_api, table(keras_api))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dump-keras",
        action="store_true",
        help=f"write {KERAS_JSON.relative_to(ROOT)} from the installed Keras",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the committed page differs from the code"
    )
    args = parser.parse_args(argv)
    if args.dump_keras:
        KERAS_JSON.write_text(json.dumps(dump_keras(), indent=1, sort_keys=True) + "\n")
        return 0
    page = build_page()
    if args.check:
        if PAGE.read_text() != page:
            print(f"{PAGE.relative_to(ROOT)} is out of date: run python3 tools/api_table.py")
            return 1
        return 0
    PAGE.write_text(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
