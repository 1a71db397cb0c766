"""The one source of randomness: initializers, shuffling and dropout all draw from here.

`set_random_seed(s)` resets it, so everything after it repeats exactly run to run.
Without a seed, the generator is seeded from OS entropy, like Keras's unseeded state.
"""

import random as _pyrandom

import numpy as np

_state = {"generator": np.random.default_rng()}


def set_random_seed(seed):
    """Seeds Python's `random`, NumPy's global RNG and kerasette's own generator."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError(
            "Expected `seed` argument to be an integer. "
            f"Received: seed={seed} (of type {type(seed)})"
        )
    seed = int(seed)
    _pyrandom.seed(seed)
    np.random.seed(seed % (2**32))
    _state["generator"] = np.random.default_rng(seed)


def global_generator():
    """The shared numpy Generator (initialisation draws from it directly)."""
    return _state["generator"]


def next_seed():
    """A fresh 63-bit seed from the shared generator, e.g. for the engine's C++ RNG."""
    return int(_state["generator"].integers(0, 2**63 - 1))


def make_generator(seed=None):
    """A Generator seeded by `seed` when given, else one derived from the shared stream."""
    return np.random.default_rng(next_seed() if seed is None else int(seed))
