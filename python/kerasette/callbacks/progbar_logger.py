"""`ProgbarLogger`: prints Keras's progress bar (verbose=1) or epoch lines (verbose=2)."""

from kerasette.callbacks.callback import Callback

__all__ = ["ProgbarLogger"]


class ProgbarLogger(Callback):
    """Prints metrics to stdout through `kerasette.utils.Progbar`.

    Added automatically by `fit`/`evaluate`/`predict` when `verbose != 0`. With
    `verbose=1` it draws the bar after each reported batch; with `verbose=2` it prints
    one line per epoch.

    Engine note: it does not need every batch. `needs_batch_hooks()` is False, so the
    engine may run batches in C++ and call `on_*_batch_end(last_batch, running_logs)`
    only at intervals (`wants_progress(mode)` says whether anybody listens).
    """

    def __init__(self):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    # --- the engine's questions ---------------------------------------------------------

    def needs_batch_hooks(self, mode):
        """Whether the callback must see every batch of `mode` (`"train"`, `"test"` or
        `"predict"`); when no callback does, the engine runs the whole epoch in C++.

        Args:
            mode: The loop.

        Returns:
            A bool.

        The progress bar never does: it is updated at intervals (see `wants_progress`).
        """
        return False

    def wants_progress(self, mode):
        """Whether the loop of `mode` should report progress at intervals (a bar is shown).

        Args:
            mode: The loop (`"train"`, `"test"` or `"predict"`).

        Returns:
            A bool.
        """
        if mode == "test" and self._called_in_fit:
            return False  # validation inside fit shows no bar
        return self.verbose == 1

    # --- hooks ----------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}", flush=True)

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)  # predict shows no metrics

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(logs)

    def on_train_end(self, logs=None):
        self._called_in_fit = False

    # --- internals ------------------------------------------------------------------------

    def _reset_progbar(self):
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self):
        if self.progbar is None:
            from kerasette.utils import Progbar  # front's port of Keras's bar

            self.progbar = Progbar(
                target=self.target, verbose=self.verbose, unit_name="step", stateless_metrics=set()
            )

    def _update_progbar(self, batch, logs=None):
        self._maybe_init_progbar()
        self.seen = batch + 1  # batch is 0-based
        if self.verbose == 1:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def _finalize_progbar(self, logs):
        self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, list((logs or {}).items()), finalize=True)
