"""Bad settings are a clear ValueError before any work (issue 13, items 4-7), and
validation_split splits as Keras does (item 9)."""

import math

import numpy as np
import pytest

import kerasette
from kerasette import layers, optimizers

NAN, INF = float("nan"), float("inf")
X = np.random.default_rng(0).normal(size=(53, 4)).astype("float32")
Y = np.arange(53) % 3


def _model(optimizer="adam", **dense_kwargs):
    m = kerasette.models.Sequential(
        [layers.Input((4,)), layers.Dense(3, activation="softmax", **dense_kwargs)]
    )
    m.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def _untouched(m, fn):
    """fn raises ValueError and leaves the weights and the step count as they were."""
    before = [w.copy() for w in m.get_weights()]
    it = int(m.optimizer.iterations)
    with pytest.raises(ValueError) as e:
        fn()
    for a, b in zip(before, m.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert int(m.optimizer.iterations) == it
    return str(e.value)


# ---- 4. non-finite settings ------------------------------------------------------------
@pytest.mark.parametrize("bad", [NAN, INF, -INF])
@pytest.mark.parametrize(
    "cls",
    [
        optimizers.SGD,
        optimizers.Adam,
        optimizers.RMSprop,
        optimizers.AdamW,
        optimizers.Adagrad,
        optimizers.Adadelta,
        optimizers.Nadam,
    ],
)
def test_non_finite_learning_rate(cls, bad):
    with pytest.raises(ValueError, match="learning.rate"):
        cls(learning_rate=bad)
    opt = cls(learning_rate=0.01)
    with pytest.raises(ValueError, match="learning.rate"):
        opt.learning_rate = bad


@pytest.mark.parametrize("name", ["clipnorm", "clipvalue", "global_clipnorm", "weight_decay"])
@pytest.mark.parametrize("bad", [NAN, INF])
def test_non_finite_clipping(name, bad):
    with pytest.raises(ValueError, match=name):
        optimizers.SGD(**{name: bad})


@pytest.mark.parametrize(
    "cls,arg",
    [
        (optimizers.Adam, "beta_1"),
        (optimizers.Adam, "epsilon"),
        (optimizers.RMSprop, "rho"),
        (optimizers.SGD, "momentum"),
        (optimizers.Adagrad, "initial_accumulator_value"),
    ],
)
def test_non_finite_hyper_parameters(cls, arg):
    with pytest.raises(ValueError, match=arg):
        cls(**{arg: NAN})


@pytest.mark.parametrize(
    "make",
    [
        lambda: optimizers.schedules.ExponentialDecay(NAN, 10, 0.9),
        lambda: optimizers.schedules.ExponentialDecay(0.1, 10, INF),
        lambda: optimizers.schedules.PiecewiseConstantDecay([5], [0.1, NAN]),
        lambda: optimizers.schedules.CosineDecay(INF, 10),
        lambda: optimizers.schedules.CosineDecay(0.1, 10, warmup_target=NAN, warmup_steps=2),
    ],
    ids=["exp-initial", "exp-rate", "piecewise", "cosine", "cosine-warmup"],
)
def test_non_finite_schedule_settings_at_construction(make):
    with pytest.raises(ValueError, match="finite"):
        make()


def test_schedule_yielding_nan_refused_before_that_step():
    class Bad(optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            return np.float32(0.01 if step < 2 else NAN)

    m = _model(optimizers.SGD(Bad()))
    m.fit(X[:8], Y[:8], batch_size=4, epochs=1, verbose=0, shuffle=False)  # steps 0, 1
    msg = _untouched(m, lambda: m.fit(X[:8], Y[:8], batch_size=4, verbose=0))
    assert "step 2" in msg
    assert all(np.isfinite(w).all() for w in m.get_weights())
    # a plain callable learning rate too
    m2 = _model(optimizers.SGD(lambda: NAN))
    _untouched(m2, lambda: m2.fit(X, Y, verbose=0))


def test_learning_rate_variable_assigned_nan():
    m = _model(optimizers.SGD(0.1))
    m.optimizer.learning_rate.assign(np.float32(NAN))
    _untouched(m, lambda: m.fit(X, Y, verbose=0))
    _untouched(m, lambda: m.train_on_batch(X[:4], Y[:4]))


@pytest.mark.parametrize("bad", [NAN, INF, -INF])
def test_non_finite_class_weight(bad):
    m = _model()
    cw = {0: 1.0, 1: bad, 2: 1.0}
    assert "class_weight" in _untouched(m, lambda: m.fit(X, Y, class_weight=cw, verbose=0))
    assert "class_weight" in _untouched(m, lambda: m.train_on_batch(X, Y, class_weight=cw))


@pytest.mark.parametrize(
    "make",
    [
        lambda: kerasette.regularizers.L2(NAN),
        lambda: kerasette.regularizers.L1(INF),
        lambda: kerasette.regularizers.L1L2(l1=0.1, l2=NAN),
        lambda: kerasette.constraints.MaxNorm(NAN),
        lambda: kerasette.constraints.MaxNorm(INF),
        lambda: kerasette.constraints.MinMaxNorm(min_value=NAN),
        lambda: kerasette.constraints.MinMaxNorm(max_value=INF),
        lambda: kerasette.constraints.MinMaxNorm(rate=NAN),
    ],
    ids=[
        "l2",
        "l1",
        "l1l2",
        "maxnorm-nan",
        "maxnorm-inf",
        "minmax-min",
        "minmax-max",
        "minmax-rate",
    ],
)
def test_non_finite_regularizer_and_constraint_factors(make):
    with pytest.raises(ValueError):
        make()


def test_finite_settings_still_accepted():
    m = _model(
        optimizers.SGD(optimizers.schedules.ExponentialDecay(0.1, 10, 0.9), clipnorm=1.0),
        kernel_regularizer=kerasette.regularizers.L2(0.01),
        kernel_constraint=kerasette.constraints.MaxNorm(2.0),
    )
    h = m.fit(X, Y, class_weight={0: 1.0, 1: 2.0, 2: 0.5}, epochs=2, verbose=0)
    assert all(np.isfinite(v).all() for v in h.history["loss"])


# ---- 5. step counts and validation frequency --------------------------------------------
@pytest.mark.parametrize(
    "kw",
    [
        {"steps_per_epoch": 0},
        {"steps_per_epoch": -1},
        {"steps_per_epoch": 1.5},
        {"validation_steps": 0},
        {"validation_steps": -2},
        {"validation_freq": 0},
        {"validation_freq": -1},
        {"validation_freq": [0, 2]},
        {"validation_freq": 1.0},
    ],
    ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()),
)
def test_bad_step_counts_in_fit(kw):
    m = _model()
    name = next(iter(kw))
    msg = _untouched(m, lambda: m.fit(X, Y, validation_split=0.2, verbose=0, **kw))
    assert name in msg
    assert m.history is None or not m.history.history  # no fake 0.0 logs


@pytest.mark.parametrize("steps", [0, -1, 2.0, "3", True])
def test_bad_steps_in_evaluate_and_predict(steps):
    m = _model()
    m.fit(X, Y, verbose=0)
    with pytest.raises(ValueError, match="steps"):
        m.evaluate(X, Y, steps=steps, verbose=0)
    with pytest.raises(ValueError, match="steps"):
        m.predict(X, steps=steps, verbose=0)


def test_validation_freq_list_as_keras():
    m = _model()
    h = m.fit(X, Y, validation_split=0.2, epochs=3, validation_freq=[1, 3], verbose=0)
    assert len(h.history["val_loss"]) == 2
    h = m.fit(X, Y, validation_split=0.2, epochs=4, validation_freq=2, verbose=0)
    assert len(h.history["val_loss"]) == 2


# ---- 6. sources that yield nothing --------------------------------------------------------
def _empty_gen():
    return
    yield  # unreachable: makes this a generator


class _EmptyPyDataset(kerasette.utils.PyDataset):
    def __len__(self):
        return 0

    def __getitem__(self, i):
        raise IndexError(i)


class _Unsized:
    """Re-iterable, unknown size, empty."""

    def __iter__(self):
        return iter(())


def _sources():
    D = kerasette.data.Dataset
    return {
        "generator": _empty_gen(),
        "pydataset": _EmptyPyDataset(),
        "dataset": D.from_tensor_slices((X[:0], Y[:0])).batch(8),
        "filtered dataset": D.from_tensor_slices((X, Y)).filter(lambda x, y: False).batch(8),
        "unsized iterable": _Unsized(),
    }


@pytest.mark.parametrize("kind", list(_sources()))
@pytest.mark.parametrize("built", [True, False])
def test_empty_source_refused(kind, built):
    m = _model()
    if built:
        m.fit(X, Y, verbose=0)
    src = _sources()[kind]
    msg = _untouched(m, lambda: m.fit(src, verbose=0))
    assert "no batches" in msg
    with pytest.raises(ValueError, match="no batches"):
        m.evaluate(_sources()[kind], verbose=0)
    with pytest.raises(ValueError, match="no batches"):
        m.predict(_sources()[kind], verbose=0)
    with pytest.raises(ValueError, match="no batches"):
        m.fit(X, Y, validation_data=_sources()[kind], verbose=0)


def test_generator_sources_still_train():
    def gen():
        for i in range(0, 53, 16):
            yield X[i : i + 16], Y[i : i + 16]

    m = _model()
    h = m.fit(gen(), verbose=0)
    assert len(h.history["loss"]) == 1 and int(m.optimizer.iterations) == 4
    # a one-shot validation generator is validated on every epoch (Keras does too)
    h = m.fit(X, Y, validation_data=gen(), epochs=3, verbose=0)
    assert len(h.history["val_loss"]) == 3
    assert h.history["val_loss"][-1] == pytest.approx(m.evaluate(X, Y, verbose=0)[0], rel=1e-5)


# ---- 7. batch sizes ------------------------------------------------------------------------
BAD_BATCH = [0, -1, 1.5, "8", True, np.float32(8)]


@pytest.mark.parametrize("bs", BAD_BATCH, ids=repr)
@pytest.mark.parametrize("rows", [1, 4, 64, 200])  # the small-input fast path is <= 64 rows
def test_bad_predict_batch_size_on_fitted_model(bs, rows):
    m = _model()
    m.fit(X, Y, verbose=0)
    m.predict(X[:4], verbose=0)  # the fast path is armed
    x = np.resize(X, (rows, 4))
    with pytest.raises(ValueError, match="batch_size"):
        m.predict(x, batch_size=bs, verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        m.evaluate(x, np.resize(Y, rows), batch_size=bs, verbose=0)


@pytest.mark.parametrize("bs", BAD_BATCH, ids=repr)
def test_bad_fit_batch_sizes(bs):
    m = _model()
    _untouched(m, lambda: m.fit(X, Y, batch_size=bs, verbose=0))
    msg = _untouched(
        m, lambda: m.fit(X, Y, validation_split=0.2, validation_batch_size=bs, verbose=0)
    )
    assert "validation_batch_size" in msg


def test_good_batch_sizes_still_accepted():
    m = _model()
    m.fit(X, Y, batch_size=np.int64(8), validation_split=0.2, validation_batch_size=5, verbose=0)
    assert m.predict(X[:3], batch_size=np.int32(2), verbose=0).shape == (3, 3)


# ---- 9. validation_split as Keras --------------------------------------------------------
SPLITS = [
    (53, 0.25),
    (10, 0.3),
    (7, 0.5),
    (100, 0.1),
    (3, 0.5),
    (11, 0.33),
    (10, 0.001),
    (9, 0.7),
    (1000, 0.15),
]


def _kerasette_split(n, split):
    x, y = np.resize(X, (n, 4)), np.resize(Y, n)
    m = _model()
    h = m.fit(
        x,
        y,
        batch_size=1,
        validation_split=split,
        validation_batch_size=1,
        verbose=0,
        callbacks=[_CountTest()],
    )
    return int(m.optimizer.iterations), _CountTest.seen, h


class _CountTest(kerasette.callbacks.Callback):
    seen = 0

    def on_test_begin(self, logs=None):
        type(self).seen = 0

    def on_test_batch_end(self, batch, logs=None):
        type(self).seen += 1


@pytest.mark.parametrize("n,split", SPLITS)
def test_validation_split_rows(n, split):
    train, val, _ = _kerasette_split(n, split)
    want = int(math.floor(n * (1.0 - split)))
    assert (train, val) == (want, n - want)


def test_validation_split_53_rows():
    train, val, _ = _kerasette_split(53, 0.25)
    assert (train, val) == (39, 14)  # was 40/13


@pytest.mark.parametrize("n,split", [(1, 0.5), (2, 0.6), (5, 0.999)])
def test_validation_split_leaving_nothing(n, split):
    with pytest.raises(ValueError, match="not sufficient"):
        _model().fit(np.resize(X, (n, 4)), np.resize(Y, n), validation_split=split, verbose=0)


@pytest.mark.parametrize("bad", [NAN, INF, -0.1, 1.0, "0.2"])
def test_bad_validation_split(bad):
    with pytest.raises(ValueError, match="validation_split"):
        _model().fit(X, Y, validation_split=bad, verbose=0)


@pytest.mark.keras_ref
@pytest.mark.parametrize("n,split", SPLITS)
def test_validation_split_as_keras(n, split):
    keras = pytest.importorskip("keras")
    x, y = np.resize(X, (n, 4)), np.resize(Y, n)
    km = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    km.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    seen = []

    class Count(keras.callbacks.Callback):
        def on_test_batch_end(self, batch, logs=None):
            seen.append(batch)

    km.fit(
        x,
        y,
        batch_size=1,
        validation_split=split,
        validation_batch_size=1,
        verbose=0,
        callbacks=[Count()],
    )
    assert _kerasette_split(n, split)[:2] == (int(km.optimizer.iterations), len(seen))


@pytest.mark.keras_ref
@pytest.mark.parametrize("n,split", [(1, 0.5), (2, 0.6)])
def test_validation_split_refusals_as_keras(n, split):
    keras = pytest.importorskip("keras")
    km = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    km.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x, y = np.resize(X, (n, 4)), np.resize(Y, n)
    with pytest.raises(ValueError, match="not sufficient"):
        km.fit(x, y, validation_split=split, verbose=0)
    with pytest.raises(ValueError, match="not sufficient"):
        _model().fit(x, y, validation_split=split, verbose=0)


@pytest.mark.keras_ref
@pytest.mark.parametrize("kind", ["generator", "pydataset"])
def test_empty_sources_refused_as_keras(kind):
    keras = pytest.importorskip("keras")
    km = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    km.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")

    class KerasEmpty(keras.utils.PyDataset):
        def __len__(self):
            return 0

        def __getitem__(self, i):
            raise IndexError(i)

    with pytest.raises(ValueError):
        km.fit(_empty_gen() if kind == "generator" else KerasEmpty(), verbose=0)
    with pytest.raises(ValueError, match="no batches"):
        _model().fit(_sources()[kind], verbose=0)


@pytest.mark.keras_ref
def test_one_shot_validation_generator_every_epoch_as_keras():
    keras = pytest.importorskip("keras")

    def gen():
        for i in range(2):
            yield X[i * 4 : (i + 1) * 4], Y[i * 4 : (i + 1) * 4]

    km = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    km.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    hk = km.fit(X, Y, validation_data=gen(), epochs=3, verbose=0)
    ks = _model()
    hs = ks.fit(X, Y, validation_data=gen(), epochs=3, verbose=0)
    assert len(hs.history["val_loss"]) == len(hk.history["val_loss"]) == 3
