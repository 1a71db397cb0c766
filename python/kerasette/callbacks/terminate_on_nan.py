"""`TerminateOnNaN`: stop training when the loss becomes NaN or infinite."""

import math

from kerasette.callbacks.callback import Callback

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch's loss is NaN or infinite.

    It reads the loss after every training batch, so it keeps the per-batch loop.

    Args:
        raise_error: raise `RuntimeError` instead of setting `model.stop_training`.
            Defaults to `False`.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss "
                    f"value: {loss}. Terminating training immediately."
                )
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
