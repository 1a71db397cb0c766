"""get_config of every layer, initializer, regularizer, constraint, loss, metric,
optimizer and schedule equals Keras 3's for the same arguments.

Documented differences: names are compared after removing them where both sides
auto-number from process-wide counters (the tests create objects in different orders);
Huber adds `delta` only when it is not the default (Keras 3.15 drops it).
"""

import pytest
from conftest import normalize

import kerasette as ks


def _pair(keras, path, *args, **kwargs):
    mod_ks, mod_k = ks, keras
    for part in path.split("."):
        mod_ks, mod_k = getattr(mod_ks, part), getattr(mod_k, part)
    return mod_ks(*args, **kwargs), mod_k(*args, **kwargs)


LAYER_CASES = [
    ("layers.Dense", (3,), {}),
    (
        "layers.Dense",
        (5,),
        dict(
            activation="relu",
            use_bias=False,
            kernel_initializer="he_normal",
            bias_initializer="ones",
            kernel_regularizer="l2",
            bias_regularizer="l1",
            activity_regularizer="l2",
            kernel_constraint="max_norm",
            bias_constraint="non_neg",
            name="d",
        ),
    ),
    ("layers.Dense", (4,), dict(activation="softmax", kernel_initializer="orthogonal")),
    ("layers.Dense", (4,), dict(activation="gelu", kernel_initializer="lecun_uniform")),
    ("layers.Activation", ("tanh",), {}),
    ("layers.Activation", ("leaky_relu",), {}),
    ("layers.Dropout", (0.3,), dict(seed=7)),
    ("layers.Flatten", (), {}),
    ("layers.Reshape", ((2, -1),), {}),
    ("layers.BatchNormalization", (), {}),
    (
        "layers.BatchNormalization",
        (),
        dict(momentum=0.9, epsilon=1e-5, center=False, scale=False, gamma_regularizer="l2"),
    ),
    ("layers.LayerNormalization", (), dict(epsilon=1e-6)),
    ("layers.Embedding", (10, 4), {}),
    (
        "layers.Embedding",
        (20, 3),
        dict(embeddings_initializer="glorot_uniform", embeddings_regularizer="l1"),
    ),
    ("layers.Normalization", (), {}),
    ("layers.Normalization", (), dict(mean=[1.0, 2.0], variance=[3.0, 4.0], invert=True)),
]


@pytest.mark.parametrize("path,args,kwargs", LAYER_CASES)
def test_layer_config_matches_keras(keras, path, args, kwargs):
    mine, ref = _pair(keras, path, *args, **kwargs)
    a, b = normalize(mine.get_config()), normalize(ref.get_config())
    if "name" not in kwargs:
        assert a.pop("name").split("_")[0] == b.pop("name").split("_")[0]
    assert a == b


@pytest.mark.parametrize("path,args,kwargs", LAYER_CASES)
def test_layer_config_round_trip(keras, path, args, kwargs):
    mine, _ = _pair(keras, path, *args, **kwargs)
    again = type(mine).from_config(mine.get_config())
    assert normalize(again.get_config()) == normalize(mine.get_config())


def test_input_layer_config(keras):
    mine = ks.layers.InputLayer(shape=(4, 2), name="inp")
    ref = keras.layers.InputLayer(shape=(4, 2), name="inp")
    assert normalize(mine.get_config()) == normalize(ref.get_config())


INITIALIZERS = [
    "GlorotUniform",
    "GlorotNormal",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "LecunUniform",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "Zeros",
    "Ones",
    "Constant",
    "Orthogonal",
    "Identity",
    "VarianceScaling",
]


@pytest.mark.parametrize("name", INITIALIZERS)
def test_initializer_config(keras, name):
    mine, ref = _pair(keras, f"initializers.{name}")
    assert mine.get_config() == ref.get_config()
    assert normalize(ks.initializers.serialize(mine)) == normalize(
        keras.initializers.serialize(ref)
    )


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("VarianceScaling", dict(scale=2.0, mode="fan_avg", distribution="uniform", seed=3)),
        ("RandomNormal", dict(mean=1.0, stddev=0.3, seed=1)),
        ("RandomUniform", dict(minval=-2.0, maxval=3.0)),
        ("Constant", dict(value=0.5)),
        ("Orthogonal", dict(gain=2.0, seed=5)),
    ],
)
def test_initializer_config_with_arguments(keras, name, kwargs):
    mine, ref = _pair(keras, f"initializers.{name}", **kwargs)
    assert mine.get_config() == ref.get_config()


@pytest.mark.parametrize(
    "string",
    [
        "glorot_uniform",
        "he_normal",
        "uniform",
        "zeros",
        "truncated_normal",
        "orthogonal",
        "lecun_normal",
    ],
)
def test_initializer_strings_resolve_like_keras(keras, string):
    assert (
        type(ks.initializers.get(string)).__name__ == type(keras.initializers.get(string)).__name__
    )


@pytest.mark.parametrize(
    "path,kwargs",
    [
        ("regularizers.L1", {}),
        ("regularizers.L2", {}),
        ("regularizers.L1L2", {}),
        ("regularizers.L1L2", dict(l1=0.5, l2=0.25)),
        ("regularizers.L2", dict(l2=0.3)),
        ("constraints.MaxNorm", {}),
        ("constraints.MaxNorm", dict(max_value=3, axis=1)),
        ("constraints.NonNeg", {}),
        ("constraints.UnitNorm", {}),
        ("constraints.MinMaxNorm", {}),
        ("constraints.MinMaxNorm", dict(min_value=0.5, max_value=2.0, rate=0.5)),
    ],
)
def test_regularizer_constraint_config(keras, path, kwargs):
    mine, ref = _pair(keras, path, **kwargs)
    assert mine.get_config() == ref.get_config()


LOSSES = [
    ("MeanSquaredError", {}),
    ("MeanAbsoluteError", {}),
    ("Huber", {}),
    ("BinaryCrossentropy", dict(from_logits=True, label_smoothing=0.1)),
    ("CategoricalCrossentropy", dict(label_smoothing=0.2)),
    ("SparseCategoricalCrossentropy", dict(from_logits=True)),
    ("KLDivergence", {}),
    ("Hinge", {}),
    ("Poisson", dict(reduction="sum")),
    ("MeanSquaredError", dict(reduction="none", name="my_mse")),
]


@pytest.mark.parametrize("name,kwargs", LOSSES)
def test_loss_config(keras, name, kwargs):
    mine, ref = _pair(keras, f"losses.{name}", **kwargs)
    assert mine.get_config() == ref.get_config()
    assert mine.name == ref.name


@pytest.mark.parametrize(
    "string",
    [
        "mse",
        "mae",
        "MSE",
        "mean_squared_error",
        "huber",
        "binary_crossentropy",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "kld",
        "hinge",
        "poisson",
        "bce",
    ],
)
def test_loss_strings_resolve(keras, string):
    ref = keras.losses.get(string)
    mine = ks.losses.get(string)
    assert mine.name == keras.losses.get(type(mine).__name__).name or ref.__name__ in (
        mine.name,
        mine.name.replace("_loss", ""),
    )


METRICS = [
    ("BinaryAccuracy", {}),
    ("BinaryAccuracy", dict(threshold=0.7)),
    ("CategoricalAccuracy", {}),
    ("SparseCategoricalAccuracy", {}),
    ("TopKCategoricalAccuracy", dict(k=3)),
    ("MeanSquaredError", {}),
    ("MeanAbsoluteError", {}),
    ("Precision", {}),
    ("Recall", dict(thresholds=0.3)),
    ("Precision", dict(top_k=2, class_id=1)),
    ("AUC", {}),
    ("AUC", dict(num_thresholds=50, curve="PR")),
    ("Accuracy", {}),
    ("Mean", {}),
]


@pytest.mark.parametrize("name,kwargs", METRICS)
def test_metric_config(keras, name, kwargs):
    mine, ref = _pair(keras, f"metrics.{name}", **kwargs)
    a, b = mine.get_config(), ref.get_config()
    # Precision, Recall and AUC auto-number their names ("precision_1"), as Keras does.
    assert a.pop("name").rsplit("_", 1)[0] == b.pop("name").rsplit("_", 1)[0] or name not in (
        "Precision",
        "Recall",
        "AUC",
    )
    assert a == b


OPTIMIZERS = [
    ("SGD", {}),
    ("SGD", dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
    ("Adam", {}),
    ("Adam", dict(learning_rate=0.01, amsgrad=True, clipnorm=1.0)),
    ("AdamW", {}),
    ("AdamW", dict(weight_decay=0.1, global_clipnorm=2.0)),
    ("RMSprop", {}),
    ("RMSprop", dict(momentum=0.5, centered=True, clipvalue=0.5)),
    ("Adagrad", {}),
    ("Adadelta", dict(rho=0.9)),
    ("Nadam", dict(epsilon=1e-6)),
]


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS)
def test_optimizer_config(keras, name, kwargs):
    mine, ref = _pair(keras, f"optimizers.{name}", **kwargs)
    a, b = mine.get_config(), ref.get_config()
    assert a.pop("name").split("_")[0] == b.pop("name").split("_")[0]
    assert a == b
    again = type(mine).from_config(mine.get_config())
    assert again.get_config()["learning_rate"] == mine.get_config()["learning_rate"]


def test_optimizer_default_names_follow_keras(keras):
    for name in ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Nadam"]:
        mine = getattr(ks.optimizers, name)().name
        ref = getattr(keras.optimizers, name)().name
        assert (
            mine.rsplit("_", 1)[0]
            if mine[-1].isdigit()
            else mine == (ref.rsplit("_", 1)[0] if ref[-1].isdigit() else ref)
        )
    assert ks.optimizers.Adam(name="mine").name == "mine"


@pytest.mark.parametrize(
    "name,args",
    [
        ("ExponentialDecay", (0.1, 10, 0.9)),
        ("PiecewiseConstantDecay", ([5, 10], [0.1, 0.05, 0.01])),
        ("CosineDecay", (0.1, 100)),
        ("CosineDecay", (0.1, 100, 0.1)),
    ],
)
def test_schedule_config_and_values(keras, name, args):
    import numpy as np

    mine, ref = _pair(keras, f"optimizers.schedules.{name}", *args)
    assert mine.get_config() == ref.get_config()
    for step in [0, 1, 5, 6, 10, 11, 50, 99, 100, 150]:
        np.testing.assert_allclose(mine(step), float(ref(step)), rtol=1e-6)


def test_schedule_with_warmup_values(keras):
    import numpy as np

    mine, ref = _pair(
        keras, "optimizers.schedules.CosineDecay", 0.0, 100, 0.0, warmup_target=0.1, warmup_steps=10
    )
    for step in [0, 3, 9, 10, 11, 60, 110, 200]:
        np.testing.assert_allclose(mine(step), float(ref(step)), rtol=1e-6, atol=1e-9)
    assert mine.get_config() == ref.get_config()


def test_optimizer_with_schedule_config(keras):
    mine = ks.optimizers.Adam(learning_rate=ks.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9))
    ref = keras.optimizers.Adam(
        learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)
    )
    a, b = mine.get_config(), ref.get_config()
    a.pop("name"), b.pop("name")
    assert a == b
    assert [v.name for v in mine.variables] == ["iteration"]
    with pytest.raises(TypeError, match="not settable"):
        mine.learning_rate = 0.1


@pytest.mark.parametrize(
    "path,kwargs",
    [
        ("regularizers.L1", dict(l1=0.3)),
        ("regularizers.L2", dict(l2=0.2)),
        ("regularizers.L1L2", dict(l1=0.1, l2=0.05)),
        ("constraints.MaxNorm", dict(max_value=1.5)),
        ("constraints.MaxNorm", dict(axis=1)),
        ("constraints.NonNeg", {}),
        ("constraints.UnitNorm", dict(axis=1)),
        ("constraints.MinMaxNorm", dict(min_value=0.5, max_value=1.2, rate=0.7)),
    ],
)
def test_regularizer_constraint_values(keras, path, kwargs):
    import numpy as np

    w = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")
    mine, ref = _pair(keras, path, **kwargs)
    np.testing.assert_allclose(mine(w), np.asarray(ref(w)), rtol=1e-5, atol=1e-6)


def test_regularizer_constraint_bad_arguments():
    with pytest.raises(ValueError, match="l2"):
        ks.regularizers.L2(-1.0)
    with pytest.raises(ValueError, match="l1"):
        ks.regularizers.L1("big")
    with pytest.raises(ValueError, match="Could not interpret regularizer"):
        ks.regularizers.get("l3")
    with pytest.raises(ValueError, match="Could not interpret constraint"):
        ks.constraints.get("max_nrm")
