"""`SimpleRNNCell`, `LSTMCell`, `GRUCell`, `StackedRNNCells` and the generic
`keras.layers.RNN(cell)` against Keras 3 (TensorFlow backend), from copied weights: one
cell step, whole sequences with return_sequences / return_state / go_backwards / masks /
initial states / stateful, stacks (a list of cells), a user-written cell, fit, weight
layouts and paths, get_config both ways, and `.keras` files both ways."""

import numpy as np
import pytest

import kerasette as ks

from ._layer_helpers import normalize

pytestmark = pytest.mark.keras_ref
ATOL = 3e-5


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _rand_weights(layer, seed=1, scale=0.4):
    r = np.random.default_rng(seed)
    return [(r.normal(size=tuple(w.shape)) * scale).astype("float32") for w in layer.weights]


def _flat(y):
    if isinstance(y, (list, tuple)):
        return [a for v in y for a in _flat(v)]
    return [np.asarray(y)]


def _close(got, want, atol=ATOL):
    got, want = _flat(got), _flat(want)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, atol=atol, rtol=1e-4)


def _min_cell(lib):
    """Keras's documented MinimalRNNCell, written once per library."""

    class MinimalRNNCell(lib.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(
                shape=(input_shape[-1], self.units), initializer="uniform", name="kernel"
            )
            self.recurrent_kernel = self.add_weight(
                shape=(self.units, self.units), initializer="uniform", name="recurrent_kernel"
            )

        def call(self, inputs, states):
            prev = states[0]
            out = lib.ops.tanh(
                lib.ops.matmul(inputs, self.kernel) + lib.ops.matmul(prev, self.recurrent_kernel)
            )
            return out, [out]

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    return MinimalRNNCell


def _two_state_cell(lib):
    """A user cell with two states of different sizes and an output of a third size."""

    class TwoStateCell(lib.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.state_size = [3, 2]
            self.output_size = 4

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1] + 5, 9), name="w")

        def call(self, inputs, states):
            z = lib.ops.matmul(lib.ops.concatenate([inputs, states[0], states[1]], axis=-1), self.w)
            return lib.ops.sigmoid(z[:, :4]), [lib.ops.tanh(z[:, 4:7]), z[:, 7:]]

    return TwoStateCell


CELLS = [
    ("SimpleRNNCell", {}),
    ("LSTMCell", {}),
    ("GRUCell", {}),
    ("GRUCell", {"reset_after": False}),
    ("SimpleRNNCell", {"activation": "relu"}),
    ("LSTMCell", {"recurrent_activation": "hard_sigmoid"}),
    ("GRUCell", {"activation": "relu"}),
    ("LSTMCell", {"use_bias": False}),
]
CELL_IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'default'}" for n, kw in CELLS]


@pytest.fixture(autouse=True)
def _fresh_names(keras):
    # weight paths hold auto-names ("rnn_3/..."): both counters start alike in every test,
    # whichever tests ran before (the quick run samples some out)
    from keras.src.utils import naming as keras_naming

    from kerasette.utils import naming

    keras_naming.reset_uids()
    naming.reset_uids()


def _twin_rnn(keras, make, shape=(None, 6, 4), seed=1):
    k, m = make(keras), make(ks)
    k.build(shape)
    m.build(shape)
    assert [tuple(w.shape) for w in m.weights] == [tuple(w.shape) for w in k.weights]
    assert [w.path for w in m.weights] == [w.path for w in k.weights]
    k.set_weights(_rand_weights(k, seed))
    m.set_weights([np.asarray(w) for w in k.get_weights()])
    return m, k


@pytest.mark.parametrize("name,kw", CELLS, ids=CELL_IDS)
def test_one_cell_step(keras, name, kw):
    k, m = getattr(keras.layers, name)(5, **kw), getattr(ks.layers, name)(5, **kw)
    k.build((None, 4))
    m.build((None, 4))
    k.set_weights(_rand_weights(k))
    m.set_weights([np.asarray(w) for w in k.get_weights()])
    x = _x(3, 4)
    states = [_x(3, 5, seed=s) for s in range(2 if name == "LSTMCell" else 1)]
    _close(m(x, states), k(x, states))
    assert m.state_size == k.state_size and m.output_size == k.output_size


FLAGS = [
    {},
    {"return_sequences": True},
    {"return_state": True},
    {"go_backwards": True, "return_sequences": True},
    {"go_backwards": True, "return_state": True, "return_sequences": True},
]


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: "-".join(f) or "plain")
@pytest.mark.parametrize("name,kw", CELLS, ids=CELL_IDS)
def test_rnn_of_cell_matches_keras(keras, name, kw, flags):
    m, k = _twin_rnn(keras, lambda L: L.layers.RNN(getattr(L.layers, name)(5, **kw), **flags))
    x = _x(3, 6, 4)
    _close(m(x), k(x))


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: "-".join(f) or "plain")
def test_stacked_cells_match_keras(keras, flags):
    def make(L):
        return L.layers.RNN(
            [
                L.layers.LSTMCell(5),
                L.layers.GRUCell(3),
                L.layers.SimpleRNNCell(2, activation="relu"),
            ],
            **flags,
        )

    m, k = _twin_rnn(keras, make)
    x = _x(3, 6, 4)
    _close(m(x), k(x))
    assert isinstance(m.cell, ks.layers.StackedRNNCells)


def test_stacked_rnn_cells_object_and_return_state_structure(keras):
    def make(L):
        return L.layers.RNN(
            L.layers.StackedRNNCells([L.layers.LSTMCell(5), L.layers.GRUCell(3)]), return_state=True
        )

    m, k = _twin_rnn(keras, make)
    x = _x(3, 6, 4)
    got = m(x)
    # output, [h, c] of the LSTM cell, [h] of the GRU cell
    assert len(got) == 3 and len(got[1]) == 2
    _close(got, k(x))
    assert m.compute_output_shape((3, 6, 4)) == [(3, 3), [(3, 5), (3, 5)], (3, 3)]


@pytest.mark.parametrize("which", ["minimal", "two_state"])
@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: "-".join(f) or "plain")
def test_user_cell_matches_keras(keras, which, flags):
    maker = _min_cell if which == "minimal" else _two_state_cell
    cells = {lib: maker(lib) for lib in (ks, keras)}
    args = (5,) if which == "minimal" else ()
    m, k = _twin_rnn(keras, lambda L: L.layers.RNN(cells[L](*args), **flags))
    x = _x(3, 6, 4)
    _close(m(x), k(x))


def test_user_cell_stacked_with_builtin(keras):
    cells = {lib: _min_cell(lib) for lib in (ks, keras)}
    m, k = _twin_rnn(
        keras, lambda L: L.layers.RNN([cells[L](4), L.layers.LSTMCell(3)], return_sequences=True)
    )
    x = _x(2, 6, 4)
    _close(m(x), k(x))


@pytest.mark.parametrize("cell", ["LSTMCell", "GRUCell", "SimpleRNNCell", "minimal"])
@pytest.mark.parametrize("zero_output", [False, True])
def test_masked_sequences(keras, cell, zero_output):
    """Embedding(mask_zero=True) into RNN(cell): padded steps carry the states."""
    mins = {lib: _min_cell(lib) for lib in (ks, keras)}
    ids = np.array([[3, 1, 4, 1, 0, 0], [2, 7, 0, 0, 0, 0], [5, 9, 2, 6, 5, 3]], "int32")
    models = []
    for lib in (ks, keras):
        c = mins[lib](5) if cell == "minimal" else getattr(lib.layers, cell)(5)
        models.append(
            lib.Sequential(
                [
                    lib.Input(shape=(6,), dtype="int32"),
                    lib.layers.Embedding(10, 4, mask_zero=True),
                    lib.layers.RNN(c, return_sequences=True, zero_output_for_mask=zero_output),
                ]
            )
        )
    mine, ref = models
    ref.set_weights(_rand_weights(ref))
    mine.set_weights([np.asarray(w) for w in ref.get_weights()])
    _close(mine.predict(ids, verbose=0), ref.predict(ids, verbose=0))


def test_initial_state_and_stateful(keras):
    m, k = _twin_rnn(keras, lambda L: L.layers.RNN(L.layers.LSTMCell(5), return_state=True))
    x = _x(3, 6, 4)
    init = [_x(3, 5, seed=7), _x(3, 5, seed=8)]
    _close(m(x, initial_state=init), k(x, initial_state=init))
    m, k = _twin_rnn(
        keras, lambda L: L.layers.RNN(L.layers.GRUCell(5), stateful=True), shape=(3, 6, 4)
    )
    for s in range(3):
        xs = _x(3, 6, 4, seed=s)
        _close(m(xs), k(xs))
    m.reset_state()
    k.reset_state()
    _close(m(x), k(x))


@pytest.mark.parametrize(
    "make",
    [
        lambda L: L.layers.RNN(L.layers.LSTMCell(6)),
        lambda L: L.layers.RNN(L.layers.GRUCell(6, reset_after=False)),
        lambda L: L.layers.RNN([L.layers.SimpleRNNCell(5), L.layers.LSTMCell(6)]),
        lambda L: L.layers.RNN(L.layers.SimpleRNNCell(6, activation="relu"), go_backwards=True),
        lambda L: L.layers.LSTM(6),
    ],
    ids=["lstm_cell", "gru_cell", "stack", "relu_backwards", "LSTM"],
)
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_fit_matches_keras(keras, make, optimizer):
    x, y = _x(32, 6, 4), _x(32, 2, seed=3)
    models = []
    for lib in (ks, keras):
        mdl = lib.Sequential([lib.Input(shape=(6, 4)), make(lib), lib.layers.Dense(2)])
        mdl.compile(optimizer=optimizer, loss="mse")
        models.append(mdl)
    mine, ref = models
    ref.set_weights(_rand_weights(ref))
    mine.set_weights([np.asarray(w) for w in ref.get_weights()])
    hm = mine.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    hk = ref.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(hm.history["loss"], hk.history["loss"], rtol=1e-4)
    for u, v in zip(mine.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-3, atol=1e-4)


def test_fit_user_cell_matches_keras(keras):
    cells = {lib: _min_cell(lib) for lib in (ks, keras)}
    x, y = _x(32, 6, 4), _x(32, 2, seed=3)
    models = []
    for lib in (ks, keras):
        mdl = lib.Sequential(
            [lib.Input(shape=(6, 4)), lib.layers.RNN(cells[lib](5)), lib.layers.Dense(2)]
        )
        mdl.compile(optimizer="adam", loss="mse")
        models.append(mdl)
    mine, ref = models
    ref.set_weights(_rand_weights(ref))
    mine.set_weights([np.asarray(w) for w in ref.get_weights()])
    hm = mine.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    hk = ref.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(hm.history["loss"], hk.history["loss"], rtol=1e-4)
    for u, v in zip(mine.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-3, atol=1e-4)


CONFIG_MAKERS = {
    "simple_cell": lambda L: L.layers.SimpleRNNCell(4, activation="relu", dropout=0.1),
    "lstm_cell": lambda L: L.layers.LSTMCell(4, unit_forget_bias=False, seed=3),
    "gru_cell": lambda L: L.layers.GRUCell(4, reset_after=False, recurrent_dropout=0.2),
    "rnn": lambda L: L.layers.RNN(
        L.layers.GRUCell(3), return_sequences=True, go_backwards=True, unroll=True
    ),
    "stack": lambda L: L.layers.RNN(
        [L.layers.LSTMCell(3), L.layers.SimpleRNNCell(2)], return_state=True
    ),
    "stacked_cells": lambda L: L.layers.StackedRNNCells(
        [L.layers.GRUCell(3), L.layers.LSTMCell(2)]
    ),
}


@pytest.mark.parametrize("built", [False, True])
@pytest.mark.parametrize("what", sorted(CONFIG_MAKERS))
def test_get_config_both_ways(keras, what, built):
    k, m = CONFIG_MAKERS[what](keras), CONFIG_MAKERS[what](ks)
    if built:
        shape = (None, 4) if "cell" in what else (None, 6, 4)
        k.build(shape)
        m.build(shape)
    ck, cm = normalize(k.get_config()), normalize(m.get_config())
    assert cm == ck
    again = type(m).from_config(m.get_config())
    assert normalize(again.get_config()) == cm
    theirs = type(k).from_config(k.get_config())
    ours_from_theirs = type(m).from_config(theirs.get_config())
    assert normalize(ours_from_theirs.get_config()) == ck


def _model(lib, make):
    mdl = lib.Sequential([lib.Input(shape=(6, 4)), make(lib), lib.layers.Dense(2)])
    mdl.compile(optimizer="adam", loss="mse")
    return mdl


SAVE_MAKERS = {
    "LSTM": lambda L: L.layers.LSTM(5),
    "GRU": lambda L: L.layers.GRU(5, return_sequences=True),
    "SimpleRNN": lambda L: L.layers.SimpleRNN(5),
    "rnn_lstm_cell": lambda L: L.layers.RNN(L.layers.LSTMCell(5)),
    "stack": lambda L: L.layers.RNN([L.layers.GRUCell(4), L.layers.LSTMCell(3)]),
    "bidirectional": lambda L: L.layers.Bidirectional(L.layers.LSTM(3)),
}


@pytest.mark.parametrize("what", sorted(SAVE_MAKERS))
def test_keras_files_both_ways(keras, tmp_path, what):
    x, y = _x(16, 6, 4), _x(16, 2, seed=3)
    if what == "GRU":
        y = _x(16, 6, 2, seed=3)
    ours = _model(ks, SAVE_MAKERS[what])
    ours.fit(x, y, epochs=1, batch_size=8, verbose=0)
    ours.save(tmp_path / "ours.keras")
    theirs = keras.models.load_model(tmp_path / "ours.keras")
    _close(theirs.predict(x, verbose=0), ours.predict(x, verbose=0))
    theirs.fit(x, y, epochs=1, batch_size=8, verbose=0)
    theirs.save(tmp_path / "theirs.keras")
    back = ks.models.load_model(tmp_path / "theirs.keras")
    _close(back.predict(x, verbose=0), theirs.predict(x, verbose=0))
    # (weight paths after loading are Keras's own quirk: a cell deserialized on its own
    # drops its parent's prefix, Bidirectional gains the model's; they name nothing in
    # the file, which is laid out by attribute)
    assert [w.shape for w in back.weights] == [tuple(w.shape) for w in theirs.weights]


def test_user_cell_keras_file_both_ways(keras, tmp_path):
    ks_cls = ks.saving.register_keras_serializable(package="rnncell_test")(_min_cell(ks))
    k_cls = keras.saving.register_keras_serializable(package="rnncell_test")(_min_cell(keras))
    x, y = _x(16, 6, 4), _x(16, 2, seed=3)
    ours = _model(ks, lambda L: L.layers.RNN((ks_cls if L is ks else k_cls)(5)))
    ours.fit(x, y, epochs=1, batch_size=8, verbose=0)
    ours.save(tmp_path / "ours.keras")
    theirs = keras.models.load_model(tmp_path / "ours.keras")
    _close(theirs.predict(x, verbose=0), ours.predict(x, verbose=0))
    theirs.save(tmp_path / "theirs.keras")
    back = ks.models.load_model(tmp_path / "theirs.keras")
    _close(back.predict(x, verbose=0), theirs.predict(x, verbose=0))


def test_bad_cells_raise():
    class NoState(ks.layers.Layer):
        def call(self, inputs, states):
            return inputs, states

    with pytest.raises(ValueError, match="state_size"):
        ks.layers.RNN(NoState())
    with pytest.raises(ValueError, match="call"):
        ks.layers.RNN(object())
    with pytest.raises(ValueError, match="state_size"):
        ks.layers.StackedRNNCells([ks.layers.LSTMCell(2), NoState()])
    with pytest.raises(ValueError, match="unroll"):
        ks.layers.RNN(ks.layers.LSTMCell(2), unroll=True)(ks.Input(shape=(None, 3)))
    with pytest.raises(ValueError, match="positive integer"):
        ks.layers.LSTMCell(0)
