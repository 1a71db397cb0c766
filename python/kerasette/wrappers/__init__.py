"""scikit-learn estimators over kerasette models.

``KerasClassifier``/``KerasRegressor`` follow scikeras's contract (routed
``model__*``, ``optimizer__*``, ``fit__*``... parameters); ``SKLearnClassifier``,
``SKLearnRegressor`` and ``SKLearnTransformer`` follow Keras 3's own wrappers.
This is the only subpackage that imports scikit-learn, and only when first used.
"""
from kerasette.wrappers._keras3 import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer
from kerasette.wrappers._scikeras import KerasClassifier, KerasRegressor

__all__ = ["KerasClassifier", "KerasRegressor", "SKLearnClassifier", "SKLearnRegressor",
           "SKLearnTransformer"]
