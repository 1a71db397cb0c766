"""Writes keras2_all_layers.h5 (and its inputs/outputs) with real Keras 2 (tf_keras
2.21 on TensorFlow 2.21): a compiled, trained Sequential with every layer type
kerasette supports, saved with Keras 2's whole-model HDF5 writer.

    pip install --no-deps --target /tmp/tfk tf-keras==2.21.0
    PYTHONPATH=/tmp/tfk python tests/saving/data/make_keras2_h5.py

The files are committed so that the test suite needs no Keras 2 install.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tf_keras as keras

HERE = os.path.dirname(os.path.abspath(__file__))
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(1.0, 2.0, size=(128, 6)).astype("float32")
y = rng.integers(0, 3, 128)
norm = keras.layers.Normalization(name="norm")
norm.adapt(x)
L = keras.layers
model = keras.Sequential(
    [
        L.InputLayer(input_shape=(6,)),
        norm,
        L.Dense(8, name="d1"),
        L.BatchNormalization(name="bn"),
        L.Activation("relu", name="act"),
        L.Dropout(0.25, name="drop"),
        L.Reshape((2, 4), name="reshape"),
        L.LayerNormalization(name="ln"),
        L.Flatten(name="flat"),
        L.Dense(3, activation="softmax", name="out"),
    ],
    name="keras2_model",
)
model.compile(
    optimizer=keras.optimizers.Adam(0.01),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
model.fit(x, y, epochs=2, batch_size=32, verbose=0)
model.save(os.path.join(HERE, "keras2_all_layers.h5"), save_format="h5")
probe = x[:16]
opt = {f"opt_{i}": v.numpy() for i, v in enumerate(model.optimizer.variables())}
np.savez(
    os.path.join(HERE, "keras2_all_layers_io.npz"),
    x=probe,
    y=model.predict(probe, verbose=0),
    **opt,
)
print(keras.__version__, [v.name for v in model.optimizer.variables()][:4])
