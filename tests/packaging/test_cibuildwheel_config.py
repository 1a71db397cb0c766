"""pyproject.toml's [tool.cibuildwheel] tables, checked by cibuildwheel itself.

No wheel is built here (that needs Docker, macOS and Windows runners): these tests check
that cibuildwheel accepts the configuration, that it selects the builds the release
promises, and that the files its test command runs exist.
"""

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

if sys.version_info < (3, 11):
    pytest.skip("cibuildwheel needs Python 3.11 or newer", allow_module_level=True)
import tomllib  # noqa: E402

cibuildwheel = pytest.importorskip(
    "cibuildwheel", reason="pip install '.[test]' installs cibuildwheel"
)


def _config():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["cibuildwheel"]


def _identifiers(platform, *args):
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "cibuildwheel",
            "--print-build-identifiers",
            "--platform",
            platform,
            *args,
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    return res.stdout.split()


def test_config_matches_cibuildwheels_schema():
    jsonschema = pytest.importorskip(
        "jsonschema", reason="pip install '.[test]' installs jsonschema"
    )
    schema_path = Path(cibuildwheel.__file__).parent / "resources" / "cibuildwheel.schema.json"
    schema = json.loads(schema_path.read_text())
    jsonschema.validate(_config(), schema)
    # The check is not vacuous: a misspelt option or a wrong type is rejected.
    for bad in ({"test-command-typo": "x"}, {"archs": 3}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**_config(), **bad}, schema)


@pytest.mark.parametrize(
    "platform, archs, expected",
    [
        ("linux", (), {"manylinux_x86_64", "manylinux_aarch64"}),
        ("macos", ("--archs", "arm64"), {"macosx_arm64"}),
        ("macos", ("--archs", "x86_64"), {"macosx_x86_64"}),
        ("windows", (), {"win_amd64"}),
    ],
)
def test_build_identifiers(platform, archs, expected):
    ids = _identifiers(platform, *archs)
    pythons = {i.split("-")[0] for i in ids}
    assert {i.split("-", 1)[1] for i in ids} == expected, ids
    # Every CPython that requires-python (>=3.9) allows, none free-threaded.
    assert "cp39" in pythons and all(
        p.startswith("cp3") and not p.endswith("t") for p in pythons
    ), ids
    assert len(ids) == len(pythons) * len(expected), ids


def test_test_command_runs_files_it_copies():
    config = _config()
    sources = config["test-sources"]
    for src in sources:
        assert (ROOT / src).is_file(), src
    for command in config["test-command"]:
        words = shlex.split(command)
        assert words[0] == "python" and words[1] in sources, command
    assert config["test-extras"] == ["sklearn"]  # train_digits.py loads scikit-learn's digits
