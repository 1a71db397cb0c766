# Source: tensorflow/docs site/en/tutorials/structured_data/imbalanced_data.ipynb
# ("Classification on imbalanced data", Apache-2.0). This follows the notebook's code
# cells call for call, leaving out only the plotting calls (matplotlib/seaborn). Changed:
# `from tensorflow import keras` is `import kerasette as keras`, and the notebook's
# `tf.keras.X` (the same module under its other name) is written `keras.X`; tf.data stays
# TensorFlow's. The CSV the notebook downloads is read from DROPIN_CSV (written by the
# test); EPOCHS (100 there), the 20-epoch bias runs and the resampled runs' epochs come
# from DROPIN_EPOCHS.
import os
import tempfile

import numpy as np
import pandas as pd
import sklearn
import tensorflow as tf
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import kerasette as keras

E = int(os.environ.get("DROPIN_EPOCHS", "100"))
raw_df = pd.read_csv(os.environ["DROPIN_CSV"])
raw_df.head()
raw_df[["Time", "V1", "V2", "V3", "V4", "V5", "V26", "V27", "V28", "Amount", "Class"]].describe()

neg, pos = np.bincount(raw_df["Class"])
total = neg + pos
print(f"Examples:\n    Total: {total}\n    Positive: {pos} ({100 * pos / total:.2f}% of total)\n")

cleaned_df = raw_df.copy()
cleaned_df.pop("Time")
eps = 0.001
cleaned_df["Log Amount"] = np.log(cleaned_df.pop("Amount") + eps)

train_df, test_df = train_test_split(cleaned_df, test_size=0.2)
train_df, val_df = train_test_split(train_df, test_size=0.2)
train_labels = np.array(train_df.pop("Class")).reshape(-1, 1)
bool_train_labels = train_labels[:, 0] != 0
val_labels = np.array(val_df.pop("Class")).reshape(-1, 1)
test_labels = np.array(test_df.pop("Class")).reshape(-1, 1)
train_features = np.array(train_df)
val_features = np.array(val_df)
test_features = np.array(test_df)

scaler = StandardScaler()
train_features = scaler.fit_transform(train_features)
val_features = scaler.transform(val_features)
test_features = scaler.transform(test_features)
train_features = np.clip(train_features, -5, 5)
val_features = np.clip(val_features, -5, 5)
test_features = np.clip(test_features, -5, 5)

METRICS = [
    keras.metrics.BinaryCrossentropy(name="cross entropy"),
    keras.metrics.MeanSquaredError(name="Brier score"),
    keras.metrics.TruePositives(name="tp"),
    keras.metrics.FalsePositives(name="fp"),
    keras.metrics.TrueNegatives(name="tn"),
    keras.metrics.FalseNegatives(name="fn"),
    keras.metrics.BinaryAccuracy(name="accuracy"),
    keras.metrics.Precision(name="precision"),
    keras.metrics.Recall(name="recall"),
    keras.metrics.AUC(name="auc"),
    keras.metrics.AUC(name="prc", curve="PR"),
]


def make_model(metrics=METRICS, output_bias=None):
    if output_bias is not None:
        output_bias = keras.initializers.Constant(output_bias)
    model = keras.Sequential(
        [
            keras.layers.Dense(16, activation="relu", input_shape=(train_features.shape[-1],)),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(1, activation="sigmoid", bias_initializer=output_bias),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss=keras.losses.BinaryCrossentropy(),
        metrics=metrics,
    )
    return model


EPOCHS = E
BATCH_SIZE = 2048


def early_stopping():
    return keras.callbacks.EarlyStopping(
        monitor="val_prc", verbose=1, patience=10, mode="max", restore_best_weights=True
    )


model = make_model()
model.summary()
model.predict(train_features[:10])
results = model.evaluate(train_features, train_labels, batch_size=BATCH_SIZE, verbose=0)
print(f"Loss: {results[0]:0.4f}")

initial_bias = np.log([pos / neg])
model = make_model(output_bias=initial_bias)
model.predict(train_features[:10])
results = model.evaluate(train_features, train_labels, batch_size=BATCH_SIZE, verbose=0)
print(f"Loss: {results[0]:0.4f}")

initial_weights = os.path.join(tempfile.mkdtemp(), "initial.weights.h5")
model.save_weights(initial_weights)

model = make_model()
model.load_weights(initial_weights)
model.layers[-1].bias.assign([0.0])
zero_bias_history = model.fit(
    train_features,
    train_labels,
    batch_size=BATCH_SIZE,
    epochs=E,
    validation_data=(val_features, val_labels),
    verbose=0,
)
model = make_model()
model.load_weights(initial_weights)
careful_bias_history = model.fit(
    train_features,
    train_labels,
    batch_size=BATCH_SIZE,
    epochs=E,
    validation_data=(val_features, val_labels),
    verbose=0,
)

model = make_model()
model.load_weights(initial_weights)
baseline_history = model.fit(
    train_features,
    train_labels,
    batch_size=BATCH_SIZE,
    epochs=EPOCHS,
    callbacks=[early_stopping()],
    validation_data=(val_features, val_labels),
)
train_predictions_baseline = model.predict(train_features, batch_size=BATCH_SIZE)
test_predictions_baseline = model.predict(test_features, batch_size=BATCH_SIZE)
baseline_results = model.evaluate(test_features, test_labels, batch_size=BATCH_SIZE, verbose=0)
for name, value in zip(model.metrics_names, baseline_results):
    print(name, ": ", value)
print()
cm = confusion_matrix(test_labels, test_predictions_baseline > 0.5)
print("Total Fraudulent Transactions: ", np.sum(cm[1]))

weight_for_0 = (1 / neg) * (total / 2.0)
weight_for_1 = (1 / pos) * (total / 2.0)
class_weight = {0: weight_for_0, 1: weight_for_1}
weighted_model = make_model()
weighted_model.load_weights(initial_weights)
weighted_history = weighted_model.fit(
    train_features,
    train_labels,
    batch_size=BATCH_SIZE,
    epochs=EPOCHS,
    callbacks=[early_stopping()],
    validation_data=(val_features, val_labels),
    class_weight=class_weight,
)
test_predictions_weighted = weighted_model.predict(test_features, batch_size=BATCH_SIZE)
weighted_results = weighted_model.evaluate(
    test_features, test_labels, batch_size=BATCH_SIZE, verbose=0
)
for name, value in zip(weighted_model.metrics_names, weighted_results):
    print(name, ": ", value)
print()
fp, tp, _ = sklearn.metrics.roc_curve(test_labels, test_predictions_weighted)

pos_features = train_features[bool_train_labels]
neg_features = train_features[~bool_train_labels]
pos_labels = train_labels[bool_train_labels]
neg_labels = train_labels[~bool_train_labels]
BUFFER_SIZE = 100000


def make_ds(features, labels):
    ds = tf.data.Dataset.from_tensor_slices((features, labels))
    ds = ds.shuffle(BUFFER_SIZE).repeat()
    return ds


pos_ds = make_ds(pos_features, pos_labels)
neg_ds = make_ds(neg_features, neg_labels)
resampled_ds = tf.data.Dataset.sample_from_datasets([pos_ds, neg_ds], weights=[0.5, 0.5])
resampled_ds = resampled_ds.batch(BATCH_SIZE).prefetch(2)
resampled_steps_per_epoch = int(np.ceil(2.0 * neg / BATCH_SIZE))
resampled_model = make_model()
resampled_model.load_weights(initial_weights)
output_layer = resampled_model.layers[-1]
output_layer.bias.assign([0])
val_ds = tf.data.Dataset.from_tensor_slices((val_features, val_labels)).cache()
val_ds = val_ds.batch(BATCH_SIZE).prefetch(2)
resampled_history = resampled_model.fit(
    resampled_ds,
    epochs=EPOCHS,
    steps_per_epoch=resampled_steps_per_epoch,
    callbacks=[early_stopping()],
    validation_data=val_ds,
)
resampled_results = resampled_model.evaluate(
    test_features, test_labels, batch_size=BATCH_SIZE, verbose=0
)
for name, value in zip(resampled_model.metrics_names, resampled_results):
    print(name, ": ", value)
