"""KerasClassifier and KerasRegressor: scikeras's API over kerasette models.

scikeras stopped working with scikit-learn 1.6 (mixin order, tags API); these keep
its constructor, routing (``model__*``, ``optimizer__*``, ``loss__*``, ``fit__*``,
``predict__*``, ``compile__*``, ``metrics__*``) and fitted attributes, on the
current scikit-learn contract.
"""

from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import column_or_1d

from kerasette.wrappers import _models
from kerasette.wrappers._base import BaseWrapper
from kerasette.wrappers._targets import ClassifierTargets, RegressorTargets

# Losses that want one-hot rows rather than class indices.
_ONE_HOT_LOSSES = frozenset(
    {
        "categorical_crossentropy",
        "categorical_focal_crossentropy",
        "categorical_hinge",
        "kl_divergence",
        "kld",
        "kullback_leibler_divergence",
    }
)


class KerasClassifier(ClassifierMixin, BaseWrapper):
    """scikit-learn classifier around a kerasette model (scikeras's contract).

    Args:
        model: a compiled model (cloned, with fresh weights, at each ``fit``) or a
            callable returning a model. The callable receives the ``model__*``
            parameters, any parameter its signature names, and ``meta`` (fitted
            attributes such as ``n_features_in_``, ``n_classes_``,
            ``n_outputs_expected_``), ``compile_kwargs`` and ``params`` if it asks.
            An uncompiled model is compiled with ``optimizer``/``loss``/``metrics``.
        warm_start: keep the weights between ``fit`` calls. Defaults to `False`.
        random_state: seeds initialisation, shuffling and dropout, so ``fit`` is
            repeatable. Defaults to `None` (a seed drawn from numpy's global RNG).
        optimizer: name, class or instance; ``optimizer__*`` go to its constructor.
            Defaults to `"rmsprop"`.
        loss: name, class, instance or function; ``loss__*`` go to its constructor.
            Defaults to `None`: binary cross-entropy for one output unit,
            sparse categorical cross-entropy otherwise.
        metrics: as in Keras's ``compile``.
        batch_size: as in Keras's ``fit``; -1 means the whole set.
        validation_batch_size: as in Keras's ``fit``.
        verbose: as in Keras's ``fit``. Defaults to `1`.
        callbacks: as in Keras's ``fit``.
        validation_split: as in Keras's ``fit``.
        shuffle: as in Keras's ``fit``.
        run_eagerly: as in Keras's ``compile``.
        epochs: as in Keras's ``fit``. Defaults to `1`.
        class_weight: dict ``{label: weight}`` or ``"balanced"``, folded into the
            sample weights. Defaults to `None`.
        **kwargs: routed parameters such as ``model__units=8``.

    Targets: binary, multiclass and multilabel-indicator. A categorical loss gets
    one-hot rows, other losses class indices (a 0/1 column for one sigmoid unit).

    Example:
    ```python
    import kerasette as keras
    from kerasette.wrappers import KerasClassifier

    def build(meta, hidden=16):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(hidden, activation="relu"),
                                 keras.layers.Dense(meta["n_classes_"], activation="softmax")])

    clf = KerasClassifier(build, loss="sparse_categorical_crossentropy", optimizer="adam",
                          epochs=10, verbose=0, random_state=0, model__hidden=32)
    clf.fit(X, y).predict_proba(X)
    ```
    """

    _y_numeric = False
    _parameter_constraints = {
        **BaseWrapper._parameter_constraints,
        "class_weight": [None, dict, StrOptions({"balanced"})],
    }

    def __init__(
        self,
        model=None,
        *,
        build_fn=None,
        warm_start=False,
        random_state=None,
        optimizer="rmsprop",
        loss=None,
        metrics=None,
        batch_size=None,
        validation_batch_size=None,
        verbose=1,
        callbacks=None,
        validation_split=0.0,
        shuffle=True,
        run_eagerly=False,
        epochs=1,
        class_weight=None,
        **kwargs,
    ):
        super().__init__(
            model=model,
            build_fn=build_fn,
            warm_start=warm_start,
            random_state=random_state,
            optimizer=optimizer,
            loss=loss,
            metrics=metrics,
            batch_size=batch_size,
            validation_batch_size=validation_batch_size,
            verbose=verbose,
            callbacks=callbacks,
            validation_split=validation_split,
            shuffle=shuffle,
            run_eagerly=run_eagerly,
            epochs=epochs,
            **kwargs,
        )
        self.class_weight = class_weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def partial_fit(self, X, y, classes=None, sample_weight=None, **kwargs):
        """Trains one epoch, keeping earlier weights; ``classes`` fixes the label set
        on the first call (later calls may then see only some of the labels)."""
        kwargs = dict(kwargs, epochs=1)
        return self._fit(X, y, sample_weight, warm_start=True, fit_args=kwargs, classes=classes)

    def predict_proba(self, X, **kwargs):
        """Class probabilities, shape (n_samples, n_classes), float64."""
        raw = self._predict_raw(X, **kwargs)
        return self._targets.proba(raw, _models.loss_from_logits(_models.loss_of(self.model_)))

    def predict(self, X, **kwargs):
        """Predicted labels (the most probable class; per-label 0.5 threshold for multilabel)."""
        proba = self.predict_proba(X, **kwargs)  # checks fitted before _targets is read
        return self._targets.decode(proba)

    # ----- hooks used by BaseWrapper -------------------------------------------------
    def _validate_X_y(self, X, y, reset):
        X, y = super()._validate_X_y(X, y, reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)  # DataConversionWarning, like other classifiers
        return X, y

    def _make_targets(self, y, classes):
        return ClassifierTargets(y, classes)

    def _set_target_attributes(self):
        t = self._targets
        self.classes_ = t.classes_
        self.n_classes_ = t.n_classes_
        self.target_type_ = t.target_type_
        self.n_outputs_expected_ = t.n_outputs_expected_
        self.y_dtype_ = t.y_dtype_

    def _default_loss(self, units):
        if self._targets.target_type_ == "multilabel-indicator":
            return "binary_crossentropy"
        if units == 1 or (units is None and self.n_classes_ <= 2):
            return "binary_crossentropy"
        return "sparse_categorical_crossentropy"

    def _encode_targets(self, y):
        units = _models.output_units(self.model_) or self.n_outputs_expected_
        name = _models.loss_name(_models.loss_of(self.model_))
        one_hot = name in _ONE_HOT_LOSSES
        return self._targets.encode(y, one_hot=one_hot, n_units=units)

    def _class_sample_weight(self, y, class_weight):
        return compute_sample_weight(class_weight, y)


class KerasRegressor(RegressorMixin, BaseWrapper):
    """scikit-learn regressor around a kerasette model (scikeras's contract).

    Takes the same arguments as :class:`KerasClassifier` except ``class_weight``;
    ``loss`` defaults to mean squared error. Targets may have several outputs;
    predictions are float64 with the target's shape; ``score`` is R².
    """

    _y_numeric = True

    def __init__(
        self,
        model=None,
        *,
        build_fn=None,
        warm_start=False,
        random_state=None,
        optimizer="rmsprop",
        loss=None,
        metrics=None,
        batch_size=None,
        validation_batch_size=None,
        verbose=1,
        callbacks=None,
        validation_split=0.0,
        shuffle=True,
        run_eagerly=False,
        epochs=1,
        **kwargs,
    ):
        super().__init__(
            model=model,
            build_fn=build_fn,
            warm_start=warm_start,
            random_state=random_state,
            optimizer=optimizer,
            loss=loss,
            metrics=metrics,
            batch_size=batch_size,
            validation_batch_size=validation_batch_size,
            verbose=verbose,
            callbacks=callbacks,
            validation_split=validation_split,
            shuffle=shuffle,
            run_eagerly=run_eagerly,
            epochs=epochs,
            **kwargs,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def predict(self, X, **kwargs):
        """Predictions, float64, shape (n_samples,) or (n_samples, n_outputs) like y."""
        raw = self._predict_raw(X, **kwargs)  # checks fitted before _targets is read
        return self._targets.decode(raw)

    def _make_targets(self, y, classes):
        return RegressorTargets(y)

    def _set_target_attributes(self):
        t = self._targets
        self.target_type_ = t.target_type_
        self.n_outputs_ = t.n_outputs_
        self.n_outputs_expected_ = t.n_outputs_expected_
        self.y_dtype_ = t.y_dtype_

    def _default_loss(self, units):
        return "mean_squared_error"

    def _encode_targets(self, y):
        return self._targets.encode(y)
