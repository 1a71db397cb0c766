"""Is lstm-train's accuracy gap (kerasette vs Keras on TensorFlow) noise or a bug?

    python bench/lstm_parity.py [--epochs 2] [--n 2000] [--seeds 0,1,2]

1. Same start: bench/compare.py's lstm-train model (Embedding 20000x128 -> LSTM(64) ->
   Dense(1, sigmoid), Adam, batch 64) is built in Keras, its initial weights copied into
   kerasette, and both train on lstm_data with shuffle=False: the per-epoch losses and
   held-out accuracies should agree to float rounding over a few hundred steps.
2. Own starts: each library draws its own initial weights (seeds below); the spread of
   held-out accuracy across seeds, in both, says how much of the gap is the draw.
3. The initial weights' statistics (Keras's glorot_uniform kernel, orthogonal recurrent
   kernel, unit_forget_bias, uniform(-0.05, 0.05) embedding) and the Adam defaults.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from compare import LSTM_LEN, LSTM_VOCAB, lstm_data  # noqa: E402


def build(lib, seed):
    lib.utils.set_random_seed(seed)
    model = lib.Sequential(
        [
            lib.Input(shape=(LSTM_LEN,), dtype="int32"),
            lib.layers.Embedding(LSTM_VOCAB, 128),
            lib.layers.LSTM(64),
            lib.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def train(model, data, epochs):
    x, y, xt, yt = data
    losses, accs, secs = [], [], []
    for _ in range(epochs):
        t0 = time.perf_counter()
        h = model.fit(x, y, batch_size=64, epochs=1, verbose=0, shuffle=False)
        secs.append(time.perf_counter() - t0)
        losses.append(float(h.history["loss"][0]))
        accs.append(float(model.evaluate(xt, yt, batch_size=512, verbose=0)[1]))
    return {"loss": losses, "test_accuracy": accs, "epoch_s": secs}


def init_stats(model):
    emb, lstm = model.layers[0], model.layers[1]
    kernel, recurrent, bias = (np.asarray(w) for w in lstm.get_weights())
    units = recurrent.shape[0]
    e = np.asarray(emb.get_weights()[0])
    return {
        "embedding_min_max_std": [float(e.min()), float(e.max()), float(e.std())],
        "kernel_std": float(kernel.std()),
        "kernel_std_glorot_uniform": float(np.sqrt(2.0 / (kernel.shape[0] + kernel.shape[1]))),
        "recurrent_rows_orthonormal_err": float(
            np.abs(recurrent @ recurrent.T - np.eye(units)).max()
        ),
        "bias_forget_gate(1)": float(bias[units : 2 * units].mean()),
        "bias_other(0)": float(np.abs(np.r_[bias[:units], bias[2 * units :]]).max()),
    }


def adam_defaults(lib):
    opt = lib.optimizers.Adam()
    return {
        k: float(getattr(opt, k)) if not isinstance(getattr(opt, k), bool) else getattr(opt, k)
        for k in ("learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad")
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seeds", default="0,1,2")
    args = ap.parse_args()
    import keras

    import kerasette

    data = lstm_data(n=args.n)
    out = {"adam": {"keras": adam_defaults(keras), "kerasette": adam_defaults(kerasette)}}

    # 1. the same initial weights
    k = build(keras, 0)
    m = build(kerasette, 0)
    m.set_weights([np.asarray(w) for w in k.get_weights()])
    out["init"] = {"keras": init_stats(k), "kerasette": init_stats(build(kerasette, 0))}
    out["same_start"] = {
        "keras": train(k, data, args.epochs),
        "kerasette": train(m, data, args.epochs),
    }
    print(json.dumps(out, indent=1), flush=True)

    # 2. each library's own draws
    seeds = [int(s) for s in args.seeds.split(",") if s]
    own = {"keras": [], "kerasette": []}
    for seed in seeds:
        for name, lib in (("keras", keras), ("kerasette", kerasette)):
            own[name].append(train(build(lib, seed), data, args.epochs)["test_accuracy"][-1])
        print(json.dumps({"seed": seed, **{k: v[-1] for k, v in own.items()}}), flush=True)
    out["own_starts_test_accuracy"] = own
    print(json.dumps({"own_starts_test_accuracy": own}, indent=1))


if __name__ == "__main__":
    main()
