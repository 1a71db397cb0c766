"""The documentation site builds with `mkdocs build --strict` (a broken link, a missing
page, or a docstring whose Args name a parameter the signature lacks fails it), and the
guides' Python examples run."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings_handlers.python")
    pytest.importorskip("material")
    env = dict(
        os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=os.pathsep.join(p for p in sys.path if p)
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The generated pages hold what they are meant to: the API pages list the layers,
    # and an included README section arrived.
    layers = (tmp_path / "api" / "layers" / "index.html").read_text()
    assert 'id="kerasette.layers.Dense"' in layers
    home = (tmp_path / "index.html").read_text()
    assert "include README.md" not in home and "sparse_categorical_crossentropy" in home


def _python_blocks(page):
    return re.findall(r"```python\n(.*?)```", (ROOT / "docs" / page).read_text(), re.S)


@pytest.mark.parametrize("page", ["quickstart.md", "tensorflow.md"])
def test_guide_examples_run(page, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # quickstart saves model.keras
    pytest.importorskip("h5py")
    blocks = _python_blocks(page)
    assert blocks
    for block in blocks:
        exec(compile(block, page, "exec"), {})
    if page == "tensorflow.md":  # the Session example prints its result
        assert "[6. 6.]" in capsys.readouterr().out
