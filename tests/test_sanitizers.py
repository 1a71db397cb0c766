"""Builds the core with AddressSanitizer + UndefinedBehaviorSanitizer
(-DKERASETTE_SANITIZE=ON) and runs the kernel tests against that build.

Python itself is not instrumented, so the sanitizer runtimes are preloaded
(LD_PRELOAD) before the interpreter starts; leak checking is off because CPython
keeps its arenas until exit. Set KERASETTE_SANITIZE_BUILD_DIR to reuse a build folder
across runs (the build is then incremental).
"""
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = pytest.mark.slow


def _tool(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()


def _runtime(name):
    """Absolute path of the compiler's sanitizer runtime, or None."""
    cxx = os.environ.get("CXX", "g++")
    if not shutil.which(cxx):
        return None
    path = _tool(cxx, f"-print-file-name={name}")
    return path if os.path.isabs(path) and os.path.exists(path) else None


def _pybind11_dir():
    r = subprocess.run([sys.executable, "-c", "import pybind11; print(pybind11.get_cmake_dir())"],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


@pytest.fixture(scope="module")
def sanitized_build(tmp_path_factory):
    missing = [t for t in ("cmake",) if not shutil.which(t)]
    asan, ubsan, pybind = _runtime("libasan.so"), _runtime("libubsan.so"), _pybind11_dir()
    if missing or not asan or not ubsan or not pybind:
        pytest.skip(f"sanitizer build needs cmake, pybind11 and the compiler's libasan/libubsan "
                    f"(missing: cmake={bool(not missing)}, asan={asan}, ubsan={ubsan}, pybind11={pybind})")
    build = os.environ.get("KERASETTE_SANITIZE_BUILD_DIR") or str(tmp_path_factory.mktemp("asan"))
    cfg = subprocess.run(
        ["cmake", "-S", ROOT, "-B", build, "-DKERASETTE_SANITIZE=ON",
         "-DCMAKE_BUILD_TYPE=RelWithDebInfo", f"-Dpybind11_DIR={pybind}"],
        capture_output=True, text=True)
    assert cfg.returncode == 0, cfg.stdout[-3000:] + cfg.stderr[-3000:]
    bld = subprocess.run(["cmake", "--build", build, "-j2"], capture_output=True, text=True)
    assert bld.returncode == 0, bld.stdout[-3000:] + bld.stderr[-3000:]
    # Reports go to files: pytest captures fd 2, and a process the sanitizer stops
    # never hands its captured output back.
    logs = str(tmp_path_factory.mktemp("sanitizer_logs"))
    env = dict(os.environ)
    env.update(
        LD_PRELOAD=f"{asan} {ubsan}",
        ASAN_OPTIONS=f"detect_leaks=0:log_path={logs}/asan",
        UBSAN_OPTIONS=f"print_stacktrace=1:halt_on_error=1:log_path={logs}/ubsan",
        PYTHONPATH=os.pathsep.join([build, os.path.join(ROOT, "python")]),
        KERASETTE_SANITIZED_RUN="1",
    )
    return build, env, logs


def test_sanitized_module_is_loaded(sanitized_build):
    build, env, _ = sanitized_build
    r = subprocess.run([sys.executable, "-c", "import kerasette._core as c; print(c.__file__)"],
                       env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert os.path.realpath(r.stdout.strip()).startswith(os.path.realpath(build))


def test_kernel_tests_pass_under_asan_ubsan(sanitized_build):
    _, env, logs = sanitized_build
    r = subprocess.run([sys.executable, "-m", "pytest", "tests/kernels", "-x", "-q",
                        "-p", "no:cacheprovider"],
                       env=env, capture_output=True, text=True, cwd=ROOT, timeout=1800)
    out = r.stdout[-4000:] + r.stderr[-4000:]
    reports = "".join(open(os.path.join(logs, f)).read()[:6000] for f in sorted(os.listdir(logs)))
    assert not reports, reports + out
    assert r.returncode == 0, out
    assert " passed" in r.stdout, out
