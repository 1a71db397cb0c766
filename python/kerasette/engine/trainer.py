"""`Trainer`: compile / fit / evaluate / predict for every model (DESIGN §2).

The model, its loss, metrics and optimizer update are traced into one training step,
compiled to a C++ program (engine/compiled_model.py); a step is one C++ call with the
GIL released. When no callback needs per-batch Python (only epoch hooks), the epoch
runs in C++ in chunks of steps (shuffle with the seeded counter RNG, batch gather,
steps), coming up to Python only to feed the progress bar about every 0.1 s. Metrics
whose update does not compile are updated from Python on each batch's predictions.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..backend import core
from ..tensor import Tensor
from . import arguments as args
from . import data_adapter as da
from . import step_graphs

# Metric classes the core accumulates itself (exact types; subclasses go to Python).
_CORE_METRICS = {
    "BinaryAccuracy": "binary_accuracy",
    "CategoricalAccuracy": "categorical_accuracy",
    "SparseCategoricalAccuracy": "sparse_categorical_accuracy",
    "TopKCategoricalAccuracy": "top_k_categorical_accuracy",
    "SparseTopKCategoricalAccuracy": "sparse_top_k_categorical_accuracy",
    "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error",
}
_PROGRESS_INTERVAL = 0.1  # seconds between progress-bar updates on the C++ epoch path
# Compiled engines kept per input shape of a model whose Input leaves sizes unknown; each
# holds its programs per batch size, and all share one parameter arena.
_MAX_PLANS_BY_LENGTH = 8


class _CompiledMetric:
    def __init__(self, obj, core_kind, weighted):
        self.obj, self.core_kind, self.weighted = obj, core_kind, weighted
        self.name = obj.name


class Trainer:
    """Mixin giving a layer stack Keras's training API over the engine's Plan."""

    def __init__(self):
        self._io = None  # io_spec.IOSpec of a model with several inputs/outputs
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.history = None
        self.stop_training = False
        self._lp = None  # the compiled steps (compiled_model.CompiledModel)
        self._lp_key = None
        self._slot_state = {}  # id(Variable) -> list of slot arrays (kept across rebuilds)
        self._metric_ids = None  # raw compile metrics
        self._metrics = None  # [_CompiledMetric] once resolved from data shapes
        self._predict_fast = None  # (plan, in_dim, per-sample shape, out shape) for predict

    # ---- compile -----------------------------------------------------------------------
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        loss_weights: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: Any = "auto",
        auto_scale_loss: bool = True,
    ) -> None:
        """Configures the model for training.

        Example:

        ```python
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                      loss=keras.losses.BinaryCrossentropy(),
                      metrics=[keras.metrics.BinaryAccuracy(), keras.metrics.AUC()])
        ```

        Args:
            optimizer: A name (`"adam"`), a class or an instance of
                `kerasette.optimizers.Optimizer`. Defaults to `"rmsprop"`.
            loss: A loss name (`"mse"`), a `kerasette.losses.Loss` instance or a
                function `fn(y_true, y_pred)` returning one value per sample. A model
                with several outputs takes a list or a dict keyed by output name.
                Defaults to `None` (no loss: `fit` is refused, `predict` works).
            loss_weights: A scalar, list or dict weighting each output's loss in the
                total. Defaults to `None` (all `1.0`).
            metrics: Metric names (`"accuracy"`, `"mae"`), `kerasette.metrics.Metric`
                instances or functions, evaluated during `fit` and `evaluate`; a list,
                or per output a list of lists or a dict. `"accuracy"` is resolved to
                the binary, categorical or sparse categorical accuracy from the loss
                and the labels' shape, as Keras does. Defaults to `None`.
            weighted_metrics: Like `metrics`, but weighted by `sample_weight` and
                `class_weight`. Defaults to `None`.
            run_eagerly: Accepted for Keras compatibility; the step always runs
                compiled. Defaults to `False`.
            steps_per_execution: Accepted for Keras compatibility. Defaults to `1`.
            jit_compile: Accepted for Keras compatibility. Defaults to `"auto"`.
            auto_scale_loss: Accepted for Keras compatibility (there is no mixed
                precision). Defaults to `True`.

        Raises:
            ValueError: For an unknown optimizer, loss or metric identifier, or
                `loss_weights` that do not match the outputs.
        """
        from .. import losses, optimizers
        from .io_spec import IOSpec

        self.optimizer = optimizers.get(optimizer)
        self._io = IOSpec(self) if IOSpec.needed(self) else None
        if self._io is not None:
            # several outputs: loss, loss_weights and metrics per output (io_spec)
            self._io.set_losses(
                [None if l is None else losses.get(l) for l in self._io.per_output(loss, "loss")],
                self._io.per_output(loss_weights, "loss_weights"),
            )
            self.loss = loss
            self.loss_weights = loss_weights
            self._metric_ids = self._io.per_output(metrics, "metrics", [])
            self._weighted_metric_ids = self._io.per_output(
                weighted_metrics, "weighted_metrics", []
            )
            self._finish_compile(run_eagerly, steps_per_execution, jit_compile)
            return
        self.loss = losses.get(loss) if loss is not None else None
        if loss_weights is not None:
            lw = loss_weights
            if isinstance(lw, dict):
                lw = list(lw.values())
            if isinstance(lw, (list, tuple)):
                if len(lw) != 1:
                    raise ValueError(
                        "A Sequential model has one output; loss_weights must "
                        f"have one entry, got {loss_weights!r}"
                    )
                lw = lw[0]
            loss_weights = float(lw)
        self.loss_weights = loss_weights
        self._metric_ids = [] if metrics is None else _as_list(metrics, "metrics")
        self._weighted_metric_ids = (
            [] if weighted_metrics is None else _as_list(weighted_metrics, "weighted_metrics")
        )
        self._finish_compile(run_eagerly, steps_per_execution, jit_compile)

    def _finish_compile(self, run_eagerly, steps_per_execution, jit_compile):
        self.run_eagerly = bool(run_eagerly)
        self.steps_per_execution = int(steps_per_execution)
        self.jit_compile = jit_compile
        self._metrics = None
        self._lp = None
        self._plans_by_length = None
        self._predict_fast = None
        self.compiled = True

    # The C++ plan is not picklable; a copy re-lowers on first use (the Variables carry
    # the values, and numpy copies views of the arena as plain arrays).
    def __getstate__(self):
        state = dict(self.__dict__)
        for k in ("_lp", "_lp_key", "_predict_fast", "_plans_by_length", "_io_predict"):
            state[k] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    def _on_layers_changed(self):
        self._lp = None
        self._plans_by_length = None
        self._predict_fast = None

    @property
    def metrics_names(self) -> list[str]:
        """The names of the values `evaluate` returns: `["loss"]`, then
        `"compile_metrics"` when the model was compiled with metrics.
        """
        return (
            ["loss", "compile_metrics"]
            if self._metric_ids or getattr(self, "_weighted_metric_ids", None)
            else ["loss"]
        )

    # ---- plan management ---------------------------------------------------------------
    def _require_compiled(self, what):
        if not self.compiled or self.optimizer is None and what == "fit":
            raise RuntimeError(
                "You must call `compile()` before using the model "
                f"(`{what}` was called on an uncompiled model)."
            )
        # A model compiled without a loss may still train on its `add_loss` terms (as
        # in Keras); with none at all, the step raises Keras's "No loss to compute".

    def _build_for(self, x_shape):
        if getattr(self, "_io", None) is not None:
            return  # a functional model with several inputs is built; pack_x checked x
        if not self.built:
            self._maybe_build(x_shape)
        # a string Input: x is its first layer's output, made before the graph
        want = tuple(sequential_graph_input(self, self._build_input_shape)[0][1:])
        got = tuple(x_shape[1:])
        if None in want and len(want) == len(got):
            # A size the Input leaves unknown (a sequence length) takes the data's: the
            # programs are made for it (_plan_in_shape), a new length makes new ones.
            want = tuple(g if w is None else w for w, g in zip(want, got))
            self._seen_in_shape = got
        if want != got and not (len(want) == 1 and int(np.prod(got)) == want[0] and len(got) == 1):
            first = self.layers[0] if self.layers else None
            lname = first.name if first is not None else self.name
            raise ValueError(
                f'Input 0 of layer "{lname}" is incompatible with the layer: '
                f"expected shape={(None,) + want}, found shape={tuple(x_shape)}"
            )

    def _plan_key(self, training):
        return (
            tuple(id(l) for l in self.layers),
            tuple(bool(l.trainable) for l in self.layers),
            training,
            (self._plan_in_shape(), self._front_sizes()),
        )

    def _front_sizes(self):
        """A string front's output sizes the data fixed (TextVectorization without
        output_sequence_length pads to the longest text), or None: the graph's input."""
        if sequential_front(self) is None or getattr(self, "_io", None) is not None:
            return None
        want = sequential_graph_input(self, self._build_input_shape)[0][1:]
        seen = getattr(self, "_seen_in_shape", None)
        if None not in want or seen is None or len(seen) != len(want):
            return None
        return tuple(g if w is None else w for w, g in zip(want, seen))

    def _predict_io(self):
        """The IOSpec of a model with several inputs/outputs that was not compiled."""
        from .io_spec import IOSpec

        io = self.__dict__.get("_io_predict")
        if io is None:
            io = self.__dict__["_io_predict"] = IOSpec(self)
        return io

    def _plan_in_shape(self):
        """The build input shape with the sizes the Input leaves unknown (None after the
        batch) taken from the data last seen (_build_for, IOSpec.pack_x)."""
        io = getattr(self, "_io", None)
        if io is None and not getattr(self, "compiled", False) and _multi_io(self):
            io = self._predict_io()
        if io is not None and io.unknown_sizes:
            return tuple((None,) + tuple(s) for s in io.in_shapes)
        bis = self._build_input_shape
        seen = getattr(self, "_seen_in_shape", None)
        if (
            not isinstance(bis, tuple)
            or seen is None
            or None not in bis[1:]
            or len(seen) != len(bis) - 1
        ):
            return bis
        return (bis[0],) + tuple(g if w is None else w for w, g in zip(bis[1:], seen))

    def _ensure_plan(self, training, y_shape=None):
        """The model's compiled engine; made again when layers, trainable flags or compile
        changed."""
        key = self._plan_key(training and self.compiled)
        lp = self._lp
        if lp is not None and key == self._lp_key and lp.still_bound():
            return lp
        # A model whose Input leaves a length unknown keeps one plan per length seen
        # (the training data's and the validation data's may differ); they share one
        # parameter arena, so each sees the weights the others trained.
        by_length = self._plan_in_shape() != self._build_input_shape
        family, lengths = getattr(self, "_plans_by_length", None) or (None, {})
        if not by_length or family != key[:-1]:
            lengths = {}
        shared = next((p for p in lengths.values() if p.still_bound()), None)
        lp = lengths.get(key[-1]) if by_length else None
        if lp is None or not lp.still_bound():
            self._save_slots()
            lp = self._compile_graph(
                training and self.compiled, y_shape, getattr(shared, "update", None)
            )
        if by_length:
            lengths.pop(key[-1], None)
            lengths[key[-1]] = lp  # most recently used last
            while len(lengths) > _MAX_PLANS_BY_LENGTH:  # shapes that change every call
                lengths.pop(next(iter(lengths)))
            self._plans_by_length = (key[:-1], lengths)
        bis = self._plan_in_shape()
        in_shape = tuple(bis[1:]) if isinstance(bis, tuple) else None
        if lp.trainable and self.optimizer is not None:
            # an optimizer's per-step hook on the flat gradients (distribute)
            lp.plan.set_grad_hook(getattr(self.optimizer, "_gradient_hook", None))
        self._lp, self._lp_key = lp, key
        self._restore_slots()
        # out shape None: several outputs or a structured one (the fast path then
        # leaves the shaping to _shape_pred)
        self._predict_fast = (
            (
                lp.plan,
                lp.in_dim,
                in_shape,
                lp.output_shape if _plain_output(self) else None,
            )
            if sequential_front(self) is None
            else None  # string inputs are preprocessed first
        )
        return lp

    def _compile_graph(self, training, y_shape, update=None):
        from .compiled_model import CompiledModel
        from .io_spec import OutputSpec

        io = getattr(self, "_io", None)
        if io is None and _multi_io(self):
            io = self._predict_io()  # not compiled: predict only
        loss = self.loss if self.compiled else None
        if io is not None:
            inputs = list(zip(io.in_shapes, io.in_dtypes))
            outputs = (
                io.outputs
                if self.compiled and io.outputs
                else [OutputSpec(n, s, None, None) for n, s in zip(io.out_names, io.out_shapes)]
            )
            if self.compiled:
                self._metric_specs_multi()
        else:
            bis = self._plan_in_shape()
            out_shape = tuple(self.compute_output_shape(bis)[1:])
            first = self._layers[0] if getattr(self, "_layers", None) else None
            in_dtype = getattr(first, "input_dtype", "float32") or "float32"
            graph_in, front_dtype = sequential_graph_input(self, bis)  # a string Input
            in_shape, in_dtype = self._front_sizes() or tuple(graph_in[1:]), front_dtype or in_dtype
            if None in out_shape and self._front_sizes():  # sizes the front's data fixed
                shape = (None,) + in_shape
                for layer in self.layers[1:]:
                    shape = layer.compute_output_shape(shape)
                out_shape = tuple(shape[1:])
            inputs = [(in_shape, in_dtype)]
            out = OutputSpec(
                "output",
                out_shape,
                loss,
                getattr(self, "loss_weights", None) if loss is not None else None,
            )
            if loss is not None and not _builtin_loss(loss) and y_shape is not None:
                out.label_shape = tuple(y_shape[1:]) or (1,)
                out.target_width = int(np.prod(out.label_shape))
            if loss is not None:
                self._metric_specs(y_shape, graph=True)
                out.metrics = [
                    (
                        m.core_kind,
                        m.weighted,
                        int(getattr(m.obj, "k", 5)),
                        float(getattr(m.obj, "threshold", 0.5) or 0.5),
                    )
                    for m in self._metrics
                    if m.core_kind is not None
                ]
                out.stateful_metrics = [
                    (m.obj, m.weighted) for m in self._metrics if m.core_kind is None
                ]
            outputs = [out]
        return CompiledModel(
            self,
            inputs,
            outputs,
            self.optimizer if training else None,
            _next_seed(),
            multi=io is not None,
            added_losses=training,
            update=update,
        )

    def _metric_specs_multi(self):
        """Per-output metrics of a model with several outputs, named `<output>_<metric>`
        as Keras names them; all of them run inside the compiled step."""
        from .. import metrics as ks_metrics

        io = self._io
        if self._metrics is not None:
            return
        self._metrics = []
        for o, ids, wids in zip(io.outputs, self._metric_ids, self._weighted_metric_ids):
            o.metrics, o.stateful_metrics, o.metric_objs = [], [], []
            pred_shape = (None,) + o.out_shape
            y_shape = (None,) + (
                o.out_shape[:-1] + (1,) if getattr(o.loss, "sparse", False) else o.out_shape
            )
            for group, weighted in ((ids or [], False), (wids or [], True)):
                for ident in group if isinstance(group, (list, tuple)) else [group]:
                    obj = ks_metrics.resolve(ident, y_shape, pred_shape)
                    kind = _CORE_METRICS.get(type(obj).__name__)
                    if kind not in step_graphs.GRAPH_METRICS:
                        kind = None
                    m = _CompiledMetric(obj, kind, weighted)
                    # Keras prefixes the output's name only when there are several
                    m.name = f"{o.name}_{obj.name}" if len(io.outputs) > 1 else obj.name
                    o.metric_objs.append(m)
                    if kind is not None:
                        o.metrics.append(
                            (
                                kind,
                                weighted,
                                int(getattr(obj, "k", 5)),
                                float(getattr(obj, "threshold", 0.5) or 0.5),
                            )
                        )
                    else:
                        o.stateful_metrics.append((obj, weighted))
            # the in-graph sums come in output order, core kinds first
        for o in io.outputs:
            self._metrics += [m for m in o.metric_objs if m.core_kind is not None]
        self._metrics_multi_order = [m for o in io.outputs for m in o.metric_objs]
        stateful = [m for o in io.outputs for m in o.metric_objs if m.core_kind is None]
        self._metrics += stateful

    def _metric_specs(self, y_shape, graph=True):
        """Resolves compile metrics (Keras's "accuracy" rule needs the label shape); the
        built-in kinds the compiled step sums itself get `core_kind`."""
        from .. import metrics as ks_metrics

        out_shape = (None,) + tuple(self.compute_output_shape(self._plan_in_shape())[1:])
        if y_shape is None:
            sparse = getattr(self.loss, "sparse", False)
            y_shape = out_shape[:-1] + ((1,) if sparse else out_shape[-1:])
        if self._metrics is None:
            self._metrics = []
            for ids, weighted in ((self._metric_ids, False), (self._weighted_metric_ids, True)):
                for ident in ids:
                    obj = ks_metrics.resolve(ident, tuple(y_shape), out_shape)
                    kind = _CORE_METRICS.get(type(obj).__name__)
                    if kind not in step_graphs.GRAPH_METRICS:
                        kind = None  # a stateful metric: its update_state is traced
                    self._metrics.append(_CompiledMetric(obj, kind, weighted))
            _unique_log_names(self._metrics)

    def _save_slots(self):
        pass  # slot state lives in the optimizer's slot Variables, which survive rebuilds

    def _restore_slots(self):
        """Rebinds the optimizer's slot Variables onto the plan's slot arena (their values
        are copied in), building the optimizer for the trainable weights first."""
        lp, opt = self._lp, self.optimizer
        if lp is None or opt is None or not lp.trainable or lp.plan.num_slots == 0:
            return
        if not getattr(opt, "built", True) and hasattr(opt, "build"):
            opt.build([var for _, var in lp.trainable])
        names = (
            [name for group in opt._slot_groups() for name, _ in group]
            if hasattr(opt, "_slot_groups")
            else []
        )
        inits = {
            name: init
            for group in getattr(opt, "_slot_groups", lambda: ())()
            for name, init in group
        }
        known = {id(v): i for i, v in enumerate(getattr(opt, "_trainable_variables", []))}
        slots = getattr(opt, "slots", {})
        for pid, var in lp.trainable:
            for s in range(lp.plan.num_slots):
                view = lp.plan.slot_view(pid, s).reshape(var.shape)
                name = names[s] if s < len(names) else None
                i = known.get(id(var))
                if name in slots and i is not None and i < len(slots[name]):
                    slots[name][i]._rebind(view)
                else:  # a weight the optimizer was not built for (trainable changed)
                    view[...] = inits.get(name, 0.0)

    # Nadam's running momentum product lives in the plan during steps and in the
    # optimizer's `u_product` Variable between calls (so saving/loading restores it).
    def _opt_state_in(self, lp):
        u = getattr(self.optimizer, "u_product", None)
        if u is not None:
            lp.plan.opt_state = float(np.asarray(getattr(u, "value", u)))

    def _opt_state_out(self, lp):
        u = getattr(self.optimizer, "u_product", None)
        if u is not None and hasattr(u, "assign"):
            u.assign(np.float32(lp.plan.opt_state))

    # ---- learning rate and iterations --------------------------------------------------
    def _iterations(self):
        it = getattr(self.optimizer, "iterations", 0)
        return int(np.asarray(getattr(it, "value", it)))

    def _add_iterations(self, n):
        it = getattr(self.optimizer, "iterations", 0)
        if hasattr(it, "assign"):
            it.assign(np.asarray(it.value) + n)
        else:
            self.optimizer.iterations = int(it) + n

    def _lr_at(self, step):
        opt = self.optimizer
        if hasattr(opt, "current_learning_rate"):
            return float(opt.current_learning_rate(step))
        lr = getattr(opt, "learning_rate", 0.01)
        return float(np.asarray(getattr(lr, "value", lr)))

    def _lrs(self, first_iteration, n):
        """Per-step learning rates for the C++ loop (a schedule is evaluated per step)."""
        if getattr(self.optimizer, "learning_rate_schedule", None) is not None:
            return np.array([self._lr_at(first_iteration + i) for i in range(n)], dtype=np.float32)
        return np.full(n, self._lr_at(first_iteration), dtype=np.float32)

    # ---- data ----------------------------------------------------------------------------
    def _batch_arrays(self, batch):
        """One batch from a data source as checked arrays: (x, y, raw y, sample weights)."""
        xb, yb, swb = da.unpack(batch)
        xb = self._x(xb)
        yb, y_raw = self._y(yb, xb.shape[0])
        return xb, yb, y_raw, da.sample_weights(swb, xb.shape[0])

    def _x(self, x, what="x", check_finite=True):
        if getattr(self, "_io", None) is not None or (
            not getattr(self, "compiled", False) and _multi_io(self)
        ):
            io = self._io or self._predict_io()
            return io.pack_x(x, check_finite)
        if not self.built:  # string data into a first preprocessing layer: a string Input
            from ..models.string_front import build_from_strings

            build_from_strings(self, x)
        arr = da.features(self.layers, x, what, check_finite)
        self._build_for(arr.shape)
        return arr.reshape(arr.shape[0], -1) if arr.ndim != 2 else arr

    def _y(self, y, n, what="y"):
        """Labels as a (n, target_width) float32 matrix, checked against loss and output."""
        if getattr(self, "_io", None) is not None:
            if y is None and all(o.loss is None for o in self._io.outputs):
                y = [None] * len(self._io.outputs)  # add_loss terms only: no labels
            if y is None:
                raise ValueError(f"{what} is required to train or evaluate the model (got None)")
            return self._io.pack_y(y, n, lambda a, n_, o: self._y_one(a, n_, o, what))
        return self._y_one(y, n, None, what)

    def _y_one(self, y, n, out, what="y"):
        """One output's labels (out: its io_spec.OutputSpec, None for a one-output model)."""
        if (out.loss if out is not None else self.loss) is None:
            # No loss reads these labels (Keras ignores them): the step gets zeros.
            if out is not None:
                width = out.target_width
            else:
                width = int(np.prod(self.compute_output_shape(self._plan_in_shape())[1:]))
            zeros = np.zeros((n, width), np.float32)
            if y is not None and da.to_numeric(y, what).shape[:1] != (n,):
                raise ValueError(
                    f"Data cardinality is ambiguous: x has {n} samples but "
                    f"{what} has {np.shape(y)[0] if np.ndim(y) else 0}."
                )
            return zeros, (zeros if y is None else y)
        if y is None:
            raise ValueError(f"{what} is required to train or evaluate the model (got None)")
        arr = da.to_numeric(y, what)
        if arr.ndim == 0 or arr.shape[0] != n:
            raise ValueError(
                f"Data cardinality is ambiguous: x has {n} samples but {what} has "
                f"{arr.shape[0] if arr.ndim else 0}. Make sure all arrays contain "
                "the same number of samples."
            )
        if out is not None:
            loss, out = out.loss, out.out_shape
        else:
            out = tuple(self.compute_output_shape(self._plan_in_shape())[1:])
            loss = self.loss
        if not _builtin_loss(loss):
            # A user's loss takes the labels as given (Keras checks nothing here).
            if not np.isfinite(arr).all():
                raise ValueError(f"{what} contains NaN or infinite values")
            return np.ascontiguousarray(arr.reshape(n, -1), dtype=np.float32), arr
        got = tuple(arr.shape[1:])
        if getattr(loss, "sparse", False):
            want = out[:-1]
            if got not in (want, want + (1,)):
                raise ValueError(
                    f"{type(loss).__name__} expects integer class ids of shape "
                    f"{(None,) + want} for outputs of shape {(None,) + out}; got "
                    f"labels of shape {arr.shape}"
                )
            if not np.isfinite(arr).all() or np.any(arr != np.round(arr)):
                raise ValueError(f"{what}: sparse labels must be integer class ids")
            lo, hi = arr.min(), arr.max()
            if lo < 0 or hi >= out[-1]:
                bad = lo if lo < 0 else hi
                raise ValueError(
                    f"Received a label value of {int(bad)} which is outside the "
                    f"valid range of [0, {out[-1]}). Label values: {what} has "
                    f"values in [{int(lo)}, {int(hi)}]"
                )
        else:
            if got != out and not (got + (1,) == out) and not (got == out + (1,)):
                hint = (
                    " (integer labels? use sparse_categorical_crossentropy)"
                    if len(got) == len(out) - 1 and out[-1] > 1
                    else ""
                )
                raise ValueError(
                    f"Arguments `target` and `output` must have the same shape. "
                    f"Received: target.shape={arr.shape}, output.shape="
                    f"{(None,) + out}{hint}"
                )
            if not np.isfinite(arr).all():
                raise ValueError(f"{what} contains NaN or infinite values")
        return np.ascontiguousarray(arr.reshape(n, -1), dtype=np.float32), arr

    def _sw(self, sample_weight, class_weight, y_raw, n):
        sw = da.sample_weights(sample_weight, n)
        if class_weight is not None:
            cw = da.class_weights_to_sample_weights(class_weight, y_raw)
            sw = cw if sw is None else sw * cw
        return sw

    # ---- fit -----------------------------------------------------------------------------
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: str | int = "auto",
        callbacks: list | None = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: dict | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int = 1,
    ) -> Any:
        """Trains the model for a fixed number of epochs.

        Each epoch runs the whole training step (forward, loss, gradients, optimizer
        update) as one compiled C++ program per batch, and, when no callback needs
        per-batch hooks, the whole epoch without returning to Python.

        Args:
            x: Input data: a numpy array (or array-like), a list of arrays or a dict
                keyed by input name for a model with several inputs, a pandas
                DataFrame, a `kerasette.data.Dataset`, a `PyDataset`, or a generator
                yielding `(x, y)` or `(x, y, sample_weight)` batches.
            y: Target data, like `x`. Must be `None` when `x` is a dataset, generator
                or `PyDataset` (they yield the targets).
            batch_size: Samples per gradient update. Must be `None` for datasets,
                generators and `PyDataset`s (they make their own batches).
                Defaults to `32`.
            epochs: The epoch to stop at (the model trains from `initial_epoch` to
                `epochs`). Defaults to `1`.
            verbose: `"auto"`, `0` (silent), `1` (progress bar) or `2` (one line per
                epoch). `"auto"` means `1`. Defaults to `"auto"`.
            callbacks: A list of `kerasette.callbacks.Callback` instances.
                Defaults to `None`.
            validation_split: The fraction (in `[0, 1)`) of the training data, taken
                from its end before shuffling, held out for validation.
                Defaults to `0.0`.
            validation_data: `(x_val, y_val)`, `(x_val, y_val, val_sample_weight)`,
                or a dataset, evaluated at the end of each epoch. Overrides
                `validation_split`. Defaults to `None`.
            shuffle: Whether to shuffle the training rows before each epoch (arrays
                only). Defaults to `True`.
            class_weight: A dict mapping class indices to a weight for the loss.
                Defaults to `None`.
            sample_weight: A 1-D array of per-sample weights for the loss.
                Defaults to `None`.
            initial_epoch: The epoch to start at (to resume a previous run).
                Defaults to `0`.
            steps_per_epoch: Batches per epoch; by default the whole data set (or
                until a generator is exhausted). Defaults to `None`.
            validation_steps: Batches of `validation_data` to evaluate.
                Defaults to `None` (all of it).
            validation_batch_size: Batch size of the validation. Defaults to `None`
                (`batch_size`).
            validation_freq: Validate every `validation_freq` epochs.
                Defaults to `1`.

        Returns:
            A `History` whose `history` attribute maps each loss and metric name
            (and `val_` ones) to its value at each epoch.

        Raises:
            RuntimeError: If the model was not compiled.
            ValueError: For inputs that do not match the model, an argument out of
                its range, or NaN or infinite values in `x` or `y` (Keras would train
                on them).
        """
        from ..callbacks import CallbackList

        args.check_fit(
            batch_size,
            epochs,
            validation_split,
            class_weight,
            initial_epoch,
            steps_per_epoch,
            validation_steps,
            validation_batch_size,
            validation_freq,
        )
        self._require_compiled("fit")
        _check_int(epochs, "epochs", 0)
        batch_size = 32 if batch_size is None else _check_int(batch_size, "batch_size", 1)
        verbose = _verbose(verbose, default=1)
        if not 0.0 <= float(validation_split) < 1.0:
            raise ValueError(f"validation_split must be in [0, 1); got {validation_split}")
        source = da.is_batch_source(x)
        if source:
            x = da.require_batches(x)  # an empty source: ValueError, not fit() -> {}
        if da.is_batch_source(validation_data):
            validation_data = da.require_batches(validation_data)
            if hasattr(validation_data, "__next__"):  # one-shot: replayed each epoch
                validation_data = da.Replay(validation_data)
        if source and y is None and sample_weight is None and steps_per_epoch is None:
            arrays = _in_memory_epochs(x)
            if arrays is not None:  # the same epochs, on the whole-epoch C++ loop
                x, y, sample_weight, batch_size, shuffle = arrays
                source = False
        if source:
            if validation_split:
                raise ValueError(
                    "`validation_split` is only supported for arrays, not for a "
                    "dataset, generator or PyDataset"
                )
            X = Y = SW = None
            _check_finite_source(x, steps_per_epoch, "steps_per_epoch")
            steps = steps_per_epoch if steps_per_epoch is not None else _len_or_none(x)
        else:
            X = self._x(x)
            Y, y_raw = self._y(y, X.shape[0])
            if class_weight is not None and sample_weight is not None:
                raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
            SW = da.sample_weights(sample_weight, X.shape[0])
            if validation_split and validation_data is None:
                # Keras: the last fraction, before shuffling; class_weight is for training only.
                split = args.split_at(X.shape[0], float(validation_split))
                xv = X[split:]
                bis = self._plan_in_shape()
                if getattr(self, "_io", None) is None and isinstance(bis, tuple):
                    xv = xv.reshape((-1,) + tuple(bis[1:]))  # X is flattened to 2-D
                validation_data = (xv, y_raw[split:]) + ((SW[split:],) if SW is not None else ())
                X, Y, y_raw = X[:split], Y[:split], y_raw[:split]
                SW = SW[:split] if SW is not None else None
            if class_weight is not None:
                cw = da.class_weights_to_sample_weights(class_weight, y_raw)
                SW = cw if SW is None else SW * cw
            steps = -(-X.shape[0] // batch_size)
            if steps_per_epoch is not None:
                steps = min(steps, int(steps_per_epoch))
        val = None
        if validation_data is not None:
            val = (
                validation_data
                if da.is_batch_source(validation_data)
                else tuple(validation_data)
                if isinstance(validation_data, (tuple, list))
                else (validation_data,)
            )
            if not da.is_batch_source(val) and len(val) not in (2, 3):
                raise ValueError(
                    "validation_data must be (x_val, y_val) or (x_val, y_val, val_sample_weight)"
                )
        if source:
            x = self._peek_build(x)
        lp = self._ensure_plan(True, None if source else _label_shape(y_raw))
        cbs = (
            callbacks
            if isinstance(callbacks, CallbackList)
            else CallbackList(
                callbacks,
                add_history=True,
                add_progbar=verbose != 0,
                model=self,
                verbose=verbose,
                epochs=epochs,
                steps=steps,
            )
        )
        self.stop_training = False
        self._initial_epoch = None
        cbs.on_train_begin()
        # BackupAndRestore sets _initial_epoch when it restores a backup (as in Keras).
        if self._initial_epoch is not None:
            initial_epoch = self._initial_epoch
        logs = {}
        seed = _next_seed()
        try:
            self._opt_state_in(lp)
            logs = self._fit_epochs(
                lp,
                x,
                X,
                Y,
                SW,
                val,
                source,
                cbs,
                seed,
                initial_epoch,
                epochs,
                shuffle,
                batch_size,
                steps,
                steps_per_epoch,
                validation_batch_size,
                validation_steps,
                validation_freq,
            )
        finally:
            self._opt_state_out(lp)
        cbs.on_train_end(logs)
        return self.history

    def _fit_epochs(
        self,
        lp,
        x,
        X,
        Y,
        SW,
        val,
        source,
        cbs,
        seed,
        initial_epoch,
        epochs,
        shuffle,
        batch_size,
        steps,
        steps_per_epoch,
        validation_batch_size,
        validation_steps,
        validation_freq,
    ):
        logs = {}
        for epoch in range(int(initial_epoch), int(epochs)):
            self._reset_metrics(lp)
            cbs.on_epoch_begin(epoch)
            if source:
                if not self._epoch_batches(lp, x, steps_per_epoch, cbs):
                    break  # no batch this epoch: no epoch end, as Keras
            else:
                idx = core.permutation(X.shape[0], seed, epoch) if shuffle else None
                self._epoch_arrays(lp, X, Y, SW, idx, batch_size, steps, cbs)
            logs = self._results(lp)
            if val is not None and args.should_validate(epoch, validation_freq):
                val_logs = self._validate(
                    val, validation_batch_size or batch_size, validation_steps, cbs
                )
                logs.update({"val_" + k: v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        return logs

    def _peek_build(self, source):
        """Builds an unbuilt model from the first batch; returns the source to iterate
        (a one-shot iterator gets its first batch chained back in front)."""
        if self.built:
            return source
        one_shot = hasattr(source, "__next__")
        it = iter(source) if one_shot else None
        first = next(it, None) if one_shot else next(iter(da.batch_iterator(source, 1)), None)
        if first is None:
            raise ValueError("The data source yielded no batches")
        self._x(da.unpack(first)[0])
        if one_shot:
            import itertools

            return itertools.chain([first], it)
        return source

    def _epoch_arrays(self, lp, X, Y, SW, idx, batch_size, steps, cbs):
        plan = lp.plan
        python_metrics = self._python_metrics()
        per_batch = cbs.needs_batch_hooks("train") or python_metrics
        progress = cbs.wants_progress("train")
        it0 = self._iterations()
        if not per_batch:
            # Chunks of steps sized by time: ~0.1 s when a progress bar listens, else ~1 s
            # (so Ctrl-C and the GIL come back regularly on long epochs).
            interval = _PROGRESS_INTERVAL if progress else 1.0
            done, chunk = 0, 1 if progress else min(steps, 64)
            while done < steps:
                n = min(chunk, steps - done)
                t0 = time.perf_counter()
                plan.train_batches(
                    X, Y, SW, idx, batch_size, done, self._lrs(it0 + done, n), it0 + done
                )
                dt = time.perf_counter() - t0
                done += n
                self._add_iterations(n)
                if progress:
                    cbs.on_train_batch_end(done - 1, self._results(lp))
                chunk = max(1, int(interval * n / max(dt, 1e-6)))
            return
        for step in range(steps):
            cbs.on_train_batch_begin(step)
            rows = slice(step * batch_size, min((step + 1) * batch_size, X.shape[0]))
            sel = idx[rows] if idx is not None else rows
            xb, yb = X[sel], Y[sel]
            swb = SW[sel] if SW is not None else None
            plan.train_batch(xb, yb, swb, self._lr_at(it0 + step), it0 + step)
            self._add_iterations(1)
            self._update_python_metrics(python_metrics, plan, yb, swb)
            cbs.on_train_batch_end(step, self._results(lp))
            if self.stop_training:
                break

    def _epoch_batches(self, lp, source, steps, cbs):
        plan = lp.plan
        python_metrics = self._python_metrics()
        step = -1
        for step, batch in enumerate(da.batch_iterator(source, steps)):
            xb, yb, y_raw, swb = self._batch_arrays(batch)
            cbs.on_train_batch_begin(step)
            it = self._iterations()
            plan.train_batch(xb, yb, swb, self._lr_at(it), it)
            self._add_iterations(1)
            self._update_python_metrics(python_metrics, plan, yb, swb)
            cbs.on_train_batch_end(step, self._results(lp))
            if self.stop_training:
                break
        if step < 0:  # an exhausted generator: Keras warns and stops
            import warnings

            warnings.warn(
                "Your input ran out of data; interrupting training. Make sure that "
                "your dataset or generator can generate at least `steps_per_epoch "
                "* epochs` batches.",
                stacklevel=3,
            )
            self.stop_training = True
            return False
        return True

    def _validate(self, val, batch_size, steps, cbs):
        if da.is_batch_source(val):
            return self.evaluate(val, steps=steps, callbacks=cbs, return_dict=True, verbose=0)
        xv, yv = val[0], val[1]
        swv = val[2] if len(val) == 3 else None
        return self.evaluate(
            xv,
            yv,
            batch_size=batch_size,
            sample_weight=swv,
            steps=steps,
            callbacks=cbs,
            return_dict=True,
            verbose=0,
        )

    # ---- metrics ------------------------------------------------------------------------
    def reset_metrics(self):
        """Resets the loss and metric accumulators (Keras's `Model.reset_metrics`)."""
        if self._lp is not None:
            self._reset_metrics(self._lp)

    def _python_metrics(self):
        """Metrics updated from Python on each batch's predictions (none when the
        compiled step updates them itself)."""
        if getattr(self._lp, "metrics_in_graph", False):
            return []
        return [m for m in (self._metrics or []) if m.core_kind is None]

    def _reset_metrics(self, lp):
        lp.plan.reset_metrics()
        for m in self._metrics or []:
            if m.core_kind is None:
                m.obj.reset_state()

    def _update_python_metrics(self, metrics, plan, yb, swb):
        if not metrics:
            return
        pred = plan.last_output()
        out_shape = self._lp.output_shape
        pred = pred.reshape((pred.shape[0],) + out_shape)
        for m in metrics:
            m.obj.update_state(
                yb.reshape((yb.shape[0],) + self._label_shape(yb)),
                pred,
                sample_weight=swb if m.weighted else None,
            )

    def _label_shape(self, yb):
        out = self._lp.output_shape
        if getattr(self.loss, "sparse", False):
            return tuple(out[:-1]) + (1,) if yb.shape[1] == int(np.prod(out[:-1])) else ()
        return tuple(out)

    def _logs_list(self, logs):
        """evaluate()'s list: the loss, each output's loss, then the metrics (Keras's
        order: by output, in compile order)."""
        io = getattr(self, "_io", None)
        if io is not None:
            names = [
                f"{o.name}_loss" for o in io.outputs if o.loss is not None and len(io.outputs) > 1
            ] + [m.name for m in getattr(self, "_metrics_multi_order", [])]
            # the loss alone is a scalar, as Keras returns it
            return [logs["loss"]] + [logs[n] for n in names] if names else logs["loss"]
        if not self._metrics:
            return logs["loss"]
        return [logs["loss"]] + [logs[m.name] for m in self._metrics]

    def _results(self, lp):
        logs = {"loss": float(lp.plan.loss_result())}
        io = getattr(self, "_io", None)
        if io is not None and len(io.outputs) > 1:  # one output: "loss" alone, as Keras
            for o, v in zip(io.outputs, lp.plan.output_losses()):
                if o.loss is not None:
                    logs[f"{o.name}_loss"] = float(v)
        core_vals = iter(lp.plan.metric_results())
        for m in self._metrics or []:
            if m.core_kind is not None:
                logs[m.name] = float(next(core_vals))
            else:  # a per-class result (F1Score(average=None)) stays an array, as Keras's
                v = np.asarray(m.obj.result())
                logs[m.name] = float(v) if v.ndim == 0 else v
        return dict(sorted(logs.items()))

    # ---- evaluate -----------------------------------------------------------------------
    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: str | int = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: list | None = None,
        return_dict: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Returns the loss and metric values of the model on the given data.

        Args:
            x: Input data, as in `fit`.
            y: Target data, as in `fit`.
            batch_size: Samples per batch. Defaults to `32`.
            verbose: `"auto"`, `0` (silent) or `1` (progress bar).
                Defaults to `"auto"`.
            sample_weight: A 1-D array of per-sample weights. Defaults to `None`.
            steps: Batches to evaluate. Defaults to `None` (all the data).
            callbacks: A list of `Callback` instances. Defaults to `None`.
            return_dict: Whether to return a dict keyed by metric name.
                Defaults to `False`.
            **kwargs: Accepted for Keras compatibility and ignored.

        Returns:
            The loss as a float when the model has no metrics, otherwise a list of
            floats in the order of `metrics_names` (or a dict with
            `return_dict=True`).

        Raises:
            RuntimeError: If the model was not compiled.
            ValueError: For inputs that do not match the model.
        """
        from ..callbacks import CallbackList

        args.check_evaluate(batch_size, steps)
        self._require_compiled("evaluate")
        batch_size = 32 if batch_size is None else _check_int(batch_size, "batch_size", 1)
        verbose = _verbose(verbose, default=1)
        source = da.is_batch_source(x)
        if source:
            _check_finite_source(x, steps, "steps")
            x = self._peek_build(da.require_batches(x))
            n_steps = steps if steps is not None else _len_or_none(x)
        else:
            X = self._x(x)
            Y, y_raw = self._y(y, X.shape[0])
            SW = da.sample_weights(sample_weight, X.shape[0])
            n_steps = -(-X.shape[0] // batch_size)
            if steps is not None:
                n_steps = min(n_steps, int(steps))
        lp = self._ensure_plan(True, None if source else _label_shape(y_raw))
        cbs = (
            callbacks
            if isinstance(callbacks, CallbackList)
            else CallbackList(
                callbacks,
                add_progbar=verbose != 0,
                model=self,
                verbose=verbose,
                epochs=1,
                steps=n_steps,
            )
        )
        self._reset_metrics(lp)
        cbs.on_test_begin()
        python_metrics = self._python_metrics()
        plan = lp.plan
        if source:
            for step, batch in enumerate(da.batch_iterator(x, steps)):
                xb, yb, _, swb = self._batch_arrays(batch)
                cbs.on_test_batch_begin(step)
                plan.test_batch(xb, yb, swb)
                self._update_python_metrics(python_metrics, plan, yb, swb)
                cbs.on_test_batch_end(step, self._results(lp))
        elif not (python_metrics or cbs.needs_batch_hooks("test")):
            n = min(X.shape[0], n_steps * batch_size)
            plan.test_batches(X[:n], Y[:n], SW[:n] if SW is not None else None, batch_size)
        else:
            for step in range(n_steps):
                rows = slice(step * batch_size, (step + 1) * batch_size)
                swb = SW[rows] if SW is not None else None
                cbs.on_test_batch_begin(step)
                plan.test_batch(X[rows], Y[rows], swb)
                self._update_python_metrics(python_metrics, plan, Y[rows], swb)
                cbs.on_test_batch_end(step, self._results(lp))
        logs = self._results(lp)
        cbs.on_test_end(logs)
        if return_dict:
            return logs
        return self._logs_list(logs)

    # ---- predict ------------------------------------------------------------------------
    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: str | int = "auto",
        steps: int | None = None,
        callbacks: list | None = None,
    ) -> Any:
        """Generates output predictions for the input samples, batch by batch.

        Args:
            x: Input samples: an array, a list or dict of arrays for several inputs,
                a DataFrame, a dataset, a `PyDataset` or a generator.
            batch_size: Samples per batch. Defaults to `32`.
            verbose: `"auto"`, `0` (silent) or `1` (progress bar).
                Defaults to `"auto"`.
            steps: Batches to predict. Defaults to `None` (all the data).
            callbacks: A list of `Callback` instances. Defaults to `None`.

        Returns:
            A numpy array of predictions (a list or dict of arrays for a model with
            several outputs). NaN inputs give NaN where the model's ops propagate
            them, as in Keras.

        Raises:
            ValueError: For inputs that do not match the model.
        """
        args.check_predict(batch_size, steps)  # before the fast path, which ignores them
        fast = self._predict_fast
        # Small-batch fast path: a float32 C-contiguous array the plan takes as is, nobody
        # listening (verbose=0, no callbacks); the finiteness check runs in C++.
        if (
            fast is not None
            and verbose == 0
            and callbacks is None
            and steps is None
            and type(x) is np.ndarray
            and x.dtype == np.float32
        ):
            plan, in_dim, in_shape, out_shape = fast
            n = x.shape[0] if x.ndim else 0
            # one batch only: a smaller batch_size splits the rows as Keras does (a
            # stateful RNN carries its states from batch to batch)
            if (
                0 < n <= min(64, batch_size or 64)
                and x.shape[1:] == in_shape
                and x.flags.c_contiguous
                and self._lp.still_bound()
            ):
                out = plan.predict_rows(x.reshape(n, in_dim))
                if out_shape is None:
                    return _output_dtypes(self, self._shape_pred(out, self._lp))
                out = out if len(out_shape) == 1 else out.reshape((n,) + out_shape)
                return _output_dtypes(self, out)
        return _output_dtypes(self, self._predict_slow(x, batch_size, verbose, steps, callbacks))

    def _predict_slow(self, x, batch_size, verbose, steps, callbacks):
        from ..callbacks import CallbackList

        if not self.built and not da.is_batch_source(x) and not self.layers:
            raise ValueError(
                "This model has not yet been built. Build the model first by "
                "calling `build()` or by calling the model on a batch of data."
            )
        batch_size = 32 if batch_size is None else _check_int(batch_size, "batch_size", 1)
        verbose = _verbose(verbose, default=1)
        if da.is_batch_source(x):
            x = self._peek_build(x)
            lp = self._ensure_plan(self.compiled)
            outs = []
            n_steps = steps if steps is not None else _len_or_none(x)
            cbs = (
                callbacks
                if isinstance(callbacks, CallbackList)
                else CallbackList(
                    callbacks,
                    add_progbar=verbose != 0,
                    model=self,
                    verbose=verbose,
                    epochs=1,
                    steps=n_steps,
                )
            )
            cbs.on_predict_begin()
            for step, batch in enumerate(da.batch_iterator(x, steps)):
                xb = self._x(da.unpack(batch)[0])
                cbs.on_predict_batch_begin(step)
                outs.append(lp.plan.predict(xb))
                cbs.on_predict_batch_end(step, {"outputs": outs[-1]})
            cbs.on_predict_end()
            if not outs:
                raise ValueError("The data source yielded no batches to predict on")
            out = np.concatenate(outs)
            return self._shape_pred(out, lp)
        X = self._x(x, check_finite=False)  # checked batch by batch in plan.predict
        lp = self._ensure_plan(self.compiled)
        n = X.shape[0]
        n_steps = -(-n // batch_size)
        if steps is not None:
            n_steps = min(n_steps, int(steps))
            n = min(n, n_steps * batch_size)
        cbs = (
            callbacks
            if isinstance(callbacks, CallbackList)
            else CallbackList(
                callbacks,
                add_progbar=verbose != 0,
                model=self,
                verbose=verbose,
                epochs=1,
                steps=n_steps,
            )
        )
        cbs.on_predict_begin()
        if cbs.needs_batch_hooks("predict"):
            outs = []
            for step in range(n_steps):
                cbs.on_predict_batch_begin(step)
                outs.append(
                    lp.plan.predict(
                        X[step * batch_size : min(n, (step + 1) * batch_size)], batch_size, True
                    )
                )
                cbs.on_predict_batch_end(step, {"outputs": outs[-1]})
            out = np.concatenate(outs)
        else:
            out = lp.plan.predict(X[:n], batch_size, True)
        cbs.on_predict_end()
        return self._shape_pred(out, lp)

    def _shape_pred(self, out, lp):
        io = getattr(self, "_io", None)
        if io is not None or lp.output_shape is None:
            return _unpack_singleton((io or self._predict_io()).split_pred(out))
        out = out.reshape((out.shape[0],) + lp.output_shape)
        if _plain_output(self):
            return out
        from ..graph import tree  # one output in a dict (or a nested list): Keras keeps it

        return _unpack_singleton(tree.unflatten(self._outputs_spec, [out]))

    # ---- single batches -----------------------------------------------------------------
    def train_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        class_weight: dict | None = None,
        return_dict: bool = False,
    ) -> Any:
        """Runs one gradient update on a single batch.

        Args:
            x: Input data of the batch.
            y: Target data of the batch. Defaults to `None`.
            sample_weight: Per-sample weights. Defaults to `None`.
            class_weight: A dict of per-class weights. Defaults to `None`.
            return_dict: Whether to return a dict keyed by metric name.
                Defaults to `False`.

        Returns:
            The loss (and metrics) on this batch, as `evaluate` returns them.

        Raises:
            RuntimeError: If the model was not compiled.
        """
        args.class_weight(class_weight)
        self._require_compiled("fit")
        X = self._x(x)
        Y, y_raw = self._y(y, X.shape[0])
        SW = self._sw(sample_weight, class_weight, y_raw, X.shape[0])
        lp = self._ensure_plan(True, _label_shape(y_raw))
        self._reset_metrics(lp)
        it = self._iterations()
        self._opt_state_in(lp)
        try:
            lp.plan.train_batch(X, Y, SW, self._lr_at(it), it)
        finally:
            self._opt_state_out(lp)
        self._add_iterations(1)
        self._update_python_metrics(self._python_metrics(), lp.plan, Y, SW)
        return self._batch_return(lp, return_dict)

    def test_on_batch(
        self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False
    ) -> Any:
        """Returns the loss (and metrics) of the model on a single batch.

        Args:
            x: Input data of the batch.
            y: Target data of the batch. Defaults to `None`.
            sample_weight: Per-sample weights. Defaults to `None`.
            return_dict: Whether to return a dict keyed by metric name.
                Defaults to `False`.

        Returns:
            The values, as `evaluate` returns them.

        Raises:
            RuntimeError: If the model was not compiled.
        """
        self._require_compiled("evaluate")
        X = self._x(x)
        Y, y_raw = self._y(y, X.shape[0])
        SW = da.sample_weights(sample_weight, X.shape[0])
        lp = self._ensure_plan(True, _label_shape(y_raw))
        self._reset_metrics(lp)
        lp.plan.test_batch(X, Y, SW)
        self._update_python_metrics(self._python_metrics(), lp.plan, Y, SW)
        return self._batch_return(lp, return_dict)

    def _batch_return(self, lp, return_dict):
        logs = self._results(lp)
        if return_dict:
            return logs
        return self._logs_list(logs)

    def predict_on_batch(self, x: Any) -> Any:
        """Returns the predictions for a single batch of samples.

        Args:
            x: Input samples of the batch.

        Returns:
            A numpy array (a list or dict of arrays for several outputs).
        """
        return self.predict(
            x, batch_size=max(1, len(x)) if hasattr(x, "__len__") else None, verbose=0
        )

    def __call__(self, x, training=False):
        """Eager call on arrays: the compiled forward; kerasette Tensors out (Keras returns
        backend tensors), so `model(x).numpy()` works."""
        if not training and type(x) is np.ndarray and x.ndim:
            return Tensor(self.predict(x, batch_size=max(1, len(x)), verbose=0))
        from ..graph import tree

        if not training:
            if isinstance(x, (dict, list, tuple)) or da._is_dataframe(x):
                out = self.predict(x, verbose=0)
            else:
                x = np.asarray(x, dtype=np.float32)
                out = self.predict(x, batch_size=max(1, len(x)) if x.ndim else None, verbose=0)
            return tree.map_structure(Tensor, out)
        X = self._x(x)
        lp = self._ensure_plan(self.compiled)
        out = self._shape_pred(lp.plan.forward_train(X), lp)
        return tree.map_structure(Tensor, out)


# ---- helpers ----------------------------------------------------------------------------
def _unique_log_names(metrics):
    """Keras's CompileMetrics naming: a repeated name gets `_1`, `_2`...; a weighted
    metric whose name is taken becomes `weighted_<name>`."""
    counters = {}
    for m in metrics:
        name = m.obj.name
        if name in counters:
            base = f"weighted_{name}" if m.weighted else name
            if m.weighted and base not in counters:
                counters[base] = 1
                name = base
            else:
                idx = counters.get(base, 1)
                counters[base] = idx + 1
                name = f"{base}_{idx}"
        else:
            counters[name] = 1
        m.name = name


def _label_shape(y_raw):
    """The labels' shape as the user gave them (batch axis None): Keras's "accuracy"
    rule and a user's loss read it, not the flattened matrix the engine is fed."""
    if isinstance(y_raw, list):  # several outputs: each OutputSpec knows its own
        return None
    return (None,) + tuple(np.shape(y_raw)[1:])


def _builtin_loss(loss):
    from .step_graphs import FUSED_LOSSES

    return loss is None or (
        getattr(loss, "kind", None) in FUSED_LOSSES and getattr(loss, "_ks_builtin", True)
    )


def _next_seed():
    from ..utils import random as ks_random

    return ks_random.next_seed() % (2**63)


def _output_dtypes(model, out):
    """predict's arrays in the dtypes of the model's outputs: the plan computes float32,
    and Keras gives an integer output (a lookup's or Hashing's ids) as integers."""
    syms = getattr(model, "outputs", None) or ()
    dtypes = [str(getattr(o, "dtype", "float32")) for o in syms]
    if not any(np.dtype(d).kind in "iu" for d in dtypes if d != "string"):
        return out
    from ..graph import tree

    leaves, spec = tree.flatten(out)
    if len(leaves) != len(dtypes):
        return out
    cast = [
        np.rint(a).astype(d) if d != "string" and np.dtype(d).kind in "iu" else a
        for a, d in zip(leaves, dtypes)
    ]
    return tree.unflatten(spec, cast)


def _plain_output(model):
    """Whether predict gives the model's one output as a bare array: Keras unpacks a
    one-item list or tuple of outputs, never a dict."""
    spec = getattr(model, "_outputs_spec", None)
    return (
        spec is None
        or spec[0] == "leaf"
        or (spec[0] in ("list", "tuple") and len(spec[2]) == 1 and spec[2][0][0] == "leaf")
    )


def _unpack_singleton(out):
    """Keras's `unpack_singleton` on a model's outputs."""
    return out[0] if isinstance(out, (list, tuple)) and len(out) == 1 else out


def sequential_front(model):
    from ..models.string_front import sequential_front as front

    return front(model)


def sequential_graph_input(model, batch_shape):
    from ..models.string_front import sequential_graph_input as graph_input

    return graph_input(model, batch_shape)


def _multi_io(model):
    from .io_spec import IOSpec

    return IOSpec.needed(model)


def _as_list(v, what):
    if isinstance(v, dict):
        raise ValueError(f"A Sequential model has one output; `{what}` must be a list, got a dict")
    return list(v) if isinstance(v, (list, tuple)) else [v]


def _check_int(v, what, lo):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
        raise ValueError(f"`{what}` must be an integer >= {lo}; got {v!r}")
    return int(v)


def _verbose(v, default):
    if v == "auto":
        return default
    if v not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto'; got {v!r}")
    return v


def _in_memory_epochs(ds):
    """(x, y, sample_weight, batch_size, shuffle) for a Dataset that is only in-memory
    arrays, batched, maybe fully shuffled each epoch: its epochs are what the C++ epoch loop
    makes from those arrays (see kerasette.data.fast_path). None for anything else."""
    from ..data.fast_path import as_array_epochs

    spec = as_array_epochs(ds)
    if spec is None or spec["drop_remainder"]:
        return None
    t = spec["tensors"]
    if not isinstance(t, tuple) or len(t) not in (2, 3):
        return None
    return t[0], t[1], (t[2] if len(t) == 3 else None), spec["batch_size"], spec["shuffle"]


def _check_finite_source(x, steps, arg):
    card = getattr(x, "cardinality", None)
    if steps is None and callable(card) and card() == -1:  # tf.data.INFINITE_CARDINALITY
        raise ValueError(
            "When providing an infinite dataset, you must specify the number of "
            f"steps to run (`{arg}`); if you did not intend an infinite dataset, "
            f"do not call `repeat()` on it. Received: {arg}=None"
        )


def _len_or_none(x):
    try:
        return len(x)
    except (TypeError, ValueError):
        return None
