"""SKLearnClassifier / SKLearnRegressor / SKLearnTransformer: Keras 3's own wrappers.

Same constructor as ``keras.wrappers.SKLearn*`` — ``(model, warm_start=False,
model_kwargs=None, fit_kwargs=None)`` — plus ``random_state``, which makes
``fit`` repeatable (kerasette's engine is deterministic once seeded), so these pass
the reproducibility checks Keras's wrappers list as expected failures.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
from sklearn.utils._param_validation import validate_parameter_constraints
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from kerasette.wrappers import _models
from kerasette.wrappers._pickling import PicklesModels
from kerasette.wrappers._targets import ClassifierTargets, RegressorTargets


class SKLBase(PicklesModels, BaseEstimator):
    """Shared fit/predict of the Keras 3 style wrappers.

    Args:
        model: a compiled model (cloned with fresh weights before fitting, unless
            ``warm_start``) or a callable ``model(X=..., y=..., **model_kwargs)``
            returning a compiled model.
        warm_start: reuse the weights of the previous fit. Defaults to `False`.
        model_kwargs: dict of keyword arguments for a callable ``model``.
            Defaults to `None`.
        fit_kwargs: dict of keyword arguments for ``model.fit``; those given to
            ``fit`` itself win. Defaults to `None`.
        random_state: seeds initialisation, shuffling and dropout (kerasette
            extension). Defaults to `None` (a seed from numpy's global RNG).
    Attributes:
        model_: the fitted model. history_: dict metric -> list of per-epoch values.
    """

    _parameter_constraints = {
        "warm_start": ["boolean"],
        "model_kwargs": [None, dict],
        "fit_kwargs": [None, dict],
        "random_state": ["random_state"],
    }

    def __init__(
        self, model, warm_start=False, model_kwargs=None, fit_kwargs=None, random_state=None
    ):
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.input_tags.sparse = False
        return tags

    def __sklearn_is_fitted__(self):
        return "model_" in self.__dict__

    @property
    def epoch_(self):
        """Epochs trained so far (over all warm-started fits)."""
        return len(next(iter(self.__dict__.get("history_", {}).values()), []))

    def fit(self, X, y, **kwargs):
        """Fits the model; ``kwargs`` go to ``model.fit`` and win over ``fit_kwargs``."""
        validate_parameter_constraints(
            self._parameter_constraints,
            self.get_params(deep=False),
            caller_name=type(self).__name__,
        )
        continuing = self.warm_start and "model_" in self.__dict__
        X, y = validate_data(
            self,
            X,
            y,
            reset=not continuing,
            dtype=np.float32,
            order="C",
            multi_output=True,
            y_numeric=not isinstance(self, ClassifierMixin),
        )
        if not X.flags.writeable:
            X = X.copy()
        if not continuing:
            self._base_seed = _models.seed_from(self.random_state)
            self._fit_calls = 0
            self._fit_targets(y)
            self.history_ = {}
        _models.set_seed(self._base_seed + self._fit_calls)
        self._fit_calls += 1
        y_net = self._encode(y)
        if not continuing:
            self.model_ = self._get_model(X, y_net)
        fit_kwargs = dict(self.fit_kwargs or {})
        fit_kwargs.update(kwargs)
        history = self.model_.fit(X, y_net, **fit_kwargs)
        for key, values in (getattr(history, "history", None) or {}).items():
            self.history_.setdefault(key, []).extend(float(v) for v in values)
        return self

    def _get_model(self, X, y):
        if _models.is_model(self.model):
            model = self.model if self.warm_start else _models.clone_compiled(self.model)
        elif callable(self.model):
            model = self.model(X=X, y=y, **(self.model_kwargs or {}))
        else:
            raise TypeError(
                f"model must be a compiled model or a callable returning one; "
                f"got {type(self.model).__name__}."
            )
        if not _models.is_model(model) or not _models.is_compiled(model):
            raise TypeError(
                f"{type(self).__name__} needs a compiled model (call "
                f"model.compile(...) before returning it); got {model!r}."
            )
        return model

    def _raw(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float32, order="C")
        return np.asarray(self.model_.predict(X, verbose=0))

    def _fit_targets(self, y):
        pass

    def _encode(self, y):
        return y


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """scikit-learn classifier around a compiled kerasette model (Keras 3's API).

    Targets are one-hot encoded (binary or multiclass), so the model's last layer
    needs ``n_classes`` units. ``predict`` returns the arg-max class;
    ``decision_function`` the raw outputs (for two classes, the margin
    ``out[:, 1] - out[:, 0]``, whose sign is the predicted class).
    """

    def _fit_targets(self, y):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        targets = ClassifierTargets(y)
        if targets.target_type_ not in ("binary", "multiclass"):
            raise ValueError(
                "Only binary and multiclass target types are supported. "
                f"Target type: {targets.target_type_}"
            )
        if targets.n_classes_ == 1:
            raise ValueError("Classifier can't train when only one class is present.")
        self._targets = targets
        self.classes_ = targets.classes_

    def _encode(self, y):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y)
        return self._targets.encode(y, one_hot=True, n_units=self._targets.n_classes_)

    def _outputs(self, X):
        raw = self._raw(X)
        if raw.ndim != 2 or raw.shape[1] != len(self.classes_):
            raise ValueError(
                f"The model outputs shape {raw.shape}; a one-hot classifier over "
                f"{len(self.classes_)} classes needs (n, {len(self.classes_)})."
            )
        return raw

    def predict(self, X):
        raw = self._outputs(X)  # checks fitted before classes_ is read
        return self.classes_[np.argmax(raw, axis=1)]

    def decision_function(self, X):
        raw = self._outputs(X).astype(np.float64)
        return raw[:, 1] - raw[:, 0] if raw.shape[1] == 2 else raw


class SKLearnRegressor(RegressorMixin, SKLBase):
    """scikit-learn regressor around a compiled kerasette model (Keras 3's API).

    A 1-D target is given to the model as a column and predictions come back 1-D,
    float64; ``score`` is R².
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _fit_targets(self, y):
        self._targets = RegressorTargets(y)

    def _encode(self, y):
        return self._targets.encode(y)

    def predict(self, X):
        raw = self._raw(X)  # checks fitted before _targets is read
        return self._targets.decode(raw)


class SKLearnTransformer(TransformerMixin, SKLBase):
    """scikit-learn transformer whose ``transform`` is the fitted model's ``predict``."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags

    def _fit_targets(self, y):
        self._targets = RegressorTargets(y)  # as Keras's TargetReshaper: 1-D y -> a column

    def _encode(self, y):
        return self._targets.encode(y)

    def transform(self, X):
        return self._raw(X)
