"""kerasette.config: thread count, CPU features and the ISA switch."""

import os
import subprocess
import sys

import numpy as np
import pytest

import kerasette.config as config
from kerasette.backend import core

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_py(code, **env):
    e = dict(os.environ)
    e.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], env=e, capture_output=True, text=True, timeout=120
    )


def test_cpu_features_shape():
    f = config.cpu_features()
    for key in ("avx2", "fma", "avx512f", "os_avx", "os_avx512", "isa", "supported_isas"):
        assert key in f
    assert f["isa"] in f["supported_isas"]
    assert "generic" in f["supported_isas"]
    # The best path this CPU/OS supports is the default.
    if f["avx512f"] and f["os_avx512"]:
        assert "avx512" in f["supported_isas"]
    if f["avx2"] and f["fma"] and f["os_avx"]:
        assert "avx2" in f["supported_isas"]


def test_flags_match_linux_cpuinfo():
    if not os.path.exists("/proc/cpuinfo"):
        pytest.skip("no /proc/cpuinfo")
    flags = set()
    for line in open("/proc/cpuinfo"):
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    f = config.cpu_features()
    assert f["avx2"] == ("avx2" in flags)
    assert f["fma"] == ("fma" in flags)
    assert f["avx512f"] == ("avx512f" in flags)


def test_set_isa_roundtrip_and_errors():
    before = core.cpu_features()["isa"]
    try:
        for isa in core.cpu_features()["supported_isas"]:
            core.set_isa(isa)
            assert config.cpu_features()["isa"] == isa
    finally:
        core.set_isa(before)
    with pytest.raises(ValueError, match="one of"):
        core.set_isa("sse9")
    for isa in {"avx2", "avx512"} - set(core.cpu_features()["supported_isas"]):
        with pytest.raises(ValueError, match="not supported"):
            core.set_isa(isa)


def test_threads_roundtrip():
    before = config.get_num_threads()
    try:
        config.set_num_threads(1)
        assert config.get_num_threads() == 1
        config.set_num_threads(3)
        assert config.get_num_threads() == 3
        a = np.ones((300, 300), np.float32)
        np.testing.assert_allclose(core.gemm(a, a), 300.0)  # more threads than cores still works
    finally:
        config.set_num_threads(before)
    for bad in (0, -1, 1.5, "2", True):
        with pytest.raises(ValueError):
            config.set_num_threads(bad)


def test_omp_num_threads_honoured():
    r = run_py("import kerasette.config as c; print(c.get_num_threads())", OMP_NUM_THREADS="1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1"
    r = run_py("import kerasette.config as c; print(c.get_num_threads())", OMP_NUM_THREADS="2")
    assert r.stdout.strip() == "2"


def test_arch_override_and_dispatch_log():
    for isa in core.cpu_features()["supported_isas"]:
        r = run_py(
            "import kerasette.config as c; print(c.cpu_features()['isa'])",
            KERASETTE_ARCH=isa,
            KERASETTE_LOG_DISPATCH="1",
        )
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == isa
        assert f"isa={isa}" in r.stderr
    # An unknown or unsupported value falls back to the best path, with a warning.
    r = run_py(
        "import kerasette.config as c; print(c.cpu_features()['isa'])", KERASETTE_ARCH="bogus"
    )
    assert r.returncode == 0
    assert r.stdout.strip() == core.cpu_features()["supported_isas"][-1]
    assert "KERASETTE_ARCH=bogus" in r.stderr
