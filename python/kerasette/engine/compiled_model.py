"""`CompiledModel`: a model's training step, test step and forward as compiled C++
programs (one per batch size), behind the interface the trainer drives.

Each step is traced once (engine/step_graphs.py), goes through the compiler passes, and
is specialized and compiled for every batch size it meets (the full batch and the last,
shorter one). The epoch loops run in C++ (`core.run_batches`, `core.run_predict`)
without the GIL.
"""

import numpy as np

from ..backend import core
from ..graph.compiler import optimize
from ..graph.lower import NotLowerable
from ..graph.program import CompiledProgram, specialize
from . import step_graphs
from .update_plan import UpdatePlan


class _Step:
    """One traced function and its programs per batch size."""

    def __init__(self, fn, pinned_syms=(), n_scalars=0, predict=False):
        self.fn = optimize(fn)
        self.predict = predict  # read the input batch in place (run_predict)
        self.pinned_syms = pinned_syms  # [(output index, array)]: written into the arrays
        self.programs = {}
        self.n_scalars = n_scalars

    def program(self, n, template_shapes, checked=False):
        """checked: the caller has just seen every Variable still in its arena (the
        trainer's still_bound), so the per-program check is skipped (one-row predict)."""
        prog = self.programs.get(n)
        if prog is not None and (checked or prog.valid()):
            return prog
        shapes = [(n,) + tuple(s[1:]) for s in template_shapes]
        fn = specialize(self.fn, shapes)
        pinned = {id(fn.outputs[i]): arr for i, arr in self.pinned_syms}
        prog = CompiledProgram(fn, pinned, exclusive_feeds=self.predict)
        feeds = [
            (prog.operand(prog._feed_vals[k]), int(np.prod(shapes[k][1:])))
            for k in range(len(shapes))
        ]
        prog.program.set_feeds(feeds)
        if prog.feeds_exclusive:
            prog.program.set_feed_exclusive(0)
        pred = prog._out_vals[0]
        prog.program.set_output(prog.operand(pred), pred.size // max(n, 1))
        if self.n_scalars:
            prog.program.set_accumulators(
                [prog.operand(v) for v in prog._out_vals[1 : 1 + self.n_scalars]]
            )
        self.programs[n] = prog
        return prog


class CompiledModel:
    """The trainer's engine for one model + compile settings (single input/output)."""

    def __init__(
        self, model, inputs, outputs, optimizer, seed, multi=False, added_losses=False, update=None
    ):
        """inputs: [(per-sample shape, dtype)]; outputs: [io_spec.OutputSpec] (loss None
        for an inference-only model). added_losses: with no output loss, trace the steps
        anyway, for a model that trains on its `add_loss` terms alone. update: the
        UpdatePlan of another CompiledModel of this model (another input length) whose
        arenas this one shares, when it covers the same weights and optimizer."""
        self.model = model
        self.input_shape = tuple(inputs[0][0]) if len(inputs) == 1 else None
        self.output_shape = tuple(outputs[0].out_shape) if len(outputs) == 1 else None
        self.in_dim = sum(int(np.prod(s)) if s else 1 for s, _ in inputs)
        self.out_dim = sum(int(np.prod(o.out_shape)) if o.out_shape else 1 for o in outputs)
        self.plan = self  # the trainer reads lp.plan
        self.seed = int(seed)
        self.update = None
        has_loss = any(o.loss is not None for o in outputs)
        self._no_loss = None  # why a step could not be traced (nothing to minimise)
        if not has_loss and added_losses:
            has_loss = True
            self._no_loss = "unchecked"
        spec = step_graphs.StepSpec(inputs, outputs, None, multi)
        self.spec = spec
        self.n_scalars = spec.n_scalars
        # Traced first: a subclassed model makes its weights on its first call.
        self._predict = _Step(step_graphs.trace_predict(model, spec), predict=True)
        train_vars = []
        if has_loss and optimizer is not None:
            seen = set()
            for v in model.trainable_weights:
                if id(v) not in seen and np.dtype(v.dtype) == np.float32:
                    seen.add(id(v))
                    train_vars.append(v)
            if (
                update is not None
                and update.optimizer is optimizer
                and [id(v) for v in update.variables] == [id(v) for v in train_vars]
            ):
                self.update = spec.update = update
            else:
                self.update = spec.update = UpdatePlan(train_vars, optimizer)
        self.trainable = list(enumerate(train_vars))
        self._bound = [(v, v.value) for v in model.weights]  # after any rebinding above
        self._train = self._test = None
        stateful = any(o.stateful_metrics for o in outputs)
        self.metrics_in_graph = stateful
        self.opt_state = 1.0
        self._grad_hook = None
        self._train_forward = None
        self._split = None
        self._used = []  # programs whose accumulators count toward the results
        self._last = None  # (program) that ran the last step
        if has_loss:
            try:
                self._trace_steps()
            except (NotLowerable, NotImplementedError, TypeError, ValueError):
                if not stateful:
                    raise
                # A metric whose update_state does not compile: update it from Python
                for o in outputs:
                    o.stateful_metrics = []
                self.metrics_in_graph = False
                self._trace_steps()

    def _trace_steps(self):
        spec = self.spec
        try:
            tfn, grads = step_graphs.trace_step(self.model, spec, training=self.update is not None)
            n_out = len(tfn.outputs)
            tfn.outputs.extend(grads)
            pinned = [(n_out + i, self.update.grad_view(i)) for i in range(len(grads))]
            self._train = _Step(tfn, pinned, self.n_scalars)
        except step_graphs.NoLossError as e:  # raised when fit runs (predict still works)
            self._no_loss = str(e)
        try:
            efn, _ = step_graphs.trace_step(self.model, spec, training=False)
            self._test = _Step(efn, (), self.n_scalars)
        except step_graphs.NoLossError as e:
            self._no_loss = str(e)
            return
        if any(o.stateful_metrics for o in spec.outputs):  # their updates compile now
            self._test.program(1, self._templates())

    # ---- programs ------------------------------------------------------------------------
    def _templates(self):
        return [(None, self.in_dim), (None, self.spec.target_width), (None,)]

    def output_losses(self):
        """Per-output losses (models with several outputs), in output order."""
        s = self._sums()
        k = len(self.spec.outputs) if self.spec.multi else 0
        return [s[2 + i] / s[1] if s[1] > 0 else 0.0 for i in range(k)]

    def _prog(self, step, n, templates):
        prog = step.program(n, templates)
        prog.program.seed = self.seed
        if prog not in self._used:
            self._used.append(prog)
        return prog

    def still_bound(self):
        """False once a weight's storage moved (another model sharing these layers was
        compiled for training and took them into its arena): the programs read the old
        arrays, so the trainer compiles again."""
        for v, arr in self._bound:  # a plain loop: this runs on every one-row predict
            if v._value is not arr:
                return False
        return True

    # ---- steps ---------------------------------------------------------------------------
    def _sw(self, SW, n):
        return np.ones(n, np.float32) if SW is None else np.ascontiguousarray(SW, np.float32)

    def _run(self, step, X, Y, SW, idx, batch_size, first_batch, lrs, first_iteration):
        if step is None and self._no_loss:
            raise ValueError(self._no_loss)
        n = X.shape[0]
        if n == 0:
            return
        X = np.ascontiguousarray(X, np.float32)
        Y = np.ascontiguousarray(Y, np.float32)
        SW = self._sw(SW, n)
        n_batches = len(lrs)
        bs = min(batch_size, n)
        full = self._prog(step, bs, self._templates())
        rem = n % bs
        last_batch = first_batch + n_batches - 1
        needs_last = rem and (last_batch + 1) * bs > n
        last = self._prog(step, rem, self._templates()) if needs_last else None
        self._sync_state(full, last)
        core.run_batches(
            full.program,
            last.program if last else None,
            [X, Y, SW],
            None if idx is None else np.ascontiguousarray(idx, np.int64),
            n,
            bs,
            first_batch,
            n_batches,
            np.ascontiguousarray(lrs, np.float32),
            int(first_iteration),
        )
        self._last = last if needs_last and last_batch * bs + rem == n else full
        self._collect_state(full, last)

    def _sync_state(self, *progs):
        for p in progs:
            if p is not None:
                p.program.opt_state = self.opt_state

    def _collect_state(self, full, last):
        ran = last if self._last is last and last is not None else full
        self.opt_state = ran.program.opt_state
        # the other program continues from the same optimizer state next time
        for p in (full, last):
            if p is not None:
                p.program.opt_state = self.opt_state
                p.program.step = max(full.program.step, last.program.step if last else 0)

    def train_batches(self, X, Y, SW, idx, batch_size, first_batch, lrs, first_iteration):
        if self._grad_hook is not None:
            return self._hooked_batches(
                X, Y, SW, idx, batch_size, first_batch, lrs, first_iteration
            )
        self._run(self._train, X, Y, SW, idx, batch_size, first_batch, lrs, first_iteration)

    def train_batch(self, X, Y, SW, lr, iteration):
        self.train_batches(X, Y, SW, None, X.shape[0], 0, [lr], iteration)

    def _hooked_batches(self, X, Y, SW, idx, batch_size, first_batch, lrs, first_iteration):
        """Each step in two programs with the gradient hook between them: the step up to
        the gradients (written into the flat arena), hook(arena), then the update."""
        if self._split is None:
            tfn, grads = step_graphs.trace_step(self.model, self.spec, True, with_update=False)
            n_out = len(tfn.outputs)
            tfn.outputs.extend(grads)
            self._split = (
                _Step(
                    tfn,
                    [(n_out + i, self.update.grad_view(i)) for i in range(len(grads))],
                    self.n_scalars,
                ),
                CompiledProgram(specialize(step_graphs.trace_update(self.spec), [])),
            )
        step, update = self._split
        n = X.shape[0]
        rows = np.arange(n) if idx is None else np.asarray(idx)
        for b, lr in enumerate(lrs):
            sel = rows[(first_batch + b) * batch_size : (first_batch + b + 1) * batch_size]
            it = int(first_iteration) + b
            self._run(
                step, X[sel], Y[sel], None if SW is None else SW[sel], None, len(sel), 0, [lr], it
            )
            self._grad_hook(self.update.grads)
            update.program.opt_state = self.opt_state
            update.program.run(float(lr), it)
            self.opt_state = update.program.opt_state

    def test_batches(self, X, Y, SW, batch_size):
        n = X.shape[0]
        self._run(self._test, X, Y, SW, None, batch_size, 0, [0.0] * (-(-n // batch_size)), 0)

    def test_batch(self, X, Y, SW):
        self._run(self._test, X, Y, SW, None, X.shape[0], 0, [0.0], 0)

    def predict(self, X, batch_size=1 << 30, bound_checked=False):
        """Rows of X through the forward program, batch by batch in C++. bound_checked:
        the trainer just checked the Variables still live in their arena. Inference
        follows Keras on NaN/inf rows (no check: each row is what the ops make of it)."""
        X = np.ascontiguousarray(X, np.float32)
        n = X.shape[0]
        out = np.empty((n, self.out_dim), np.float32)
        if n == 0:
            return out
        bs = min(int(batch_size), n)
        templ = [(None, self.in_dim)]
        full = self._predict.program(bs, templ, bound_checked)
        rem = n % bs
        last = self._predict.program(rem, templ, bound_checked) if rem else None
        core.run_predict(full.program, last.program if last else None, X, bs, out)
        return out

    def predict_rows(self, X):
        """predict() for a small C-contiguous float32 batch whose Variables the caller
        has just seen bound: one program, found by its batch size."""
        n = X.shape[0]
        prog = self._predict.programs.get(n)
        if prog is None:
            return self.predict(X, 1 << 30, True)
        out = np.empty((n, self.out_dim), np.float32)
        core.run_predict(prog.program, None, X, n, out)
        return out

    def last_output(self):
        prog = self._last
        if prog is None:
            return np.zeros((0, self.out_dim), np.float32)
        view, shape, _ = prog._outs[0]
        return view.reshape(shape[0], -1).copy()

    # ---- metrics -------------------------------------------------------------------------
    def reset_metrics(self):
        for p in self._used:
            p.program.reset_accumulators()

    def _sums(self):
        tot = np.zeros(self.n_scalars)
        for p in self._used:
            acc = p.program.accumulators()
            if len(acc) == self.n_scalars:
                tot += np.asarray(acc)
        return tot

    def loss_result(self):
        s = self._sums()
        return s[0] / s[1] if s[1] > 0 else 0.0

    def metric_results(self):
        s = self._sums()
        base = 2 + (len(self.spec.outputs) if self.spec.multi else 0)
        return [
            s[base + 2 * i] / s[base + 2 * i + 1] if s[base + 2 * i + 1] > 0 else 0.0
            for i in range((self.n_scalars - base) // 2)
        ]

    # ---- what the trainer reads around the optimizer ---------------------------------------
    @property
    def num_slots(self):
        return len(self.update.slots) if self.update is not None else 0

    def slot_view(self, pid, s):
        o = self.update.offsets[pid]
        return self.update.slots[s][o : o + self.update.variables[pid].size]

    def grad_view(self, pid):
        return self.update.grad_view(pid)

    def param_view(self, pid):
        o = self.update.offsets[pid]
        return self.update.params[o : o + self.update.variables[pid].size]

    def set_grad_hook(self, hook):
        self._grad_hook = hook

    def forward_train(self, X):
        """The model in training mode on X (eager `model(x, training=True)`): dropout
        active, BatchNormalization on batch statistics and updating its moving ones."""
        if self._train_forward is None:
            from ..graph.function import Function

            self._train_forward = Function(
                lambda x: step_graphs._packed(
                    step_graphs._flat_preds(
                        step_graphs.forward(
                            self.model, step_graphs._model_inputs(self.spec, x), True
                        )
                    )
                ),
                name="forward_train",
            )
        out = np.asarray(self._train_forward(np.ascontiguousarray(X, np.float32)))
        return out.reshape(X.shape[0], -1)
