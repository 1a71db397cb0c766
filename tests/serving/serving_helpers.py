"""Helpers for the serving tests: `python -m kerasette.serving` in a subprocess on a
free loopback port, serving .keras files that kerasette itself saved."""

import os
import socket
import subprocess
import sys
import time

import httpx

import kerasette

IN_DIM, OUT_DIM = 8, 3


def make_model(seed, out_activation="softmax"):
    """A small built Sequential MLP with seeded weights."""
    kerasette.utils.set_random_seed(seed)
    model = kerasette.Sequential(
        [
            kerasette.layers.Input(shape=(IN_DIM,)),
            kerasette.layers.Dense(16, activation="relu"),
            kerasette.layers.Dense(OUT_DIM, activation=out_activation),
        ]
    )
    return model


def save_model(model, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    model.save(path)
    return path


def publish_version(base, version, model, tmp_path):
    """Writes a version the safe way: save elsewhere, then rename the folder into base."""
    staging = tmp_path / f"staging-{version}"
    save_model(model, str(staging / "model.keras"))
    os.rename(staging, os.path.join(base, str(version)))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m kerasette.serving PATH --port P ARGS...`, stopped by `stop()`."""

    def __init__(self, path, name, *args, log_dir):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(log_dir, f"server-{self.port}.log")
        self._log = open(self.log_path, "wb")
        cmd = [
            sys.executable,
            "-m",
            "kerasette.serving",
            str(path),
            "--name",
            name,
            "--port",
            str(self.port),
            *args,
        ]
        self.proc = subprocess.Popen(
            cmd, stdout=self._log, stderr=subprocess.STDOUT, env=dict(os.environ)
        )
        self._wait_ready()

    def _wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/v1/models/{self.name}", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.log()}")

    def alive(self):
        """The process runs and still answers a status request."""
        if self.proc.poll() is not None:
            return False
        return httpx.get(f"{self.url}/v1/models/{self.name}", timeout=5).status_code == 200

    def log(self):
        self._log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
