# Source: keras-team/keras examples/imdb_lstm.py (the Keras 2.x example "Trains an
# LSTM model on the IMDB sentiment classification task"; removed from the repository
# when the examples moved to keras-io). This follows it call for call
# in its Keras 3 spelling (keras.preprocessing.sequence.pad_sequences and
# keras.datasets.imdb as there); the only line changed is the import, and the epoch
# count comes from DROPIN_EPOCHS (15 there). imdb.load_data reads the imdb.npz the test
# wrote into KERAS_HOME.
import os

from kerasette.datasets import imdb
from kerasette.layers import LSTM, Dense, Embedding
from kerasette.models import Sequential
from kerasette.preprocessing import sequence

max_features = 20000
# cut texts after this number of words (among top max_features most common words)
maxlen = 80
batch_size = 32

print("Loading data...")
(x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=max_features)
print(len(x_train), "train sequences")
print(len(x_test), "test sequences")

print("Pad sequences (samples x time)")
x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
x_test = sequence.pad_sequences(x_test, maxlen=maxlen)
print("x_train shape:", x_train.shape)
print("x_test shape:", x_test.shape)

print("Build model...")
model = Sequential()
model.add(Embedding(max_features, 128))
model.add(LSTM(128, dropout=0.2, recurrent_dropout=0.2))
model.add(Dense(1, activation="sigmoid"))

# try using different optimizers and different optimizer configs
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])

print("Train...")
model.fit(
    x_train,
    y_train,
    batch_size=batch_size,
    epochs=int(os.environ.get("DROPIN_EPOCHS", "15")),
    validation_data=(x_test, y_test),
)
score, acc = model.evaluate(x_test, y_test, batch_size=batch_size)
print("Test score:", score)
print("Test accuracy:", acc)
