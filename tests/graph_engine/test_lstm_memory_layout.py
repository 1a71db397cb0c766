"""The memory plan around the LSTM kernels: lstm_seq writes its saved gates over the
input projection's buffer and lstm_seq_grad writes dxp over the saved gates (both dead
there, same shapes), which halves what the walks stream through memory; the Embedding's gradient is zeroed
where it is scattered. The training step with this layout is checked against numpy."""

import numpy as np


def _lstm_model(keras, vocab=50):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(12,), dtype="int32"),
            keras.layers.Embedding(vocab, 8),
            keras.layers.LSTM(6),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    return model


def _instr(prog, kernel):
    (ins,) = [i for i in prog.instrs if i.kernel == kernel]
    return ins


def test_gates_and_their_grad_take_over_dead_buffers():
    import kerasette as keras

    r = np.random.default_rng(0)
    x, y = r.integers(0, 50, (16, 12)).astype(np.int32), r.integers(0, 2, 16).astype("float32")
    model = _lstm_model(keras)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    prog = model._lp._train.programs[8]
    fwd, bwd = _instr(prog, "lstm_seq"), _instr(prog, "lstm_seq_grad")
    assert fwd.outs[2].root() is fwd.ins[0].root()  # G over xp
    assert bwd.outs[0].root() is bwd.ins[6].root()  # dxp over G


def test_embedding_gradient_is_filled_where_it_is_scattered():
    """index_add on zeros nothing else reads (the Embedding's gradient): the zeros are
    written straight into the scatter's output (lower_rules._sole_fill), no copy. The
    table has over 1024 entries: smaller zeros become a constant (passes/simplify.py)."""
    import kerasette as keras

    r = np.random.default_rng(0)
    x, y = r.integers(0, 50, (16, 12)).astype(np.int32), r.integers(0, 2, 16).astype("float32")
    model = _lstm_model(keras, vocab=200)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    prog = model._lp._train.programs[8]
    scatter = _instr(prog, "scatter_add")
    dst = scatter.outs[0].root()
    assert any(i.kernel == "fill" and i.outs[0].root() is dst for i in prog.instrs)
    assert not any(i.kernel == "copy" and i.outs[0].root() is dst for i in prog.instrs)


def test_training_step_with_the_layout_matches_numpy():
    """One SGD step of Embedding -> LSTM -> Dense through fit, against numpy's own
    forward and BPTT (graph/fused/recurrent.py's evals) from the same weights."""
    import kerasette as keras
    from kerasette.graph.fused import recurrent as R

    r = np.random.default_rng(1)
    x, y = r.integers(0, 50, (8, 12)).astype(np.int32), r.integers(0, 2, 8).astype("float32")
    model = _lstm_model(keras, vocab=200)  # zeroed by a fill, not a folded constant
    emb, k, rk, b, dk, db = (np.array(w) for w in model.get_weights())
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    got = model.get_weights()

    e = emb[x]
    xp = e @ k + b
    h0 = np.zeros((8, 6), np.float32)
    H, C, G = R._lstm_eval(xp, h0, h0, rk)
    hT = H[:, -1]
    p = 1 / (1 + np.exp(-(hT @ dk + db)))
    pc = np.clip(p, 1e-7, 1 - 1e-7)
    dlogit = (pc - y[:, None]) / 8  # mean binary crossentropy through the sigmoid
    g_dk, g_db = hT.T @ dlogit, dlogit.sum(0)
    dH = np.zeros_like(H)
    dH[:, -1] = dlogit @ dk.T
    dxp, _, _, g_rk = R._lstm_grad_eval(h0, h0, rk, H, C, G, dH, np.zeros_like(C))
    g_k = e.reshape(-1, 8).T @ dxp.reshape(-1, 24)
    g_b = dxp.sum((0, 1))
    g_emb = np.zeros_like(emb)
    np.add.at(g_emb, x.reshape(-1), (dxp @ k.T).reshape(-1, 8))
    lr = 0.01
    want = [
        emb - lr * g_emb,
        k - lr * g_k,
        rk - lr * g_rk,
        b - lr * g_b,
        dk - lr * g_dk,
        db - lr * g_db,
    ]
    for name, a, w in zip(("emb", "kernel", "recurrent", "bias", "dense", "dense_b"), got, want):
        np.testing.assert_allclose(a, w, rtol=1e-5, atol=1e-6, err_msg=name)
