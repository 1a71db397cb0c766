"""pyproject's extras and console script, and the errors that name an extra."""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import kerasette

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
NOT_FEATURES = {"all", "test", "bench", "docs", "save"}


def _python(code):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=ROOT
    )


def test_all_extra_names_every_feature_extra():
    extras = PROJECT["optional-dependencies"]
    (spec,) = extras["all"]
    named = set(re.fullmatch(r"kerasette\[([a-z,]+)\]", spec).group(1).split(","))
    assert named == set(extras) - NOT_FEATURES


def test_h5py_is_a_base_dependency():
    # .keras files, ModelCheckpoint, `kerasette serve` and pickled wrappers all need it.
    assert any(re.match(r"h5py\b", d) for d in PROJECT["dependencies"])


def test_version_flag():
    assert PROJECT["scripts"]["kerasette"] == "kerasette.cli:main"
    res = subprocess.run(
        [sys.executable, "-m", "kerasette.cli", "--version"], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == f"kerasette {kerasette.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", kerasette.__version__)


_BLOCK = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == {mod!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Block())
"""


def test_wrappers_without_sklearn_name_the_extra():
    res = _python(
        _BLOCK.format(mod="sklearn")
        + """
try:
    import kerasette.wrappers
except ImportError as e:
    print(type(e).__name__, e.name, str(e), sep="|")
"""
    )
    assert res.returncode == 0, res.stderr
    kind, name, msg = res.stdout.strip().split("|")
    assert (kind, name) == ("ImportError", "sklearn")
    assert "pip install 'kerasette[sklearn]'" in msg and "No module named 'sklearn'" in msg


def test_wrappers_with_an_old_sklearn_name_the_version():
    res = _python("""
import sklearn
sklearn.__version__ = "1.5.2"
try:
    import kerasette.wrappers
except ImportError as e:
    print(e)
""")
    assert res.returncode == 0, res.stderr
    assert "scikit-learn >= 1.6, found 1.5.2" in res.stdout
