"""`keras.datasets`: the classic small datasets, read from Keras's cache folder
(`$KERAS_HOME/datasets`, else `~/.keras/datasets`), where Keras keeps them, and
downloaded there from Keras's source when absent."""

from . import boston_housing, california_housing, cifar10, fashion_mnist, imdb, mnist, reuters  # noqa: F401
