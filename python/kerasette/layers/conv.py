"""The convolution layers (Keras 3's arguments, defaults, configs and weight layouts):
Conv1D/2D/3D, SeparableConv1D/2D, DepthwiseConv1D/2D, Conv1DTranspose/2DTranspose.

Each `call` is one kerasette.ops convolution plus bias and activation; 1-D and 2-D
convolutions run on the C++ conv2d kernel when compiled (ops/_conv.py).
Kernels: conv (*kernel_size, in / groups, filters); depthwise (*kernel_size, in,
depth_multiplier); transpose (*kernel_size, filters, in); separable: a depthwise kernel
and a pointwise (1, ..., 1, in * depth_multiplier, filters) kernel.
"""

from .. import activations, constraints, initializers, ops, regularizers
from .layer import Layer


def _tuple(value, rank, name, allow_zero=False):
    if isinstance(value, int):
        value = (value,) * rank
    try:
        value = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(
            f"The `{name}` argument must be a tuple of {rank} integers. Received {name}={value}"
        ) from None
    if len(value) != rank:
        raise ValueError(
            f"The `{name}` argument must be a tuple of {rank} integers. Received {name}={value}"
        )
    if any(v < (0 if allow_zero else 1) for v in value):
        raise ValueError(
            f"The `{name}` argument must be a tuple of {rank} positive "
            f"integers. Received {name}={value}"
        )
    return value


def _data_format(df):
    df = "channels_last" if df is None else str(df).lower()
    if df not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of 'channels_first', "
            f"'channels_last'. Received: data_format={df}"
        )
    return df


def _padding(padding, rank, causal_ok):
    p = str(padding).lower()
    allowed = ("valid", "same", "causal") if causal_ok and rank == 1 else ("valid", "same")
    if p not in allowed:
        raise ValueError(
            f"The `padding` argument must be one of {allowed}. Received: padding={padding}"
        )
    return p


def _out_len(n, k, s, d, padding):
    if n is None:
        return None
    ke = (k - 1) * d + 1
    if padding == "valid":
        return max(0, (n - ke) // s + 1)
    return (n - 1) // s + 1


class _Conv(Layer):
    """Shared by the plain, depthwise and separable convolutions."""

    _has_build_config = True
    rank = None

    def _common(
        self,
        kernel_size,
        strides,
        padding,
        data_format,
        dilation_rate,
        activation,
        use_bias,
        causal_ok=False,
    ):
        r = self.rank
        self.kernel_size = _tuple(kernel_size, r, "kernel_size")
        self.strides = _tuple(strides, r, "strides")
        self.dilation_rate = _tuple(dilation_rate, r, "dilation_rate")
        self.padding = _padding(padding, r, causal_ok)
        self.data_format = _data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        if any(s > 1 for s in self.strides) and any(d > 1 for d in self.dilation_rate):
            raise ValueError(
                "`strides > 1` not supported in conjunction with "
                f"`dilation_rate > 1`. Received: strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}"
            )

    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _in_channels(self, input_shape):
        if input_shape is None or len(input_shape) != self.rank + 2:
            raise ValueError(
                f'Layer "{self.name}" expects inputs of rank {self.rank + 2}, '
                f"got input_shape={input_shape}"
            )
        c = input_shape[self._channel_axis()]
        if c is None:
            raise ValueError(
                f'Layer "{self.name}" needs a known channel dimension; got '
                f"input_shape={input_shape}"
            )
        return int(c)

    def _check_input_shape(self, shape):
        exp = self._build_input_shape
        if len(shape) != len(exp) or shape[self._channel_axis()] != exp[self._channel_axis()]:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: '
                f"expected shape={tuple(exp)}, found shape={tuple(shape)}"
            )

    def _finish(self, y):
        if self.use_bias:
            b = self.bias
            if self.data_format == "channels_first":
                b = ops.reshape(b, (-1,) + (1,) * self.rank)
            y = ops.add(y, b)
        if self.activation is not None:
            y = self.activation(y)
        return y

    def _spatial(self, input_shape):
        return (
            tuple(input_shape[1:-1])
            if self.data_format == "channels_last"
            else tuple(input_shape[2:])
        )

    def _out_shape(self, input_shape, channels, spatial):
        if self.data_format == "channels_last":
            return (input_shape[0],) + tuple(spatial) + (channels,)
        return (input_shape[0], channels) + tuple(spatial)

    def compute_output_shape(self, input_shape):
        sp = [
            _out_len(n, k, s, d, self.padding)
            for n, k, s, d in zip(
                self._spatial(input_shape), self.kernel_size, self.strides, self.dilation_rate
            )
        ]
        return self._out_shape(input_shape, self._out_channels(input_shape), sp)

    def _base_config(self):
        return {
            **super().get_config(),
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            # Keras's conv configs always carry it, None included
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
        }


class BaseConv(_Conv):
    _causal_ok = False

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        groups=1,
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
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if lora_rank is not None or lora_alpha is not None:
            raise ValueError(f"{type(self).__name__}: LoRA is not supported by kerasette")
        self._common(
            kernel_size,
            strides,
            padding,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            causal_ok=self._causal_ok,
        )
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(
                "Invalid value for argument `filters`. Expected a strictly "
                f"positive value. Received filters={filters}."
            )
        if not isinstance(groups, int) or groups <= 0 or filters % groups:
            raise ValueError(
                "The number of filters must be evenly divisible by the number "
                f"of groups. Received: groups={groups}, filters={filters}."
            )
        self.filters, self.groups = filters, groups
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = self.bias = None

    def build(self, input_shape):
        cin = self._in_channels(input_shape)
        if cin % self.groups:
            raise ValueError(
                "The number of input channels must be evenly divisible by the "
                f"number of groups. Received groups={self.groups}, but the "
                f"input has {cin} channels (full input shape is {input_shape})."
            )
        self.kernel = self.add_weight(
            shape=self.kernel_size + (cin // self.groups, self.filters),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,),
                name="bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def call(self, inputs):
        y = ops.conv(
            inputs,
            self.kernel,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )
        return self._finish(y)

    def _out_channels(self, input_shape):
        return self.filters

    def get_config(self):
        return {
            **self._base_config(),
            "filters": self.filters,
            "groups": self.groups,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class Conv1D(BaseConv):
    """1D convolution: slides `filters` learned kernels over the input
    (`output = activation(conv(input, kernel) + bias)`).

    With `data_format="channels_last"` the input is `(batch, steps, channels)`
    and the output has `filters` channels, the spatial sizes shrinking with
    `padding="valid"`.

    Args:
        filters: The number of output channels.
        kernel_size: The size of the convolution window (an int or a tuple).
        strides: The step of the window along each spatial axis (an int or a tuple).
            Defaults to `1`.
        padding: `"valid"` (no padding), `"same"` (pad so that the output has
            `ceil(input / strides)` positions), or `"causal"` (pad on the left only,
            for sequences). Defaults to `"valid"`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        dilation_rate: The spacing between the kernel's taps (an int or a tuple).
            Defaults to `1`.
        groups: The number of groups the input channels are split into, each
            convolved with its own filters; `filters` must divide by it. Defaults to
            `1`.
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
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Limitations:
        LoRA (`lora_rank`, `lora_alpha`) raises `ValueError`.
    """

    rank = 1
    _causal_ok = True


class Conv2D(BaseConv):
    """2D convolution: slides `filters` learned kernels over the input
    (`output = activation(conv(input, kernel) + bias)`).

    With `data_format="channels_last"` the input is `(batch, rows, cols, channels)`
    and the output has `filters` channels, the spatial sizes shrinking with
    `padding="valid"`.

    Args:
        filters: The number of output channels.
        kernel_size: The size of the convolution window (an int or a tuple).
        strides: The step of the window along each spatial axis (an int or a tuple).
            Defaults to `1`.
        padding: `"valid"` (no padding), `"same"` (pad so that the output has
            `ceil(input / strides)` positions). Defaults to `"valid"`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        dilation_rate: The spacing between the kernel's taps (an int or a tuple).
            Defaults to `1`.
        groups: The number of groups the input channels are split into, each
            convolved with its own filters; `filters` must divide by it. Defaults to
            `1`.
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
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Limitations:
        LoRA (`lora_rank`, `lora_alpha`) raises `ValueError`.
    """

    rank = 2


class Conv3D(BaseConv):
    """3D convolution: slides `filters` learned kernels over the input
    (`output = activation(conv(input, kernel) + bias)`).

    With `data_format="channels_last"` the input is `(batch, d1, d2, d3, channels)`
    and the output has `filters` channels, the spatial sizes shrinking with
    `padding="valid"`.

    Args:
        filters: The number of output channels.
        kernel_size: The size of the convolution window (an int or a tuple).
        strides: The step of the window along each spatial axis (an int or a tuple).
            Defaults to `1`.
        padding: `"valid"` (no padding), `"same"` (pad so that the output has
            `ceil(input / strides)` positions). Defaults to `"valid"`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        dilation_rate: The spacing between the kernel's taps (an int or a tuple).
            Defaults to `1`.
        groups: The number of groups the input channels are split into, each
            convolved with its own filters; `filters` must divide by it. Defaults to
            `1`.
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
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Limitations:
        LoRA (`lora_rank`, `lora_alpha`) raises `ValueError`.
    """

    rank = 3


class BaseDepthwiseConv(_Conv):
    def __init__(
        self,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._common(
            kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias
        )
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(
                "Invalid value for argument `depth_multiplier`. Expected a "
                f"strictly positive value. Received {depth_multiplier}."
            )
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = self.bias = None

    def build(self, input_shape):
        cin = self._in_channels(input_shape)
        self.kernel = self.add_weight(
            shape=self.kernel_size + (cin, self.depth_multiplier),
            name="kernel",
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(cin * self.depth_multiplier,),
                name="bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def call(self, inputs):
        y = ops.depthwise_conv(
            inputs,
            self.kernel,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )
        return self._finish(y)

    def _out_channels(self, input_shape):
        return input_shape[self._channel_axis()] * self.depth_multiplier

    def get_config(self):
        return {
            **self._base_config(),
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class DepthwiseConv1D(BaseDepthwiseConv):
    """1D depthwise convolution: each input channel is convolved with its own
    `depth_multiplier` kernels, and the results are stacked (`channels *
    depth_multiplier` output channels); channels are never mixed.

    Args:
        kernel_size: The size of the convolution window (an int or a tuple).
        strides: The step of the window along each spatial axis (an int or a tuple).
            Defaults to `1`.
        padding: `"valid"` (no padding) or `"same"` (pad so that the output has
            `ceil(input / strides)` positions). Defaults to `"valid"`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        dilation_rate: The spacing between the kernel's taps (an int or a tuple).
            Defaults to `1`.
        depth_multiplier: The number of output channels per input channel in the
            depthwise step. Defaults to `1`.
        activation: The activation function, a name (`"relu"`) or a function; `None`
            applies none. Defaults to `None`.
        use_bias: Whether the layer adds a bias vector. Defaults to `True`.
        depthwise_initializer: Initializer of the depthwise kernel. Defaults to
            `"glorot_uniform"`.
        bias_initializer: Initializer of the bias. Defaults to `"zeros"`.
        depthwise_regularizer: Regularizer of the depthwise kernel. Defaults to
            `None`.
        bias_regularizer: Regularizer of the bias. Defaults to `None`.
        activity_regularizer: Regularizer of the layer's output. Defaults to `None`.
        depthwise_constraint: Constraint on the depthwise kernel. Defaults to
            `None`.
        bias_constraint: Constraint on the bias. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    rank = 1


class DepthwiseConv2D(BaseDepthwiseConv):
    """2D depthwise convolution: each input channel is convolved with its own
    `depth_multiplier` kernels, and the results are stacked (`channels *
    depth_multiplier` output channels); channels are never mixed.

    Args:
        kernel_size: The size of the convolution window (an int or a tuple).
        strides: The step of the window along each spatial axis (an int or a tuple).
            Defaults to `1`.
        padding: `"valid"` (no padding) or `"same"` (pad so that the output has
            `ceil(input / strides)` positions). Defaults to `"valid"`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        dilation_rate: The spacing between the kernel's taps (an int or a tuple).
            Defaults to `1`.
        depth_multiplier: The number of output channels per input channel in the
            depthwise step. Defaults to `1`.
        activation: The activation function, a name (`"relu"`) or a function; `None`
            applies none. Defaults to `None`.
        use_bias: Whether the layer adds a bias vector. Defaults to `True`.
        depthwise_initializer: Initializer of the depthwise kernel. Defaults to
            `"glorot_uniform"`.
        bias_initializer: Initializer of the bias. Defaults to `"zeros"`.
        depthwise_regularizer: Regularizer of the depthwise kernel. Defaults to
            `None`.
        bias_regularizer: Regularizer of the bias. Defaults to `None`.
        activity_regularizer: Regularizer of the layer's output. Defaults to `None`.
        depthwise_constraint: Constraint on the depthwise kernel. Defaults to
            `None`.
        bias_constraint: Constraint on the bias. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    rank = 2


class BaseSeparableConv(_Conv):
    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._common(
            kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias
        )
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(
                "Invalid value for argument `filters`. Expected a strictly "
                f"positive value. Received filters={filters}."
            )
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(
                "Invalid value for argument `depth_multiplier`. Expected a "
                f"strictly positive value. Received {depth_multiplier}."
            )
        self.filters, self.depth_multiplier = filters, depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.depthwise_kernel = self.pointwise_kernel = self.bias = None

    def build(self, input_shape):
        cin = self._in_channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (cin, self.depth_multiplier),
            name="depthwise_kernel",
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (cin * self.depth_multiplier, self.filters),
            name="pointwise_kernel",
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,),
                name="bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def call(self, inputs):
        y = ops.separable_conv(
            inputs,
            self.depthwise_kernel,
            self.pointwise_kernel,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )
        return self._finish(y)

    def _out_channels(self, input_shape):
        return self.filters

    def get_config(self):
        return {
            **self._base_config(),
            "filters": self.filters,
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class SeparableConv1D(BaseSeparableConv):
    """1D separable convolution: a depthwise convolution (each channel on its own),
    then a pointwise 1x1 convolution that mixes the channels into `filters` outputs.
    Fewer weights than a full convolution of the same window.

    Args:
        filters: The number of output channels.
        kernel_size: The size of the convolution window (an int or a tuple).
        strides: The step of the window along each spatial axis (an int or a tuple).
            Defaults to `1`.
        padding: `"valid"` (no padding) or `"same"` (pad so that the output has
            `ceil(input / strides)` positions). Defaults to `"valid"`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        dilation_rate: The spacing between the kernel's taps (an int or a tuple).
            Defaults to `1`.
        depth_multiplier: The number of output channels per input channel in the
            depthwise step. Defaults to `1`.
        activation: The activation function, a name (`"relu"`) or a function; `None`
            applies none. Defaults to `None`.
        use_bias: Whether the layer adds a bias vector. Defaults to `True`.
        depthwise_initializer: Initializer of the depthwise kernel. Defaults to
            `"glorot_uniform"`.
        pointwise_initializer: Initializer of the pointwise kernel. Defaults to
            `"glorot_uniform"`.
        bias_initializer: Initializer of the bias. Defaults to `"zeros"`.
        depthwise_regularizer: Regularizer of the depthwise kernel. Defaults to
            `None`.
        pointwise_regularizer: Regularizer of the pointwise kernel. Defaults to
            `None`.
        bias_regularizer: Regularizer of the bias. Defaults to `None`.
        activity_regularizer: Regularizer of the layer's output. Defaults to `None`.
        depthwise_constraint: Constraint on the depthwise kernel. Defaults to
            `None`.
        pointwise_constraint: Constraint on the pointwise kernel. Defaults to
            `None`.
        bias_constraint: Constraint on the bias. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    rank = 1


class SeparableConv2D(BaseSeparableConv):
    """2D separable convolution: a depthwise convolution (each channel on its own),
    then a pointwise 1x1 convolution that mixes the channels into `filters` outputs.
    Fewer weights than a full convolution of the same window.

    Args:
        filters: The number of output channels.
        kernel_size: The size of the convolution window (an int or a tuple).
        strides: The step of the window along each spatial axis (an int or a tuple).
            Defaults to `1`.
        padding: `"valid"` (no padding) or `"same"` (pad so that the output has
            `ceil(input / strides)` positions). Defaults to `"valid"`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        dilation_rate: The spacing between the kernel's taps (an int or a tuple).
            Defaults to `1`.
        depth_multiplier: The number of output channels per input channel in the
            depthwise step. Defaults to `1`.
        activation: The activation function, a name (`"relu"`) or a function; `None`
            applies none. Defaults to `None`.
        use_bias: Whether the layer adds a bias vector. Defaults to `True`.
        depthwise_initializer: Initializer of the depthwise kernel. Defaults to
            `"glorot_uniform"`.
        pointwise_initializer: Initializer of the pointwise kernel. Defaults to
            `"glorot_uniform"`.
        bias_initializer: Initializer of the bias. Defaults to `"zeros"`.
        depthwise_regularizer: Regularizer of the depthwise kernel. Defaults to
            `None`.
        pointwise_regularizer: Regularizer of the pointwise kernel. Defaults to
            `None`.
        bias_regularizer: Regularizer of the bias. Defaults to `None`.
        activity_regularizer: Regularizer of the layer's output. Defaults to `None`.
        depthwise_constraint: Constraint on the depthwise kernel. Defaults to
            `None`.
        pointwise_constraint: Constraint on the pointwise kernel. Defaults to
            `None`.
        bias_constraint: Constraint on the bias. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    rank = 2


class BaseConvTranspose(_Conv):
    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._common(
            kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias
        )
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(
                "Invalid value for argument `filters`. Expected a strictly "
                f"positive value. Received filters={filters}."
            )
        self.filters = filters
        self.output_padding = (
            None
            if output_padding is None
            else _tuple(output_padding, self.rank, "output_padding", True)
        )
        if self.output_padding is not None:
            for p, s in zip(self.output_padding, self.strides):
                if p >= s:
                    raise ValueError(
                        f"Strides {self.strides} must be greater than output "
                        f"padding {self.output_padding}."
                    )
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = self.bias = None

    def build(self, input_shape):
        cin = self._in_channels(input_shape)
        self.kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, cin),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,),
                name="bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def call(self, inputs):
        y = ops.conv_transpose(
            inputs,
            self.kernel,
            strides=self.strides,
            padding=self.padding,
            output_padding=self.output_padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        from ..ops._conv import _transpose_geometry

        op = self.output_padding or (None,) * self.rank
        sp = [
            None if n is None else _transpose_geometry(n, k, s, d, self.padding, o)[0]
            for n, k, s, d, o in zip(
                self._spatial(input_shape), self.kernel_size, self.strides, self.dilation_rate, op
            )
        ]
        return self._out_shape(input_shape, self.filters, sp)

    def get_config(self):
        return {
            **self._base_config(),
            "filters": self.filters,
            "output_padding": self.output_padding,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class Conv1DTranspose(BaseConvTranspose):
    """1D transposed convolution (sometimes called deconvolution): the gradient of a
    1D convolution with respect to its input, used to upsample. Each input position
    spreads `kernel_size` outputs, `strides` apart.

    Args:
        filters: The number of output channels.
        kernel_size: The size of the convolution window (an int or a tuple).
        strides: The step of the window along each spatial axis (an int or a tuple).
            Defaults to `1`.
        padding: `"valid"` (no padding) or `"same"` (pad so that the output has
            `ceil(input / strides)` positions). Defaults to `"valid"`.
        output_padding: The extra size added to one side of each spatial output axis
            (an int or a tuple, less than `strides`), or `None` to infer it.
            Defaults to `None`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        dilation_rate: The spacing between the kernel's taps (an int or a tuple).
            Defaults to `1`.
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
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    rank = 1


class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution (sometimes called deconvolution): the gradient of a
    2D convolution with respect to its input, used to upsample. Each input position
    spreads `kernel_size` outputs, `strides` apart.

    Args:
        filters: The number of output channels.
        kernel_size: The size of the convolution window (an int or a tuple).
        strides: The step of the window along each spatial axis (an int or a tuple).
            Defaults to `1`.
        padding: `"valid"` (no padding) or `"same"` (pad so that the output has
            `ceil(input / strides)` positions). Defaults to `"valid"`.
        output_padding: The extra size added to one side of each spatial output axis
            (an int or a tuple, less than `strides`), or `None` to infer it.
            Defaults to `None`.
        data_format: `"channels_last"` (`(batch, ..., channels)`) or
            `"channels_first"` (`(batch, channels, ...)`); `None` means
            `"channels_last"`. Defaults to `None`.
        dilation_rate: The spacing between the kernel's taps (an int or a tuple).
            Defaults to `1`.
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
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    rank = 2
