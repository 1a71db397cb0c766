"""Keras 3's recurrent cells: `SimpleRNNCell`, `LSTMCell`, `GRUCell`.

A cell is one time step: `call(inputs, states, training=False)` returns
`(output, new_states)`, with Keras's weights (`kernel` (in, G*units), `recurrent_kernel`
(units, G*units), `bias` (G*units,) or (2, 3*units) for a GRU with `reset_after`; gates
LSTM i,f,c,o and GRU z,r,h), `state_size`, `output_size` and `get_config`.

`keras.layers.RNN` (layers/rnn.py) runs a built-in cell over a whole sequence through
the cell's sequence helpers below: the input projection of every step in one matmul,
then one fused C++ primitive (`_fused`), or an unrolled ops graph of `_cell_step`s
where the kernels lack the activation or recurrent dropout is on in training.
`SimpleRNN`, `LSTM` and `GRU` are that `RNN` with their cell, as in Keras.
"""

import numpy as np

from .. import activations, constraints, initializers, ops, regularizers
from ..variables import Variable
from .layer import Layer


def _apply(op, inputs, **attrs):
    from ..graph.fused import recurrent  # noqa: F401  (registers the ops)
    from ..graph.trace import apply

    return apply(op, inputs, **attrs)


def _t(v):
    """A Variable as a tensor that slices (an identity reshape the passes drop)."""
    return ops.reshape(v, tuple(v.shape))


def _act_name(fn):
    return getattr(fn, "__name__", None)


def dropout_masks(cell, like, rate, which, count):
    """`count` inverted-dropout masks of ones shaped like `like` (drawn once per call of
    the RNN, so fixed over the time steps, as Keras's DropoutRNNCell caches them)."""
    from ..ops import _prim

    counter = cell._dp_counters[which]
    ones = ops.ones_like(like)
    base = ops.cast(counter, "int32") * count
    masks = [_prim.dropout(ones, base + k, rate, cell._dp_seeds[which]) for k in range(count)]
    counter.assign(ops.add(counter, 1.0))
    return masks


class _BuiltinCell(Layer):
    """What the three built-in cells share: arguments, weights, dropout state, config."""

    _gates = 1
    _n_states = 1
    _has_build_config = True

    def _setup(
        self,
        units,
        activation,
        recurrent_activation,
        use_bias,
        kernel_initializer,
        recurrent_initializer,
        bias_initializer,
        kernel_regularizer,
        recurrent_regularizer,
        bias_regularizer,
        kernel_constraint,
        recurrent_constraint,
        bias_constraint,
        dropout,
        recurrent_dropout,
        seed,
    ):
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                "Received an invalid value for argument `units`, expected a "
                f"positive integer, got {units}."
            )
        self.units = int(units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self.kernel = self.recurrent_kernel = self.bias = None
        from ..utils import random as ks_random

        self._dp_seeds, self._dp_counters = {}, {}
        for which, rate in (("dropout", self.dropout), ("recurrent", self.recurrent_dropout)):
            if rate > 0:
                self._dp_seeds[which] = (seed if seed is not None else ks_random.next_seed()) + (
                    0 if which == "dropout" else 7919
                )
                self._dp_counters[which] = Variable(
                    0,
                    shape=(),
                    dtype="float32",
                    trainable=False,
                    name="seed_generator_state",
                    path=f"{self.name}/{which}_seed_state",
                )

    @property
    def state_size(self):
        return self.units if self._n_states == 1 else [self.units] * self._n_states

    @property
    def output_size(self):
        return self.units

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units)) for _ in range(self._n_states)]

    # ---- weights -----------------------------------------------------------------------
    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def build(self, input_shape):
        if self.kernel is not None:
            return
        G, u = self._gates, self.units
        self.kernel = self.add_weight(
            shape=(input_shape[-1], G * u),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(u, G * u),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self._bias_shape(),
                name="bias",
                initializer=self._bias_init(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def _input_bias(self):
        return self.bias

    # ---- one step (the cell called on its own, or from a user's loop) -------------------
    def call(self, inputs, states, training=False):
        single = not isinstance(states, (list, tuple))
        states = [states] if single else list(states)
        G = self._gates
        per_gate = self.recurrent_dropout > 0 and G > 1  # Keras's "implementation 1"
        x = inputs
        if training and 0 < self.dropout < 1:
            dps = dropout_masks(self, x, self.dropout, "dropout", G if per_gate else 1)
            if per_gate:
                u = self.units
                K = _t(self.kernel)
                xp = ops.concatenate(
                    [ops.matmul(x * dps[k], K[:, k * u : (k + 1) * u]) for k in range(G)], axis=-1
                )
            else:
                xp = ops.matmul(x * dps[0], self.kernel)
        else:
            xp = ops.matmul(x, self.kernel)
        if self.use_bias:
            xp = xp + self._input_bias()
        rmask = None
        if training and 0 < self.recurrent_dropout < 1:
            rmask = dropout_masks(self, states[0], self.recurrent_dropout, "recurrent", G)
        new = self._cell_step(xp, states, rmask)
        return new[0], (new[0] if single else new)

    # ---- the whole sequence (layers/rnn.py) --------------------------------------------
    def _use_kernel(self, training):
        import os

        if os.environ.get("KERASETTE_RNN_UNROLLED") == "1":
            return False
        if training and self.recurrent_dropout > 0:
            return False
        return self._kernel_acts_ok()

    def _run_sequence(self, x, states, mask, training, time_steps):
        """The cell over x (B, T, F), from `states`: (H (B, T, u), final states)."""
        F = x.shape[-1]
        G, u = self._gates, self.units
        per_gate = self.recurrent_dropout > 0 and G > 1
        if training and 0 < self.dropout < 1 and per_gate:
            dps = dropout_masks(self, x[:, 0, :], self.dropout, "dropout", G)
            K = _t(self.kernel)
            xp = ops.concatenate(
                [
                    ops.matmul(x * ops.expand_dims(dps[k], 1), K[:, k * u : (k + 1) * u])
                    for k in range(G)
                ],
                axis=-1,
            )
        else:
            if training and 0 < self.dropout < 1:
                dp = dropout_masks(self, x[:, 0, :], self.dropout, "dropout", 1)[0]
                x = x * ops.expand_dims(dp, 1)
            if time_steps is not None:
                xp = ops.reshape(
                    ops.matmul(ops.reshape(x, (-1, F)), self.kernel), (-1, time_steps, G * u)
                )
            else:  # a sequence length known only per batch
                xp = ops.matmul(x, self.kernel)
        if self.use_bias:
            xp = xp + self._input_bias()
        if self._use_kernel(training):
            return self._fused(xp, states, mask)
        if time_steps is None:
            raise ValueError(
                f'Layer "{self.name}": this cell runs unrolled here (its '
                "activation has no fused kernel, or recurrent dropout is on), "
                "which needs a known number of time steps"
            )
        rmask = None
        if training and 0 < self.recurrent_dropout < 1:
            rmask = dropout_masks(
                self, ops.zeros_like(xp[:, 0, :u]), self.recurrent_dropout, "recurrent", G
            )
        hs = []
        for t in range(time_steps):
            new = self._cell_step(xp[:, t, :], states, rmask)
            if mask is not None:
                m = ops.expand_dims(ops.cast(mask[:, t], "float32"), -1)
                new = [m * n + (1.0 - m) * s for n, s in zip(new, states)]
            states = new
            hs.append(states[0])
        return ops.stack(hs, axis=1), states

    # ---- config ----------------------------------------------------------------------
    def _cell_config(self):
        return {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


class SimpleRNNCell(_BuiltinCell):
    """`output = activation(x @ kernel + bias + h @ recurrent_kernel)`; one state."""

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
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._setup(
            units,
            activation,
            "sigmoid",
            use_bias,
            kernel_initializer,
            recurrent_initializer,
            bias_initializer,
            kernel_regularizer,
            recurrent_regularizer,
            bias_regularizer,
            kernel_constraint,
            recurrent_constraint,
            bias_constraint,
            dropout,
            recurrent_dropout,
            seed,
        )

    def _kernel_acts_ok(self):
        return _act_name(self.activation) in ("tanh", "relu", "linear")

    def _fused(self, xp, states, mask):
        ins = [xp, states[0], self.recurrent_kernel] + ([mask] if mask is not None else [])
        H = _apply("rnn_seq", ins, act=_act_name(self.activation), masked=mask is not None)
        return H, [H[:, -1, :]]

    def _cell_step(self, xt, states, rmask):
        h = states[0] if rmask is None else states[0] * rmask[0]
        return [self.activation(xt + ops.matmul(h, self.recurrent_kernel))]

    def get_config(self):
        return {**super().get_config(), **self._cell_config()}


class LSTMCell(_BuiltinCell):
    """Keras's LSTM step: gates i, f, c, o; states [h, c]."""

    _gates = 4
    _n_states = 2

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
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self._setup(
            units,
            activation,
            recurrent_activation,
            use_bias,
            kernel_initializer,
            recurrent_initializer,
            bias_initializer,
            kernel_regularizer,
            recurrent_regularizer,
            bias_regularizer,
            kernel_constraint,
            recurrent_constraint,
            bias_constraint,
            dropout,
            recurrent_dropout,
            seed,
        )

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, u = self.bias_initializer, self.units

        def init(shape, dtype=None):
            return np.concatenate(
                [
                    np.asarray(base((u,), dtype=dtype), np.float32),
                    np.ones((u,), np.float32),
                    np.asarray(base((2 * u,), dtype=dtype), np.float32),
                ]
            )

        return init

    def _kernel_acts_ok(self):
        return (
            _act_name(self.activation) == "tanh"
            and _act_name(self.recurrent_activation) == "sigmoid"
        )

    def _fused(self, xp, states, mask):
        ins = [xp, states[0], states[1], self.recurrent_kernel] + (
            [mask] if mask is not None else []
        )
        H, C, _ = _apply("lstm_seq", ins, masked=mask is not None)
        return H, [H[:, -1, :], C[:, -1, :]]

    def _cell_step(self, xt, states, rmask):
        h, c = states
        u = self.units
        if rmask is None:
            z = xt + ops.matmul(h, self.recurrent_kernel)
        else:  # Keras: one recurrent-dropout mask per gate (implementation 1)
            U = _t(self.recurrent_kernel)
            z = xt + ops.concatenate(
                [ops.matmul(h * rmask[k], U[:, k * u : (k + 1) * u]) for k in range(4)], axis=-1
            )
        ra = self.recurrent_activation
        i, f = ra(z[:, :u]), ra(z[:, u : 2 * u])
        g, o = self.activation(z[:, 2 * u : 3 * u]), ra(z[:, 3 * u :])
        c = f * c + i * g
        return [o * self.activation(c), c]

    def get_config(self):
        return {
            **super().get_config(),
            **self._cell_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }


class GRUCell(_BuiltinCell):
    """Keras's GRU step: gates z, r, h; `reset_after` applies the reset gate after the
    recurrent matmul (with a separate recurrent bias, row 1 of `bias`)."""

    _gates = 3

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
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        reset_after=True,
        seed=None,
        **kwargs,
    ):
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        self.reset_after = bool(reset_after)
        self._setup(
            units,
            activation,
            recurrent_activation,
            use_bias,
            kernel_initializer,
            recurrent_initializer,
            bias_initializer,
            kernel_regularizer,
            recurrent_regularizer,
            bias_regularizer,
            kernel_constraint,
            recurrent_constraint,
            bias_constraint,
            dropout,
            recurrent_dropout,
            seed,
        )

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        return _t(self.bias)[0] if self.reset_after else self.bias

    def _rec_bias(self):
        if self.use_bias and self.reset_after:
            return _t(self.bias)[1]
        return None

    def _kernel_acts_ok(self):
        return (
            _act_name(self.activation) == "tanh"
            and _act_name(self.recurrent_activation) == "sigmoid"
        )

    def _fused(self, xp, states, mask):
        ins = [xp, states[0], self.recurrent_kernel]
        if self.reset_after:
            rb = self._rec_bias()
            ins.append(rb if rb is not None else ops.zeros((3 * self.units,)))
        if mask is not None:
            ins.append(mask)
        H, _ = _apply("gru_seq", ins, reset_after=self.reset_after, masked=mask is not None)
        return H, [H[:, -1, :]]

    def _cell_step(self, xt, states, rmask):
        h = states[0]
        u = self.units
        U = _t(self.recurrent_kernel)
        hz, hr, hh_in = (h, h, h) if rmask is None else (h * rmask[0], h * rmask[1], h * rmask[2])
        ra = self.recurrent_activation
        rb = self._rec_bias()
        rz = ops.matmul(hz, U[:, :u])
        rr = ops.matmul(hr, U[:, u : 2 * u])
        if rb is not None:
            rz, rr = rz + rb[:u], rr + rb[u : 2 * u]
        z = ra(xt[:, :u] + rz)
        r = ra(xt[:, u : 2 * u] + rr)
        if self.reset_after:
            rh = ops.matmul(hh_in, U[:, 2 * u :])
            if rb is not None:
                rh = rh + rb[2 * u :]
            rh = r * rh
        else:
            rh = ops.matmul(r * hh_in, U[:, 2 * u :])
        hh = self.activation(xt[:, 2 * u :] + rh)
        return [z * h + (1.0 - z) * hh]

    def get_config(self):
        return {
            **super().get_config(),
            **self._cell_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        }
