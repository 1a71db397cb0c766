"""The wrappers inside scikit-learn's machinery: pipelines, searches, CV, clone, pickle.

Searches run with n_jobs=2 (worker processes), so estimators cross process
boundaries by pickle; because fitting is deterministic, their results must equal
a single-process run exactly.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_digits, make_regression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, RandomizedSearchCV, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from wrapper_models import compiled_mlp, mlp

import kerasette as ks
from kerasette.wrappers import KerasClassifier, KerasRegressor, SKLearnClassifier

QUIET = {"verbose": 0}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32)[:600], y[:600]


def _mixed_frame(n=400, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "income": rng.lognormal(10, 1, n),
            "city": rng.choice(["oslo", "lima", "pune"], n),
        }
    )
    logit = (df.age - 40) / 10 + (df.city == "lima") * 1.5 - np.log(df.income / 22000)
    y = np.where(logit + rng.normal(0, 0.5, n) > 0, "buy", "skip")
    return df, y


def test_pipeline_with_column_transformer_matches_logistic_regression():
    df, y = _mixed_frame()
    pre = ColumnTransformer(
        [("num", StandardScaler(), ["age", "income"]), ("cat", OneHotEncoder(), ["city"])]
    )
    pipe = Pipeline(
        [
            ("pre", pre),
            (
                "net",
                KerasClassifier(
                    mlp,
                    model__hidden=(16,),
                    optimizer="adam",
                    optimizer__learning_rate=0.02,
                    epochs=30,
                    random_state=0,
                    **QUIET,
                ),
            ),
        ]
    )
    train, test = slice(0, 300), slice(300, None)
    pipe.fit(df.iloc[train], y[train])
    ours = pipe.score(df.iloc[test], y[test])
    ref = make_pipeline(clone(pre), LogisticRegression()).fit(df.iloc[train], y[train])
    assert ours >= ref.score(df.iloc[test], y[test]) - 0.05
    assert pipe.named_steps["net"].n_features_in_ == 5
    assert set(pipe.predict(df.iloc[test])) <= {"buy", "skip"}


def test_grid_search_two_workers_equals_one(digits):
    X, y = digits
    est = KerasClassifier(mlp, optimizer="adam", epochs=3, batch_size=32, random_state=0, **QUIET)
    grid = {"model__hidden": [(8,), (32,)], "optimizer__learning_rate": [0.003, 0.03]}
    par = GridSearchCV(est, grid, cv=3, n_jobs=2).fit(X, y)
    seq = GridSearchCV(est, grid, cv=3, n_jobs=1).fit(X, y)
    np.testing.assert_array_equal(
        par.cv_results_["mean_test_score"], seq.cv_results_["mean_test_score"]
    )
    assert par.best_params_ == seq.best_params_
    assert par.best_score_ > 0.8
    np.testing.assert_array_equal(par.predict(X), seq.predict(X))


def test_randomized_search_two_workers_regressor():
    X, y = make_regression(300, 6, noise=3.0, random_state=0)
    y = y / y.std()
    est = KerasRegressor(mlp, optimizer="adam", epochs=10, random_state=0, **QUIET)
    dist = {"optimizer__learning_rate": loguniform(1e-3, 1e-1), "model__hidden": [(4,), (16,)]}
    par = RandomizedSearchCV(est, dist, n_iter=4, cv=3, n_jobs=2, random_state=0).fit(X, y)
    seq = RandomizedSearchCV(est, dist, n_iter=4, cv=3, n_jobs=1, random_state=0).fit(X, y)
    np.testing.assert_allclose(
        par.cv_results_["mean_test_score"], seq.cv_results_["mean_test_score"], rtol=0, atol=0
    )
    assert par.best_score_ > 0.5


def test_cross_val_score_equals_manual_folds(digits):
    X, y = digits
    est = KerasClassifier(
        mlp,
        model__hidden=(32,),
        optimizer="adam",
        optimizer__learning_rate=0.01,
        epochs=5,
        random_state=1,
        **QUIET,
    )
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(est, X, y, cv=cv)
    manual = [clone(est).fit(X[tr], y[tr]).score(X[te], y[te]) for tr, te in cv.split(X)]
    np.testing.assert_array_equal(scores, manual)
    assert scores.mean() > 0.8


def test_clone_keeps_params_and_drops_fit(digits):
    X, y = digits
    est = KerasClassifier(
        mlp, model__hidden=(5,), optimizer__learning_rate=0.1, epochs=1, random_state=0, **QUIET
    ).fit(X, y)
    twin = clone(est)
    assert twin.get_params() == est.get_params()
    assert not hasattr(twin, "model_") and not hasattr(twin, "classes_")


@pytest.mark.parametrize(
    "make",
    [
        lambda: KerasClassifier(mlp, optimizer="adam", epochs=2, random_state=0, **QUIET),
        lambda: SKLearnClassifier(
            compiled_mlp, fit_kwargs={"epochs": 2, "verbose": 0}, random_state=0
        ),
    ],
    ids=["KerasClassifier", "SKLearnClassifier"],
)
def test_pickle_round_trip_predicts_identically(digits, make):
    X, y = digits
    est = make().fit(X, y)
    blob = pickle.dumps(est)
    assert b"kerasette._core" not in blob  # no native object crosses the pickle
    back = pickle.loads(blob)
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    np.testing.assert_array_equal(
        back.model_.predict(X, verbose=0), est.model_.predict(X, verbose=0)
    )


def test_pickle_round_trip_then_warm_start_continues_exactly(digits):
    X, y = digits
    est = KerasClassifier(mlp, optimizer="adam", epochs=2, random_state=0, **QUIET).fit(X, y)
    back = pickle.loads(pickle.dumps(est))
    # shuffle=False: the unpickled model compiles new programs, which take one more draw
    # from the seeded stream, so its shuffling order would differ from est's.
    est.partial_fit(X, y, shuffle=False)
    back.partial_fit(X, y, shuffle=False)  # needs the optimizer's slots restored, not reset
    assert back.model_.optimizer.iterations == est.model_.optimizer.iterations
    np.testing.assert_allclose(back.predict_proba(X), est.predict_proba(X), rtol=1e-6, atol=1e-7)


def test_pickle_unfitted_estimator_holding_a_compiled_model(digits):
    X, y = digits
    template = ks.Sequential([ks.Input((64,)), ks.layers.Dense(10, activation="softmax")])
    template.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    est = KerasClassifier(template, epochs=2, random_state=0, **QUIET)
    back = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(back.fit(X, y).predict(X), est.fit(X, y).predict(X))
