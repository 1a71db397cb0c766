"""Training hooks (Keras 3's `keras.callbacks`).

`ModelCheckpoint` and `BackupAndRestore` live with the saving code and load on first use.
"""

import importlib as _importlib
import importlib.util

from kerasette.callbacks.callback import Callback
from kerasette.callbacks.callback_list import CallbackList
from kerasette.callbacks.csv_logger import CSVLogger
from kerasette.callbacks.early_stopping import EarlyStopping
from kerasette.callbacks.history import History
from kerasette.callbacks.lambda_callback import LambdaCallback
from kerasette.callbacks.learning_rate_scheduler import LearningRateScheduler
from kerasette.callbacks.progbar_logger import ProgbarLogger
from kerasette.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from kerasette.callbacks.tensorboard import TensorBoard
from kerasette.callbacks.terminate_on_nan import TerminateOnNaN

# Written by the saving code; imported lazily so this package never depends on it.
_LAZY = {
    "ModelCheckpoint": "kerasette.callbacks.model_checkpoint",
    "BackupAndRestore": "kerasette.callbacks.backup_and_restore",
}

__all__ = [
    "Callback",
    "CallbackList",
    "CSVLogger",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TensorBoard",
    "TerminateOnNaN",
]
# Star-imports include the lazy names once their modules exist (a cheap file lookup).
__all__ += [n for n, m in _LAZY.items() if _importlib.util.find_spec(m) is not None]


def __getattr__(name):
    if name in _LAZY:
        return getattr(_importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kerasette.callbacks' has no attribute {name!r}")


def __dir__():
    return sorted(set(__all__) | set(_LAZY))
