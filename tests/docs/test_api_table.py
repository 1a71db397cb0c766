"""docs/keras-api.md is what tools/api_table.py makes from the code today, and its claims
hold: a name marked supported or partial exists in kerasette, a missing one does not."""

import importlib
import importlib.util
import json
import re
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import api_table  # noqa: E402


def _page_rows():
    """(keras module, name, status) for every row of the committed page."""
    rows, module = [], None
    for line in (ROOT / "docs" / "keras-api.md").read_text().splitlines():
        heading = re.match(r"^## `([\w.]+)`", line)
        if heading:
            module = heading.group(1)
            continue
        row = re.match(r"^\| `(\w+)` \| (supported|partial|missing) \|", line)
        if row and module:
            rows.append((module, row.group(1), row.group(2)))
    return rows


def test_page_is_up_to_date():
    assert (ROOT / "docs" / "keras-api.md").read_text() == api_table.build_page(), (
        "docs/keras-api.md is out of date: run python3 tools/api_table.py"
    )


def test_every_keras_name_has_a_row():
    keras_api = json.loads(api_table.KERAS_JSON.read_text())
    expected = {(m, n) for m, names in keras_api["modules"].items() for n in names}
    assert {(m, n) for m, n, _ in _page_rows()} == expected


def _kerasette_attr(keras_module, name):
    module_name = "kerasette" + keras_module[len("keras") :]
    try:
        found = importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        return None
    return getattr(importlib.import_module(module_name), name, None)


def test_claims_hold():
    rows = _page_rows()
    assert len(rows) > 1000
    for module, name, status in rows:
        obj = _kerasette_attr(module, name)
        exists = obj is not None and not isinstance(obj, types.ModuleType)
        assert exists == (status != "missing"), (module, name, status)


def test_partial_means_a_limitation():
    # Resizing refuses antialias=True with NotImplementedError; MultiHeadAttention
    # lacks Keras's flash_attention argument; einsum documents its Limitations; Dense
    # refuses LoRA (a ValueError in a helper its constructor calls).
    status = {(m, n): s for m, n, s in _page_rows()}
    assert status[("keras.layers", "Resizing")] == "partial"
    assert status[("keras.layers", "MultiHeadAttention")] == "partial"
    assert status[("keras.ops", "einsum")] == "partial"
    assert status[("keras.layers", "Dense")] == "partial"
    assert status[("keras.layers", "Dropout")] == "supported"
    from kerasette.layers import Dense, Resizing

    with pytest.raises(NotImplementedError):
        Resizing(4, 4, antialias=True)
    with pytest.raises(ValueError, match="LoRA"):
        Dense(4, lora_rank=2)


@pytest.mark.slow
@pytest.mark.keras_ref
def test_keras_names_match_the_installed_keras():
    keras = pytest.importorskip("keras")
    recorded = json.loads(api_table.KERAS_JSON.read_text())
    if keras.__version__ != recorded["keras_version"]:
        pytest.skip(f"tools/keras_api.json records Keras {recorded['keras_version']}")
    assert api_table.dump_keras() == recorded
