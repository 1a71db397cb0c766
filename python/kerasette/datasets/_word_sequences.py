"""IMDB and Reuters share Keras's word-index encoding: shuffle, a start mark, ids shifted
by `index_from`, sequences longer than `maxlen` dropped, rare or too-frequent ids
replaced by `oov_char` (or removed when it is None)."""

import numpy as np


def shuffled(rng, *arrays):
    idx = np.arange(len(arrays[0]))
    rng.shuffle(idx)
    return [a[idx] for a in arrays]


def shift(xs, start_char, index_from):
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    return [[w + index_from for w in x] for x in xs]


def drop_long(maxlen, xs, labels):
    keep = [i for i, x in enumerate(xs) if len(x) < maxlen]
    return [xs[i] for i in keep], np.asarray(labels)[keep]


def cap_vocabulary(xs, num_words, skip_top, oov_char):
    if not num_words:
        num_words = max(max(x) for x in xs if len(x))
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def as_object_array(xs):
    out = np.empty(len(xs), dtype=object)
    for i, x in enumerate(xs):
        out[i] = x
    return out
