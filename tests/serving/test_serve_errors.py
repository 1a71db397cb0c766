"""Bad requests get TF Serving's status codes and {"error": ...} bodies, and the server
keeps serving correct answers afterwards."""

import json

import httpx
import numpy as np
import pytest
from serving_helpers import IN_DIM

ROW = [0.5] * IN_DIM

BAD_BODIES = [  # (body, substring of the error text), all 400
    (b"", "The document is empty"),
    (b"   ", "The document is empty"),
    (b'{"instances": [[1, 2]', "JSON Parse error"),
    (b"\xff\xfe{", "JSON Parse error"),
    (b"[1, 2, 3]", "expecting a JSON object"),
    (b"{}", "only one of 'inputs' or 'instances'"),
    (json.dumps({"instances": [ROW], "inputs": [ROW]}), "only one of 'inputs' or 'instances'"),
    (json.dumps({"instances": ROW[0]}), "'instances' to be an list/array"),
    (json.dumps({"instances": []}), "No values in 'instances' array"),
    (json.dumps({"inputs": []}), "non-empty list"),
    (json.dumps({"instances": [ROW], "signature_name": 3}), "must be a string value"),
    (json.dumps({"instances": [ROW], "signature_name": "train"}), 'signature key "train"'),
    # wrong shapes
    (json.dumps({"instances": [[1.0, 2.0]]}), f"expects shape [-1, {IN_DIM}]"),
    (json.dumps({"instances": ROW}), f"expects shape [-1, {IN_DIM}]"),
    (json.dumps({"instances": [[ROW]]}), f"expects shape [-1, {IN_DIM}]"),
    (json.dumps({"inputs": ROW}), f"expects shape [-1, {IN_DIM}]"),
    (json.dumps({"instances": [ROW, ROW[:-1]]}), "ragged"),
    (json.dumps({"instances": [{"nope": ROW}]}), "Missing named input"),
    (json.dumps({"inputs": {"nope": [ROW]}}), "Missing named input"),
    # wrong dtypes
    (json.dumps({"instances": [["a"] * IN_DIM]}), "got strings"),
    (json.dumps({"instances": [[True] * IN_DIM]}), "got booleans"),
    (json.dumps({"instances": [ROW[:-1] + [False]]}), "got booleans"),
    (json.dumps({"instances": [ROW[:-1] + [None]]}), "expects numbers"),
    (json.dumps({"instances": [ROW[:-1] + [{"b64": "AAAA"}]]}), "expects numbers"),
    (json.dumps({"instances": [ROW[:-1] + [10**40]]}), "beyond float32's range"),
    (json.dumps({"instances": [[[[[[ROW]]]]]] * 1}), "expects shape"),
]


@pytest.mark.parametrize("body,message", BAD_BODIES, ids=[m for _, m in BAD_BODIES])
def test_malformed_requests_get_400_with_an_error_message(served, body, message):
    _, server = served
    r = httpx.post(f"{server.url}/v1/models/{server.name}:predict", content=body)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/json"
    assert list(r.json()) == ["error"] and message in r.json()["error"]


def test_absurdly_deep_nesting_is_a_400_not_a_crash(served):
    _, server = served
    body = b'{"instances": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = httpx.post(f"{server.url}/v1/models/{server.name}:predict", content=body)
    assert r.status_code == 400 and r.json()["error"]
    assert server.alive()


@pytest.mark.parametrize(
    "method,path,status,message",
    [
        ("POST", "/v1/models/nope:predict", 404, "Servable not found for request: Latest(nope)"),
        ("POST", "/v1/models/{name}/versions/9:predict", 404, "Specific({name}, 9)"),
        ("POST", "/v1/models/{name}/labels/stable:predict", 404, "Servable not found"),
        ("GET", "/v1/models/nope", 404, "Could not find any versions of model nope"),
        ("GET", "/v1/models/{name}/versions/9", 404, "Could not find version 9"),
        ("GET", "/v1/models/{name}/versions/9/metadata", 404, "Specific({name}, 9)"),
        ("GET", "/v1/models", 400, "Missing model name in request."),
        ("GET", "/v1/models/{name}:predict", 400, "Malformed request"),
        ("POST", "/v1/models/{name}/metadata", 400, "Malformed request"),
        ("POST", "/v1/models/{name}:classify", 400, "classify"),
        ("GET", "/v1/nothing", 400, "Malformed request"),
        ("GET", "/elsewhere", 404, "Not found"),
    ],
)
def test_unknown_names_and_malformed_urls(served, method, path, status, message):
    _, server = served
    path, message = path.format(name=server.name), message.format(name=server.name)
    body = json.dumps({"instances": [ROW]}) if method == "POST" else None
    r = httpx.request(method, server.url + path, content=body)
    assert r.status_code == status, r.text
    assert message in r.json()["error"]


def test_oversized_bodies_get_413_with_or_without_content_length(served):
    _, server = served
    url = f"{server.url}/v1/models/{server.name}:predict"
    row = json.dumps(ROW).encode()
    huge = b'{"instances": [' + b",".join([row] * 40_000) + b"]}"  # ~1.6 MB > 1 MiB
    r = httpx.post(url, content=huge, timeout=30)
    assert r.status_code == 413 and "limit" in r.json()["error"]

    def chunks():  # no Content-Length: the limit is enforced while reading
        for i in range(0, len(huge), 64 * 1024):
            yield huge[i : i + 64 * 1024]

    r = httpx.post(url, content=chunks(), timeout=30)
    assert r.status_code == 413 and "limit" in r.json()["error"]

    with httpx.Client(timeout=30) as c:  # the same keep-alive client goes on working
        assert c.post(url, content=huge).status_code == 413
        assert c.post(url, content=json.dumps({"instances": [ROW]})).status_code == 200


def test_server_still_answers_correctly_after_bad_requests(served):
    model, server = served
    url = f"{server.url}/v1/models/{server.name}:predict"
    with httpx.Client(timeout=30) as c:  # mix good and bad requests on one keep-alive connection
        for body, _ in BAD_BODIES:
            assert c.post(url, content=body).status_code == 400
            x = np.random.default_rng(len(body)).standard_normal((2, IN_DIM)).astype(np.float32)
            r = c.post(url, content=json.dumps({"instances": x.tolist()}))
            assert r.status_code == 200
            np.testing.assert_allclose(
                np.array(r.json()["predictions"]), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6
            )
    assert server.alive()
