"""model.summary() prints Keras 3's table byte for byte (plain text, as rich renders it
when stdout is not a terminal), for several models and terminal widths."""

import numpy as np
import pytest

import kerasette as ks

pytestmark = pytest.mark.usefixtures("fresh_names")


def _capture(model, **kwargs):
    out = []
    model.summary(print_fn=out.append, **kwargs)
    return "".join(out)


def _models(lib):
    L = lib.layers
    yield lib.Sequential(
        [
            lib.Input(shape=(784,)),
            L.Dense(256, activation="relu"),
            L.Dense(128, activation="relu"),
            L.Dense(10, activation="softmax"),
        ],
        name="mlp",
    )
    yield lib.Sequential(
        [
            lib.Input(shape=(12,)),
            L.Dense(16),
            L.BatchNormalization(),
            L.Activation("relu"),
            L.Dropout(0.5),
            L.LayerNormalization(),
            L.Reshape((4, 4)),
            L.Flatten(),
            L.Dense(1),
        ],
        name="mixed_stack",
    )
    yield lib.Sequential(
        [
            lib.Input(shape=(7,)),
            L.Embedding(1000, 32),
            L.Flatten(),
            L.Dense(3, name="a_rather_long_layer_name_that_wraps_in_the_cell"),
        ],
        name="embedding_model",
    )
    frozen = lib.Sequential([lib.Input(shape=(3,)), L.Dense(4), L.Dense(2)], name="frozen")
    frozen.layers[0].trainable = False
    yield frozen
    yield lib.Sequential([L.Dense(4), L.Dense(2)], name="unbuilt")


@pytest.mark.parametrize("columns", [80, 120, 64])
def test_summary_equals_keras(keras, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    for mine, ref in zip(_models(ks), _models(keras)):
        assert _capture(mine) == _capture(ref), mine.name
        assert _capture(mine, show_trainable=True) == _capture(ref, show_trainable=True)


def test_summary_counts_optimizer_params_once_built(keras, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    x = np.random.default_rng(0).random((16, 4)).astype("float32")
    y = np.random.default_rng(1).random((16, 2)).astype("float32")
    texts = []
    for lib in (ks, keras):
        m = lib.Sequential(
            [lib.Input(shape=(4,)), lib.layers.Dense(5), lib.layers.Dense(2)], name="opt"
        )
        m.compile(optimizer=lib.optimizers.Adam(), loss="mse")
        before = _capture(m)
        m.fit(x, y, epochs=1, batch_size=8, verbose=0)
        texts.append((before, _capture(m)))
    assert texts[0] == texts[1]
    assert "Optimizer params" in texts[0][1] and "Optimizer params" not in texts[0][0]


def test_summary_to_stdout(keras, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "90")
    mine, ref = next(_models(ks)), next(_models(keras))
    mine.summary()
    a = capsys.readouterr().out
    ref.summary()
    b = capsys.readouterr().out
    assert a == b


def test_line_length_and_positions(keras, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    mine, ref = next(_models(ks)), next(_models(keras))
    for kwargs in [
        dict(line_length=100),
        dict(line_length=70, positions=[0.5, 0.7, 1.0]),
        dict(show_trainable=True),
        dict(show_trainable=True, line_length=77),
    ]:
        assert _capture(mine, **kwargs) == _capture(ref, **kwargs)
