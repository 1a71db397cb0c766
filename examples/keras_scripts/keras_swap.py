"""Run one collected script, unchanged, under real Keras or under kerasette.

    python -c "import keras_swap; keras_swap.main()" MODE SCRIPT RECORD.json

MODE is ``keras`` or ``kerasette``. The script's text is never edited: an import hook
decides what its ``import keras`` gets.

* ``keras``: real Keras 3 (``KERAS_BACKEND`` as set by the caller). ``keras_core``
  (the name the Keras 3 ports of the keras.io examples were written against) is an
  alias of ``keras``.
* ``kerasette``: ``keras``, ``keras.*``, ``keras_core``, ``keras_core.*``,
  ``tensorflow.keras`` and ``tensorflow.keras.*`` all resolve to ``kerasette`` /
  ``kerasette.*``, and ``tensorflow.keras`` (the attribute the TensorFlow tutorials
  use as ``tf.keras``) is kerasette once TensorFlow is imported. Real Keras is never
  imported by the script in this mode. Third-party packages that ``import keras``
  (scikeras) get kerasette too.

While the script runs, ``Model.fit/evaluate/predict`` of whichever Keras it got are
wrapped to note what they returned (the last epoch's logs, evaluate's values, the
shape and summary statistics of predict's output) so that run_all.py can compare the
numbers of the two runs. The wrappers return exactly what the wrapped call returned.
At exit the notes, and any error (its type, message and the script line it came
from), are written to RECORD.json. ``KERAS_SWAP_NO_RECORD=1`` leaves the methods
unwrapped (to check that the bookkeeping changes nothing).
"""

import atexit
import importlib
import importlib.abc
import importlib.util
import json
import math
import os
import runpy
import sys
import threading
import time
import traceback

_RECORD = {"events": [], "error": None}
_local = threading.local()


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass


class _PatchTensorFlowLoader(importlib.abc.Loader):
    """Loads TensorFlow as usual, then points its ``keras`` attribute at kerasette."""

    def __init__(self, loader, target):
        self.loader = loader
        self.target = target

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        module.keras = importlib.import_module(self.target)


class _AliasFinder(importlib.abc.MetaPathFinder):
    def __init__(self, aliases, patch_tensorflow=None):
        self.aliases = aliases  # {"keras": "kerasette", ...}
        self.patch_tensorflow = patch_tensorflow

    def find_spec(self, name, path, target=None):
        for alias, real in self.aliases.items():
            if name == alias or name.startswith(alias + "."):
                target_name = real + name[len(alias) :]
                return importlib.util.spec_from_loader(name, _AliasLoader(target_name))
        if name == "tensorflow" and self.patch_tensorflow:
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    spec.loader = _PatchTensorFlowLoader(spec.loader, self.patch_tensorflow)
                    return spec
        return None


def _num(v):
    try:
        f = float(v)
    except Exception:
        return None
    return f if math.isfinite(f) else str(f)


def _summarize(value):
    """JSON-able summary of fit/evaluate/predict results."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): _summarize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if all(not hasattr(v, "shape") or np.ndim(v) == 0 for v in value):
            return [_num(v) for v in value]
        return [_summarize(v) for v in value]
    try:
        arr = np.asarray(value)
    except Exception:
        return repr(type(value))
    if arr.ndim == 0:
        return _num(arr)
    if arr.dtype.kind in "fiub" and arr.size:
        a = arr.astype("float64")
        return {
            "shape": list(arr.shape),
            "dtype": str(arr.dtype),
            "mean": _num(np.nanmean(a)),
            "std": _num(np.nanstd(a)),
            "argmax_hist": (
                np.bincount(a.reshape(len(a), -1).argmax(-1)).tolist()
                if a.ndim >= 2 and a.shape[-1] > 1
                else None
            ),
        }
    return {"shape": list(arr.shape), "dtype": str(arr.dtype)}


def _wrap(cls, name):
    owner = next((c for c in cls.__mro__ if name in c.__dict__), None)
    if owner is None or owner is object:
        return
    cls = owner
    original = cls.__dict__[name]
    if getattr(original, "_keras_swap", False) or not callable(original):
        return

    def wrapper(self, *args, **kwargs):
        depth = getattr(_local, "depth", 0)
        _local.depth = depth + 1
        try:
            result = original(self, *args, **kwargs)
        finally:
            _local.depth = depth
        if depth == 0:
            try:
                if name == "fit":
                    hist = getattr(result, "history", None) or {}
                    logs = {k: _num(v[-1]) for k, v in hist.items() if len(v)}
                    event = {
                        "call": "fit",
                        "epochs": max((len(v) for v in hist.values()), default=0),
                        "logs": logs,
                    }
                elif name == "evaluate":
                    event = {"call": "evaluate", "value": _summarize(result)}
                else:
                    event = {"call": "predict", "value": _summarize(result)}
                event["model"] = type(self).__name__
                _RECORD["events"].append(event)
            except Exception as exc:  # never let the bookkeeping break the script
                _RECORD["events"].append({"call": name, "note": f"not summarized: {exc!r}"})
        return result

    wrapper._keras_swap = True
    wrapper.__name__ = getattr(original, "__name__", name)
    wrapper.__doc__ = getattr(original, "__doc__", None)
    setattr(cls, name, wrapper)


def _instrument(keras_module):
    seen = set()
    stack = [keras_module.Model]
    for extra in ("Sequential",):
        cls = getattr(keras_module, extra, None)
        if isinstance(cls, type):
            stack.append(cls)
    # Model classes a package defines (e.g. Sequential/Functional overriding fit).
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for name in ("fit", "evaluate", "predict"):
            _wrap(cls, name)
        stack.extend(cls.__subclasses__())


def _write(record_path):
    _RECORD["seconds"] = round(time.time() - _RECORD.get("start", time.time()), 2)
    with open(record_path, "w") as f:
        json.dump(_RECORD, f, indent=1, default=str)


def main(argv=None):
    mode, script, record_path = (argv or sys.argv[1:])[:3]
    script = os.path.abspath(script)
    _RECORD.update(mode=mode, script=script, start=time.time())
    atexit.register(_write, record_path)

    _setup(mode, record=not os.environ.get("KERAS_SWAP_NO_RECORD"))

    sys.argv = [script]
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (None, 0):
            _record_error(exc, script)
            raise
    except BaseException as exc:
        _record_error(exc, script)
        traceback.print_exc()
        sys.stderr.flush()
        _write(record_path)
        os._exit(1)


def _setup(mode, record=True):
    if mode == "keras":
        sys.meta_path.insert(0, _AliasFinder({"keras_core": "keras"}))
        import keras as real_keras

        _RECORD["keras"] = f"keras {real_keras.__version__} ({real_keras.backend.backend()})"
        if record:
            _instrument(real_keras)
    elif mode == "kerasette":
        import kerasette

        sys.meta_path.insert(
            0,
            _AliasFinder(
                {"keras": "kerasette", "keras_core": "kerasette", "tensorflow.keras": "kerasette"},
                patch_tensorflow="kerasette",
            ),
        )
        if "tensorflow" in sys.modules:  # kerasette itself imported TF: patch it now
            sys.modules["tensorflow"].keras = kerasette
        _RECORD["keras"] = (
            f"kerasette {getattr(kerasette, '__version__', '?')} "
            f"from {os.path.dirname(kerasette.__file__)}"
        )
        if record:
            _instrument(kerasette)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


def keras_names(source):
    """The ``keras.a.b`` names a script's code refers to (static: imports and dotted
    attribute chains rooted at a name bound to keras, keras_core or tf.keras; method
    calls on objects are not followed)."""
    import ast

    tree = ast.parse(source)
    roots = {}  # local name -> dotted path in keras
    names = set()

    def canon(module):
        for prefix in ("tensorflow.keras", "keras_core", "keras"):
            if module == prefix or module.startswith(prefix + "."):
                return "keras" + module[len(prefix) :]
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                c = canon(a.name)
                if a.name in ("tensorflow",):
                    roots[a.asname or a.name] = "tensorflow"
                elif c:
                    if a.asname:
                        roots[a.asname] = c
                    else:
                        roots[a.name.split(".")[0]] = "keras" if c.startswith("keras") else c
                        names.add(c)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "tensorflow":
                for a in node.names:
                    if a.name == "keras":
                        roots[a.asname or a.name] = "keras"
                continue
            c = canon(node.module)
            if c:
                for a in node.names:
                    if a.name != "*":
                        roots[a.asname or a.name] = f"{c}.{a.name}"
                        names.add(f"{c}.{a.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain = []
            cur = node
            while isinstance(cur, ast.Attribute):
                chain.append(cur.attr)
                cur = cur.value
            if isinstance(cur, ast.Name) and cur.id in roots:
                base = roots[cur.id]
                parts = list(reversed(chain))
                if base == "tensorflow":
                    if not parts or parts[0] != "keras":
                        continue
                    base, parts = "keras", parts[1:]
                if parts:
                    names.add(base + "." + ".".join(parts))
    return names


def _resolve(dotted):
    """The longest prefix of DOTTED that does not resolve, or None if it all does."""
    parts = dotted.split(".")
    try:
        obj = importlib.import_module(parts[0])
    except Exception:
        return parts[0]
    for i in range(1, len(parts)):
        try:
            obj = getattr(obj, parts[i])
            continue
        except AttributeError:
            pass
        except Exception:
            return None  # a lazy attribute that raised: not a missing name
        try:
            obj = importlib.import_module(".".join(parts[: i + 1]))
        except Exception:
            return ".".join(parts[: i + 1])
    return None


def probe(argv=None):
    """``python -c "import keras_swap; keras_swap.probe()" MODE OUT.json SCRIPT...``:
    for each script, the keras names it refers to that don't resolve under MODE."""
    mode, out, *scripts = argv or sys.argv[1:]
    _setup(mode, record=False)
    result = {}
    for script in scripts:
        missing = set()
        for name in sorted(keras_names(open(script).read())):
            m = _resolve(name)
            if m:
                missing.add(m)
        result[os.path.splitext(os.path.basename(script))[0]] = sorted(missing)
    with open(out, "w") as f:
        json.dump(result, f, indent=1)


def _record_error(exc, script):
    tb = traceback.extract_tb(exc.__traceback__)
    in_script = [f for f in tb if os.path.abspath(f.filename) == script]
    deepest = tb[-1] if tb else None
    message = str(exc).strip().splitlines()
    _RECORD["error"] = {
        "type": type(exc).__name__,
        "message": message[0][:400] if message else "",
        "script_line": in_script[-1].lineno if in_script else None,
        "script_code": in_script[-1].line if in_script else None,
        "raised_at": f"{deepest.filename}:{deepest.lineno}" if deepest else None,
    }
