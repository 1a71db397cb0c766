"""Keras 3's `RNN(cell)` and the recurrent layers built on it: `SimpleRNN`, `LSTM`, `GRU`.

`RNN` runs a cell over the time axis: a built-in cell (layers/rnn_cells.py), a
`StackedRNNCells` or a list of cells, or any user cell (a Layer with `state_size` and
`call(inputs, states)` written in ops). `SimpleRNN`, `LSTM` and `GRU` are `RNN` with
their cell, which holds the weights (`<layer>/<cell>/kernel`, and `layers/lstm/cell/vars`
in a `.keras` file, as Keras writes it).

A built-in cell runs its whole sequence at once: the input projection x @ W + b of every
step in one matmul, then one fused primitive (graph/fused/recurrent.py: a C++ kernel per
cell type, one GEMM plus one elementwise pass per time step, BPTT in C++ for the
gradient). That path also takes sequences whose length is known only per batch
(`Input(shape=(None, F))`): each program is specialized to its batch's shape. Activations
the kernels lack (anything but tanh/sigmoid for LSTM/GRU, tanh/relu/linear for SimpleRNN),
`recurrent_dropout` in training and every user cell run as an unrolled ops graph (one
cell call per time step; the length must then be known), as does everything when
KERASETTE_RNN_UNROLLED=1 (for comparisons). A stack of built-in cells runs cell after
cell, each over the whole sequence, which gives the same result as Keras's step-by-step
stack.

Keras semantics kept: `go_backwards` reverses the inputs and returns the outputs in the
processed (reversed) order; a mask (B, T) makes masked steps carry the previous states,
with the output at a masked step the previous output (or zero with
`zero_output_for_mask`, which `Bidirectional` sets when returning sequences); `dropout`
and `recurrent_dropout` draw one mask per sequence, fixed over the time steps;
`stateful` keeps the last states in Variables (batch size from the input shape).
"""

import numpy as np

from .. import ops
from ..variables import Variable
from .layer import Layer
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell, _BuiltinCell
from .stacked_rnn_cells import (
    StackedRNNCells,
    _state_sizes,
    call_cell,
    output_size_of,
    prefix_paths,
)


def _zeros(x, d):
    """(B, d) zeros for x (B, T, F), whatever B is."""
    return ops.zeros_like(x[:, 0, :1]) + ops.zeros((d,))


class RNN(Layer):
    """Base class for recurrent layers: `cell` stepped over the time axis."""

    _has_build_config = True

    def __init__(
        self,
        cell,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
        **kwargs,
    ):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell}")
        if "state_size" not in dir(cell):
            raise ValueError(
                "The RNN cell should have a `state_size` attribute (single "
                "integer or list of integers, one integer per RNN state). "
                f"Received: cell={cell}"
            )
        super().__init__(**kwargs)
        state_size = getattr(cell, "state_size", None)
        if state_size is None:
            raise ValueError("state_size must be specified as property on the RNN cell.")
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError(
                "state_size must be an integer, or a list/tuple of integers "
                "(one for each state tensor)."
            )
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states = None

    # ---- states ------------------------------------------------------------------------
    @property
    def state_size(self):
        s = self.cell.state_size
        return [s] if isinstance(s, int) else list(s)

    def _stacked(self):
        return isinstance(self.cell, StackedRNNCells)

    def _flat_sizes(self):
        if self._stacked():
            return [d for c in self.cell.cells for d in _state_sizes(c)]
        return _state_sizes(self.cell)

    def _per_cell(self, flat):
        """Flat states -> Keras's structure for a stack: one entry per cell, a list for a
        cell with several states (or a built-in one), else the tensor."""
        out, i = [], 0
        for c in self.cell.cells:
            n = len(_state_sizes(c))
            part = list(flat[i : i + n])
            i += n
            listed = isinstance(c.state_size, (list, tuple)) or isinstance(c, _BuiltinCell)
            out.append(part if listed else part[0])
        return out

    def reset_state(self):
        if self.states is not None:
            for v in self.states:
                v.assign(np.zeros(v.shape, np.float32))

    def reset_states(self):
        self.reset_state()

    def get_initial_state(self, batch_size):
        return [ops.zeros((batch_size, d)) for d in self._flat_sizes()]

    # ---- building ----------------------------------------------------------------------
    def build(self, sequences_shape, initial_state_shape=None):
        if (
            isinstance(sequences_shape, (list, tuple))
            and sequences_shape
            and isinstance(sequences_shape[0], (list, tuple))
        ):
            sequences_shape = sequences_shape[0]
        sequences_shape = tuple(sequences_shape)
        if len(sequences_shape) != 3:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the '
                f"layer: expected ndim=3, found ndim={len(sequences_shape)}. "
                f"Full shape received: {sequences_shape}"
            )
        step_shape = (sequences_shape[0],) + sequences_shape[2:]
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_shape)
            self.cell.built = True
        if isinstance(self.cell, Layer):
            prefix_paths(self, self.cell.weights)
        if self.stateful and self.states is None:
            B = sequences_shape[0]
            if B is None:
                raise ValueError(
                    "When using `stateful=True` in a RNN, the batch size must be "
                    f"static. Found dynamic batch size: sequence.shape="
                    f"{sequences_shape}"
                )
            self.states = [
                Variable(
                    np.zeros((B, d), np.float32),
                    shape=(B, d),
                    dtype="float32",
                    trainable=False,
                    name="rnn_state",
                    path=f"{self.name}/rnn_state_{i}",
                )
                for i, d in enumerate(self._flat_sizes())
            ]
        self.built = True

    def _check_input_shape(self, shape):
        pass

    # ---- the sequence ------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=False):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        x = sequences
        T = x.shape[1]
        if self.unroll and T is None:
            raise ValueError(
                "Cannot unroll a RNN if the time dimension is undefined. \n- If "
                "using a Sequential model, specify the time dimension by passing "
                "an `Input()` as your first layer.\n- If using the functional "
                "API, specify the time dimension by passing a `shape` or "
                "`batch_shape` argument to your `Input()`."
            )
        if mask is not None and len(mask.shape) == 3:
            mask = ops.any(mask, axis=-1)
        if self.go_backwards:
            x = ops.flip(x, axis=1)
            if mask is not None:
                mask = ops.flip(mask, axis=1)
        sizes = self._flat_sizes()
        if initial_state is not None:
            from ..graph import tree

            states = tree.flatten(
                list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            )[0]
            if len(states) != len(sizes):
                raise ValueError(
                    f'Layer "{self.name}" expects {len(sizes)} initial state(s), got {len(states)}'
                )
            states = [ops.cast(s, "float32") for s in states]
        elif self.stateful:
            states = list(self.states)
        else:
            states = [_zeros(x, d) for d in sizes]
        cells = self.cell.cells if self._stacked() else [self.cell]
        if all(isinstance(c, _BuiltinCell) for c in cells):
            outputs, finals = self._run_builtin(cells, x, states, mask, training, T)
            if mask is not None:
                m = ops.expand_dims(ops.cast(mask, "float32"), -1)
                if self.zero_output_for_mask:
                    outputs = outputs * m
                elif initial_state is not None or self.stateful:
                    # Keras: a masked step outputs the previous output (zero before the
                    # first); the fused kernels carry the previous state instead.
                    outputs = outputs * ops.cast(ops.cumsum(m, axis=1) > 0, "float32")
        else:
            outputs, finals = self._run_generic(x, states, mask, training, T)
        if self.stateful:
            for v, s in zip(self.states, finals):
                v.assign(s)
        out = outputs if self.return_sequences else outputs[:, -1, :]
        if self.return_state:
            return [out] + (self._per_cell(finals) if self._stacked() else list(finals))
        return out

    def _run_builtin(self, cells, x, states, mask, training, T):
        finals, i = [], 0
        for c in cells:
            n = c._n_states
            x, fin = c._run_sequence(x, states[i : i + n], mask, training, T)
            finals += fin
            i += n
        return x, finals

    def _run_generic(self, x, states, mask, training, T):
        if T is None:
            raise ValueError(
                f'Layer "{self.name}": a cell other than SimpleRNNCell, '
                "LSTMCell or GRUCell runs one call per time step, so the number "
                "of time steps must be known (give the Input a fixed sequence "
                "length)"
            )
        prev = _zeros(x, output_size_of(self.cell))
        outs = []
        for t in range(T):
            packed = self._per_cell(states) if self._stacked() else list(states)
            out, new = call_cell(self.cell, x[:, t, :], packed, training)
            from ..graph import tree

            new = tree.flatten(new)[0]
            if mask is not None:
                m = ops.expand_dims(ops.cast(mask[:, t], "float32"), -1)
                new = [m * n + (1.0 - m) * s for n, s in zip(new, states)]
                out = m * out + ((1.0 - m) * prev if not self.zero_output_for_mask else 0.0)
            states, prev = new, out
            outs.append(out)
        return ops.stack(outs, axis=1), states

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * len(self.state_size)
        return out

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        B, T = sequences_shape[0], sequences_shape[1]
        size = output_size_of(self.cell)
        out = (B, T, size) if self.return_sequences else (B, size)
        if not self.return_state:
            return out
        if self._stacked():
            st = [
                [(B, d) for d in s] if isinstance(s, (list, tuple)) else (B, s)
                for s in self.cell.state_size
            ]
        else:
            st = [(B, d) for d in self._flat_sizes()]
        return [out] + st

    # ---- config ------------------------------------------------------------------------
    def _base_config(self):
        return {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        }

    def get_config(self):
        from ..saving import serialize_keras_object

        return {**self._base_config(), "cell": serialize_keras_object(self.cell)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..saving import deserialize_keras_object

        config = dict(config)
        cell = deserialize_keras_object(config.pop("cell"), custom_objects=custom_objects)
        return cls(cell, **config)


# The cell's settings read through the layer (Keras's properties on LSTM etc.).
_CELL_ATTRS = (
    "units",
    "activation",
    "recurrent_activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
    "seed",
    "kernel",
    "recurrent_kernel",
    "bias",
)


class _CellLayer(RNN):
    """SimpleRNN / LSTM / GRU: an RNN over its own built-in cell."""

    _cell_cls = None
    _cell_name = None

    def __init__(
        self,
        cell_kwargs,
        activity_regularizer,
        return_sequences,
        return_state,
        go_backwards,
        stateful,
        unroll,
        kwargs,
    ):
        zofm = kwargs.pop("zero_output_for_mask", False)
        kwargs.pop("implementation", None)
        cell_kwargs = dict(cell_kwargs)
        cell_kwargs["dtype"] = kwargs.get("dtype")
        cell_kwargs["trainable"] = kwargs.get("trainable", True)
        if cell_kwargs["dtype"] is None:
            cell_kwargs.pop("dtype")
        cell = self._cell_cls(name=self._cell_name, **cell_kwargs)
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            zero_output_for_mask=zofm,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )

    def get_config(self):
        cell = self.cell._cell_config()
        from .. import regularizers

        cell["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return {**self._base_config(), **cell}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


def _cell_property(name):
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's `{name}`.")


for _name in _CELL_ATTRS:
    setattr(_CellLayer, _name, _cell_property(_name))


class SimpleRNN(_CellLayer):
    """A fully connected recurrent layer: `h_t = activation(x_t @ kernel + h_{t-1} @
    recurrent_kernel + bias)`, the output being `h_t`.

    The whole sequence loop, forward and backward, runs as one compiled kernel.

    Args:
        units: The size of the output and of the hidden state.
        activation: The activation of the output (and the candidate state). Defaults
            to `"tanh"`.
        use_bias: Whether the layer adds a bias vector. Defaults to `True`.
        kernel_initializer: Initializer of the `kernel` weights. Defaults to
            `"glorot_uniform"`.
        recurrent_initializer: Initializer of the `recurrent_kernel` weights.
            Defaults to `"orthogonal"`.
        bias_initializer: Initializer of the bias. Defaults to `"zeros"`.
        kernel_regularizer: Regularizer of the `kernel` weights. Defaults to `None`.
        recurrent_regularizer: Regularizer of the `recurrent_kernel` weights.
            Defaults to `None`.
        bias_regularizer: Regularizer of the bias. Defaults to `None`.
        activity_regularizer: Regularizer of the layer's output. Defaults to `None`.
        kernel_constraint: Constraint on the `kernel` weights. Defaults to `None`.
        recurrent_constraint: Constraint on the `recurrent_kernel` weights. Defaults
            to `None`.
        bias_constraint: Constraint on the bias. Defaults to `None`.
        dropout: The fraction of the inputs dropped during training. Defaults to
            `0.0`.
        recurrent_dropout: The fraction of the recurrent state dropped during
            training. Defaults to `0.0`.
        return_sequences: Whether to return the output at every time step (`(batch,
            timesteps, units)`) or only the last one (`(batch, units)`). Defaults to
            `False`.
        return_state: Whether to return the final state(s) after the output.
            Defaults to `False`.
        go_backwards: Whether to run over the time steps in reverse order and return
            the reversed sequence. Defaults to `False`.
        stateful: Whether the last state of each sample is kept as the initial state
            of the same sample in the next batch. Defaults to `False`.
        unroll: Accepted for Keras compatibility; the sequence loop always runs as
            one compiled kernel. Defaults to `False`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Input shape:
        `(batch, timesteps, features)`.

    Output shape:
        `(batch, units)`, or `(batch, timesteps, units)` with `return_sequences=True`;
        with `return_state=True`, a list: the output, then the final state(s).
    """

    _cell_cls = SimpleRNNCell
    _cell_name = "simple_rnn_cell"

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        seed=None,
        **kwargs,
    ):
        cell = dict(
            units=units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
        )
        super().__init__(
            cell,
            activity_regularizer,
            return_sequences,
            return_state,
            go_backwards,
            stateful,
            unroll,
            kwargs,
        )

    def get_config(self):
        c = super().get_config()
        c.pop("seed")  # Keras's SimpleRNN config has no seed
        return c


class LSTM(_CellLayer):
    """Long short-term memory (Hochreiter and Schmidhuber, 1997): input, forget and output
    gates and a cell state carry information across long sequences.

    The whole sequence loop, forward and backward, runs as one compiled kernel. With a
    mask (from `Embedding(mask_zero=True)` or `Masking`), masked steps keep the previous
    state.

    ```python
    model = keras.Sequential([keras.Input((20, 8)), keras.layers.LSTM(32),
                              keras.layers.Dense(1)])
    ```

    Args:
        units: The size of the output and of the hidden state.
        activation: The activation of the output (and the candidate state). Defaults
            to `"tanh"`.
        recurrent_activation: The activation of the gates. Defaults to `"sigmoid"`.
        use_bias: Whether the layer adds a bias vector. Defaults to `True`.
        kernel_initializer: Initializer of the `kernel` weights. Defaults to
            `"glorot_uniform"`.
        recurrent_initializer: Initializer of the `recurrent_kernel` weights.
            Defaults to `"orthogonal"`.
        bias_initializer: Initializer of the bias. Defaults to `"zeros"`.
        unit_forget_bias: Whether to add 1 to the forget gate's bias at
            initialization. Defaults to `True`.
        kernel_regularizer: Regularizer of the `kernel` weights. Defaults to `None`.
        recurrent_regularizer: Regularizer of the `recurrent_kernel` weights.
            Defaults to `None`.
        bias_regularizer: Regularizer of the bias. Defaults to `None`.
        activity_regularizer: Regularizer of the layer's output. Defaults to `None`.
        kernel_constraint: Constraint on the `kernel` weights. Defaults to `None`.
        recurrent_constraint: Constraint on the `recurrent_kernel` weights. Defaults
            to `None`.
        bias_constraint: Constraint on the bias. Defaults to `None`.
        dropout: The fraction of the inputs dropped during training. Defaults to
            `0.0`.
        recurrent_dropout: The fraction of the recurrent state dropped during
            training. Defaults to `0.0`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        return_sequences: Whether to return the output at every time step (`(batch,
            timesteps, units)`) or only the last one (`(batch, units)`). Defaults to
            `False`.
        return_state: Whether to return the final state(s) after the output.
            Defaults to `False`.
        go_backwards: Whether to run over the time steps in reverse order and return
            the reversed sequence. Defaults to `False`.
        stateful: Whether the last state of each sample is kept as the initial state
            of the same sample in the next batch. Defaults to `False`.
        unroll: Accepted for Keras compatibility; the sequence loop always runs as
            one compiled kernel. Defaults to `False`.
        use_cudnn: Accepted for Keras compatibility (there is no GPU). Defaults to
            `"auto"`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Input shape:
        `(batch, timesteps, features)`.

    Output shape:
        `(batch, units)`, or `(batch, timesteps, units)` with `return_sequences=True`;
        with `return_state=True`, a list: the output, then the final state(s).
    """

    _cell_cls = LSTMCell
    _cell_name = "lstm_cell"

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        use_cudnn="auto",
        **kwargs,
    ):
        cell = dict(
            units=units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
        )
        self.use_cudnn = use_cudnn
        super().__init__(
            cell,
            activity_regularizer,
            return_sequences,
            return_state,
            go_backwards,
            stateful,
            unroll,
            kwargs,
        )

    unit_forget_bias = _cell_property("unit_forget_bias")

    def get_config(self):
        from .. import activations

        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }


class GRU(_CellLayer):
    """Gated recurrent unit (Cho et al., 2014): update and reset gates over one hidden state.

    The whole sequence loop, forward and backward, runs as one compiled kernel.

    Args:
        units: The size of the output and of the hidden state.
        activation: The activation of the output (and the candidate state). Defaults
            to `"tanh"`.
        recurrent_activation: The activation of the gates. Defaults to `"sigmoid"`.
        use_bias: Whether the layer adds a bias vector. Defaults to `True`.
        kernel_initializer: Initializer of the `kernel` weights. Defaults to
            `"glorot_uniform"`.
        recurrent_initializer: Initializer of the `recurrent_kernel` weights.
            Defaults to `"orthogonal"`.
        bias_initializer: Initializer of the bias. Defaults to `"zeros"`.
        kernel_regularizer: Regularizer of the `kernel` weights. Defaults to `None`.
        recurrent_regularizer: Regularizer of the `recurrent_kernel` weights.
            Defaults to `None`.
        bias_regularizer: Regularizer of the bias. Defaults to `None`.
        activity_regularizer: Regularizer of the layer's output. Defaults to `None`.
        kernel_constraint: Constraint on the `kernel` weights. Defaults to `None`.
        recurrent_constraint: Constraint on the `recurrent_kernel` weights. Defaults
            to `None`.
        bias_constraint: Constraint on the bias. Defaults to `None`.
        dropout: The fraction of the inputs dropped during training. Defaults to
            `0.0`.
        recurrent_dropout: The fraction of the recurrent state dropped during
            training. Defaults to `0.0`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        return_sequences: Whether to return the output at every time step (`(batch,
            timesteps, units)`) or only the last one (`(batch, units)`). Defaults to
            `False`.
        return_state: Whether to return the final state(s) after the output.
            Defaults to `False`.
        go_backwards: Whether to run over the time steps in reverse order and return
            the reversed sequence. Defaults to `False`.
        stateful: Whether the last state of each sample is kept as the initial state
            of the same sample in the next batch. Defaults to `False`.
        unroll: Accepted for Keras compatibility; the sequence loop always runs as
            one compiled kernel. Defaults to `False`.
        reset_after: Whether the reset gate applies after the recurrent matrix
            product (`True`, Keras 3's and cuDNN's convention) or before it.
            Defaults to `True`.
        use_cudnn: Accepted for Keras compatibility (there is no GPU). Defaults to
            `"auto"`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Input shape:
        `(batch, timesteps, features)`.

    Output shape:
        `(batch, units)`, or `(batch, timesteps, units)` with `return_sequences=True`;
        with `return_state=True`, a list: the output, then the final state(s).
    """

    _cell_cls = GRUCell
    _cell_name = "gru_cell"

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        reset_after=True,
        use_cudnn="auto",
        **kwargs,
    ):
        cell = dict(
            units=units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            reset_after=reset_after,
            seed=seed,
        )
        self.use_cudnn = use_cudnn
        super().__init__(
            cell,
            activity_regularizer,
            return_sequences,
            return_state,
            go_backwards,
            stateful,
            unroll,
            kwargs,
        )

    reset_after = _cell_property("reset_after")

    def get_config(self):
        from .. import activations

        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        }
