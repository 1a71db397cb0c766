"""The fusion pass runs a built-in loss's rows and its gradient as one kernel pass
(loss_rows_and_grad), and the fused training step gives the same weights as the
unfused one, step for step."""

import numpy as np
import pytest

import kerasette as ks
from kerasette.engine.compiled_model import CompiledModel


def _model(loss):
    ks.utils.set_random_seed(3)
    m = ks.Sequential(
        [
            ks.Input((6,)),
            ks.layers.Dense(8, activation="relu"),
            ks.layers.Dense(3, activation="softmax"),
        ]
    )
    m.compile(optimizer=ks.optimizers.SGD(0.1), loss=loss)
    return m


def _train_ops(model):
    cms = [v for v in vars(model).values() if isinstance(v, CompiledModel)]
    if not cms:  # the trainer keeps its compiled step one level down
        cms = [
            v
            for o in vars(model).values()
            for v in getattr(o, "__dict__", {}).values()
            if isinstance(v, CompiledModel)
        ]
    assert cms, "no compiled training step found"
    (prog,) = cms[0]._train.programs.values()  # one batch size: the fused, concrete step
    return [n.op for n in prog.fn.nodes]


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "mse"])
def test_rows_and_gradient_share_one_node_and_match_unfused(loss, monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 6)).astype(np.float32)
    y = (
        rng.integers(0, 3, 40)
        if loss.startswith("sparse")
        else rng.standard_normal((40, 3)).astype(np.float32)
    )
    sw = rng.uniform(0.5, 2.0, 40).astype(np.float32)

    fused = _model(loss)
    hist = fused.fit(x, y, sample_weight=sw, batch_size=8, epochs=2, shuffle=False, verbose=0)
    kinds = _train_ops(fused)
    assert "loss_rows_and_grad" in kinds
    assert "loss_rows" not in kinds and "loss_rows_grad" not in kinds

    monkeypatch.setenv("KERASETTE_DISABLE_PASSES", "fusion")
    plain = _model(loss)
    hist2 = plain.fit(x, y, sample_weight=sw, batch_size=8, epochs=2, shuffle=False, verbose=0)
    kinds = _train_ops(plain)
    assert "loss_rows_and_grad" not in kinds and "loss_rows_grad" in kinds
    np.testing.assert_allclose(hist.history["loss"], hist2.history["loss"], rtol=1e-5)
    for a, b in zip(fused.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
