"""`LambdaCallback`: a callback made of plain functions."""

from kerasette.callbacks.callback import Callback

__all__ = ["LambdaCallback"]


class LambdaCallback(Callback):
    """Callback for creating simple, custom callbacks on-the-fly.

    Each argument is a function with the hook's signature (`epoch, logs` for the epoch
    hooks, `batch, logs` for batch hooks, `logs` for begin/end hooks). Extra keyword
    arguments set other hooks by name (e.g. `on_test_end=...`), as in Keras.
    Only the batch hooks you pass make the engine leave its whole-epoch C++ loop.
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs,
    ):
        super().__init__()
        self.__dict__.update(kwargs)
        given = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for name, fn in given.items():
            if fn is not None:
                if not callable(fn):
                    raise TypeError(f"LambdaCallback `{name}` must be callable; received: {fn!r}")
                setattr(self, name, fn)
