"""Training scenarios run both under `mpiexec -n 2` (by _worker.py) and in one process
(the reference, by the tests). Same data, same initial weights, shuffle=False."""

import numpy as np

N_ROWS, N_FEATURES, N_CLASSES = 64, 6, 3
GLOBAL_BATCH = 16
EPOCHS = 3

# name -> (optimizer class name, kwargs). Adam and momentum SGD check that the slots see
# the averaged gradients (averaging weights instead would not match for them).
OPTIMIZERS = {
    "sgd": ("SGD", {"learning_rate": 0.1}),
    "momentum": ("SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    "adam": ("Adam", {"learning_rate": 0.01}),
    # Clipping acts on the averaged gradient (as on one process's full-batch gradient).
    "clipped": ("SGD", {"learning_rate": 0.5, "global_clipnorm": 0.05}),
}


def data():
    r = np.random.default_rng(42)
    x = r.normal(size=(N_ROWS, N_FEATURES)).astype("float32")
    y = np.argmax(x @ r.normal(size=(N_FEATURES, N_CLASSES)), axis=1).astype("int64")
    return x, y


def initial_weights(seed):
    """Deterministic initial weights; ranks use different seeds so only the broadcast
    makes them start alike."""
    r = np.random.default_rng(seed)
    return [
        r.normal(scale=0.5, size=(N_FEATURES, 8)).astype("float32"),
        r.normal(scale=0.1, size=8).astype("float32"),
        r.normal(scale=0.5, size=(8, N_CLASSES)).astype("float32"),
        r.normal(scale=0.1, size=N_CLASSES).astype("float32"),
    ]


def model(optimizer, weights_seed):
    import kerasette as ks

    m = ks.models.Sequential(
        [
            ks.layers.Input((N_FEATURES,)),
            ks.layers.Dense(8, activation="tanh", kernel_regularizer=ks.regularizers.L2(1e-3)),
            ks.layers.Dense(N_CLASSES),
        ]
    )
    m.set_weights(initial_weights(weights_seed))
    m.compile(
        optimizer=optimizer,
        loss=ks.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return m


def optimizer(name):
    import kerasette as ks

    cls, kw = OPTIMIZERS[name]
    return getattr(ks.optimizers, cls)(**kw)


def preset_adam_state(m, seed):
    """Gives the optimizer a state of its own (iterations, Adam's m and v), as if it had
    trained before: the broadcast must copy rank 0's."""
    opt = m.optimizer
    opt.build(m.trainable_weights)
    r = np.random.default_rng(seed)
    opt.iterations = 7 + seed
    for name, scale in (("momentum", 0.05), ("velocity", 0.01)):
        for v in opt.slots[name]:
            v.assign(np.abs(r.normal(scale=scale, size=v.shape)).astype("float32"))
