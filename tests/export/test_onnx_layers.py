"""model.export(format="onnx") on every layer type: onnxruntime's outputs equal
model.predict's within 1e-5, for several batch sizes through the same file (the batch
dimension is dynamic)."""

import numpy as np
import pytest

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from _onnx_layer_cases import CASES, randomize_weights  # noqa: E402

BATCHES = (1, 3, 17)
ATOL = 1e-5


def run_onnx(path, inputs):
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inputs = inputs if isinstance(inputs, list) else [inputs]
    feeds = {i.name: x for i, x in zip(sess.get_inputs(), inputs)}
    return sess.run(None, feeds), sess


def as_list(y):
    return [np.asarray(a) for a in y] if isinstance(y, (list, tuple)) else [np.asarray(y)]


MAX_DIFF = {}


@pytest.mark.parametrize("name", sorted(CASES))
def test_onnx_matches_predict(name, tmp_path):
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    model, make_inputs = CASES[name]()
    randomize_weights(model, rng)
    path = tmp_path / f"{name}.onnx"
    model.export(path, format="onnx", verbose=False)
    worst = 0.0
    for n in BATCHES:
        x = make_inputs(rng, n)
        # callbacks=[]: predict's small-batch fast path mis-shapes several outputs
        expected = as_list(model.predict(x, verbose=0, callbacks=[]))
        got, sess = run_onnx(path, x)
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert g.shape == e.shape, (g.shape, e.shape)
            assert g.dtype == e.dtype or e.dtype == np.float32
            np.testing.assert_allclose(g, e, atol=ATOL, rtol=0)
            worst = max(worst, float(np.max(np.abs(g.astype(np.float64) - e))) if g.size else 0.0)
    # the batch axis is symbolic in the file, every other dimension fixed
    for i in sess.get_inputs():
        assert i.shape[0] == "batch"
        assert all(isinstance(d, int) for d in i.shape[1:])
    MAX_DIFF[name] = worst
