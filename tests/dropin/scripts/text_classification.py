# Source: tensorflow/docs site/en/tutorials/keras/text_classification.ipynb ("Basic
# text classification", Apache-2.0). This follows the notebook's code cells call for
# call (the exercise at its end left out). Changed: `from tensorflow.keras import layers,
# losses` imports from kerasette, and the notebook's `tf.keras.X` / `tf.metrics.X` (Keras
# under its other names) are written `keras.X` / `keras.metrics.X`; tf.strings, tf.data and
# tf.constant stay TensorFlow's. get_file fetches the archive the test wrote (DROPIN_URL,
# a file:// URL), and dataset_dir is taken inside the folder get_file returns (Keras 3
# returns the extraction folder, Keras 2 returned the archive's path, whose dirname the
# notebook used); the epoch count comes from DROPIN_EPOCHS (10 there).
import os
import re
import shutil
import string

import tensorflow as tf

import kerasette as keras
from kerasette import layers, losses

print(tf.__version__)

url = os.environ["DROPIN_URL"]
dataset = keras.utils.get_file("aclImdb_v1", url, untar=True, cache_dir=".", cache_subdir="")
dataset_dir = os.path.join(dataset, "aclImdb")
os.listdir(dataset_dir)
train_dir = os.path.join(dataset_dir, "train")
os.listdir(train_dir)
sample_file = os.path.join(train_dir, "pos/1_7.txt")
with open(sample_file) as f:
    print(f.read())
remove_dir = os.path.join(train_dir, "unsup")
shutil.rmtree(remove_dir)

batch_size = 32
seed = 42
raw_train_ds = keras.utils.text_dataset_from_directory(
    os.path.join(dataset_dir, "train"),
    batch_size=batch_size,
    validation_split=0.2,
    subset="training",
    seed=seed,
)
for text_batch, label_batch in raw_train_ds.take(1):
    for i in range(3):
        print("Review", text_batch.numpy()[i])
        print("Label", label_batch.numpy()[i])
print("Label 0 corresponds to", raw_train_ds.class_names[0])
print("Label 1 corresponds to", raw_train_ds.class_names[1])
raw_val_ds = keras.utils.text_dataset_from_directory(
    os.path.join(dataset_dir, "train"),
    batch_size=batch_size,
    validation_split=0.2,
    subset="validation",
    seed=seed,
)
raw_test_ds = keras.utils.text_dataset_from_directory(
    os.path.join(dataset_dir, "test"), batch_size=batch_size
)


def custom_standardization(input_data):
    lowercase = tf.strings.lower(input_data)
    stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
    return tf.strings.regex_replace(stripped_html, "[%s]" % re.escape(string.punctuation), "")


max_features = 10000
sequence_length = 250
vectorize_layer = layers.TextVectorization(
    standardize=custom_standardization,
    max_tokens=max_features,
    output_mode="int",
    output_sequence_length=sequence_length,
)
train_text = raw_train_ds.map(lambda x, y: x)
vectorize_layer.adapt(train_text)


def vectorize_text(text, label):
    text = tf.expand_dims(text, -1)
    return vectorize_layer(text), label


text_batch, label_batch = next(iter(raw_train_ds))
first_review, first_label = text_batch[0], label_batch[0]
print("Review", first_review)
print("Label", raw_train_ds.class_names[first_label])
print("Vectorized review", vectorize_text(first_review, first_label))
print("1287 ---> ", vectorize_layer.get_vocabulary()[1287 % vectorize_layer.vocabulary_size()])
print(" 313 ---> ", vectorize_layer.get_vocabulary()[313 % vectorize_layer.vocabulary_size()])
print(f"Vocabulary size: {len(vectorize_layer.get_vocabulary())}")

train_ds = raw_train_ds.map(vectorize_text)
val_ds = raw_val_ds.map(vectorize_text)
test_ds = raw_test_ds.map(vectorize_text)

AUTOTUNE = tf.data.AUTOTUNE
train_ds = train_ds.cache().prefetch(buffer_size=AUTOTUNE)
val_ds = val_ds.cache().prefetch(buffer_size=AUTOTUNE)
test_ds = test_ds.cache().prefetch(buffer_size=AUTOTUNE)

embedding_dim = 16
model = keras.Sequential(
    [
        layers.Embedding(max_features, embedding_dim),
        layers.Dropout(0.2),
        layers.GlobalAveragePooling1D(),
        layers.Dropout(0.2),
        layers.Dense(1, activation="sigmoid"),
    ]
)
model.summary()
model.compile(
    loss=losses.BinaryCrossentropy(),
    optimizer="adam",
    metrics=[keras.metrics.BinaryAccuracy(threshold=0.5)],
)
epochs = int(os.environ.get("DROPIN_EPOCHS", "10"))
history = model.fit(train_ds, validation_data=val_ds, epochs=epochs)
loss, accuracy = model.evaluate(test_ds)
print("Loss: ", loss)
print("Accuracy: ", accuracy)
history_dict = history.history
print(history_dict.keys())
acc = history_dict["binary_accuracy"]
val_acc = history_dict["val_binary_accuracy"]
loss = history_dict["loss"]
val_loss = history_dict["val_loss"]

export_model = keras.Sequential([vectorize_layer, model, layers.Activation("sigmoid")])
export_model.compile(
    loss=losses.BinaryCrossentropy(from_logits=False), optimizer="adam", metrics=["accuracy"]
)
metrics = export_model.evaluate(raw_test_ds, return_dict=True)
print(metrics)
examples = tf.constant(["The movie was great!", "The movie was okay.", "The movie was terrible..."])
print(export_model.predict(examples))
print("Test accuracy:", accuracy)
