"""The main job: train a Sequential MLP on scikit-learn's digits and report test accuracy.

Written exactly as a Keras 3 script, with `import kerasette as keras`.
"""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import kerasette as keras

keras.utils.set_random_seed(42)
digits = load_digits()
x = (digits.data / 16.0).astype("float32")  # 8x8 images, pixel values 0..16
y = digits.target
x_train, x_test, y_train, y_test = train_test_split(
    x, y, test_size=0.25, random_state=42, stratify=y
)

model = keras.Sequential(
    [
        keras.Input(shape=(64,)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ]
)
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
model.summary()
model.fit(x_train, y_train, epochs=30, batch_size=32, validation_split=0.1, verbose=1)

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test loss {loss:.4f}  test accuracy {accuracy:.4f}")
predicted = np.argmax(model.predict(x_test[:10], verbose=0), axis=1)
print("first 10 predictions:", predicted.tolist(), " true:", y_test[:10].tolist())
