"""`keras.datasets`: the classic small datasets, read from Keras's cache folder
(`$KERAS_HOME/datasets`, else `~/.keras/datasets`), where Keras keeps them, and
downloaded there from Keras's source when absent."""
from . import boston_housing, mnist  # noqa: F401
