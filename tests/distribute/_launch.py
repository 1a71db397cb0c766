"""Finding and starting an MPI launcher for the tests (skips, with the reason, only
where MPI cannot start: no mpi4py, or no mpiexec)."""

import os
import shutil
import subprocess
import sys

import pytest


def mpiexec_or_skip():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        pytest.skip("mpi4py is not installed (pip install mpi4py mpich)")
    exe = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
    if exe is None:
        pytest.skip("no mpiexec on PATH (pip install mpich, or apt-get install mpich)")
    return exe


def run_mpi(n, script, *args, timeout=180):
    exe = mpiexec_or_skip()
    env = dict(os.environ)
    # The child ranks import kerasette from where this test process found it.
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    # Open MPI refuses root without these; MPICH ignores them.
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    # ...and more ranks than cores (a 1-core CI runner) without these (v4, v5).
    env.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    env.setdefault("PRTE_MCA_rmaps_default_mapping_policy", ":oversubscribe")
    env.setdefault("OMP_NUM_THREADS", "1")  # two ranks on a small machine
    # `python -m mpi4py` aborts the whole job when one rank raises, instead of leaving
    # the others waiting in a collective.
    cmd = [exe, "-n", str(n), sys.executable, "-m", "mpi4py", script, *args]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        pytest.fail(
            f"{' '.join(cmd)} did not finish in {timeout} s (deadlock?)\n{e.stdout}\n{e.stderr}"
        )
    if proc.returncode != 0:
        pytest.fail(
            f"{' '.join(cmd)} exited {proc.returncode}\nstdout:\n{proc.stdout}\n"
            f"stderr:\n{proc.stderr}"
        )
    return proc
