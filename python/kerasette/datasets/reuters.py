"""Reuters newswires as word ids, 46 topics: `load_data(...)` splits one shuffled set at
`test_split` and encodes it as Keras does (see `_word_sequences`), from Keras's cached
`reuters.npz`."""

import json

import numpy as np

from . import _word_sequences as ws
from ._files import ORIGIN, get_file
from ._pickled import load_npz

# Keras's topic names, in label order (keras.datasets.reuters.get_label_names()).
LABEL_NAMES = (
    "cocoa",
    "grain",
    "veg-oil",
    "earn",
    "acq",
    "wheat",
    "copper",
    "housing",
    "money-supply",
    "coffee",
    "sugar",
    "trade",
    "reserves",
    "ship",
    "cotton",
    "carcass",
    "crude",
    "nat-gas",
    "cpi",
    "money-fx",
    "interest",
    "gnp",
    "meal-feed",
    "alum",
    "oilseed",
    "gold",
    "tin",
    "strategic-metal",
    "livestock",
    "retail",
    "ipi",
    "iron-steel",
    "rubber",
    "heat",
    "jobs",
    "lei",
    "bop",
    "zinc",
    "orange",
    "pet-chem",
    "dlr",
    "gas",
    "silver",
    "wpi",
    "hog",
    "lead",
)


def load_data(
    path="reuters.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
):
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1), got {test_split}")
    f = load_npz(get_file(path, origin=ORIGIN + "reuters.npz"))
    xs, labels = ws.shuffled(np.random.RandomState(seed), f["x"], f["y"])
    xs = ws.shift(xs, start_char, index_from)
    if maxlen:
        xs, labels = ws.drop_long(maxlen, xs, labels)
    xs = ws.cap_vocabulary(xs, num_words, skip_top, oov_char)
    n = int(len(xs) * (1 - test_split))
    labels = np.asarray(labels)
    return ((ws.as_object_array(xs[:n]), labels[:n]), (ws.as_object_array(xs[n:]), labels[n:]))


def get_word_index(path="reuters_word_index.json"):
    with open(get_file(path, origin=ORIGIN + "reuters_word_index.json")) as f:
        return json.load(f)


def get_label_names():
    return LABEL_NAMES
