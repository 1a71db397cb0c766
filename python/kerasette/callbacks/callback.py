"""The base class of every training hook (Keras 3's `keras.callbacks.Callback`)."""

__all__ = ["Callback", "BATCH_HOOKS", "overridden_batch_hooks"]

# The batch-level hooks of each loop. `on_batch_begin/end` are the legacy aliases that
# the default `on_train_batch_begin/end` forward to, so they count for "train".
BATCH_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


class Callback:
    """Base class used to build new callbacks.

    Callbacks can be passed to `fit()`, `evaluate()` and `predict()` to hook into the
    loops. Each hook receives a `logs` dict (or None):

    - `on_train_begin/end(logs)`, `on_test_begin/end(logs)`, `on_predict_begin/end(logs)`
    - `on_epoch_begin/end(epoch, logs)`: at epoch end `logs` holds the epoch's metric
      results, and the `val_`-prefixed validation results when there is validation.
    - `on_{train,test,predict}_batch_begin/end(batch, logs)`: at batch end `logs` holds
      the running results of the current epoch. `on_batch_begin/end` are aliases of the
      train-batch hooks.

    Attributes:
        params: dict of training parameters (`verbose`, `epochs`, `steps`).
        model: the model being trained; set `self.model.stop_training = True` to stop.

    A callback that overrides no batch-level hook lets kerasette run a whole epoch in
    C++ without coming back to Python per batch.
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        """Sets `params` (called by the loop before it starts).

        Args:
            params: A dict: `verbose`, `epochs`, `steps`.
        """
        self.params = params

    def set_model(self, model):
        """Sets the model the callback watches (called by the loop before it starts).

        Args:
            model: The model being trained, evaluated or used to predict.
        """
        self._model = model

    @property
    def model(self):
        """The model being trained; set `self.model.stop_training = True` to stop."""
        return self._model

    def on_batch_begin(self, batch, logs=None):
        """Legacy alias of `on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """Legacy alias of `on_train_batch_end`."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch (training only)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch with the epoch's (and `val_`) results."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before a training batch."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after a training batch with the running results of the epoch."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before a batch in `evaluate` (and validation in `fit`)."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after a batch in `evaluate` (and validation in `fit`)."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before a batch in `predict`."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after a batch in `predict`; `logs` holds `outputs`."""

    def on_train_begin(self, logs=None):
        """Called at the start of `fit`."""

    def on_train_end(self, logs=None):
        """Called at the end of `fit` with the last epoch's logs."""

    def on_test_begin(self, logs=None):
        """Called at the start of `evaluate` (and of validation in `fit`)."""

    def on_test_end(self, logs=None):
        """Called at the end of `evaluate` (and of validation in `fit`)."""

    def on_predict_begin(self, logs=None):
        """Called at the start of `predict`."""

    def on_predict_end(self, logs=None):
        """Called at the end of `predict`."""


def overridden_batch_hooks(callback, mode):
    """The batch-level hooks of `mode` that `callback` overrides (class or instance)."""
    found = []
    for name in BATCH_HOOKS[mode]:
        if name in vars(callback):  # e.g. LambdaCallback stores functions on the instance
            found.append(name)
            continue
        impl = getattr(type(callback), name, None)
        if impl is not None and impl is not getattr(Callback, name):
            found.append(name)
    return found
