"""DenseFeatures in a Sequential: every kind of column trains, and beats numeric-only."""

import numpy as np
import pytest

import kerasette as ks
from kerasette import feature_column as fc

pd = pytest.importorskip("pandas")

CITIES = [f"city_{i}" for i in range(8)]
JOBS = [f"job_{i}" for i in range(40)]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def make_table(n, seed):
    """A tabular problem whose label depends mostly on categorical features."""
    effects = np.random.default_rng(123)  # fixed across splits
    city_fx = dict(zip(CITIES, effects.normal(0, 1.0, len(CITIES))))
    job_fx = dict(zip(JOBS, effects.normal(0, 1.0, len(JOBS))))
    cross_fx = effects.normal(0, 1.0, (len(CITIES), len(DAYS)))
    user_fx = effects.normal(0, 0.8, 100)
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "age": rng.uniform(18, 80, n),
            "income": rng.normal(0, 1, n),
            "city": rng.choice(CITIES + ["atlantis"], n, p=[0.12] * 8 + [0.04]),
            "job": rng.choice(JOBS, n),
            "day": rng.choice(DAYS, n),
            "user": rng.integers(0, 100, n),
        }
    )
    logit = (
        1.2 * ((df.age >= 30) & (df.age < 45))
        - 0.6
        + 0.3 * df.income
        + df.city.map(city_fx).fillna(0)
        + df.job.map(job_fx)
        + [
            cross_fx[CITIES.index(c), DAYS.index(d)] if c in CITIES else 0
            for c, d in zip(df.city, df.day)
        ]
        + user_fx[df.user]
    )
    y = (logit + rng.normal(0, 0.3, n) > np.median(logit)).astype(np.float32)
    return df, y.to_numpy()


def all_columns():
    age = fc.numeric_column("age", normalizer_fn=lambda x: (x - 50) / 20)
    city = fc.categorical_column_with_vocabulary_list("city", CITIES, num_oov_buckets=1)
    return [
        age,
        fc.numeric_column("income"),
        fc.bucketized_column(fc.numeric_column("age"), [25, 30, 35, 40, 45, 55, 65]),
        fc.indicator_column(city),
        fc.embedding_column(fc.categorical_column_with_hash_bucket("job", 64), dimension=6),
        fc.indicator_column(fc.crossed_column([city, "day"], hash_bucket_size=128)),
        fc.embedding_column(
            fc.categorical_column_with_identity("user", 100), dimension=4, combiner="sum"
        ),
    ]


def numeric_columns():
    return [
        fc.numeric_column("age", normalizer_fn=lambda x: (x - 50) / 20),
        fc.numeric_column("income"),
    ]


def train_and_score(columns, train, test, seed=0):
    ks.utils.set_random_seed(seed)
    model = ks.Sequential(
        [
            ks.layers.DenseFeatures(columns),
            ks.layers.Dense(32, activation="relu"),
            ks.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer=ks.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"]
    )
    model.fit(train[0], train[1], epochs=12, batch_size=64, verbose=0)
    loss, acc = model.evaluate(test[0], test[1], verbose=0)
    return model, acc


@pytest.mark.slow
def test_feature_columns_beat_numeric_only_on_held_out_data():
    train, test = make_table(6000, seed=1), make_table(2000, seed=2)
    model, acc_all = train_and_score(all_columns(), train, test)
    _, acc_numeric = train_and_score(numeric_columns(), train, test)
    print(f"held-out accuracy: all columns {acc_all:.4f}, numeric only {acc_numeric:.4f}")
    assert acc_all > acc_numeric + 0.10, (acc_all, acc_numeric)
    assert acc_all > 0.8

    # predict takes a dict of arrays too, and agrees with evaluate's accuracy
    features = {k: test[0][k].to_numpy() for k in test[0].columns}
    p = model.predict(features, verbose=0).ravel()
    assert abs(np.mean((p > 0.5) == test[1]) - acc_all) < 1e-6


def test_embedding_tables_train_by_backprop():
    train = make_table(600, seed=3)
    ks.utils.set_random_seed(0)
    layer = ks.layers.DenseFeatures(all_columns())
    model = ks.Sequential([layer, ks.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    layer.build()
    tables = {v.path: v.numpy() for v in layer.weights}
    assert sorted(tables) == [
        "dense_features/job_embedding/embedding_weights".replace("dense_features", layer.name),
        f"{layer.name}/user_embedding/embedding_weights",
    ]
    model.fit(train[0], train[1], epochs=1, batch_size=32, verbose=0)
    for v in layer.weights:
        changed = np.any(v.numpy() != tables[v.path], axis=1)
        # rows of ids that occur in the data moved; a hashed table has unused rows
        assert changed.sum() > 10, v.path


def test_eager_call_matches_a_numpy_reference():
    ks.utils.set_random_seed(0)
    cols = [
        fc.numeric_column("a"),
        fc.embedding_column(fc.categorical_column_with_identity("i", 5), 3, combiner="mean"),
        fc.embedding_column(fc.categorical_column_with_identity("j", 4), 2, combiner="sqrtn"),
    ]
    layer = ks.layers.DenseFeatures(cols)
    feats = {
        "a": np.array([1.5, -2.0, 0.0]),
        "i": np.array([[0, 4], [2, -1], [-1, -1]]),
        "j": np.array([[1, 1], [3, -1], [0, 2]]),
    }
    out = layer(feats)
    ti, tj = (v.numpy() for v in layer.weights)  # i_embedding, j_embedding (sorted by name)
    expected = np.array(
        [
            [1.5, *(ti[0] + ti[4]) / 2, *(tj[1] + tj[1]) / np.sqrt(2)],
            [-2.0, *ti[2], *tj[3]],
            [0.0, 0.0, 0.0, 0.0, *(tj[0] + tj[2]) / np.sqrt(2)],
        ],
        dtype=np.float32,
    )
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    assert layer.segments[0] == ("dense", 1)
    assert [s[0] for s in layer.segments[1:]] == ["embedding", "embedding"]
    assert [s[2:] for s in layer.segments[1:]] == [(3, 2, "mean"), (2, 2, "sqrtn")]


def test_missing_feature_and_bad_columns_are_clear_errors():
    layer = ks.layers.DenseFeatures(numeric_columns())
    with pytest.raises(ValueError, match="needs the input feature 'income'"):
        layer.preprocess({"age": np.zeros(3)})
    with pytest.raises(ValueError, match="Wrap a categorical column"):
        ks.layers.DenseFeatures([fc.categorical_column_with_identity("i", 3)])
    with pytest.raises(TypeError, match="dict of arrays or a pandas DataFrame"):
        layer.preprocess(np.zeros((3, 2)))


def scale_age(x):
    return (x - 50) / 20


def test_save_and_load_a_feature_column_model(tmp_path):
    train, test = make_table(400, seed=5), make_table(100, seed=6)
    cols = all_columns()
    cols[0] = fc.numeric_column("age", normalizer_fn=scale_age)
    ks.utils.set_random_seed(0)
    model = ks.Sequential(
        [
            ks.layers.DenseFeatures(cols),
            ks.layers.Dense(4, activation="relu"),
            ks.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(train[0], train[1], epochs=1, verbose=0)
    path = tmp_path / "features.keras"
    model.save(path)
    with pytest.raises(ValueError, match="normalizer_fn='scale_age'"):
        ks.models.load_model(path)
    loaded = ks.models.load_model(path, custom_objects={"scale_age": scale_age})
    np.testing.assert_allclose(
        loaded.predict(test[0], verbose=0), model.predict(test[0], verbose=0), rtol=1e-6
    )
    a, b = model.layers[0].get_config(), loaded.layers[0].get_config()
    assert a == b
