"""What the server needs from a loaded model: a float32 forward and its signature.

The HTTP layer, the batcher and the version watcher only see a ``Servable``, so they
do not depend on how a model was loaded. ``Servable.from_model`` adapts a kerasette
(or Keras-like) Sequential model: its batch forward and its input/output shapes.
"""

import numpy as np

# TensorFlow Serving's name for the default signature and its predict method.
DEFAULT_SIGNATURE = "serving_default"
PREDICT_METHOD = "tensorflow/serving/predict"


class Servable:
    """One loaded model version, ready for batched inference.

    Args:
        forward: callable taking a C-contiguous float32 array of shape
            ``(N, *input_shape[1:])`` and returning an array of shape
            ``(N, *output_shape[1:])``. It is called from one worker thread at a time.
        input_shape: the model's input shape with ``None`` for the batch dimension.
        output_shape: the model's output shape with ``None`` for the batch dimension.
        input_name: the signature's input name (the key of a named instance).
        output_name: the signature's output name.
    """

    def __init__(
        self, forward, input_shape, output_shape, input_name="input", output_name="output_0"
    ):
        self.forward = forward
        self.input_shape = _batch_shape(input_shape, "input_shape")
        self.output_shape = _batch_shape(output_shape, "output_shape")
        self.input_name = str(input_name)
        self.output_name = str(output_name)

    @property
    def instance_shape(self):
        """The shape of one instance: the input shape without the batch dimension."""
        return self.input_shape[1:]

    @classmethod
    def from_model(cls, model):
        """Adapts a built Sequential model: ``predict_on_batch`` plus its shapes."""
        input_shape = getattr(model, "input_shape", None)
        output_shape = getattr(model, "output_shape", None)
        if input_shape is None or output_shape is None:
            raise ValueError(
                "Cannot serve this model: it has no input_shape/output_shape. "
                "Save a built model (give the first layer an input shape or an Input)."
            )
        predict = model.predict_on_batch

        def forward(x):
            return np.asarray(predict(x), dtype=np.float32)

        return cls(
            forward,
            input_shape,
            output_shape,
            input_name=_input_name(model),
            output_name="output_0",
        )

    def warm_up(self):
        """Runs one zero instance through ``forward`` and checks the output's shape.

        Done while loading, off the compute thread, so the engine builds its plan before
        the version takes traffic, and a model that cannot run is never swapped in.
        """
        y = np.asarray(self.forward(np.zeros((1,) + self.instance_shape, np.float32)))
        expected = (1,) + self.output_shape[1:]
        if y.shape != expected:
            raise ValueError(
                f"Model output for one instance has shape {y.shape}; its "
                f"output_shape {self.output_shape} says {expected}"
            )
        return self

    def signature_def(self):
        """The ``serving_default`` signature in TensorFlow Serving's metadata JSON."""
        return {
            "inputs": {self.input_name: _tensor_info(self.input_name, self.input_shape)},
            "outputs": {self.output_name: _tensor_info(self.output_name, self.output_shape)},
            "method_name": PREDICT_METHOD,
            "defaults": {},
        }


def _batch_shape(shape, what):
    shape = tuple(shape)
    if len(shape) < 1:
        raise ValueError(f"{what} must include the batch dimension, got {shape!r}")
    for d in shape[1:]:
        if d is None or int(d) < 0:
            raise ValueError(f"{what} must be fully known but the batch dimension, got {shape!r}")
    return (None,) + tuple(int(d) for d in shape[1:])


def _input_name(model):
    # A Sequential's input is named after its InputLayer ("input_layer" by default).
    layer = getattr(model, "input_layer", None)
    name = getattr(layer, "name", None)
    if not name:
        inputs = getattr(model, "inputs", None)
        name = getattr(inputs[0], "name", None) if inputs else None
    return name if isinstance(name, str) and name else "inputs"


def _tensor_info(name, shape):
    # Dim sizes are strings in proto3 JSON; -1 is the unknown batch dimension.
    dims = [{"size": "-1" if d is None else str(d), "name": ""} for d in shape]
    return {
        "dtype": "DT_FLOAT",
        "tensor_shape": {"dim": dims, "unknown_rank": False},
        "name": f"{name}:0",
    }
