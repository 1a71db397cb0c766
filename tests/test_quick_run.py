"""The quick run's selection (tests/conftest.py): a deterministic subset of the full run
that leaves out slow tests and still runs every ISA of the kernel tests."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _collect(*args):
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return [line for line in r.stdout.splitlines() if "::" in line]


@pytest.fixture(scope="module")
def kernels():
    return {
        "quick": _collect("tests/kernels", "tests/docs"),
        "again": _collect("tests/kernels", "tests/docs"),
        "full": _collect("--full", "tests/kernels", "tests/docs"),
    }


def test_quick_is_a_fixed_subset_of_full(kernels):
    quick, full = kernels["quick"], kernels["full"]
    assert quick == kernels["again"]
    assert set(quick) < set(full)
    assert len(quick) < len(full) / 3  # the kernel suite is sampled


def test_quick_leaves_out_slow_tests(kernels):
    slow = "tests/docs/test_mkdocs.py::test_mkdocs_build_strict"  # marked slow
    assert slow in kernels["full"] and slow not in kernels["quick"]


def test_quick_runs_every_isa_of_each_kernel_test(kernels):
    from kerasette.backend import core

    isas = core.cpu_features()["supported_isas"]
    # The `isa` fixture's value leads a kernel test's id: test_x[avx2-...] or test_x[avx2].
    by_isa = {}
    for run in ("quick", "full"):
        for t in kernels[run]:
            name, _, params = t.partition("[")
            lead = params.split("-")[0].rstrip("]")
            if name.startswith("tests/kernels/") and lead in isas:
                by_isa.setdefault((run, name), set()).add(lead)
    functions = {name for run, name in by_isa if run == "full"}
    assert len(functions) > 10
    for name in functions:
        assert by_isa.get(("quick", name)) == set(isas), name


def test_a_named_file_runs_in_full():
    path = "tests/kernels/test_optimizers.py"
    assert _collect(path) == _collect("--full", path)
