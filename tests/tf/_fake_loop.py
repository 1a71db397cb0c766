"""A stand-in model and fit loop (Keras 3's callback order) for callback tests that
compare kerasette's callbacks with Keras's own, fed the same epoch logs."""

import numpy as np


class FakeOptimizer:
    def __init__(self, learning_rate=0.1):
        self.learning_rate = learning_rate
        self.iterations = 0


class FakeModel:
    """Weights are one array holding the index of the epoch that last "trained" it."""

    def __init__(self, learning_rate=0.1):
        self.optimizer = FakeOptimizer(learning_rate)
        self.stop_training = False
        self.weights_epoch = np.array([-1.0])
        self.metrics = []
        self.layers = []

    def get_weights(self):
        return [self.weights_epoch.copy()]

    def set_weights(self, weights):
        self.weights_epoch = np.array(weights[0])


def run_epochs(callback_list, model, epoch_logs, steps=None):
    """Drives a CallbackList like Keras's fit; returns the epochs run."""
    model.stop_training = False
    callback_list.on_train_begin()
    ran, logs = [], None
    for epoch, logs in enumerate(epoch_logs):
        callback_list.on_epoch_begin(epoch)
        for step in range(steps or 0):
            callback_list.on_train_batch_begin(step)
            model.optimizer.iterations += 1
            callback_list.on_train_batch_end(step, {"loss": logs.get("loss", 0.0)})
            if model.stop_training:
                break
        model.weights_epoch = np.array([float(epoch)])
        callback_list.on_epoch_end(epoch, dict(logs))
        ran.append(epoch)
        if model.stop_training:
            break
    callback_list.on_train_end(logs)
    return ran
