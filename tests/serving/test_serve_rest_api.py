"""TF Serving's REST API against a real server: status, metadata, and predictions that
equal the saving model's own `predict`, in row and columnar format, batched or not."""

import asyncio
import json

import httpx
import numpy as np
import pytest
from serving_helpers import IN_DIM, OUT_DIM, Server, make_model, save_model

RTOL, ATOL = 1e-5, 1e-6  # batch composition may change the GEMM's summation order


def post(server, body, suffix=":predict", version=None):
    url = f"{server.url}/v1/models/{server.name}"
    if version is not None:
        url += f"/versions/{version}"
    return httpx.post(url + suffix, content=json.dumps(body), timeout=30)


def test_status_lists_the_served_version(served):
    _, server = served
    r = httpx.get(f"{server.url}/v1/models/{server.name}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    ok = {"error_code": "OK", "error_message": ""}
    assert r.json() == {
        "model_version_status": [{"version": "1", "state": "AVAILABLE", "status": ok}]
    }
    r = httpx.get(f"{server.url}/v1/models/{server.name}/versions/1")
    assert r.status_code == 200 and r.json()["model_version_status"][0]["version"] == "1"


def test_metadata_describes_the_signature(served):
    _, server = served
    r = httpx.get(f"{server.url}/v1/models/{server.name}/metadata")
    assert r.status_code == 200
    meta = r.json()
    assert meta["model_spec"] == {"name": server.name, "signature_name": "", "version": "1"}
    sig = meta["metadata"]["signature_def"]["signature_def"]["serving_default"]
    assert sig["method_name"] == "tensorflow/serving/predict"
    (inp,), (out,) = sig["inputs"].values(), sig["outputs"].values()
    assert inp["dtype"] == out["dtype"] == "DT_FLOAT"
    assert [d["size"] for d in inp["tensor_shape"]["dim"]] == ["-1", str(IN_DIM)]
    assert [d["size"] for d in out["tensor_shape"]["dim"]] == ["-1", str(OUT_DIM)]
    assert httpx.get(f"{server.url}/v1/models/{server.name}/versions/1/metadata").json() == meta


def test_row_format_predictions_equal_model_predict(served, xs):
    model, server = served
    r = post(server, {"instances": xs.tolist()})
    assert r.status_code == 200, r.text
    assert list(r.json()) == ["predictions"]
    np.testing.assert_allclose(
        np.array(r.json()["predictions"]), model.predict(xs, verbose=0), rtol=RTOL, atol=ATOL
    )


def test_columnar_format_and_explicit_version_and_signature(served, xs):
    model, server = served
    expected = model.predict(xs, verbose=0)
    r = post(server, {"signature_name": "serving_default", "inputs": xs.tolist()}, version=1)
    assert r.status_code == 200, r.text
    assert list(r.json()) == ["outputs"]
    np.testing.assert_allclose(np.array(r.json()["outputs"]), expected, rtol=RTOL, atol=ATOL)


def test_named_inputs_in_both_formats(served, xs):
    model, server = served
    meta = httpx.get(f"{server.url}/v1/models/{server.name}/metadata").json()
    name = next(
        iter(meta["metadata"]["signature_def"]["signature_def"]["serving_default"]["inputs"])
    )
    expected = model.predict(xs, verbose=0)
    rows = post(server, {"instances": [{name: row} for row in xs.tolist()]})
    cols = post(server, {"inputs": {name: xs.tolist()}})
    assert rows.status_code == cols.status_code == 200, (rows.text, cols.text)
    np.testing.assert_allclose(np.array(rows.json()["predictions"]), expected, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(np.array(cols.json()["outputs"]), expected, rtol=RTOL, atol=ATOL)


def test_nan_and_infinity_tokens_parse_but_are_refused_as_inputs(served, xs):
    """TF Serving's non-strict JSON reads NaN/Infinity; kerasette's engine takes only finite
    inputs, so the request gets 400 naming the problem (not a JSON parse error)."""
    _, server = served
    for token in ("NaN", "Infinity", "-Infinity", "1e39"):
        body = '{"instances": [[%s, 1, 2, 3, 4, 5, 6, 7]]}' % token
        r = httpx.post(f"{server.url}/v1/models/{server.name}:predict", content=body)
        assert r.status_code == 400, r.text
        assert "NaN or Infinity" in r.json()["error"]


@pytest.mark.parametrize(
    "batching",
    [["--enable-batching", "--max-batch-size", "8"], ["--no-batching"]],
    ids=["batching", "no-batching"],
)
def test_concurrent_requests_each_get_their_own_rows(tmp_path, batching):
    """64 concurrent clients with different inputs: every answer matches its own input."""
    model = make_model(seed=2)
    path = save_model(model, str(tmp_path / "m.keras"))
    server = Server(path, "m", *batching, log_dir=str(tmp_path))
    rng = np.random.default_rng(3)
    inputs = [rng.standard_normal((1 + i % 3, IN_DIM)).astype(np.float32) for i in range(64)]

    async def send_all():
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=64)) as c:
            url = f"{server.url}/v1/models/m:predict"
            return await asyncio.gather(
                *(c.post(url, content=json.dumps({"instances": x.tolist()})) for x in inputs)
            )

    try:
        responses = asyncio.run(send_all())
    finally:
        server.stop()
    for x, r in zip(inputs, responses):
        assert r.status_code == 200, r.text
        np.testing.assert_allclose(
            np.array(r.json()["predictions"]), model.predict(x, verbose=0), rtol=RTOL, atol=ATOL
        )
