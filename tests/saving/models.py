"""The same Sequential architectures built in kerasette and in real Keras, with
explicit layer names so that files from both can be compared entry by entry."""

import numpy as np

N_FEATURES = 6


def adapt_data():
    return np.random.default_rng(1).normal(2.0, 3.0, size=(64, N_FEATURES)).astype("float32")


def all_layers(lib, name="all_layers", dropout=0.25):
    """Every layer kerasette supports on float input (Embedding has its own model)."""
    L = lib.layers
    norm = L.Normalization(name="norm")
    norm.adapt(adapt_data())
    return lib.Sequential(
        [
            L.Input(shape=(N_FEATURES,)),
            norm,
            L.Dense(8, name="d1"),
            L.BatchNormalization(name="bn"),
            L.Activation("relu", name="act"),
            L.Dropout(dropout, name="drop"),
            L.Reshape((2, 4), name="reshape"),
            L.LayerNormalization(name="ln"),
            L.Flatten(name="flat"),
            L.Dense(3, activation="softmax", use_bias=False, name="out"),
        ],
        name=name,
    )


def embedding_model(lib, name="emb_model"):
    L = lib.layers
    return lib.Sequential(
        [
            L.Input(shape=(5,), dtype="int32"),
            L.Embedding(10, 4, name="emb"),
            L.Flatten(name="flat"),
            L.Dense(2, activation="tanh", name="out"),
        ],
        name=name,
    )


def mlp(lib, sizes=(4, 8, 3), name="mlp"):
    L = lib.layers
    layers = [L.Input(shape=(sizes[0],))]
    for i, n in enumerate(sizes[1:-1]):
        layers.append(L.Dense(n, activation="relu", name=f"h{i}"))
    layers.append(L.Dense(sizes[-1], activation="softmax", name="out"))
    return lib.Sequential(layers, name=name)


def regularized(lib, name="regularized"):
    """Regularizers, constraints and non-default initializers in the config."""
    L = lib.layers
    return lib.Sequential(
        [
            L.Input(shape=(4,)),
            L.Dense(
                8,
                activation="elu",
                kernel_regularizer=lib.regularizers.L2(0.01),
                bias_regularizer=lib.regularizers.L1L2(l1=0.001, l2=0.002),
                activity_regularizer=lib.regularizers.L1(0.001),
                kernel_constraint=lib.constraints.MaxNorm(2.0),
                bias_constraint=lib.constraints.NonNeg(),
                kernel_initializer=lib.initializers.HeNormal(seed=1),
                bias_initializer=lib.initializers.Constant(0.1),
                name="reg",
            ),
            L.Dense(2, activation="sigmoid", use_bias=False, name="out"),
        ],
        name=name,
    )


def randomize(model, seed=0):
    """Non-trivial values in every float weight (so that copies can be told apart);
    variances stay positive, integer counters are kept."""
    rng = np.random.default_rng(seed)
    values = []
    for v in model.weights:
        w = np.asarray(v.numpy() if hasattr(v, "numpy") else v)
        if w.dtype.kind != "f":
            values.append(w)
            continue
        x = rng.normal(0, 0.5, size=w.shape).astype(w.dtype)
        if "variance" in v.name or v.name == "gamma":
            x = np.abs(x) + 0.5
        values.append(x)
    model.set_weights(values)
    return model
