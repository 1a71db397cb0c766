"""scikit-learn estimators over kerasette models.

``KerasClassifier``/``KerasRegressor`` follow scikeras's contract (routed
``model__*``, ``optimizer__*``, ``fit__*``... parameters); ``SKLearnClassifier``,
``SKLearnRegressor`` and ``SKLearnTransformer`` follow Keras 3's own wrappers.
This is the only subpackage that imports scikit-learn, and only when first used.
"""

try:  # scikit-learn is the sklearn extra; say so instead of a bare "No module named"
    import sklearn as _sklearn
except ImportError as _e:
    raise ImportError(
        f"kerasette.wrappers needs the sklearn extra (pip install 'kerasette[sklearn]'): {_e}",
        name="sklearn",
    ) from _e
if tuple(int(p) for p in _sklearn.__version__.split(".")[:2] if p.isdigit()) < (1, 6):
    raise ImportError(
        f"kerasette.wrappers needs scikit-learn >= 1.6, found "
        f"{_sklearn.__version__} (pip install -U 'kerasette[sklearn]')",
        name="sklearn",
    )

from kerasette.wrappers._keras3 import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer
from kerasette.wrappers._scikeras import KerasClassifier, KerasRegressor

__all__ = [
    "KerasClassifier",
    "KerasRegressor",
    "SKLearnClassifier",
    "SKLearnRegressor",
    "SKLearnTransformer",
]
