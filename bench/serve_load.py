"""A closed-loop HTTP/1.1 load generator for bench/serve.py, run as its own process.

C keep-alive connections each send the same POST, wait for the whole answer, and send
again, for a fixed duration after a warm-up. A raw asyncio client (uvloop when present)
costs a few tens of µs per request, far less than httpx, so on a shared 2-core machine
most of the CPU is left to the server under test.

    python bench/serve_load.py --port 8501 --path /v1/models/m:predict \
        --body body.json --concurrency 64 --seconds 5 --warmup 1

Prints one JSON line: requests, errors, seconds, rps, p50_ms, p99_ms, max_ms.
"""

import argparse
import asyncio
import json
import time


class Stats:
    def __init__(self):
        self.latencies = []  # seconds, measured requests only
        self.errors = 0
        self.error_kinds = {}
        self.measuring = False

    def error(self, kind):
        if self.measuring:
            self.errors += 1
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


async def _read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length is None:
        raise ValueError("response without Content-Length")
    await reader.readexactly(length)
    return status


async def _connection(host, port, request, stats, stop_at):
    reader = writer = None
    while time.perf_counter() < stop_at:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            t0 = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            t1 = time.perf_counter()
            if status != 200:
                stats.error(f"http {status}")
            elif stats.measuring:
                stats.latencies.append(t1 - t0)
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            stats.error(type(e).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


async def run(host, port, path, body, concurrency, seconds, warmup):
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    stats = Stats()
    start = time.perf_counter()
    stop_at = start + warmup + seconds
    tasks = [
        asyncio.create_task(_connection(host, port, request, stats, stop_at))
        for _ in range(concurrency)
    ]
    await asyncio.sleep(warmup)
    stats.measuring = True
    t0 = time.perf_counter()
    await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
    stats.measuring = False
    elapsed = time.perf_counter() - t0
    await asyncio.gather(*tasks)
    lat = sorted(stats.latencies)

    def pct(q):
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1e3 if lat else float("nan")

    return {
        "requests": len(lat),
        "errors": stats.errors,
        "error_kinds": stats.error_kinds,
        "seconds": round(elapsed, 3),
        "rps": round(len(lat) / elapsed, 1),
        "p50_ms": round(pct(0.50), 3),
        "p99_ms": round(pct(0.99), 3),
        "max_ms": round(lat[-1] * 1e3, 3) if lat else float("nan"),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--body", required=True, help="file holding the request body")
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--warmup", type=float, default=1.0)
    args = p.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        p.error("this load generator only targets loopback")
    with open(args.body, "rb") as f:
        body = f.read()
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        result = runner.run(
            run(args.host, args.port, args.path, body, args.concurrency, args.seconds, args.warmup)
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
