"""Small kerasette models the wrapper tests build (module-level, so they pickle by
reference into GridSearchCV's worker processes)."""

import kerasette as ks


def mlp(meta, hidden=(8,), activation="relu"):
    """Dense stack sized from the wrapper's meta: sigmoid for binary/multilabel
    targets, softmax for multiclass, linear for regression."""
    n_out = meta["n_outputs_expected_"]
    target = meta["target_type_"]
    if "n_classes_" not in meta:  # a regressor (integer targets also look "multiclass")
        out_act = None
    elif target == "multiclass":
        out_act = "softmax"
    elif target in ("binary", "multilabel-indicator"):
        out_act = "sigmoid"
    else:
        out_act = None
    model = ks.Sequential([ks.Input((meta["n_features_in_"],))])
    for units in hidden:
        model.add(ks.layers.Dense(units, activation=activation))
    model.add(ks.layers.Dense(n_out, activation=out_act))
    return model


def compiled_mlp(X, y, hidden=(8,), loss="categorical_crossentropy", learning_rate=0.05):
    """Keras 3 wrapper style: model(X=..., y=...) returning a compiled model; y is one-hot
    for SKLearnClassifier, a column for SKLearnRegressor."""
    model = ks.Sequential([ks.Input((X.shape[1],))])
    for units in hidden:
        model.add(ks.layers.Dense(units, activation="relu"))
    out_act = "softmax" if loss == "categorical_crossentropy" else None
    model.add(ks.layers.Dense(y.shape[1], activation=out_act))
    model.compile(optimizer=ks.optimizers.Adam(learning_rate=learning_rate), loss=loss)
    return model
