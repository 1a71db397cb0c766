"""Docstring coverage of kerasette's public API.

Public means: each public submodule of ``kerasette`` (and the top-level names), the
names in its ``__all__`` (or, without one, its non-underscore names defined in
kerasette), and for each public class its public methods and properties defined
in a kerasette class, each function counted once however many classes share it.

A function counts as documented when it has its own docstring or overrides a
documented method of a kerasette base class (what ``help()`` shows). A class
counts when it has its own docstring.

    python3 tools/docstring_coverage.py            # the fraction
    python3 tools/docstring_coverage.py --missing  # and what lacks one
"""

import argparse
import importlib
import inspect
import sys
import types


def _is_ours(obj):
    module = getattr(obj, "__module__", None) or ""
    return module == "kerasette" or module.startswith("kerasette.")


def public_modules():
    """The public submodules of kerasette, as (name, module)."""
    import kerasette

    out = [("kerasette", kerasette)]
    for name in sorted(kerasette._SUBMODULES):
        try:
            out.append((f"kerasette.{name}", importlib.import_module(f"kerasette.{name}")))
        except ImportError:  # an optional extra is not installed
            continue
    return out


def public_names(module):
    """The public (name, object) pairs of one module."""
    names = getattr(module, "__all__", None)
    if module.__name__ == "kerasette":
        names = sorted(module._ATTRS)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    out = []
    for name in names:
        try:
            obj = getattr(module, name)
        except (AttributeError, ImportError):
            continue
        if isinstance(obj, types.ModuleType) or not _is_ours(obj):
            continue
        if inspect.isclass(obj) or inspect.isfunction(obj):
            out.append((name, obj))
    return out


def _documented_elsewhere(cls, attr):
    for base in cls.__mro__[1:]:
        if not _is_ours(base) or attr not in vars(base):
            continue
        if inspect.getdoc(_func(vars(base)[attr])):
            return True
    return False


def _func(member):
    if isinstance(member, (staticmethod, classmethod)):
        return member.__func__
    if isinstance(member, property):
        return member.fget
    return member


def items():
    """Every public (qualified name, documented?) pair, each object once."""
    seen = set()
    out = []

    def add(key, label, documented):
        if key not in seen:
            seen.add(key)
            out.append((label, documented))

    for mod_name, module in public_modules():
        for name, obj in public_names(module):
            if inspect.isfunction(obj):
                add(id(obj), f"{mod_name}.{name}", bool(obj.__doc__))
                continue
            add(id(obj), f"{mod_name}.{name}", bool(obj.__doc__))
            for klass in obj.__mro__:
                if not _is_ours(klass):
                    continue
                for attr, member in vars(klass).items():
                    if attr.startswith("_"):
                        continue
                    func = _func(member)
                    if not (inspect.isfunction(func)):
                        continue
                    documented = bool(func.__doc__) or _documented_elsewhere(klass, attr)
                    add(id(func), f"{klass.__module__}.{klass.__qualname__}.{attr}", documented)
    return out


def coverage():
    """(documented, total) over the public API."""
    found = items()
    return sum(doc for _, doc in found), len(found)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", action="store_true", help="list what lacks a docstring")
    args = parser.parse_args(argv)
    found = items()
    if args.missing:
        for label, doc in sorted(found):
            if not doc:
                print(label)
    documented = sum(doc for _, doc in found)
    print(
        f"{documented}/{len(found)} public functions and classes documented "
        f"({100 * documented / len(found):.1f}%)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
