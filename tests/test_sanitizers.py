"""Builds the core twice more and runs the kernel tests against each build:

- with AddressSanitizer + UndefinedBehaviorSanitizer (-DKERASETTE_SANITIZE=ON). Python
  itself is not instrumented, so the sanitizer runtimes are preloaded (LD_PRELOAD) before
  the interpreter starts; leak checking is off because CPython keeps its arenas until exit.
- as a checked Release build (-DKERASETTE_ASSERTS=ON): every KS_ASSERT the kernels and
  the Program run loop hold is compiled in, and tests/kernels and tests/graph_engine must
  pass with them on (a failed check is a RuntimeError naming it).

Set KERASETTE_SANITIZE_BUILD_DIR / KERASETTE_ASSERTS_BUILD_DIR to reuse a build folder
across runs (the build is then incremental); ccache is used when it is on PATH.
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
    r = subprocess.run(
        [sys.executable, "-c", "import pybind11; print(pybind11.get_cmake_dir())"],
        capture_output=True,
        text=True,
    )
    return r.stdout.strip() if r.returncode == 0 else None


def _build(build, pybind, *options):
    launcher = ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"] if shutil.which("ccache") else []
    cfg = subprocess.run(
        ["cmake", "-S", ROOT, "-B", build, f"-Dpybind11_DIR={pybind}", *launcher, *options],
        capture_output=True,
        text=True,
    )
    assert cfg.returncode == 0, cfg.stdout[-3000:] + cfg.stderr[-3000:]
    bld = subprocess.run(["cmake", "--build", build, "-j2"], capture_output=True, text=True)
    assert bld.returncode == 0, bld.stdout[-3000:] + bld.stderr[-3000:]


def _loaded_from(env):
    """(path of the kerasette._core that `env` imports, its ASSERTS flag)."""
    r = subprocess.run(
        [sys.executable, "-c", "import kerasette._core as c; print(c.ASSERTS, c.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    asserts, path = r.stdout.split()
    return os.path.realpath(path), asserts == "True"


def _run_suites(env, *paths):
    """pytest over `paths` in a child process using `env`: the quick run's sample (every
    kernel on every ISA and thread count, a tenth of the other cases), which keeps CI
    within its time; name a file on the command line to run all its cases."""
    r = subprocess.run(
        [sys.executable, "-m", "pytest", *paths, "-x", "-q", "-p", "no:cacheprovider"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=1800,
    )
    return r, r.stdout[-4000:] + r.stderr[-4000:]


@pytest.fixture(scope="module")
def sanitized_build(tmp_path_factory):
    missing = [t for t in ("cmake",) if not shutil.which(t)]
    asan, ubsan, pybind = _runtime("libasan.so"), _runtime("libubsan.so"), _pybind11_dir()
    if missing or not asan or not ubsan or not pybind:
        pytest.skip(
            f"sanitizer build needs cmake, pybind11 and the compiler's libasan/libubsan "
            f"(missing: cmake={bool(not missing)}, asan={asan}, ubsan={ubsan}, pybind11={pybind})"
        )
    build = os.environ.get("KERASETTE_SANITIZE_BUILD_DIR") or str(tmp_path_factory.mktemp("asan"))
    _build(build, pybind, "-DKERASETTE_SANITIZE=ON", "-DCMAKE_BUILD_TYPE=RelWithDebInfo")
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
    assert _loaded_from(env)[0].startswith(os.path.realpath(build))


def test_kernel_tests_pass_under_asan_ubsan(sanitized_build):
    _, env, logs = sanitized_build
    r, out = _run_suites(env, "tests/kernels")
    reports = "".join(open(os.path.join(logs, f)).read()[:6000] for f in sorted(os.listdir(logs)))
    assert not reports, reports + out
    assert r.returncode == 0, out
    assert " passed" in r.stdout, out


@pytest.fixture(scope="module")
def checked_build(tmp_path_factory):
    pybind = _pybind11_dir()
    if not shutil.which("cmake") or not pybind:
        pytest.skip(f"the checked build needs cmake and pybind11 (pybind11: {pybind})")
    build = os.environ.get("KERASETTE_ASSERTS_BUILD_DIR") or str(tmp_path_factory.mktemp("asserts"))
    # Release, so that NDEBUG is defined: the option alone must keep the checks.
    _build(build, pybind, "-DKERASETTE_ASSERTS=ON", "-DCMAKE_BUILD_TYPE=Release")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([build, os.path.join(ROOT, "python")]))
    return build, env


FIRE = """
import kerasette._core as c
c._ks_assert(True)
try:
    c._ks_assert(False)
except RuntimeError as e:
    print(e)
else:
    print("no exception")
"""


def _fire(env):
    r = subprocess.run(
        [sys.executable, "-c", FIRE], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout.strip()


def test_checked_build_has_asserts_on(checked_build):
    build, env = checked_build
    path, asserts = _loaded_from(env)
    assert path.startswith(os.path.realpath(build))
    assert asserts is True


def test_failed_check_is_a_python_exception(checked_build):
    _, env = checked_build
    message = _fire(env)
    assert message.startswith("kerasette internal check failed: ok ("), message
    assert "module.cc:" in message, message


def test_this_interpreters_core_checks_only_when_it_says_so():
    """The core the rest of the suite runs (usually Release: no checks) agrees with its
    own ASSERTS flag: a failed check is silent exactly when ASSERTS is False."""
    from kerasette import _core

    _core._ks_assert(True)
    try:
        _core._ks_assert(False)
    except RuntimeError as e:
        assert _core.ASSERTS, e
    else:
        assert not _core.ASSERTS


def test_kernel_tests_pass_with_asserts_on(checked_build):
    _, env = checked_build
    r, out = _run_suites(env, "tests/kernels", "tests/graph_engine")
    assert r.returncode == 0, out
    assert " passed" in r.stdout and " failed" not in r.stdout, out
