"""`Dense`: y = activation(x @ kernel + bias) on the last axis (Keras's arguments)."""

from .. import activations, constraints, initializers, ops, regularizers
from .layer import Layer


def _no_lora(lora_rank, lora_alpha, quantization_config, owner):
    if lora_rank is not None or lora_alpha is not None or quantization_config is not None:
        raise ValueError(f"{owner}: LoRA and quantization are not supported by kerasette")


class Dense(Layer):
    """A densely connected layer: `output = activation(dot(input, kernel) + bias)`.

    The product is on the last axis of the input: an input of shape
    `(batch, d0, d1)` gives `(batch, d0, units)`. In a compiled model the matmul,
    bias and activation run as one fused GEMM kernel.

    ```python
    model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(32, activation="relu")])
    model.output_shape  # (None, 32)
    ```

    Args:
        units: The dimensionality of the output space, a positive int.
        activation: The activation function, a name (`"relu"`) or a function; `None`
            applies none. Defaults to `None`.
        use_bias: Whether the layer adds a bias vector. Defaults to `True`.
        kernel_initializer: Initializer of the `kernel` weights. Defaults to
            `"glorot_uniform"`.
        bias_initializer: Initializer of the bias. Defaults to `"zeros"`.
        kernel_regularizer: Regularizer of the `kernel` weights. Defaults to `None`.
        bias_regularizer: Regularizer of the bias. Defaults to `None`.
        activity_regularizer: Regularizer of the layer's output. Defaults to `None`.
        kernel_constraint: Constraint on the `kernel` weights. Defaults to `None`.
        bias_constraint: Constraint on the bias. Defaults to `None`.
        lora_rank: Not supported: must be `None`.
        lora_alpha: Not supported: must be `None`.
        quantization_config: Not supported: must be `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Input shape:
        `(batch_size, ..., input_dim)`.

    Output shape:
        `(batch_size, ..., units)`.

    Limitations:
        LoRA (`lora_rank`, `lora_alpha`) and `quantization_config` raise `ValueError`.
    """

    _has_build_config = True

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank=None,
        lora_alpha=None,
        quantization_config=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                "Received an invalid value for `units`, expected a positive "
                f"integer. Received: units={units}"
            )
        _no_lora(lora_rank, lora_alpha, quantization_config, "Dense")
        self.units = units
        self.supports_masking = True
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        if input_shape is None or len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(
                f'Layer "{self.name}" needs a known last input dimension; '
                f"got input_shape={input_shape}"
            )
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,),
                name="bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def _check_input_shape(self, shape):
        expected = self._build_input_shape[-1]
        if len(shape) < 2 or shape[-1] != expected:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: '
                f"expected axis -1 of input shape to have value {expected}, "
                f"but received input with shape {tuple(shape)}"
            )

    def call(self, inputs):
        # matmul contracts the last axis, so rank > 2 inputs work as in Keras
        x = ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            x = ops.add(x, self.bias)
        if self.activation is not None:
            x = self.activation(x)
        return x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }
