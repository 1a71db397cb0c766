"""Reading one feature out of a dict of arrays / DataFrame, TF's way.

Every feature becomes a 2-D array (rows, values per row). Missing values are TF's
"ignore values": `""` for strings and `-1` for integers (plus None/NaN from pandas),
which categorical columns turn into empty id slots (-1).
"""

import numpy as np

from kerasette.feature_column.fingerprint import fingerprint64

__all__ = ["feature_array", "string_values", "is_string", "fingerprints", "missing_mask"]


def feature_array(features, key, column_name):
    """The raw values of `key` as a 2-D numpy array; a clear error if absent."""
    try:
        present = key in features
    except TypeError:
        present = False
    if not present:
        available = list(features.keys()) if hasattr(features, "keys") else []
        raise ValueError(
            f"Feature column '{column_name}' needs the input feature '{key}', which is "
            f"missing. Available features: {available}"
        )
    value = features[key]
    value = value.to_numpy() if hasattr(value, "to_numpy") else np.asarray(value)
    if value.ndim == 0:
        raise ValueError(
            f"Feature '{key}' must have a batch dimension; received a scalar {value!r}"
        )
    if value.ndim == 1:
        value = value[:, None]
    elif value.ndim > 2:
        value = value.reshape(value.shape[0], -1)
    return value


def is_string(values):
    if values.dtype.kind in "SU":
        return True
    if values.dtype.kind == "O":
        return any(isinstance(v, (str, bytes)) for v in values.ravel()[:1000])
    return False


def _to_str(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, bytes):
        return v.decode("utf-8")
    return str(v)


def string_values(values):
    """Values as a unicode array; None/NaN become "" (missing)."""
    if values.dtype.kind == "U":
        return values
    if values.dtype.kind == "S":
        return np.char.decode(values, "utf-8")
    return np.vectorize(_to_str, otypes=[str])(values) if values.size else values.astype(str)


def int_values(values, key):
    """Integer values; floats must be whole numbers (NaN becomes -1, missing)."""
    if values.dtype.kind in "iub":
        return values.astype(np.int64)
    if values.dtype.kind in "f":
        nan = np.isnan(values)
        filled = np.where(nan, -1, values)
        if not np.all(filled == np.round(filled)):
            raise ValueError(
                f"Feature '{key}' must hold integer ids; received non-integer "
                f"floats such as {values[filled != np.round(filled)][0]}"
            )
        return filled.astype(np.int64)
    if values.dtype.kind == "O":
        try:
            return np.array(
                [[-1 if v is None or v != v else int(v) for v in row] for row in values],
                dtype=np.int64,
            ).reshape(values.shape)
        except (TypeError, ValueError):
            pass
    raise TypeError(f"Feature '{key}' must hold integers; received dtype {values.dtype}")


def missing_mask(values):
    if values.dtype.kind in "iu":
        return values == -1
    return values == ""


def fingerprints(strings):
    """Fingerprint64 of every string in an array, computed once per distinct value."""
    uniq, inverse = np.unique(strings, return_inverse=True)
    fps = np.array([fingerprint64(s) for s in uniq.tolist()], dtype=np.uint64)
    return fps[inverse].reshape(strings.shape)
