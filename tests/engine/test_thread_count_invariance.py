"""Training results do not depend on the thread count, nor on the busy-machine fallback
(kerasette/parallel.h) switching teams to one thread mid-fit: every output element is
computed by one thread in a fixed order. Checked bitwise, with a busy-loop process per
core running beside the multi-threaded fit so the fallback has reason to switch."""

import multiprocessing as mp
import os

import numpy as np

import kerasette as keras


def _spin():
    while True:
        pass


def _train(threads):
    keras.config.set_num_threads(threads)
    keras.utils.set_random_seed(3)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4096, 256)).astype("float32")
    y = rng.integers(0, 10, 4096)
    m = keras.Sequential(
        [
            keras.Input((256,)),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = m.fit(x, y, batch_size=128, epochs=3, verbose=0)
    return m.get_weights(), h.history, m.predict(x[:1000], batch_size=256, verbose=0)


def test_same_weights_on_one_thread_and_on_a_busy_team():
    before = keras.config.get_num_threads()
    try:
        w1, h1, p1 = _train(1)
        hogs = [
            mp.get_context("fork").Process(target=_spin, daemon=True)
            for _ in range(max(1, (os.cpu_count() or 2) - 1))
        ]
        for h in hogs:
            h.start()
        try:
            w2, h2, p2 = _train(max(2, os.cpu_count() or 2))
        finally:
            for h in hogs:
                h.terminate()
                h.join()
    finally:
        keras.config.set_num_threads(before)
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    assert h1 == h2
    np.testing.assert_array_equal(p1, p2)
