"""Helpers shared by the layer tests."""

import json

import numpy as np


def normalize(obj):
    """A config as JSON stores it (tuples -> lists), without Keras's shared-object ids."""
    obj = json.loads(json.dumps(obj, default=lambda o: o.tolist()))

    def strip(o):
        if isinstance(o, dict):
            o.pop("shared_object_id", None)
            for v in o.values():
                strip(v)
        elif isinstance(o, list):
            for v in o:
                strip(v)
        return o

    return strip(obj)


def data(*shape, seed=0, low=None):
    r = np.random.default_rng(seed)
    x = r.normal(size=shape).astype("float32")
    return x


def copy_weights(ks_layer, keras_layer):
    ks_layer.set_weights([np.asarray(w) for w in keras_layer.get_weights()])
