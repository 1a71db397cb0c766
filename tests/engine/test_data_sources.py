"""fit / evaluate / predict accept arrays, lists, DataFrames, Datasets, generators,
PyDatasets and (through DenseFeatures) dicts, and give the same numbers for the same data."""

import numpy as np
import pytest

import kerasette
from kerasette import layers


def _model(seed=0):
    kerasette.utils.set_random_seed(seed)
    m = kerasette.models.Sequential(
        [layers.Input((3,)), layers.Dense(4, activation="relu"), layers.Dense(1)]
    )
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return m


R = np.random.default_rng(0)
X = R.normal(size=(40, 3)).astype("float32")
Y = (X @ np.array([1.0, -2.0, 0.5]))[:, None].astype("float32")


def _reference_weights():
    m = _model()
    m.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return m.get_weights()


def _assert_same(m, ref):
    for a, b in zip(m.get_weights(), ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_lists_and_dataframes():
    pd = pytest.importorskip("pandas")
    ref = _reference_weights()
    m = _model()
    m.fit(X.tolist(), Y.tolist(), batch_size=8, epochs=2, shuffle=False, verbose=0)
    _assert_same(m, ref)
    m = _model()
    m.fit(pd.DataFrame(X), pd.Series(Y[:, 0]), batch_size=8, epochs=2, shuffle=False, verbose=0)
    _assert_same(m, ref)


def test_generator_and_pydataset_and_dataset():
    ref = _reference_weights()

    def gen():
        for _ in range(2):
            for i in range(0, 40, 8):
                yield X[i : i + 8], Y[i : i + 8]

    m = _model()
    m.fit(gen(), epochs=2, steps_per_epoch=5, verbose=0)
    _assert_same(m, ref)

    class Batches(kerasette.utils.PyDataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return X[i * 8 : (i + 1) * 8], Y[i * 8 : (i + 1) * 8]

    m = _model()
    m.fit(Batches(), epochs=2, verbose=0)
    _assert_same(m, ref)

    ds = kerasette.data.Dataset.from_tensor_slices((X, Y)).batch(8)
    m = _model()
    m.fit(ds, epochs=2, verbose=0)
    _assert_same(m, ref)
    np.testing.assert_allclose(
        m.evaluate(ds, verbose=0), m.evaluate(X, Y, batch_size=8, verbose=0), rtol=1e-6
    )
    np.testing.assert_allclose(m.predict(ds, verbose=0), m.predict(X, verbose=0), rtol=1e-6)


def test_dense_features_dict_input_trains_embedding():
    fc = kerasette.feature_column
    cols = [
        fc.numeric_column("a"),
        fc.embedding_column(
            fc.categorical_column_with_identity("c", num_buckets=5), 2, combiner="mean"
        ),
    ]
    m = kerasette.models.Sequential([layers.DenseFeatures(cols), layers.Dense(1)])
    m.compile(optimizer=kerasette.optimizers.SGD(0.1), loss="mse")
    feats = {"a": np.array([0.5, -1.0, 2.0, 0.0], "float32"), "c": np.array([0, 1, 4, 1])}
    y = np.array([[1.0], [0.0], [2.0], [0.5]], "float32")
    m.predict(feats, verbose=0)  # builds the model from the first data
    table_b = m.layers[0].weights[0].numpy()
    m.fit(feats, y, batch_size=4, epochs=1, verbose=0)
    table_a = m.layers[0].weights[0].numpy()
    moved = np.any(table_a != table_b, axis=1)
    np.testing.assert_array_equal(moved, [True, True, False, False, True])  # ids 0, 1, 4 seen
    # the forward is a gather: predict == dense part + table row through the Dense layer
    k, b = m.layers[1].kernel.numpy(), m.layers[1].bias.numpy()
    row = np.concatenate([[feats["a"][2]], table_a[4]])
    np.testing.assert_allclose(m.predict(feats, verbose=0)[2], row @ k + b, rtol=1e-5)
