"""The repaired wheel installs and runs the main job where there is no compiler.

tools/build_wheel.sh builds the manylinux wheel in a temporary build folder (nothing is
left in the tree; ccache, when installed, keeps a rebuild short), or KERASETTE_WHEEL
names one already built. It goes into a fresh venv whose PATH is only the venv's bin
(CC/CXX are /bin/false, and pip may take binary wheels only), and tools/wheel_smoke.py
and examples/train_digits.py run from a folder outside the source tree. The tests skip
only where the script says this machine cannot build the wheel (exit status 3: not
Linux, no C++ compiler, no auditwheel). The sizes and times are printed (pytest -s).
"""

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="auditwheel repairs Linux wheels only"
    ),
]

ROOT = Path(__file__).resolve().parents[2]
COMPILERS = ("cc", "c++", "gcc", "g++", "clang", "clang++", "cmake")


def _project_version():
    text = (ROOT / "pyproject.toml").read_text()
    return re.search(r'^version = "([^"]+)"', text, re.M).group(1)


def _run(cmd, **kw):
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert res.returncode == 0, f"{cmd} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}"
    return res


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    given = os.environ.get("KERASETTE_WHEEL")
    if given:
        return Path(given).resolve(), None
    out = tmp_path_factory.mktemp("dist")
    env = dict(
        os.environ, PYTHON=sys.executable, KERASETTE_BUILD_DIR=str(tmp_path_factory.mktemp("build"))
    )
    if shutil.which("ccache"):
        env.setdefault("CMAKE_CXX_COMPILER_LAUNCHER", "ccache")  # CMake reads it from the env
    t0 = time.perf_counter()
    res = subprocess.run(
        ["bash", str(ROOT / "tools" / "build_wheel.sh"), str(out)],
        capture_output=True,
        text=True,
        env=env,
    )
    if res.returncode == 3:
        pytest.skip(res.stderr.strip().splitlines()[-1])
    assert res.returncode == 0, f"build_wheel.sh failed ({res.returncode}):\n{res.stderr[-5000:]}"
    return Path(res.stdout.strip().splitlines()[-1]), time.perf_counter() - t0


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel):
    """A fresh venv with the wheel installed, and the compiler-free env to run it in."""
    path, build_s = wheel
    root = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", str(root)])
    bindir = root / "bin"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "CONDA", "PIP_"))
    }
    env.update(
        PATH=str(bindir),
        CC="/bin/false",
        CXX="/bin/false",
        VIRTUAL_ENV=str(root),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    for tool in COMPILERS:
        assert shutil.which(tool, path=env["PATH"]) is None, f"{tool} is on the test PATH"
    pip = [str(bindir / "python"), "-m", "pip", "install", "-q", "--only-binary=:all:"]
    t0 = time.perf_counter()
    _run(pip + ["numpy>=1.23", "h5py>=3.8"], env=env)
    deps_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    _run(pip + ["--no-deps", str(path)], env=env)
    install_s = time.perf_counter() - t0
    print(
        f"\nwheel {path.name}: {path.stat().st_size / 1e6:.2f} MB"
        + (f", built and repaired in {build_s:.0f} s" if build_s else "")
        + f"; install from the wheel {install_s:.1f} s (numpy + h5py first: {deps_s:.1f} s)"
    )
    return root, env, path


def _py(venv, code, cwd):
    root, env, _ = venv
    return subprocess.run(
        [str(root / "bin" / "python"), "-c", code], capture_output=True, text=True, env=env, cwd=cwd
    )


def test_wheel_is_manylinux_with_its_own_libgomp(wheel):
    path, _ = wheel
    assert re.search(r"-manylinux_2_\d+_(x86_64|aarch64)\.whl$", path.name), path.name
    names = zipfile.ZipFile(path).namelist()
    assert [n for n in names if re.match(r"kerasette\.libs/libgomp-[0-9a-f]+\.so", n)], names
    assert not [n for n in names if n.startswith(("csrc/", "tests/"))]


def test_auditwheel_finds_nothing_left_to_vendor(wheel):
    """`auditwheel show`: the wheel is consistent with its own tag, and the only libgomp
    it needs is its hashed copy (libstdc++ and glibc stay the system's, as the policy says)."""
    path, _ = wheel
    pytest.importorskip(
        "auditwheel", reason="auditwheel is not installed (tools/build_wheel.sh installs it)"
    )
    text = " ".join(_run([sys.executable, "-m", "auditwheel", "show", str(path)]).stdout.split())
    tags = path.name[: -len(".whl")].split("-")[-1].split(".")
    assert any(f'consistent with the following platform tag: "{t}"' in text for t in tags), text
    assert re.search(r"libgomp-[0-9a-f]{8}\.so", text) and "libgomp.so" not in text, text


def test_installed_core_loads_the_vendored_libgomp(venv, tmp_path):
    res = _py(venv, "import kerasette._core as c; print(c.__file__)", tmp_path)
    assert res.returncode == 0, res.stderr
    so = Path(res.stdout.strip())
    assert so.is_relative_to(venv[0]), so  # the venv's copy, not the source tree's
    ldd = _run(["ldd", str(so)]).stdout
    assert "not found" not in ldd, ldd
    gomp = [line for line in ldd.splitlines() if "libgomp" in line]
    assert gomp and all("kerasette.libs" in line for line in gomp), ldd


def test_smoke_script(venv, tmp_path):
    """tools/wheel_smoke.py, the check cibuildwheel runs on every platform's wheel."""
    script = tmp_path / "wheel_smoke.py"
    shutil.copy(ROOT / "tools" / "wheel_smoke.py", script)
    root, env, _ = venv
    res = subprocess.run(
        [str(root / "bin" / "python"), str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert res.returncode == 0 and "ok: loss" in res.stdout, res.stdout + res.stderr


def test_version_and_missing_extra(venv, tmp_path):
    root, env, _ = venv
    res = subprocess.run(
        [str(root / "bin" / "kerasette"), "--version"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert (res.returncode, res.stdout) == (0, f"kerasette {_project_version()}\n"), res
    # scikit-learn is not installed yet: the error names the extra.
    res = _py(venv, "import kerasette.wrappers", tmp_path)
    assert res.returncode == 1
    assert "pip install 'kerasette[sklearn]'" in res.stderr, res.stderr


def test_save_and_load_without_extras(venv, tmp_path):
    code = """
import numpy as np, kerasette as keras
m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
x = np.arange(6, dtype="float32").reshape(2, 3)
m.save("m.keras")
w = m.get_weights()
restored = keras.models.load_model("m.keras")
assert len(restored.get_weights()) == len(w) == 2
for a, b in zip(restored.get_weights(), w):
    np.testing.assert_array_equal(a, b)
y = restored.predict(x, verbose=0)
np.testing.assert_array_equal(y, m.predict(x, verbose=0))
# numpy's matmul may round differently (FMA), hence a float32 tolerance.
np.testing.assert_allclose(y, x @ w[0] + w[1], rtol=1e-6, atol=1e-6)
print("ok")
"""
    res = _py(venv, code, tmp_path)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr


def test_main_job_from_outside_the_source_tree(venv, tmp_path):
    root, env, path = venv
    _run(
        [
            str(root / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--only-binary=:all:",
            f"{path}[sklearn]",
        ],
        env=env,
    )
    script = tmp_path / "train_digits.py"
    shutil.copy(ROOT / "examples" / "train_digits.py", script)
    t0 = time.perf_counter()
    res = subprocess.run(
        [str(root / "bin" / "python"), str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    took = time.perf_counter() - t0
    assert res.returncode == 0, res.stderr
    acc = float(re.search(r"test accuracy (\d\.\d+)", res.stdout).group(1))
    print(f"\nmain job in the fresh venv: test accuracy {acc:.4f} in {took:.1f} s")
    # An MLP on digits: scikit-learn's MLPClassifier gets ~0.97 on this split.
    assert acc >= 0.95, res.stdout
