"""Pickling kerasette models without pickling C++ objects.

A kerasette model holds native state (its compiled Plan, arena-backed weights), so
the wrappers never pickle the model object itself. ``pack`` turns it into what a
``.keras`` file holds, in memory: the config.json dict (architecture + compile
config) and the model.weights.h5 bytes (weights + optimizer state), written by
kerasette.saving; ``unpack`` rebuilds the model from them, so a fitted estimator
predicts identically and a warm start continues exactly after a round trip.
Models from other libraries (real Keras pickles itself) pass through untouched.
"""

from kerasette.wrappers._models import library_of


class PackedModel:
    """A kerasette model as plain data: config dict and .weights.h5 bytes."""

    def __init__(self, model):
        from kerasette.saving import keras_archive

        self.config = keras_archive.model_config(model)
        built = getattr(model, "built", False)
        # An optimizer that never stepped has no slots yet: nothing to carry over.
        self.with_optimizer = bool(getattr(getattr(model, "optimizer", None), "built", False))
        self.weights = (
            keras_archive.weights_bytes(model, include_optimizer=self.with_optimizer)
            if built
            else None
        )

    def unpack(self):
        from kerasette.saving.keras_archive import open_h5_bytes
        from kerasette.saving.model_config import model_from_config
        from kerasette.saving.weights_h5 import read_weights

        model = model_from_config(self.config, compile=True)
        if self.weights is not None:
            with open_h5_bytes(self.weights, "a pickled kerasette model") as h5:
                read_weights(h5, model, load_optimizer=self.with_optimizer)
        return model


def pack(obj):
    """``obj`` ready for pickle: a kerasette model becomes a PackedModel."""
    if library_of(obj, default=None) == "kerasette" and hasattr(obj, "get_config"):
        return PackedModel(obj)
    return obj


def unpack(obj):
    return obj.unpack() if isinstance(obj, PackedModel) else obj


class PicklesModels:
    """Estimator mixin (put before BaseEstimator): its `model` parameter and fitted
    `model_` travel through pickle as PackedModels."""

    _MODEL_KEYS = ("model", "model_")

    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ returns __dict__ itself
        for key in self._MODEL_KEYS:
            if key in state:
                state[key] = pack(state[key])
        return state

    def __setstate__(self, state):
        state = dict(state)
        for key in self._MODEL_KEYS:
            if key in state:
                state[key] = unpack(state[key])
        super().__setstate__(state)
