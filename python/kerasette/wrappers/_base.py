"""BaseWrapper: scikeras's estimator contract over a Keras-style model.

``__init__`` only stores arguments. Everything else (building the model, compiling
it, encoding the target, seeding) happens in ``fit``, so ``clone``, ``get_params``
and ``set_params`` behave like any scikit-learn estimator. Extra keyword arguments
(``model__units=8``, ``optimizer__learning_rate=0.01``, ...) are parameters too:
they live in ``_routed_params`` and ``get_params``/``set_params`` see them.
"""

import inspect
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from kerasette.wrappers import _models
from kerasette.wrappers._pickling import PicklesModels
from kerasette.wrappers._routing import (
    COMPILE_KWARGS,
    FIT_KWARGS,
    PREDICT_KWARGS,
    is_routed_name,
    route_params,
)

# Parameters handled by the wrapper itself, never routed into model.fit.
_NOT_FOR_FIT = frozenset({"sample_weight", "class_weight"})
# Meta-arguments a model-building callable may ask for by name.
_BUILD_SPECIALS = ("meta", "compile_kwargs", "params")


class BaseWrapper(PicklesModels, BaseEstimator):
    """Shared machinery of KerasClassifier and KerasRegressor (see their docstrings)."""

    _parameter_constraints = {
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "batch_size": [None, Interval(Integral, -1, None, closed="left")],
        "validation_batch_size": [None, Interval(Integral, -1, None, closed="left")],
        "epochs": [Interval(Integral, 0, None, closed="left")],
        "verbose": ["verbose", StrOptions({"auto"})],
        "validation_split": [Interval(Real, 0, 1, closed="left")],
        "shuffle": ["boolean"],
        "run_eagerly": ["boolean"],
        "callbacks": [None, list, tuple],
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
        **kwargs,
    ):
        self.model = model
        self.build_fn = build_fn
        self.warm_start = warm_start
        self.random_state = random_state
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.batch_size = batch_size
        self.validation_batch_size = validation_batch_size
        self.verbose = verbose
        self.callbacks = callbacks
        self.validation_split = validation_split
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.epochs = epochs
        self._routed_params = dict(kwargs)

    # ----- parameters ---------------------------------------------------------------
    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        params.update(self.__dict__.get("_routed_params", {}))
        return params

    def set_params(self, **params):
        """Sets constructor parameters, routed ``dest__x`` ones, and extras given at init.

        Any other name raises, as scikit-learn does, so a typo in a search grid is
        caught instead of silently ignored.
        """
        own = set(self._get_param_names())
        for key, value in params.items():
            if key in own:
                setattr(self, key, value)
            elif is_routed_name(key) or key in self._routed_params:
                self._routed_params[key] = value
            else:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {type(self).__name__}."
                    f" Valid parameters are: {sorted(own | set(self._routed_params))}"
                    " and routed ones such as model__x, optimizer__x, fit__x."
                )
        return self

    def __getattr__(self, name):
        # Extra parameters read like attributes, as in scikeras (est.model__units).
        routed = self.__dict__.get("_routed_params")
        if routed is not None and name in routed:
            return routed[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # ----- tags ---------------------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False  # seeded by random_state: fit is repeatable
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags

    def __sklearn_is_fitted__(self):
        return "model_" in self.__dict__

    @property
    def initialized_(self):
        return "model_" in self.__dict__

    # ----- fitting ------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None, **kwargs):
        """Builds (unless ``warm_start`` and already fitted), compiles and trains the model.

        Args:
            X: array-like or DataFrame of shape (n_samples, n_features).
            y: targets, shape (n_samples,) or (n_samples, n_outputs).
            sample_weight: optional per-sample weights, shape (n_samples,).
            **kwargs: passed to ``model.fit``; they win over ``fit__*`` and plain params.
        Returns:
            self.
        """
        return self._fit(X, y, sample_weight, warm_start=self.warm_start, fit_args=kwargs)

    def partial_fit(self, X, y, sample_weight=None, **kwargs):
        """Trains one epoch, keeping the weights (and classes) of earlier calls."""
        kwargs = dict(kwargs, epochs=1)
        return self._fit(X, y, sample_weight, warm_start=True, fit_args=kwargs)

    def _fit(self, X, y, sample_weight, warm_start, fit_args, classes=None):
        params = self.get_params(deep=False)
        validate_parameter_constraints(
            self._parameter_constraints, params, caller_name=type(self).__name__
        )
        reset = not (warm_start and self.initialized_)
        # Everything the user passed is checked before any state changes or model work.
        X, y = self._validate_X_y(X, y, reset=reset)
        fit_kwargs = self._fit_kwargs(params, fit_args, len(X))
        sample_weight = self._sample_weight(X, y, sample_weight, params, fit_kwargs)
        targets = self._make_targets(y, classes) if reset else self._targets
        if reset:
            self._targets = targets
            self._set_target_attributes()
            self._fit_calls = 0
            self._base_seed = _models.seed_from(self.random_state)
        # Each call reseeds (shifted per call so epochs of a warm start reshuffle).
        _models.set_seed(self._base_seed + self._fit_calls)
        self._fit_calls += 1
        if reset:
            self.history_ = {}
            self.model_ = self._build_and_compile(X, params)
        y_net = self._encode_targets(y)
        if sample_weight is not None:
            fit_kwargs["sample_weight"] = sample_weight
        history = self.model_.fit(X, y_net, **fit_kwargs)
        for key, values in (getattr(history, "history", None) or {}).items():
            self.history_.setdefault(key, []).extend(float(v) for v in values)
        return self

    def _validate_X_y(self, X, y, reset):
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            dtype=np.float32,
            order="C",
            multi_output=True,
            y_numeric=self._y_numeric,
        )
        return _writeable(X), y

    def _validate_X(self, X):
        return _writeable(validate_data(self, X, reset=False, dtype=np.float32, order="C"))

    def _sample_weight(self, X, y, sample_weight, params, fit_kwargs):
        """Per-sample float32 weights (sample_weight x class_weight), or None.

        ``class_weight``/``sample_weight`` found among the fit arguments (given to
        ``fit`` or as ``fit__*``) are taken out: model.fit receives the product.
        """
        class_weight = fit_kwargs.pop("class_weight", params.get("class_weight"))
        if "sample_weight" in fit_kwargs:
            sample_weight = fit_kwargs.pop("sample_weight")
        if sample_weight is None and class_weight is None:
            return None
        weights = _check_sample_weight(sample_weight, X, dtype=np.float32, ensure_non_negative=True)
        if class_weight is not None:
            weights = weights * self._class_sample_weight(y, class_weight)
        if not np.any(weights > 0):
            raise ValueError("Sample weights must contain at least one non-zero number.")
        return np.ascontiguousarray(weights, dtype=np.float32)

    def _class_sample_weight(self, y, class_weight):
        raise ValueError(
            f"class_weight is only supported by classifiers; "
            f"{type(self).__name__} got class_weight={class_weight!r}."
        )

    def _fit_kwargs(self, params, fit_args, n_samples):
        # Plain class_weight is the wrapper's own; a fit__class_weight is still routed.
        kwargs = route_params(params, "fit", FIT_KWARGS - _NOT_FOR_FIT)
        kwargs.update(fit_args)
        for key in ("batch_size", "validation_batch_size"):
            if kwargs.get(key) == -1:  # scikeras: -1 is the whole data set in one batch
                kwargs[key] = n_samples
            if key in kwargs and kwargs[key] is None:
                del kwargs[key]
        if not kwargs.get("callbacks"):
            kwargs.pop("callbacks", None)
        return kwargs

    # ----- building -----------------------------------------------------------------
    def _build_and_compile(self, X, params):
        build = self.model if self.model is not None else self.build_fn
        if self.build_fn is not None:
            warnings.warn(
                "build_fn is deprecated; pass the callable as model=.", FutureWarning, stacklevel=4
            )
        if build is None:
            if type(self)._keras_build_fn is BaseWrapper._keras_build_fn:
                raise ValueError(
                    f"{type(self).__name__} needs model=: a compiled model or a "
                    "callable that returns one (or a subclass defining "
                    "_keras_build_fn)."
                )
            build = self._keras_build_fn
        if _models.is_model(build):
            model = _models.clone_compiled(build)
        elif callable(build):
            model = build(**self._build_kwargs(build, params))
        else:
            raise TypeError(
                f"model= must be a model or a callable returning one; got {type(build).__name__}."
            )
        if not _models.is_model(model):
            raise TypeError(
                f"The model callable returned {type(model).__name__}; expected a "
                "model with compile/fit/predict (e.g. kerasette.Sequential)."
            )
        if not _models.is_compiled(model):
            model.compile(**self._compile_kwargs(params, _models.library_of(model), model))
        return model

    def _keras_build_fn(self, **kwargs):
        raise NotImplementedError

    def _build_kwargs(self, build, params):
        """Arguments for the model callable: ``model__*`` params, plain params its
        signature names, and ``meta``/``compile_kwargs``/``params`` if it asks."""
        sig = inspect.signature(build).parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in sig.values())
        routed = route_params(params, "model", set(sig) - set(_BUILD_SPECIALS))
        for key in routed:
            if key not in sig and not takes_any:
                raise TypeError(
                    f"model__{key} was given, but the model callable "
                    f"{getattr(build, '__name__', build)!r} takes no {key!r} "
                    f"argument (it takes {list(sig)})."
                )
        if "meta" in sig:
            routed["meta"] = self._meta()
        if "compile_kwargs" in sig:
            routed["compile_kwargs"] = self._compile_kwargs(params, "kerasette")
        if "params" in sig:
            routed["params"] = params
        return routed

    def _meta(self):
        names = (
            "n_features_in_",
            "feature_names_in_",
            "target_type_",
            "classes_",
            "n_classes_",
            "n_outputs_",
            "n_outputs_expected_",
            "X_shape_",
            "X_dtype_",
            "y_shape_",
            "y_dtype_",
        )
        return {n: self.__dict__[n] for n in names if n in self.__dict__}

    def _compile_kwargs(self, params, library, model=None):
        kwargs = route_params(params, "compile", COMPILE_KWARGS)
        kwargs["optimizer"] = _instantiate(
            kwargs.get("optimizer"), library, "optimizers", route_params(params, "optimizer", set())
        )
        loss = kwargs.get("loss")
        if loss is None:
            loss = self._default_loss(_models.output_units(model) if model is not None else None)
        kwargs["loss"] = _instantiate(loss, library, "losses", route_params(params, "loss", set()))
        metrics = kwargs.get("metrics")
        if metrics is not None:
            metric_kwargs = route_params(params, "metrics", set())
            kwargs["metrics"] = [
                _instantiate(m, library, "metrics", metric_kwargs) if inspect.isclass(m) else m
                for m in _as_list(metrics)
            ]
        for key in ("metrics", "loss_weights", "weighted_metrics"):
            if kwargs.get(key) is None:
                kwargs.pop(key, None)
        if not kwargs.get("run_eagerly"):
            kwargs.pop("run_eagerly", None)
        return kwargs

    # ----- prediction ---------------------------------------------------------------
    def _predict_raw(self, X, **kwargs):
        check_is_fitted(self)
        X = self._validate_X(X)
        predict_kwargs = route_params(self.get_params(deep=False), "predict", PREDICT_KWARGS)
        predict_kwargs.update(kwargs)
        if predict_kwargs.get("batch_size") == -1:
            predict_kwargs["batch_size"] = len(X)
        if predict_kwargs.get("batch_size") is None:
            predict_kwargs.pop("batch_size", None)
        return self.model_.predict(X, **predict_kwargs)


def _writeable(X):
    # A read-only input (memmap) is copied once rather than handed to the engine.
    return X if X.flags.writeable else X.copy()


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _instantiate(spec, library, module_name, kwargs):
    """An optimizer/loss/metric object from a name, class or instance, plus routed kwargs.

    A name becomes its class (``"adam"`` -> ``Adam``) when kwargs need a constructor;
    an instance is copied through its config so the parameter itself is never mutated.
    """
    if spec is None:
        return None
    if isinstance(spec, str):
        if not kwargs:
            return spec
        module = _models.library_module(library, module_name)
        spec = type(module.get(spec))
        if inspect.isfunction(spec):  # a loss given as a function name takes no kwargs
            raise ValueError(
                f"{module_name[:-1]} {spec!r} is a function; routed parameters "
                f"{sorted(kwargs)} need a class."
            )
    if inspect.isclass(spec):
        return spec(**kwargs)
    if hasattr(spec, "get_config") and hasattr(type(spec), "from_config"):
        return type(spec).from_config({**spec.get_config(), **kwargs})
    if kwargs:
        raise ValueError(
            f"Routed parameters {sorted(kwargs)} cannot be applied to "
            f"{spec!r}; pass a class or a name instead."
        )
    return spec
