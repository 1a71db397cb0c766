"""`CallbackList`: calls every callback's hook at once; what the engine drives.

Engine contract (how `Trainer` should drive this object):

    cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                       model=model, verbose=verbose, epochs=epochs, steps=steps)
    model.stop_training = False
    cbs.on_train_begin()
    for epoch in ...:
        cbs.on_epoch_begin(epoch)
        if cbs.needs_batch_hooks("train"):
            for step ...: cbs.on_train_batch_begin(step); <one step>;
                          cbs.on_train_batch_end(step, running_logs)
                          if model.stop_training: break
        else:
            # Fast path: nobody needs every batch. Run the epoch in C++, optionally in
            # chunks, and report progress only at chunk ends if `cbs.wants_progress("train")`:
            #     cbs.on_train_batch_end(last_step_of_chunk, running_logs)
            # (ProgbarLogger is the only callback then listening, and it tolerates
            # skipped batches; `on_train_batch_begin` may be skipped entirely.)
        cbs.on_epoch_end(epoch, epoch_logs)      # after validation, with val_ keys
        if model.stop_training: break
    cbs.on_train_end(last_epoch_logs)

The same holds for `"test"` (evaluate / validation) and `"predict"`.
"""

from kerasette.callbacks.callback import BATCH_HOOKS, Callback, overridden_batch_hooks
from kerasette.callbacks.history import History
from kerasette.callbacks.progbar_logger import ProgbarLogger

__all__ = ["CallbackList"]


def _pythonify_logs(logs):
    """Keras's log normalisation: keys sorted, nested dicts flattened, values made
    Python floats where `float()` accepts them (numpy scalars, 0-d arrays).

    The sorting is why Keras shows `accuracy` before `loss`.
    """
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(_pythonify_logs(value))
            continue
        try:
            value = float(value)
        except (TypeError, ValueError):
            pass
        result[key] = value
    return result


def _flatten(callbacks):
    out = []
    for cb in callbacks:
        if isinstance(cb, (list, tuple)):
            out.extend(_flatten(cb))
        else:
            out.append(cb)
    return out


class CallbackList(Callback):
    """Container of `Callback`s, called together through one set of hooks.

    Args:
        callbacks: list of `Callback` instances (nested lists are flattened).
        add_history: add a `History` if the list has none. Defaults to `False`.
        add_progbar: add a `ProgbarLogger` if the list has none. Defaults to `False`.
        model: the model the callbacks are used with (`set_model` on each).
        **params: training parameters given to each callback with `set_params`
            (Keras passes `verbose`, `epochs`, `steps`).
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self.callbacks = _flatten(callbacks) if callbacks else []
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    "Expected every callback to be a kerasette.callbacks.Callback "
                    f"instance; received: {cb!r} of type {type(cb).__name__}"
                )
        self._add_default_callbacks(add_history, add_progbar)
        self.set_model(model)
        self.set_params(params)

    def _add_default_callbacks(self, add_history, add_progbar):
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def append(self, callback):
        """Adds a callback to the list.

        Args:
            callback: A `Callback`.
        """
        self.callbacks.append(callback)

    def set_params(self, params):
        self.params = params
        if params:
            for cb in self.callbacks:
                cb.set_params(params)

    def set_model(self, model):
        if not model:
            return
        super().set_model(model)
        if self._history:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    # --- what the engine asks before choosing its loop --------------------------------

    def needs_batch_hooks(self, mode="train"):
        """True if some callback must see every batch of `mode` ("train"/"test"/"predict").

        A callback may answer for itself with a `needs_batch_hooks(mode)` method
        (`ProgbarLogger` says no: it is happy with updates at intervals; `TensorBoard`
        says yes only when it logs per batch). Otherwise a callback needs them if it
        overrides any of that mode's batch hooks (on the class or on the instance).
        """
        if mode not in BATCH_HOOKS:
            raise ValueError(f"mode must be one of {sorted(BATCH_HOOKS)}; received: mode={mode!r}")
        for cb in self.callbacks:
            own = getattr(cb, "needs_batch_hooks", None)
            if callable(own):
                if own(mode):
                    return True
            elif overridden_batch_hooks(cb, mode):
                return True
        return False

    def wants_progress(self, mode="train"):
        """True if a progress bar listens: call `on_{mode}_batch_end` at intervals."""
        return any(getattr(cb, "wants_progress", lambda m: False)(mode) for cb in self.callbacks)

    # --- hooks -----------------------------------------------------------------------

    def _call(self, hook, *args, logs=None):
        logs = _pythonify_logs(logs)
        for cb in self.callbacks:
            getattr(cb, hook)(*args, logs)

    def on_batch_begin(self, batch, logs=None):
        self._call("on_batch_begin", batch, logs=logs)

    def on_batch_end(self, batch, logs=None):
        self._call("on_batch_end", batch, logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", batch, logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, logs=logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs=logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs=logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs=logs)
