"""`kerasette serve` / `python -m kerasette.serving`: arguments, start-up errors, loopback
bind, and `import kerasette` staying free of the serving stack."""

import os
import subprocess
import sys

import psutil
import pytest
from serving_helpers import Server, make_model, save_model


def run_cli(*args, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "kerasette.serving", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_lists_the_flags():
    r = run_cli("--help")
    assert r.returncode == 0
    for flag in (
        "--name",
        "--port",
        "--host",
        "--max-batch-size",
        "--batch-timeout-micros",
        "--no-batching",
        "--file-system-poll-wait-seconds",
        "--max-body-bytes",
        "--num-threads",
    ):
        assert flag in r.stdout


def test_console_entry_point_parses_the_same_command():
    code = "import sys; from kerasette.cli import main; sys.exit(main(['serve', '--help']))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and "PATH" in r.stdout


@pytest.mark.parametrize(
    "make_path,message",
    [
        (lambda tmp: tmp / "missing.keras", "does not exist"),
        (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "No versions under"),
        (lambda tmp: (tmp / "m.txt").write_text("x") and tmp / "m.txt", "must be a .keras file"),
    ],
)
def test_bad_paths_exit_with_a_clear_message(tmp_path, make_path, message):
    r = run_cli(str(make_path(tmp_path)), "--port", "0")
    assert r.returncode != 0
    assert message in r.stderr


def test_corrupt_model_file_fails_to_start_with_the_reason(tmp_path):
    path = tmp_path / "broken.keras"
    path.write_bytes(b"not a zip archive")
    r = run_cli(str(path), "--port", "0")
    assert r.returncode != 0
    assert "broken.keras" in r.stderr


def test_bad_batching_flags_are_rejected(tmp_path):
    path = save_model(make_model(seed=0), str(tmp_path / "m.keras"))
    r = run_cli(path, "--max-batch-size", "0")
    assert r.returncode == 2 and "max_batch_size must be >= 1" in r.stderr


def test_binds_loopback_by_default_and_names_the_model_after_the_file(tmp_path):
    path = save_model(make_model(seed=0), str(tmp_path / "digits.keras"))
    server = Server(path, "digits", log_dir=str(tmp_path))  # no --host
    try:
        addrs = {
            c.laddr.ip
            for c in psutil.Process(server.proc.pid).net_connections("inet")
            if c.status == psutil.CONN_LISTEN
        }
        assert addrs == {"127.0.0.1"}
    finally:
        server.stop()
    cmd = [
        sys.executable,
        "-c",
        "from kerasette.serving.server import default_model_name as f; "
        f"print(f({path!r}), f({str(tmp_path)!r} + '/'))",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["digits", os.path.basename(str(tmp_path))]


def test_import_kerasette_does_not_load_the_server_stack():
    code = (
        "import sys, kerasette; "
        "print(sorted(m for m in ('uvicorn', 'starlette', 'httptools', 'uvloop', "
        "'kerasette.serving') if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"
