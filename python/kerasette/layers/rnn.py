"""Keras 3's recurrent layers: `SimpleRNN`, `LSTM`, `GRU` (and the shared `RNN` logic).

Weights are Keras's: `kernel` (in, G*units), `recurrent_kernel` (units, G*units) and
`bias` (G*units,), or (2, 3*units) for a GRU with `reset_after` (row 0 the input bias, row
1 the recurrent one); gate order LSTM i,f,c,o and GRU z,r,h.

`call` computes the input projection x @ W + b of every step with one matmul, then runs
the whole sequence as one primitive (graph/fused/recurrent.py): a fused C++ kernel per
cell type, one GEMM plus one elementwise pass per time step, and BPTT in C++ for the
gradient. Activations the kernels do not have (anything but tanh/sigmoid for LSTM/GRU,
tanh/relu/linear for SimpleRNN) and `recurrent_dropout` in training run as an unrolled
ops graph (one cell per time step), as does everything when KERASETTE_RNN_UNROLLED=1
(for comparisons).

Keras semantics kept: `go_backwards` reverses the inputs and returns the outputs in the
processed (reversed) order; a mask (B, T) makes masked steps carry the previous states,
with the output at a masked step the previous output (or zero with
`zero_output_for_mask`, which `Bidirectional` sets when returning sequences); `dropout`
and `recurrent_dropout` draw one mask per sequence, fixed over the time steps;
`stateful` keeps the last states in Variables (batch size from the input shape).
"""
import os

import numpy as np

from .. import activations, constraints, initializers, ops, regularizers
from ..variables import Variable
from .layer import Layer

_KERNEL_ACTS = {"tanh", "sigmoid"}


def _apply(op, inputs, **attrs):
    from ..graph.fused import recurrent  # noqa: F401  (registers the ops)
    from ..graph.trace import apply
    return apply(op, inputs, **attrs)


def _t(v):
    """A Variable as a tensor that slices (an identity reshape the passes drop)."""
    return ops.reshape(v, tuple(v.shape))


def _act_name(fn):
    return getattr(fn, "__name__", None)


def _dropout_masks(layer, like, rate, which, count):
    """`count` (B, n) inverted-dropout masks of ones, each fixed over the sequence."""
    from ..ops import _prim
    counter = layer._dp_counters[which]
    ones = ops.ones_like(like)
    base = ops.cast(counter, "int32") * count
    masks = [_prim.dropout(ones, base + k, rate, layer._dp_seeds[which]) for k in range(count)]
    counter.assign(ops.add(counter, 1.0))
    return masks


class RNN(Layer):
    """The shared sequence logic; subclasses define the cell (`_gates`, `_cell_step`,
    `_fused`)."""
    _gates = 1
    _n_states = 1
    _has_build_config = True

    def _setup(self, units, activation, recurrent_activation, use_bias, kernel_initializer,
               recurrent_initializer, bias_initializer, kernel_regularizer,
               recurrent_regularizer, bias_regularizer, kernel_constraint,
               recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed,
               return_sequences, return_state, go_backwards, stateful, unroll,
               zero_output_for_mask=False):
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError("Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units}.")
        self.units = units
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
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states = None
        self.kernel = self.recurrent_kernel = self.bias = None
        from ..utils import random as ks_random
        self._dp_seeds, self._dp_counters = {}, {}
        for which, rate in (("dropout", self.dropout), ("recurrent", self.recurrent_dropout)):
            if rate > 0:
                self._dp_seeds[which] = (seed if seed is not None else ks_random.next_seed()) \
                    + (0 if which == "dropout" else 7919)
                self._dp_counters[which] = Variable(
                    0, shape=(), dtype="float32", trainable=False,
                    name="seed_generator_state", path=f"{self.name}/{which}_seed_state")

    # ---- weights -----------------------------------------------------------------------
    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def build(self, input_shape):
        if self.kernel is not None:
            return
        if isinstance(input_shape, (list, tuple)) and input_shape and \
                isinstance(input_shape[0], (list, tuple)):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the "
                             f"layer: expected ndim=3, found ndim={len(input_shape)}. Full "
                             f"shape received: {input_shape}")
        G, u = self._gates, self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], G * u), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(u, G * u), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=self._bias_shape(), name="bias",
                                        initializer=self._bias_init(),
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        if self.stateful:
            if input_shape[0] is None:
                raise ValueError("When using `stateful=True` in a RNN, the batch size must be "
                                 f"static. Found dynamic batch size: sequence.shape="
                                 f"{input_shape}")
            self.states = [Variable(np.zeros((input_shape[0], u), np.float32),
                                    shape=(input_shape[0], u), dtype="float32",
                                    trainable=False, name="rnn_state",
                                    path=f"{self.name}/rnn_state_{i}")
                           for i in range(self._n_states)]
        self.built = True

    def _check_input_shape(self, shape):
        pass

    @property
    def state_size(self):
        return [self.units] * self._n_states

    def reset_state(self):
        if self.states is not None:
            for v in self.states:
                v.assign(np.zeros(v.shape, np.float32))

    def reset_states(self):
        self.reset_state()

    def get_initial_state(self, batch_size):
        return [ops.zeros((batch_size, self.units)) for _ in range(self._n_states)]

    # ---- the sequence --------------------------------------------------------------------
    def _use_kernel(self, training):
        if os.environ.get("KERASETTE_RNN_UNROLLED") == "1":
            return False
        if training and self.recurrent_dropout > 0:
            return False
        return self._kernel_acts_ok()

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        x = sequences
        T = x.shape[1]
        if T is None:
            raise ValueError(f'Layer "{self.name}": the number of time steps must be known '
                             "(give the Input a fixed sequence length)")
        if mask is not None and len(mask.shape) == 3:
            mask = ops.any(mask, axis=-1)
        if self.go_backwards:
            x = ops.flip(x, axis=1)
            if mask is not None:
                mask = ops.flip(mask, axis=1)
        F = x.shape[-1]
        G, u = self._gates, self.units
        # Keras: with recurrent_dropout the cell runs its "implementation 1", one mask
        # per gate (LSTM 4, GRU 3); otherwise one mask.
        per_gate = self.recurrent_dropout > 0 and G > 1
        if training and 0 < self.dropout < 1 and per_gate:
            dps = _dropout_masks(self, x[:, 0, :], self.dropout, "dropout", G)
            xp = ops.concatenate(
                [ops.matmul(ops.reshape(x * ops.expand_dims(dps[k], 1), (-1, F)),
                            _t(self.kernel)[:, k * u:(k + 1) * u]) for k in range(G)], axis=-1)
            xp = ops.reshape(xp, (-1, T, G * u))
        else:
            if training and 0 < self.dropout < 1:
                dp = _dropout_masks(self, x[:, 0, :], self.dropout, "dropout", 1)[0]
                x = x * ops.expand_dims(dp, 1)
            xp = ops.reshape(ops.matmul(ops.reshape(x, (-1, F)), self.kernel), (-1, T, G * u))
        if self.use_bias:
            xp = xp + self._input_bias()
        zeros = ops.zeros_like(xp[:, 0, :u])
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            states = [ops.cast(s, "float32") for s in states]
        elif self.stateful:
            states = list(self.states)
        else:
            states = [zeros] * self._n_states
        if self._use_kernel(training):
            H, finals = self._fused(xp, states, mask)
        else:
            rmask = None
            if training and 0 < self.recurrent_dropout < 1:
                rmask = _dropout_masks(self, zeros, self.recurrent_dropout, "recurrent", G)
            H, finals = self._unrolled(xp, states, mask, rmask)
        outputs = H
        if mask is not None:
            m = ops.expand_dims(ops.cast(mask, "float32"), -1)
            if self.zero_output_for_mask:
                outputs = outputs * m
            elif initial_state is not None or self.stateful:
                # Keras: a masked step outputs the previous output (zero before the first).
                outputs = outputs * ops.cast(ops.cumsum(m, axis=1) > 0, "float32")
        if self.stateful:
            for v, s in zip(self.states, finals):
                v.assign(s)
        out = outputs if self.return_sequences else outputs[:, -1, :]
        if self.return_state:
            return [out] + list(finals)
        return out

    def _input_bias(self):
        return self.bias

    def _unrolled(self, xp, states, mask, rmask):
        T = xp.shape[1]
        hs = []
        for t in range(T):
            new = self._cell_step(xp[:, t, :], states, rmask)
            if mask is not None:
                m = ops.expand_dims(ops.cast(mask[:, t], "float32"), -1)
                new = [m * n + (1.0 - m) * s for n, s in zip(new, states)]
            states = new
            hs.append(states[0])
        return ops.stack(hs, axis=1), states

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * self._n_states
        return out

    def compute_output_shape(self, input_shape):
        B, T = input_shape[0], input_shape[1]
        out = (B, T, self.units) if self.return_sequences else (B, self.units)
        if self.return_state:
            return [out] + [(B, self.units)] * self._n_states
        return out

    # ---- config --------------------------------------------------------------------------
    def _base_config(self):
        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask}

    def _cell_config(self):
        return {"units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed}


class SimpleRNN(RNN):
    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        zofm = kwargs.pop("zero_output_for_mask", False)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._setup(units, activation, "sigmoid", use_bias, kernel_initializer,
                    recurrent_initializer, bias_initializer, kernel_regularizer,
                    recurrent_regularizer, bias_regularizer, kernel_constraint,
                    recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed,
                    return_sequences, return_state, go_backwards, stateful, unroll, zofm)

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
        c = {**self._base_config(), **self._cell_config()}
        c.pop("seed")  # Keras's SimpleRNN config has no seed
        return c


class LSTM(RNN):
    _gates = 4
    _n_states = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        zofm = kwargs.pop("zero_output_for_mask", False)
        kwargs.pop("implementation", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.use_cudnn = use_cudnn
        self._setup(units, activation, recurrent_activation, use_bias, kernel_initializer,
                    recurrent_initializer, bias_initializer, kernel_regularizer,
                    recurrent_regularizer, bias_regularizer, kernel_constraint,
                    recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed,
                    return_sequences, return_state, go_backwards, stateful, unroll, zofm)

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, u = self.bias_initializer, self.units

        def init(shape, dtype=None):
            return np.concatenate([np.asarray(base((u,), dtype=dtype), np.float32),
                                   np.ones((u,), np.float32),
                                   np.asarray(base((2 * u,), dtype=dtype), np.float32)])
        return init

    def _kernel_acts_ok(self):
        return (_act_name(self.activation) == "tanh"
                and _act_name(self.recurrent_activation) == "sigmoid")

    def _fused(self, xp, states, mask):
        ins = [xp, states[0], states[1], self.recurrent_kernel] + \
            ([mask] if mask is not None else [])
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
                [ops.matmul(h * rmask[k], U[:, k * u:(k + 1) * u]) for k in range(4)], axis=-1)
        ra = self.recurrent_activation
        i, f = ra(z[:, :u]), ra(z[:, u:2 * u])
        g, o = self.activation(z[:, 2 * u:3 * u]), ra(z[:, 3 * u:])
        c = f * c + i * g
        return [o * self.activation(c), c]

    def get_config(self):
        c = {**self._base_config(), **self._cell_config(),
             "recurrent_activation": activations.serialize(self.recurrent_activation),
             "unit_forget_bias": self.unit_forget_bias}
        return c


class GRU(RNN):
    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        zofm = kwargs.pop("zero_output_for_mask", False)
        kwargs.pop("implementation", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.reset_after = bool(reset_after)
        self.use_cudnn = use_cudnn
        self._setup(units, activation, recurrent_activation, use_bias, kernel_initializer,
                    recurrent_initializer, bias_initializer, kernel_regularizer,
                    recurrent_regularizer, bias_regularizer, kernel_constraint,
                    recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed,
                    return_sequences, return_state, go_backwards, stateful, unroll, zofm)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        return _t(self.bias)[0] if self.reset_after else self.bias

    def _rec_bias(self):
        if self.use_bias and self.reset_after:
            return _t(self.bias)[1]
        return None

    def _kernel_acts_ok(self):
        return (_act_name(self.activation) == "tanh"
                and _act_name(self.recurrent_activation) == "sigmoid")

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
        hz, hr, hh_in = (h, h, h) if rmask is None else (h * rmask[0], h * rmask[1],
                                                         h * rmask[2])
        ra = self.recurrent_activation
        rb = self._rec_bias()
        rz = ops.matmul(hz, U[:, :u])
        rr = ops.matmul(hr, U[:, u:2 * u])
        if rb is not None:
            rz, rr = rz + rb[:u], rr + rb[u:2 * u]
        z = ra(xt[:, :u] + rz)
        r = ra(xt[:, u:2 * u] + rr)
        if self.reset_after:
            rh = ops.matmul(hh_in, U[:, 2 * u:])
            if rb is not None:
                rh = rh + rb[2 * u:]
            rh = r * rh
        else:
            rh = ops.matmul(r * hh_in, U[:, 2 * u:])
        hh = self.activation(xt[:, 2 * u:] + rh)
        return [z * h + (1.0 - z) * hh]

    def get_config(self):
        c = {**self._base_config(), **self._cell_config(),
             "recurrent_activation": activations.serialize(self.recurrent_activation),
             "reset_after": self.reset_after}
        return c
