"""Models with several inputs or outputs on the one-array engine.

The compiled steps and the C++ epoch loop take one x array, one y array and one
sample-weight vector. A model with several inputs has them packed side by side into x
(each flattened), and the step slices them apart again in the graph; likewise every
output's targets are packed into y. `IOSpec` knows the layout, packs the user's
arrays (lists or dicts, as Keras accepts them) and splits predictions back into the
model's output structure.
"""

import numpy as np

from . import data_adapter as da


class OutputSpec:
    """One output: its per-sample shape, loss, weight, metrics and place in packed y."""

    def __init__(self, name, shape, loss, weight):
        self.name = name
        self.out_shape = tuple(shape)
        self.loss = loss
        self.loss_weight = 1.0 if weight is None else float(weight)
        sparse = bool(getattr(loss, "sparse", False))
        n_out = int(np.prod(self.out_shape)) if self.out_shape else 1
        self.target_width = n_out // self.out_shape[-1] if sparse else n_out
        self.offset = 0
        self.label_shape = None  # a user's loss: the labels' per-sample shape
        self.metrics = []  # [(kind, weighted, k, threshold)] computed in graph
        self.stateful_metrics = []  # [(Metric, weighted)] traced into the step
        self.metric_objs = []  # every _CompiledMetric of this output, in order


class IOSpec:
    def __init__(self, model):
        self.model = model
        # An Input may leave sizes unknown (a sequence length): `in_shapes` then takes
        # the data's (pack_x), and the trainer makes programs per shape seen.
        # String inputs are preprocessed before the graph (models/string_front.py): the
        # graph's inputs are then the numeric inputs and the front layers' outputs.
        from ..models.string_front import front_of

        self.front = front_of(model)
        graph_inputs = model.inputs if self.front is None else self.front.graph_inputs
        self.declared_shapes = [tuple(s.shape[1:]) for s in graph_inputs]
        self.in_shapes = list(self.declared_shapes)
        self.in_dtypes = [s.dtype for s in graph_inputs]
        self.in_names = [s._keras_history[0].layer.name for s in model.inputs]
        self.graph_names = self.in_names if self.front is None else self.front.graph_names
        # compile(loss={...}) keys: a dict output's keys (flattened sorted, as Keras),
        # else the output layers' names
        out = getattr(model, "output", None)
        self.out_names = sorted(out) if isinstance(out, dict) else list(model.output_names)
        self.out_shapes = [tuple(s.shape[1:]) for s in model.outputs]
        self.outputs = []

    @property
    def in_widths(self):
        return [int(np.prod(s)) if s else 1 for s in self.in_shapes]

    @property
    def in_dim(self):
        return int(sum(self.in_widths))

    @property
    def unknown_sizes(self):
        return any(None in s for s in self.declared_shapes)

    @staticmethod
    def needed(model):
        from ..models.sequential import Sequential
        from ..models.string_front import front_of

        if isinstance(model, Sequential):  # one input, one output: skip tracing its stack
            return False
        return front_of(model) is not None or (
            len(getattr(model, "inputs", None) or ()) > 1
            or len(getattr(model, "outputs", None) or ()) > 1
        )

    # ---- compile arguments per output ----------------------------------------------------
    def per_output(self, arg, what, default=None):
        """A compile argument (single, list or dict by output name) as one entry per
        output, with Keras's messages for a structure that does not fit."""
        n = len(self.out_names)
        if isinstance(arg, dict):
            unknown = [k for k in arg if k not in self.out_names]
            if unknown:
                raise ValueError(
                    f"In the dict argument `{what}`, key(s) {unknown} do not "
                    f"correspond to any model output. Received: {what}={arg}; "
                    f"outputs: {self.out_names}"
                )
            return [arg.get(k, default) for k in self.out_names]
        if isinstance(arg, (list, tuple)):
            if len(arg) != n:
                raise ValueError(
                    f"`{what}` should have one entry per output ({n}: "
                    f"{self.out_names}); received {len(arg)}: {arg!r}"
                )
            return list(arg)
        return [arg] * n

    def set_losses(self, losses_list, weights):
        self.outputs = [
            OutputSpec(name, shape, loss, w)
            for name, shape, loss, w in zip(self.out_names, self.out_shapes, losses_list, weights)
        ]
        at = 0
        for o in self.outputs:
            o.offset = at
            at += o.target_width
        self.target_width = at

    # ---- data ---------------------------------------------------------------------------
    def pack_x(self, x, check_finite=True):
        if self.front is None:
            flat = self._standardize(x, self.in_names, "x")
        else:
            flat = self.front.split(x, lambda v: self._standardize(v, self.in_names, "x"))
            flat = self.front.graph_arrays(flat)
        n = None
        parts, seen = [], []
        for i, (a, shape) in enumerate(zip(flat, self.declared_shapes)):
            arr = da.to_numeric(a, f"x[{self.graph_names[i]}]")
            if arr.ndim == 0 or arr.shape[0] == 0:
                raise ValueError(f"Input '{self.graph_names[i]}' is empty or has no batch axis")
            if arr.ndim == len(shape) and shape and shape[-1] == 1:
                arr = arr.reshape(arr.shape + (1,))  # a missing trailing 1 (Keras adds it)
            if arr.ndim == len(shape) + 1:  # a size left unknown takes the data's
                shape = tuple(g if w is None else w for w, g in zip(shape, arr.shape[1:]))
            seen.append(shape)
            if tuple(arr.shape[1:]) != shape:
                raise ValueError(
                    f'Input {i} of layer "{self.model.name}" is incompatible with '
                    f"the layer: expected shape={(None,) + shape}, found "
                    f"shape={tuple(arr.shape)}"
                )
            if n is not None and arr.shape[0] != n:
                raise ValueError(
                    f"Data cardinality is ambiguous: the inputs have "
                    f"{n} and {arr.shape[0]} samples. Make sure all arrays "
                    "contain the same number of samples."
                )
            n = arr.shape[0]
            parts.append(np.ascontiguousarray(arr, np.float32).reshape(n, -1))
        self.in_shapes = seen
        out = np.ascontiguousarray(np.concatenate(parts, axis=1))
        if check_finite and not np.isfinite(out).all():
            raise ValueError(
                "x contains NaN or infinite values; the model cannot be fed non-finite inputs"
            )
        return out

    def pack_y(self, y, n, check_target):
        flat = self._standardize(y, self.out_names, "y")
        parts, raw = [], []
        for o, a in zip(self.outputs, flat):
            arr, r = check_target(a, n, o)
            parts.append(arr)
            raw.append(r)
        return np.ascontiguousarray(np.concatenate(parts, axis=1)), raw

    def _standardize(self, data, names, what):
        if isinstance(data, dict):
            missing = [k for k in names if k not in data]
            if missing:
                raise ValueError(
                    f"{what}: the dict has no entry for {missing} (the model's "
                    f"{'inputs' if what == 'x' else 'outputs'} are {names})"
                )
            return [data[k] for k in names]
        if isinstance(data, (list, tuple)):
            if len(data) != len(names):
                raise ValueError(f"{what}: expected {len(names)} arrays ({names}), got {len(data)}")
            return list(data)
        if len(names) == 1:
            return [data]
        raise ValueError(
            f"{what}: the model has {len(names)} "
            f"{'inputs' if what == 'x' else 'outputs'} {names}; pass a list or "
            "a dict of arrays"
        )

    def split_pred(self, flat):
        """Packed predictions (N, sum of output sizes) in the model's output structure."""
        from ..graph import tree

        n = flat.shape[0]
        outs, at = [], 0
        for shape in self.out_shapes:
            w = int(np.prod(shape)) if shape else 1
            outs.append(np.ascontiguousarray(flat[:, at : at + w]).reshape((n,) + shape))
            at += w
        return tree.unflatten(self.model._outputs_spec, outs)

    @property
    def out_dim(self):
        return int(sum(int(np.prod(s)) if s else 1 for s in self.out_shapes))
