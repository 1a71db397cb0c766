"""IMDB movie reviews as word ids: `load_data(...)` -> ((x_train, y_train), (x_test,
y_test)), each x an object array of int lists, encoded as Keras encodes them (see
`_word_sequences`), from Keras's cached `imdb.npz`."""

import json

import numpy as np

from . import _word_sequences as ws
from ._files import ORIGIN, get_file
from ._pickled import load_npz


def load_data(
    path="imdb.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    **kwargs,
):
    # Keras accepts and ignores other keywords (old spellings such as nb_words)
    f = load_npz(get_file(path, origin=ORIGIN + "imdb.npz"))
    rng = np.random.RandomState(seed)
    x_train, y_train = ws.shuffled(rng, f["x_train"], f["y_train"])
    x_test, y_test = ws.shuffled(rng, f["x_test"], f["y_test"])
    x_train = ws.shift(x_train, start_char, index_from)
    x_test = ws.shift(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = ws.drop_long(maxlen, x_train, y_train)
        x_test, y_test = ws.drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(
                f"After filtering for sequences shorter than maxlen="
                f"{maxlen}, no sequence was kept. Increase maxlen."
            )
    xs = ws.cap_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([y_train, y_test])
    n = len(x_train)
    return ((ws.as_object_array(xs[:n]), labels[:n]), (ws.as_object_array(xs[n:]), labels[n:]))


def get_word_index(path="imdb_word_index.json"):
    """{word: rank} as Keras returns it (ranks before the `index_from` shift)."""
    with open(get_file(path, origin=ORIGIN + "imdb_word_index.json")) as f:
        return json.load(f)
