"""A functional model's config in Keras 3's format, both ways.

Each operation (layer or op, in the model's order) is written with its "name" and its
"inbound_nodes": one {"args": [...], "kwargs": {...}} per call, where a tensor of the
model is {"class_name": "__keras_tensor__", "config": {"shape", "dtype",
"keras_history": [operation name, call index, output index]}}. "input_layers" and
"output_layers" name the model's inputs and outputs the same way (a nested functional
model counts its own first node there, as Keras does). Reading calls every layer again
on revived tensors, deferring a call until the calls it needs have been made.
"""

import inspect

from ..graph import tree
from ..graph.ir import Node, Sym
from ..layers.input_layer import InputLayer
from .model import Model
from .operations import Operation, RevivedOperation

_NO_DEFAULT = inspect.Parameter.empty


# ---- writing ---------------------------------------------------------------------------
def functional_config(model):
    from ..layers import serialize
    from ..saving.serialization import serialize_keras_object

    entries = []
    for op in model.operations:
        if isinstance(op, Operation):
            module, class_name, config = op.keras_config()
            entry = {
                "module": module,
                "class_name": class_name,
                "config": config,
                "registered_name": class_name,
            }
        else:
            entry = serialize(op)
            if not isinstance(op, InputLayer) and "build_config" not in entry and op.built:
                build_config = op.get_build_config()
                if build_config is not None:
                    entry["build_config"] = serialize_keras_object(build_config)
            if isinstance(op, Model) and "compile_config" not in entry:
                from ..saving.compile_state import get_compile_config

                entry["compile_config"] = get_compile_config(op) or {}  # Keras: {} if not
        entry["name"] = op.name
        entry["inbound_nodes"] = [
            _node_config(model, call) for call in model.calls_of(op) if call.inputs
        ]
        entries.append(entry)
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": entries,
        "input_layers": _refs(model, model.input),
        "output_layers": _refs(model, model.output),
    }


def _tensor_config(model, sym):
    call, index = model.tensor_history(sym)
    rank = model.calls_of(call.operation).index(call)
    return {
        "class_name": "__keras_tensor__",
        "config": {
            "shape": list(sym.shape),
            "dtype": sym.dtype,
            "keras_history": [call.operation.name, rank, index],
        },
    }


def _node_config(model, call):
    from ..saving.serialization import serialize_keras_object

    def ser(v):
        if isinstance(v, Sym):
            return _tensor_config(model, v)
        if isinstance(v, (list, tuple)):
            return [ser(i) for i in v]
        if isinstance(v, dict):
            return {k: ser(i) for k, i in v.items()}
        return serialize_keras_object(v)

    kwargs = dict(call.kwargs)
    if not isinstance(call.operation, Operation):
        _keras_call_kwargs(call.operation, call.args, kwargs)
    return {"args": ser(list(call.args)), "kwargs": ser(kwargs)}


def _call_params(layer):
    try:
        return inspect.signature(type(layer).call).parameters
    except (TypeError, ValueError):
        return {}


def _keras_call_kwargs(layer, args, kwargs):
    """The kwargs Keras records for a call: `training` when it has a value (the call's
    default otherwise), and `mask` (None per input) for calls that take one."""
    params = _call_params(layer)
    if "training" in kwargs and kwargs["training"] is None:
        default = params["training"].default if "training" in params else None
        if default is _NO_DEFAULT or default is None:
            del kwargs["training"]
        else:
            kwargs["training"] = default
    if "mask" in params and "mask" not in kwargs and args:
        kwargs["mask"] = tree.map_structure(lambda _: None, args[0])


def _refs(model, struct):
    """input_layers / output_layers: [name, node index, tensor index] per tensor."""
    if isinstance(struct, Sym):
        call, index = model.tensor_history(struct)
        return [call.operation.name, model.node_index(call.operation, call), index]
    if isinstance(struct, dict):
        return {k: _refs(model, v) for k, v in struct.items()}
    return [_refs(model, v) for v in struct]


# ---- reading ---------------------------------------------------------------------------
def functional_from_config(cls, config, custom_objects=None):
    config = dict(config)
    try:
        entries = config.pop("layers")
        input_refs, output_refs = config.pop("input_layers"), config.pop("output_layers")
    except KeyError as e:
        raise ValueError(
            f"A functional model config needs 'layers', 'input_layers' and "
            f"'output_layers'; missing {e}"
        ) from None
    name, trainable = config.pop("name", None), config.pop("trainable", True)
    config.pop("dtype", None)
    reader = _Reader(custom_objects)
    for entry in entries:
        reader.add(entry)
    reader.run()
    inputs = _unpack(reader.tensors(input_refs))
    outputs = _unpack(reader.tensors(output_refs))
    return cls(
        inputs=inputs,
        outputs=outputs,
        name=name,
        trainable=True if trainable is None else trainable,
    )


def _unpack(x):
    return x[0] if isinstance(x, list) and len(x) == 1 else x


def _is_ref(x):
    return isinstance(x, list) and len(x) == 3 and isinstance(x[0], str)


class _Reader:
    def __init__(self, custom_objects):
        self.custom = custom_objects
        self.ops, self.calls, self.pending, self.order = {}, {}, {}, []

    def add(self, entry):
        if not isinstance(entry, dict) or "name" not in entry:
            raise ValueError(f"Bad layer entry in a functional config: {entry!r}")
        name = entry["name"]
        op = _revive(entry, self.custom)
        self.ops[name] = op
        self.calls[name] = [[op.output]] if isinstance(op, InputLayer) else []
        self.pending[name] = list(entry.get("inbound_nodes") or [])
        self.order.append(name)

    def run(self):
        # Calls whose inputs do not exist yet wait for a later pass (a layer shared at
        # different depths, A(B(A(B(x))))).
        while any(self.pending.values()):
            progressed = False
            for name in self.order:
                nodes = self.pending[name]
                while nodes:
                    try:
                        args, kwargs = self._node_args(nodes[0])
                    except IndexError:
                        break
                    self._call(name, args, kwargs)
                    nodes.pop(0)
                    progressed = True
            if not progressed:
                stuck = [n for n in self.order if self.pending[n]]
                raise ValueError(
                    f"Cannot rebuild the functional model: the calls of "
                    f"{stuck} need tensors no call makes"
                )

    def _call(self, name, args, kwargs):
        op = self.ops[name]
        out = op(*args, **kwargs)
        outs = tree.flatten(out)[0]
        if isinstance(op, RevivedOperation) and outs and isinstance(outs[0], Sym):
            rec = outs[0]._keras_history[0] if outs[0]._keras_history else None
            if isinstance(rec, Node):  # the op keeps the name it was saved with
                named = Operation(rec, name=op.name)
                for i, o in enumerate(rec.outputs):
                    o._keras_history = (named, i)
        self.calls[name].append(outs)

    def tensor(self, name, index, tensor_index, model_level=False):
        if name not in self.ops:
            raise ValueError(f"Unknown layer: {name!r} in the functional config")
        from .functional import Functional

        if model_level and isinstance(self.ops[name], Functional):
            index -= 1  # its own node 0 is not a call made here
        calls = self.calls[name]
        if index >= len(calls):
            raise IndexError(name)
        return calls[index][tensor_index]

    def tensors(self, refs):
        if _is_ref(refs):
            return self.tensor(*refs, model_level=True)
        if isinstance(refs, dict):
            return {k: self.tensors(v) for k, v in refs.items()}
        if isinstance(refs, (list, tuple)):
            return [self.tensors(v) for v in refs]
        raise ValueError(f"Bad tensor reference in a functional config: {refs!r}")

    def _node_args(self, node):
        from ..saving.serialization import deserialize_keras_object

        if isinstance(node, list):  # Keras 2: [[name, node index, tensor index, kwargs]]
            inputs, kwargs = [], {}
            for ref in node:
                inputs.append(self.tensor(ref[0], ref[1], ref[2], model_level=True))
                kwargs = ref[3] if len(ref) > 3 else {}
            return [_unpack(inputs)], dict(kwargs or {})

        def walk(v):
            if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
                return self.tensor(*v["config"]["keras_history"])
            if isinstance(v, dict) and "class_name" in v:
                return deserialize_keras_object(v, custom_objects=self.custom)
            if isinstance(v, dict):
                return {k: walk(i) for k, i in v.items()}
            if isinstance(v, list):
                return [walk(i) for i in v]
            return v

        return walk(node.get("args") or []), walk(node.get("kwargs") or {})


def _revive(entry, custom_objects):
    module = entry.get("module") or ""
    class_name = entry.get("class_name")
    if module.startswith(("keras.src.ops", "keras.ops")):
        return RevivedOperation(class_name, entry.get("config"))
    if "module" not in entry and class_name in ("Functional", "Model", "Sequential"):
        from .functional import Functional
        from .sequential import Sequential

        cls = Sequential if class_name == "Sequential" else Functional
        return cls.from_config(entry.get("config") or {}, custom_objects=custom_objects)
    from ..layers import deserialize

    layer = deserialize(entry, custom_objects=custom_objects)
    from ..layers.layer import Layer

    if not isinstance(layer, Layer):
        raise ValueError(
            f"Unexpected object from config: {entry.get('class_name')!r} is not a layer"
        )
    return layer
