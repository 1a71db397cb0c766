"""Predict request/response JSON <-> float32 arrays, as TensorFlow Serving does it.

Mirrors ``tensorflow_serving/util/json_tensor.cc``: row format ``{"instances": [...]}``
answered with ``{"predictions": [...]}``, columnar ``{"inputs": ...}`` answered with
``{"outputs": ...}``; one unnamed output, so responses carry plain lists. NaN and
+-Infinity tokens are read and written, as TF Serving's non-strict parser does. Every
problem is a ``ServingError`` (400) whose text says what was expected and given.
NaN/Infinity tokens parse, but the engine accepts only finite inputs, so a request
holding them is refused here, before it could fail a batch shared with others.
"""

import json

import numpy as np

from .errors import bad_request
from .servable import DEFAULT_SIGNATURE

try:  # orjson parses a 784-float body ~8x faster; it rejects NaN, so json stays the fallback.
    import orjson as _orjson
except ImportError:  # pragma: no cover - optional speed-up
    _orjson = None


def parse_json(body):
    """Parses a request body, with TF Serving's parse-error texts."""
    if not body or not body.strip():
        raise bad_request("JSON Parse error: The document is empty")
    if _orjson is not None:
        try:
            return _orjson.loads(body)
        except _orjson.JSONDecodeError:
            pass  # NaN/Infinity, or a real error: let json give the verdict and the offset
    try:
        # Integers as floats, as orjson reads those beyond int64: all become float32 anyway.
        return json.loads(body, parse_int=float)
    except UnicodeDecodeError as e:
        raise bad_request(
            f"JSON Parse error: Invalid encoding in string at offset: {e.start}"
        ) from None
    except json.JSONDecodeError as e:
        raise bad_request(f"JSON Parse error: {e.msg} at offset: {e.pos}") from None
    except RecursionError:
        raise bad_request("JSON Parse error: the document nests too deeply") from None


def parse_predict_request(body, servable):
    """Returns ``(row_format, x)``: which response key to use, and the float32 batch."""
    request = parse_json(body)
    # Booleans are rare: scan the parsed lists for them only if the text holds the tokens.
    # One-byte searches (memchr) first: numbers and "instances" have no 'u' and no 'l'.
    maybe_bools = (b"u" in body and b"true" in body) or (b"l" in body and b"false" in body)
    if not isinstance(request, dict):
        raise bad_request(
            "Not formatted correctly: expecting a JSON object with 'instances' or 'inputs', "
            f"got a JSON {_json_kind(request)}"
        )
    _check_signature(request)
    has_instances, has_inputs = "instances" in request, "inputs" in request
    if has_instances == has_inputs:
        raise bad_request(
            "Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist"
        )
    if has_instances:
        return True, _instances_to_array(request["instances"], servable, maybe_bools)
    return False, _inputs_to_array(request["inputs"], servable, maybe_bools)


def format_predict_response(y, row_format):
    """The response body: ``{"predictions": ...}`` or ``{"outputs": ...}`` as bytes."""
    key = "predictions" if row_format else "outputs"
    y = np.ascontiguousarray(y, dtype=np.float32)
    if _orjson is not None and np.isfinite(y).all():
        return _orjson.dumps({key: y}, option=_orjson.OPT_SERIALIZE_NUMPY)
    # json writes NaN/Infinity tokens, as TF Serving does; float() widens float32 exactly.
    return json.dumps({key: y.astype(np.float64).tolist()}).encode()


def _check_signature(request):
    name = request.get("signature_name", DEFAULT_SIGNATURE)
    if not isinstance(name, str):
        raise bad_request("'signature_name' key must be a string value.")
    if name not in ("", DEFAULT_SIGNATURE):
        raise bad_request(
            f'Serving signature key "{name}" not found. '
            f'The model has one signature: "{DEFAULT_SIGNATURE}".'
        )


def _instances_to_array(instances, servable, maybe_bools):
    if not isinstance(instances, list):
        raise bad_request("Expecting 'instances' to be an list/array")
    if not instances:
        raise bad_request("No values in 'instances' array")
    if isinstance(instances[0], dict):
        # Named-input rows: [{"x": [...]}, ...]; every row must be an object with our input.
        rows = []
        for i, row in enumerate(instances):
            if not isinstance(row, dict):
                raise bad_request(f"Expecting object but got list at item {i} of input list")
            if servable.input_name not in row:
                raise bad_request(
                    f"Missing named input: {servable.input_name} in 'instances' object at item {i}."
                )
            extra = sorted(set(row) - {servable.input_name})
            if extra:
                raise bad_request(
                    f"Unknown input(s) {extra} in 'instances' object at item {i}; "
                    f"the model has one input: '{servable.input_name}'."
                )
            rows.append(row[servable.input_name])
        instances = rows
    return _to_batch(instances, servable, "instances", maybe_bools)


def _inputs_to_array(inputs, servable, maybe_bools):
    if isinstance(inputs, dict):
        if servable.input_name not in inputs:
            raise bad_request(f"Missing named input: {servable.input_name} in 'inputs' object.")
        extra = sorted(set(inputs) - {servable.input_name})
        if extra:
            raise bad_request(
                f"Unknown input(s) {extra} in 'inputs' object; "
                f"the model has one input: '{servable.input_name}'."
            )
        inputs = inputs[servable.input_name]
    if not isinstance(inputs, list) or not inputs:
        raise bad_request(
            f"Expecting 'inputs' to be a non-empty list/array for input "
            f"'{servable.input_name}' of shape {_shape_text(servable.input_shape)}"
        )
    return _to_batch(inputs, servable, "inputs", maybe_bools)


def _to_batch(value, servable, key, maybe_bools=True):
    """Converts nested lists to a float32 (N, *instance_shape) array, checking dtype/shape."""
    try:
        a = np.asarray(value)
    except (ValueError, TypeError, RecursionError):
        raise bad_request(
            f"'{key}' is ragged: every instance of input '{servable.input_name}' "
            f"must have shape {_shape_text(servable.instance_shape)}"
        ) from None
    if a.dtype.kind not in "fiu" or (maybe_bools and _has_bool(value)):
        raise bad_request(
            f"Input '{servable.input_name}' expects numbers (DT_FLOAT), got "
            f"{_dtype_text(a, value)} in '{key}'"
        )
    expected = (a.shape[0],) + servable.instance_shape if a.ndim else None
    if a.shape != expected:
        raise bad_request(
            f"Input '{servable.input_name}' expects shape {_shape_text(servable.input_shape)} "
            f"(each instance {_shape_text(servable.instance_shape)}), got "
            f"{_shape_text(a.shape)} in '{key}'"
        )
    x = np.ascontiguousarray(a, dtype=np.float32)
    if not np.isfinite(x).all():  # the engine refuses them; reject here, not in a shared batch
        raise bad_request(
            f"Input '{servable.input_name}' contains NaN or Infinity (or a number "
            f"beyond float32's range) in '{key}'; the model accepts only finite "
            f"numbers"
        )
    return x


def _has_bool(value):
    # numpy silently turns [True, 1.5] into floats; TF Serving rejects booleans for DT_FLOAT.
    if isinstance(value, bool):
        return True
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return any(_has_bool(v) for v in value)
        return bool in set(map(type, value))  # C-speed scan of the innermost lists
    return False


def _dtype_text(a, value):
    if a.dtype.kind == "b" or _has_bool(value):
        return "booleans"
    if a.dtype.kind in "US":
        return "strings"
    return "values that are not numbers (null, objects or mixed types)"


def _shape_text(shape):
    return "[" + ", ".join("-1" if d is None else str(d) for d in shape) + "]"


def _json_kind(value):
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )
