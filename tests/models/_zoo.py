"""Models written once and built with either library (`lib` is keras or kerasette)."""

import functools

import numpy as np


def two_inputs_with_ops(lib):
    """Two inputs joined by ops between layers: add, a scalar product, a subtraction."""
    L, ops = lib.layers, lib.ops
    a = lib.Input(shape=(4,), name="a")
    b = lib.Input(shape=(3,), name="b")
    x = L.Dense(5, name="left")(a)
    y = L.Dense(5, activation="relu", name="right")(b)
    z = ops.add(x, y) * 2.0
    out = L.Dense(2, name="head")(z - 1.0)
    return lib.Model([a, b], out, name="two_inputs")


def dict_in_dict_out(lib):
    L, ops = lib.layers, lib.ops
    a = lib.Input(shape=(4,), name="a")
    b = lib.Input(shape=(3,), name="b")
    x = L.Dense(5, name="trunk")(a)
    y = L.Dense(5, activation="tanh", name="side")(b)
    joined = ops.multiply(x, y)
    return lib.Model(
        {"a": a, "b": b},
        {
            "score": L.Dense(1, name="score")(joined),
            "aux": L.Dense(3, activation="softmax", name="aux")(x),
        },
        name="dict_io",
    )


def shared_layer(lib):
    """One Dense called on two inputs, merged by a layer when the library has one."""
    L = lib.layers
    a = lib.Input(shape=(6,), name="a")
    b = lib.Input(shape=(6,), name="b")
    shared = L.Dense(4, activation="relu", name="shared")
    x, y = shared(a), shared(b)
    merged = L.Concatenate(name="cat")([x, y]) if hasattr(L, "Concatenate") else x + y
    out = L.Dense(2, name="out")(merged)
    return lib.Model([a, b], [out, x], name="shared")


def nested(lib):
    """A functional model used twice and a Sequential inside another model."""
    L = lib.layers
    i = lib.Input(shape=(4,), name="inner_in")
    inner = lib.Model(i, L.Dense(3, name="inner_dense")(i), name="inner")
    seq = lib.Sequential([lib.Input(shape=(3,)), L.Dense(2, name="seq_dense")], name="seq")
    a = lib.Input(shape=(4,), name="a")
    b = lib.Input(shape=(4,), name="b")
    x = inner(a)
    y = inner(b)
    out = seq(L.Dense(3, name="mix")(x - y))
    return lib.Model([a, b], out, name="outer")


def batch_norm_two_heads(lib):
    """Non-trainable weights (BatchNormalization) and two heads on one trunk."""
    L = lib.layers
    a = lib.Input(shape=(5,), name="a")
    x = L.Dense(8, name="d")(a)
    x = L.BatchNormalization(name="bn")(x)
    return lib.Model(a, [L.Dense(2, name="o1")(x), L.Dense(1, name="o2")(x)], name="bn_heads")


def with_dropout(lib):
    """A layer whose call returns its input unchanged when not training."""
    L = lib.layers
    a = lib.Input(shape=(5,), name="a")
    x = L.Dropout(0.5, name="drop")(L.Dense(8, name="d")(a))
    return lib.Model(a, L.Dense(2, name="o")(x), name="dropout")


FUNCTIONAL = [
    two_inputs_with_ops,
    dict_in_dict_out,
    shared_layer,
    nested,
    batch_norm_two_heads,
    with_dropout,
]


@functools.cache
def subclass_of(lib):
    """A registered `keras.Model` subclass (one class per library)."""
    L, ops = lib.layers, lib.ops

    @lib.saving.register_keras_serializable(package="kt_models")
    class TwoTower(lib.Model):
        def __init__(self, units=4, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.encoder = L.Dense(units, activation="relu")
            self.blocks = [L.Dense(units), L.Dense(units)]
            self.head = L.Dense(2)

        def call(self, inputs, training=None):
            h = self.encoder(inputs)
            skip = h
            for block in self.blocks:
                h = block(h)
            return self.head(ops.add(h, skip))

        def get_config(self):
            config = super().get_config()
            config["units"] = self.units
            return config

    return TwoTower


def subclassed(lib):
    model = subclass_of(lib)(units=4, name="two_tower")
    model(np.zeros((1, 5), "float32"))
    return model


def inputs_for(model, rng, n=3):
    """Arrays shaped like the model's inputs, in the model's input structure."""

    def one(x):
        return rng.random((n,) + tuple(x.shape[1:])).astype("float32")

    struct = model.input
    if isinstance(struct, dict):
        return {k: one(v) for k, v in struct.items()}
    if isinstance(struct, (list, tuple)):
        return [one(v) for v in struct]
    return one(struct)


def as_list(out):
    if isinstance(out, dict):
        return [np.asarray(out[k]) for k in sorted(out)]
    if isinstance(out, (list, tuple)):
        return [np.asarray(o) for o in out]
    return [np.asarray(out)]
