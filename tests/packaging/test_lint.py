"""The tree is clean under the project's linters: ruff (lint and format, configured in
pyproject.toml) and clang-format (.clang-format) on the C++ sources. Both tools come
pinned with the test extra, since a newer formatter may format differently."""

import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CPP_SUFFIXES = {".cc", ".h", ".cpp", ".hpp", ".cu", ".cuh", ".inc"}
CPP_DIRS = ("csrc", "bench")


def _tool(name):
    found = shutil.which(name, path=sysconfig.get_path("scripts")) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install '.[test]' brings the pinned version")
    return found


def _run(*cmd):
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    return proc.returncode, (proc.stdout + proc.stderr)[-6000:]


def _cpp_files():
    if (ROOT / ".git").exists():
        rc, out = _run("git", "ls-files", *CPP_DIRS)
        if rc == 0:
            names = [ROOT / line for line in out.splitlines()]
            return sorted(str(p) for p in names if p.suffix in CPP_SUFFIXES and p.exists())
    return sorted(
        str(p) for d in CPP_DIRS for p in (ROOT / d).rglob("*") if p.suffix in CPP_SUFFIXES
    )


def test_ruff_check():
    rc, out = _run(_tool("ruff"), "check", "--no-cache", ".")
    assert rc == 0, f"ruff check found problems (ruff check --fix . fixes some):\n{out}"


def test_ruff_format():
    rc, out = _run(_tool("ruff"), "format", "--check", "--no-cache", ".")
    assert rc == 0, f"ruff format would change these files (run: ruff format .):\n{out}"


def test_clang_format():
    files = _cpp_files()
    assert any(f.endswith("program.cc") for f in files), "the C++ sources were not found"
    rc, out = _run(_tool("clang-format"), "--dry-run", "-Werror", *files)
    assert rc == 0, f"clang-format would change these files (run clang-format -i):\n{out}"


def test_lint_catches_a_problem(tmp_path):
    """The checks can fail: an unused import and a badly formatted line are reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nx=[1,\n2]\n")
    cfg = str(ROOT / "pyproject.toml")
    assert _run(_tool("ruff"), "check", "--no-cache", "--config", cfg, str(bad))[0] != 0
    assert _run(_tool("ruff"), "format", "--check", "--no-cache", "--config", cfg, str(bad))[0] != 0
    cc = tmp_path / "bad.cc"
    cc.write_text("int  f( int x ){return x;}\n")
    style = f"--style=file:{ROOT / '.clang-format'}"
    assert _run(_tool("clang-format"), style, "--dry-run", "-Werror", str(cc))[0] != 0
