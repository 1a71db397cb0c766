"""`Functional`: the model `keras.Model(inputs, outputs)` makes.

Its graph is the record the symbolic tensors carry (models/graph_map.py). `call` replays
the layer calls and ops in depth order on new inputs: on symbolic tensors it adds their
nodes to the graph being traced (so `model(x)` on arrays runs one traced Function, and a
trainer can trace `model(x, training=True)`), and it nests in other models as a layer.
"""

import inspect
import warnings

from ..graph import tree
from ..graph.ir import Sym
from ..layers import call_context
from ..layers.input_layer import InputLayer
from .graph_map import CallTable, map_graph
from .intermediate_inputs import cut_at_inputs, from_input
from .model import Model
from .operations import Operation
from .string_front import fed_outputs, front_of


def functional_init_signature(cls):
    """Whether cls.__init__ takes what Functional's does (Keras revives such a
    subclass from a functional config)."""
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return False
    names = [n for n in params if n != "self"]
    kinds = {p.kind for p in params.values()}
    return names[:2] == ["inputs", "outputs"] or (
        inspect.Parameter.VAR_POSITIONAL in kinds
        and inspect.Parameter.VAR_KEYWORD in kinds
        and len(names) == 2
    )


class Functional(Model):
    """A model drawn by calling layers on `keras.Input` tensors."""

    # What Keras writes for this class in a config (saving/serialization.py reads it).
    _keras_identity = ("keras.src.models.functional", "Functional", "Functional")

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        if isinstance(inputs, dict):
            for key, value in inputs.items():
                if isinstance(value, Sym) and value.name is not None and key != value.name:
                    warnings.warn(
                        f"When providing `inputs` as a dict, all keys in the dict "
                        f"must match the names of the corresponding tensors. "
                        f"Received key '{key}' mapping to value {value} which has "
                        f"name '{value.name}'.",
                        stacklevel=3,
                    )
        self._init_model(name=name or _auto_name(), trainable=True, **kwargs)
        flat_in, self._inputs_spec = tree.flatten(inputs)
        flat_out, self._outputs_spec = tree.flatten(outputs)
        _check_tensors(flat_in, "inputs")
        _check_tensors(flat_out, "outputs")
        if not all(from_input(x) for x in flat_in):  # a layer's output as an input (Keras)
            inputs, outputs = cut_at_inputs(inputs, outputs)
            flat_in, self._inputs_spec = tree.flatten(inputs)
            flat_out, self._outputs_spec = tree.flatten(outputs)
        for x in flat_in:
            rec = x._keras_history[0]
            if not isinstance(getattr(rec, "layer", None), InputLayer) or rec.args or rec.kwargs:
                raise ValueError(
                    f"All `inputs` of a functional model must come from "
                    f"`keras.Input`; {x} is the output of "
                    f"'{getattr(rec, 'name', None) or rec.layer.name}'"
                )
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self._inputs, self._outputs = flat_in, flat_out
        self._table = CallTable()
        self._operations, self._calls_by_depth, self._calls_of = map_graph(
            flat_in, flat_out, self._table
        )
        _check_unique_names(self._operations)
        self._run_order = [
            c
            for d in sorted(self._calls_by_depth, reverse=True)
            for c in self._calls_by_depth[d]
            if not c.is_input
        ]
        self.output_names = [self._table.of(x)[0].operation.name for x in flat_out]
        shapes = [tuple(x.shape) for x in flat_in]
        self._build_input_shape = (
            shapes[0] if len(shapes) == 1 else tree.unflatten(self._inputs_spec, shapes)
        )
        self.built = True
        if not trainable:
            self.trainable = False

    # ---- structure -------------------------------------------------------------------
    @property
    def operations(self):
        """Layers and ops between them, in Keras's order (inputs first)."""
        return list(self._operations)

    @property
    def layers(self):
        """The layers (InputLayers included, ops left out), in Keras's order."""
        return [op for op in self._operations if not isinstance(op, Operation)]

    def _sublayers(self):
        return self.layers

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        """One shape, or the list of the flat inputs' shapes (as Keras gives them)."""
        shapes = [tuple(x.shape) for x in self._inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [tuple(x.shape) for x in self._outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def compute_output_shape(self, input_shape=None):
        return self.output_shape

    def calls_of(self, operation):
        """The calls of `operation` in this model, in the order they were made."""
        return list(self._calls_of.get(id(operation), ()))

    def call_index(self, operation, call):
        """Which call of `operation` in this model `call` is (Keras's node index)."""
        return self.calls_of(operation).index(call)

    def node_index(self, operation, call):
        """The index Keras's config gives the call in input_layers/output_layers: a
        nested functional model counts a node 0 of its own there."""
        offset = 1 if isinstance(operation, Functional) else 0
        return self.call_index(operation, call) + offset

    def tensor_history(self, sym):
        """(call, index of the tensor among the call's outputs) for a model tensor."""
        return self._table.of(sym)

    # ---- running ---------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        inputs = args[0] if args else kwargs.get("inputs")
        from ..graph.trace import current_graph

        if current_graph() is None and not any(isinstance(x, Sym) for x in tree.flatten(inputs)[0]):
            front = front_of(self)
            if front is not None:  # string inputs: preprocessed in numpy, then the graph
                return front.eager_call(self, inputs, kwargs.get("training", False))
            self._standardize_inputs(inputs)  # arrays: Keras's messages, real batch size
            out = super().__call__(*args, **kwargs)
            # an eager call unpacks a one-item list of outputs (Keras's unpack_singleton);
            # a symbolic one keeps the structure, as Keras's compute_output_spec does
            return out[0] if isinstance(out, (list, tuple)) and len(out) == 1 else out
        return super().__call__(*args, **kwargs)

    def call(self, inputs, training=None, mask=None):
        if training is None:
            training = call_context.training()
        values = {}
        for sym, value in zip(self._inputs, self._standardize_inputs(inputs)):
            values[id(sym)] = value

        def value_of(x):
            return values[id(x)] if isinstance(x, Sym) else x

        for call in self._run_order:
            fed = fed_outputs(call)  # a string-front call: run before the graph
            if fed is not None:
                outs = fed
            elif isinstance(call.operation, Operation):
                outs = call.operation.replay([value_of(a) for a in call.args])
            else:
                args = tree.map_structure(value_of, call.args)
                kwargs = {k: tree.map_structure(value_of, v) for k, v in call.kwargs.items()}
                _set_training(call.operation, kwargs, training)
                outs = call.operation(*args, **kwargs)
            outs = tree.flatten(outs)[0]
            for old, new in zip(call.outputs, outs):
                values[id(old)] = new
        return tree.unflatten(self._outputs_spec, [values[id(x)] for x in self._outputs])

    def _standardize_inputs(self, inputs):
        """The given inputs in the order of `self.inputs` (dicts by key), checked."""
        names = [x._keras_history[0].layer.name for x in self._inputs]
        if isinstance(inputs, dict) and isinstance(self._inputs_struct, dict):
            missing = [k for k in self._inputs_struct if k not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}' expects inputs "
                    f"{sorted(self._inputs_struct)}; missing {missing}"
                )
            flat = tree.flatten({k: inputs[k] for k in self._inputs_struct})[0]
        elif isinstance(inputs, dict) and all(n in inputs for n in names):
            flat = [inputs[n] for n in names]
        else:
            flat = tree.flatten(inputs)[0]
        if len(flat) != len(self._inputs):
            raise ValueError(
                f'Layer "{self.name}" expects {len(self._inputs)} input(s), but '
                f"it received {len(flat)} input tensors."
            )
        for i, (x, want) in enumerate(zip(flat, self._inputs)):
            _check_shape(self.name, i, getattr(x, "shape", None), want.shape)
        return flat

    # ---- config ----------------------------------------------------------------------
    def get_config(self):
        if not functional_init_signature(type(self)):
            return Model.get_config(self)
        from .functional_config import functional_config

        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .functional_config import functional_from_config

        return functional_from_config(cls, config, custom_objects=custom_objects)

    def get_build_config(self):
        return {"input_shape": None}

    def build_from_config(self, config):
        pass  # a functional model is built when it is made

    def build(self, input_shape=None):
        pass

    build._ks_records_build = True

    def _build_from_inputs(self, inputs):
        pass


def _auto_name():
    from ..utils import naming

    return naming.auto_name("Functional")


def _check_tensors(flat, what):
    if not flat:
        raise ValueError(f"A functional model needs at least one tensor in `{what}`")
    for x in flat:
        if not isinstance(x, Sym) or getattr(x, "_keras_history", None) is None:
            raise ValueError(
                f"All `{what}` of a functional model must be symbolic tensors "
                f"made from `keras.Input` and layers; received {x!r}"
            )


def _check_unique_names(operations):
    seen = {}
    for op in operations:
        seen[op.name] = seen.get(op.name, 0) + 1
    for name, n in seen.items():
        if n > 1:
            raise ValueError(
                f'The name "{name}" is used {n} times in the model. All '
                "operation names should be unique."
            )


def _check_shape(model_name, index, got, want):
    if got is None:
        return
    got = tuple(got)
    ok = len(got) == len(want) and all(w is None or g is None or w == g for g, w in zip(got, want))
    if not ok:
        raise ValueError(
            f'Input {index} of layer "{model_name}" is incompatible with the '
            f"layer: expected shape={tuple(want)}, found shape={got}"
        )


def _set_training(layer, kwargs, training):
    """An outer training flag wins over the one recorded at construction (Keras)."""
    from ..layers.layer import _call_takes

    if training is not None and _call_takes(layer, "training"):
        kwargs["training"] = training
    elif kwargs.get("training", 0) is None:
        del kwargs["training"]
