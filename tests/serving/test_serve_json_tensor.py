"""Request/response JSON <-> arrays in-process, against numpy and TF Serving's texts."""

import json

import numpy as np
import pytest

from kerasette.serving.errors import ServingError
from kerasette.serving.json_tensor import format_predict_response, parse_predict_request
from kerasette.serving.servable import Servable

SERVABLE = Servable(lambda x: x, (None, 2, 3), (None, 4), input_name="pixels")


def parse(obj):
    body = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return parse_predict_request(body, SERVABLE)


def test_row_and_columnar_requests_give_the_same_float32_batch():
    x = np.arange(12, dtype=np.float64).reshape(2, 2, 3) / 7
    for request, row in [
        ({"instances": x.tolist()}, True),
        ({"instances": [{"pixels": r} for r in x.tolist()]}, True),
        ({"inputs": x.tolist()}, False),
        ({"inputs": {"pixels": x.tolist()}, "signature_name": ""}, False),
    ]:
        row_format, got = parse(request)
        assert row_format is row
        assert got.dtype == np.float32 and got.flags.c_contiguous
        np.testing.assert_array_equal(got, x.astype(np.float32))


def test_integers_are_accepted_as_floats():
    _, got = parse({"instances": [[[1, 2, 3], [4, 5, 6]]]})
    np.testing.assert_array_equal(got, np.arange(1, 7, dtype=np.float32).reshape(1, 2, 3))


def test_word_true_inside_a_string_does_not_make_numbers_booleans():
    _, got = parse({"note": "true or false", "instances": [[[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]]})
    np.testing.assert_array_equal(got, np.array([[[1, 0, 1], [0, 1, 0]]], np.float32))


@pytest.mark.parametrize(
    "instances,message",
    [
        ([[[1, 2, 3], [4, 5, True]]], "booleans"),
        ([[[1.5, 2, 3], [4, 5, False]]], "booleans"),
        ([[["1", "2", "3"], ["4", "5", "6"]]], "strings"),
        ([[[1, 2, 3], [4, 5]]], "ragged"),
        ([[1, 2, 3]], "expects shape [-1, 2, 3] (each instance [2, 3]), got [1, 3]"),
    ],
)
def test_bad_instances_are_400_naming_expected_and_given(instances, message):
    with pytest.raises(ServingError) as e:
        parse({"instances": instances})
    assert e.value.status == 400 and message in e.value.message


def test_parse_errors_use_tf_serving_wording_with_offsets():
    with pytest.raises(ServingError, match="JSON Parse error: .* at offset: 14"):
        parse(b'{"instances": ]}')


def test_response_round_trips_float32_exactly_and_writes_nan_tokens():
    y = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    out = json.loads(format_predict_response(y, row_format=True))
    np.testing.assert_array_equal(np.array(out["predictions"], dtype=np.float32), y)
    y[0, 0] = np.nan
    text = format_predict_response(y, row_format=False).decode()
    assert text.startswith('{"outputs"') and "NaN" in text
