"""Load test: `kerasette serve` (batching on and off) beside a FastAPI + Keras app.

The model is the 784-256-128-10 ReLU/softmax MLP, written once by real Keras as a
.keras file that both servers load. Each server runs in its own process; the load
comes from a third process (bench/serve_load.py: closed loop, keep-alive, loopback
only) sending single-instance row-format predict requests at concurrency 1, 16 and
64 for a fixed time after a warm-up. Before loading each server, one request checks
its answer against Keras's `predict` (max abs diff is printed beside the speed).

    python bench/serve.py [--seconds 5] [--warmup 1] [--concurrency 1,16,64] [--no-keras]

Targets (issue 8, 2-core machine): >= 3,000 req/s at concurrency 64 with p99 < 50 ms
and zero errors, and >= 5x the Keras app's throughput. The machine's load average is
printed before and after: other processes share the cores and skew every number.
"""

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_model_file(folder):
    """The MLP, seeded, saved by real Keras; returns (path, keras model)."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    path = os.path.join(folder, "mlp.keras")
    model.save(path)
    return path, model


def digit_like_instance(seed=0):
    """One MNIST-like input: ~80% zero pixels, the rest k/255, as a client would send."""
    rng = np.random.default_rng(seed)
    x = np.zeros((1, 784), np.float32)
    on = rng.choice(784, 150, replace=False)
    x[0, on] = rng.integers(1, 256, on.size) / 255.0
    return x


def start(cmd, port, log_path, env=None):
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{cmd} exited: {open(log_path).read()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models/mlp", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{cmd} not ready after 120 s")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def check(port, body, expected):
    import httpx

    r = httpx.post(
        f"http://127.0.0.1:{port}/v1/models/mlp:predict",
        content=body,
        timeout=60,
        headers={"Content-Type": "application/json"},
    )
    r.raise_for_status()
    return float(np.abs(np.array(r.json()["predictions"]) - expected).max())


def load(port, body_path, concurrency, seconds, warmup, client="python", server_pid=None):
    """One measured run after a discarded warm-up; adds the server's CPU µs per request
    (user + system time of its process over the run), a figure other tenants of the
    machine skew far less than requests/s."""
    import psutil

    run = load_wrk if client == "wrk" else load_python
    if warmup > 0:
        run(port, body_path, concurrency, warmup)
    proc = psutil.Process(server_pid) if server_pid else None
    cpu0 = sum(proc.cpu_times()[:2]) if proc else 0.0
    result = run(port, body_path, concurrency, seconds)
    if proc and result.get("requests"):
        result["cpu_us"] = (sum(proc.cpu_times()[:2]) - cpu0) / result["requests"] * 1e6
    return result


def load_python(port, body_path, concurrency, seconds):
    cmd = [
        sys.executable,
        os.path.join(HERE, "serve_load.py"),
        "--port",
        str(port),
        "--path",
        "/v1/models/mlp:predict",
        "--body",
        body_path,
        "--concurrency",
        str(concurrency),
        "--seconds",
        str(seconds),
        "--warmup",
        "0",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("%s", "rb")
wrk.body = f:read("*a")
f:close()
"""


def _wrk_ms(text):
    value, unit = float(text[:-2] if text.endswith(("us", "ms")) else text[:-1]), text[-2:]
    return value / 1e3 if unit == "us" else value if unit == "ms" else value * 1e3


def load_wrk(port, body_path, concurrency, seconds):
    """The same load from wrk (Debian's `wrk`, one thread): less client CPU per request."""
    script = body_path + ".lua"
    with open(script, "w") as f:
        f.write(WRK_SCRIPT % body_path)
    url = f"http://127.0.0.1:{port}/v1/models/mlp:predict"

    def wrk(duration):
        cmd = ["wrk", "-t1", f"-c{concurrency}", f"-d{duration}s", "--latency", "-s", script, url]
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout

    out = wrk(max(1, round(seconds)))
    result = {"errors": 0}
    for line in out.splitlines():
        words = line.split()
        if line.strip().startswith("50%"):
            result["p50_ms"] = _wrk_ms(words[1])
        elif line.strip().startswith("99%"):
            result["p99_ms"] = _wrk_ms(words[1])
        elif "requests in" in line:
            result["requests"] = int(words[0])
        elif line.startswith("Requests/sec:"):
            result["rps"] = float(words[1])
        elif line.strip().startswith("Non-2xx"):
            result["errors"] += int(words[-1])
        elif line.strip().startswith("Socket errors:"):
            result["errors"] += sum(int(w.strip(",")) for w in words[3::2])
    if not {"p50_ms", "p99_ms", "rps"} <= set(result):
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    return result


def conditions():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo")
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs, load average "
        f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}, Python {platform.python_version()}, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}"
    )


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--concurrency", default="1,16,64")
    p.add_argument("--max-batch-size", type=int, default=64)
    p.add_argument("--no-keras", action="store_true", help="skip the FastAPI + Keras app")
    p.add_argument(
        "--client",
        choices=["python", "wrk"],
        default="python",
        help="load generator: bench/serve_load.py (asyncio) or wrk (apt-get install "
        "wrk), which leaves the server more of a 2-core machine",
    )
    args = p.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]

    print(f"before: {conditions()}; load generator: {args.client}", flush=True)
    tmp = tempfile.mkdtemp(prefix="kerasette-bench-serve-")
    model_path, keras_model = make_model_file(tmp)
    x = digit_like_instance()
    expected = keras_model.predict(x, verbose=0)
    body = json.dumps({"instances": x.tolist()}).encode()
    body_path = os.path.join(tmp, "body.json")
    with open(body_path, "wb") as f:
        f.write(body)
    print(f"request body: {len(body)} bytes, one 784-float instance", flush=True)

    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            filter(None, [os.environ.get("PYTHONPATH"), os.path.join(ROOT, "python")])
        ),
    )
    kserve = [
        sys.executable,
        "-m",
        "kerasette.serving",
        model_path,
        "--name",
        "mlp",
        "--max-batch-size",
        str(args.max_batch_size),
    ]
    servers = [
        ("kerasette, batching", kserve + ["--enable-batching"]),
        ("kerasette, no batching", kserve + ["--no-batching"]),
    ]
    if not args.no_keras:
        servers.append(
            (
                "FastAPI + Keras",
                [sys.executable, os.path.join(HERE, "keras_fastapi_app.py"), model_path],
            )
        )
    rows = []
    for label, cmd in servers:
        port = free_port()
        proc = start(cmd + ["--port", str(port)], port, os.path.join(tmp, f"{port}.log"), env)
        try:
            diff = check(port, body, expected)
            for c in levels:
                r = load(port, body_path, c, args.seconds, args.warmup, args.client, proc.pid)
                rows.append((label, c, r, diff))
                print(
                    f"{label:24s} c={c:<3d} {r['rps']:9.1f} req/s  p50 {r['p50_ms']:7.2f} ms  "
                    f"p99 {r['p99_ms']:7.2f} ms  errors {r['errors']}  "
                    f"server CPU {r.get('cpu_us', float('nan')):6.0f} us/req  "
                    f"max|diff| {diff:.1e}",
                    flush=True,
                )
        finally:
            stop(proc)

    print("\nafter:", conditions())
    print(
        "\n| server | concurrency | req/s | p50 ms | p99 ms | errors | server CPU µs/req "
        "| max abs diff vs Keras |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, c, r, diff in rows:
        print(
            f"| {label} | {c} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
            f"{r['errors']} | {r.get('cpu_us', float('nan')):.0f} | {diff:.1e} |"
        )
    keras_rps = {c: r["rps"] for label, c, r, _ in rows if label == "FastAPI + Keras"}
    for label, c, r, _ in rows:
        if label.startswith("kerasette") and keras_rps.get(c):
            print(f"{label}, c={c}: {r['rps'] / keras_rps[c]:.1f}x the Keras app")


if __name__ == "__main__":
    main()
