"""`import kerasette` must cost little beyond `import numpy` (DESIGN.md §3: < 0.1 s)
and must not drag in heavy libraries; submodules load on first use."""

import json
import os
import statistics
import subprocess
import sys

HEAVY = ("scipy", "h5py", "sklearn", "tensorflow", "keras", "torch", "pandas")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(code):
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout.strip().splitlines()[-1]


def _import_seconds(stmt):
    return float(
        _run(f"import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)")
    )


def test_import_adds_under_100ms_to_numpy():
    base, ours = [], []
    for _ in range(7):  # interleaved so machine noise hits both alike
        base.append(_import_seconds("import numpy"))
        ours.append(_import_seconds("import numpy, kerasette"))
    extra = statistics.median(ours) - statistics.median(base)
    assert extra < 0.1, (
        f"import kerasette adds {extra:.3f} s (numpy {statistics.median(base):.3f} s)"
    )


def test_native_core_load_is_cheap():
    base = statistics.median(_import_seconds("import numpy") for _ in range(5))
    ours = statistics.median(_import_seconds("import numpy, kerasette.config") for _ in range(5))
    assert ours - base < 0.1, f"loading the native core adds {ours - base:.3f} s"


def test_no_heavy_modules_at_import():
    for stmt in ("import kerasette", "import kerasette.config"):
        loaded = json.loads(
            _run(
                f"import sys, json; {stmt}; "
                f"print(json.dumps(sorted(set(m.split('.')[0] for m in sys.modules))))"
            )
        )
        heavy = [m for m in HEAVY if m in loaded]
        assert not heavy, f"`{stmt}` imported {heavy}"
