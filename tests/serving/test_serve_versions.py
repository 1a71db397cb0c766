"""A base folder of numbered versions: the newest is served, a new one is swapped in
under load without losing a request, and a broken one is reported, not served."""

import asyncio
import json
import os
import time

import httpx
import numpy as np
import pytest
from serving_helpers import IN_DIM, Server, make_model, publish_version

POLL = ["--file-system-poll-wait-seconds", "0.2"]


def status(server):
    r = httpx.get(f"{server.url}/v1/models/{server.name}")
    assert r.status_code == 200
    return {s["version"]: s for s in r.json()["model_version_status"]}


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_highest_version_is_served_at_start(tmp_path):
    base = tmp_path / "models"
    base.mkdir()
    old, new = make_model(seed=10), make_model(seed=11)
    publish_version(base, 3, old, tmp_path)
    publish_version(base, 12, new, tmp_path)  # numeric order, not string order
    (base / "notes").mkdir()  # non-numeric entries are ignored
    server = Server(base, "m", *POLL, log_dir=str(tmp_path))
    try:
        assert status(server)["12"]["state"] == "AVAILABLE"
        assert "3" not in status(server)
        x = np.ones((1, IN_DIM), np.float32)
        r = httpx.post(f"{server.url}/v1/models/m:predict", json={"instances": x.tolist()})
        np.testing.assert_allclose(
            r.json()["predictions"], new.predict(x, verbose=0), rtol=1e-5, atol=1e-6
        )
    finally:
        server.stop()


@pytest.mark.parametrize("batching", ["--enable-batching", "--no-batching"])
def test_new_version_swaps_in_under_load_without_losing_requests(tmp_path, batching):
    base = tmp_path / "models"
    base.mkdir()
    v1, v2 = make_model(seed=20), make_model(seed=21)
    publish_version(base, 1, v1, tmp_path)
    server = Server(base, "m", *POLL, batching, log_dir=str(tmp_path))
    x = np.random.default_rng(0).standard_normal((2, IN_DIM)).astype(np.float32)
    y1, y2 = v1.predict(x, verbose=0), v2.predict(x, verbose=0)
    assert not np.allclose(y1, y2, atol=1e-4)
    body = json.dumps({"instances": x.tolist()})
    results = []  # (status, predictions or error text), in completion order

    async def client(c, stop):
        while not stop.is_set():
            r = await c.post(f"{server.url}/v1/models/m:predict", content=body)
            results.append((r.status_code, r.json()))

    async def load_and_swap():
        stop = asyncio.Event()
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=16)) as c:
            clients = [asyncio.create_task(client(c, stop)) for _ in range(16)]
            await asyncio.sleep(0.5)
            await asyncio.to_thread(publish_version, base, 2, v2, tmp_path)
            swapped = await asyncio.to_thread(
                wait_for, lambda: status(server).get("2", {}).get("state") == "AVAILABLE"
            )
            await asyncio.sleep(0.5)
            stop.set()
            await asyncio.gather(*clients)
        return swapped

    try:
        swapped = asyncio.run(load_and_swap())
        final = status(server)
    finally:
        server.stop()
    assert swapped, "version 2 was never served"
    assert final["2"]["state"] == "AVAILABLE" and final["1"]["state"] == "END"
    assert len(results) > 50
    bad = [r for r in results if r[0] != 200]
    assert not bad, bad[:3]
    answers = [np.array(p["predictions"]) for _, p in results]
    from_v1 = [np.allclose(a, y1, rtol=1e-5, atol=1e-6) for a in answers]
    from_v2 = [np.allclose(a, y2, rtol=1e-5, atol=1e-6) for a in answers]
    assert all(a or b for a, b in zip(from_v1, from_v2))  # never a mix or garbage
    assert any(from_v1) and any(from_v2)
    assert all(from_v2[-16:])  # sent 0.5 s after the swap: all answered by version 2


def test_broken_version_is_reported_and_the_good_one_keeps_serving(tmp_path):
    base = tmp_path / "models"
    base.mkdir()
    good = make_model(seed=30)
    publish_version(base, 1, good, tmp_path)
    server = Server(base, "m", *POLL, log_dir=str(tmp_path))
    try:
        os.makedirs(base / "2")
        (base / "2" / "model.keras").write_bytes(b"this is not a zip file")
        assert wait_for(lambda: "2" in status(server))
        s = status(server)
        assert s["2"]["state"] == "END" and s["2"]["status"]["error_code"] != "OK"
        assert s["2"]["status"]["error_message"]
        assert s["1"]["state"] == "AVAILABLE"
        x = np.ones((1, IN_DIM), np.float32)
        r = httpx.post(f"{server.url}/v1/models/m:predict", json={"instances": x.tolist()})
        assert r.status_code == 200
        np.testing.assert_allclose(
            r.json()["predictions"], good.predict(x, verbose=0), rtol=1e-5, atol=1e-6
        )
        r = httpx.post(
            f"{server.url}/v1/models/m/versions/2:predict", json={"instances": x.tolist()}
        )
        assert r.status_code == 404
    finally:
        server.stop()


def test_removing_the_newest_version_falls_back_to_the_next_highest(tmp_path):
    base = tmp_path / "models"
    base.mkdir()
    v1, v2 = make_model(seed=40), make_model(seed=41)
    publish_version(base, 1, v1, tmp_path)
    publish_version(base, 2, v2, tmp_path)
    server = Server(base, "m", *POLL, log_dir=str(tmp_path))
    try:
        assert status(server)["2"]["state"] == "AVAILABLE"
        os.rename(base / "2", tmp_path / "retired-2")
        assert wait_for(lambda: status(server).get("1", {}).get("state") == "AVAILABLE")
        assert status(server)["2"]["state"] == "END"
        x = np.ones((1, IN_DIM), np.float32)
        r = httpx.post(f"{server.url}/v1/models/m:predict", json={"instances": x.tolist()})
        np.testing.assert_allclose(
            r.json()["predictions"], v1.predict(x, verbose=0), rtol=1e-5, atol=1e-6
        )
    finally:
        server.stop()
