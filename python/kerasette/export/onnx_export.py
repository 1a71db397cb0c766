"""`format="onnx"`: the model's inference forward as an ONNX file.

The forward is traced as predict traces it (signature.py), then each node of the traced
graph is lowered by its primitive's rule (onnx_rules.py): variables become initializers
holding their current values, placeholders the graph inputs, with a symbolic "batch"
first dimension. Needs the `onnx` package (`pip install 'kerasette[onnx]'`).
"""

import numpy as np

from . import signature
from .onnx_builder import OnnxGraph, value_info

DEFAULT_OPSET = 18
MIN_OPSET = 18  # the rules pass reduction axes as inputs (opset 18's ReduceMax/Min/Prod)
# Above this many bytes of weights they go to FILE.data beside the file: one protobuf
# message cannot exceed 2 GiB.
EXTERNAL_DATA_BYTES = 1 << 30


def _import_onnx():
    try:
        import onnx
    except ImportError as e:
        raise ImportError(
            "Exporting to ONNX needs the `onnx` package: pip install 'kerasette[onnx]'"
        ) from e
    return onnx


def _check_opset(onnx, opset_version):
    if opset_version is None:
        return DEFAULT_OPSET
    if isinstance(opset_version, bool) or not isinstance(opset_version, (int, np.integer)):
        raise TypeError(f"opset_version must be an int, got {opset_version!r}")
    newest = onnx.defs.onnx_opset_version()
    if not MIN_OPSET <= int(opset_version) <= newest:
        raise ValueError(
            f"opset_version={opset_version} is not supported: kerasette exports "
            f"opsets {MIN_OPSET} to {newest} (the installed onnx's newest)"
        )
    return int(opset_version)


def lower_fn(fn, input_names, output_names, opset, graph_name="kerasette"):
    """An ONNX ModelProto computing FnIR `fn`'s outputs from its inputs."""
    onnx = _import_onnx()
    from onnx import helper

    from .onnx_rules import RULES, UNSUPPORTED

    g = OnnxGraph()
    inputs = []
    for i, (ph, name) in enumerate(zip(fn.inputs, input_names)):
        g.bind(ph, name)
        dims = {0: "batch"}
        dims.update({j: f"dim_{i}_{j}" for j, d in enumerate(ph.shape) if d is None and j})
        inputs.append(value_info(name, ph.dtype, ph.shape, dims))
    input_ids = {id(p) for p in fn.inputs}
    used_names = set(input_names) | set(output_names)
    for node in fn.nodes:
        if all(id(o) in input_ids for o in node.outputs):
            continue
        if node.op == "constant":
            (out,) = node.outputs
            g.bind(out, g.const(np.asarray(node.attrs["value"], dtype=out.dtype)))
            continue
        if node.op == "variable":
            (out,) = node.outputs
            var = node.attrs["var"]
            hint = _safe(getattr(var, "path", None) or getattr(var, "name", "var"), used_names)
            g.bind(out, g.const(np.asarray(var.value, dtype=out.dtype), hint=hint))
            continue
        fn_rule = RULES.get(node.op)
        if fn_rule is None:
            why = UNSUPPORTED.get(
                node.op, "no ONNX lowering rule is written for it (kerasette/export/onnx_rules.py)"
            )
            raise NotImplementedError(
                f"ONNX export: the model uses primitive {node.op!r}, "
                f"which cannot be exported: {why}"
            )
        outs = fn_rule(g, node)
        if len(outs) != len(node.outputs):
            raise RuntimeError(
                f"ONNX rule for {node.op!r} gave {len(outs)} outputs, expected {len(node.outputs)}"
            )
        for sym, name in zip(node.outputs, outs):
            g.bind(sym, name)
    outputs = []
    for sym, name in zip(fn.outputs, output_names):
        g.op("Identity", [g.val(sym)], outputs=[name])
        dims = {0: "batch"} if sym.shape and sym.shape[0] is None else {}
        outputs.append(value_info(name, sym.dtype, sym.shape, dims))
    graph = g.make_graph(graph_name, inputs, outputs)
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", opset)],
        producer_name="kerasette",
        producer_version=_version(),
    )
    # the oldest IR version for this opset: make_model writes the newest the onnx package
    # knows, which runtimes older than the package refuse
    model.ir_version = helper.find_min_ir_version_for(list(model.opset_import))
    if _weight_bytes(model) < EXTERNAL_DATA_BYTES:
        onnx.checker.check_model(model)  # a larger one is checked from its file
    return model


def _weight_bytes(proto):
    return sum(len(t.raw_data) for t in proto.graph.initializer)


def _version():
    from .. import __version__

    return str(__version__)


def _safe(name, taken):
    """A variable's path as an initializer name that no input or output uses."""
    name = "".join(c if c.isalnum() or c in "_/.:-" else "_" for c in str(name))
    return name if name not in taken else f"{name}_w"


def to_onnx(model, input_signature=None, opset_version=None):
    """(ModelProto, input names, output names) for a built kerasette model."""
    onnx = _import_onnx()
    opset = _check_opset(onnx, opset_version)
    specs, structure = signature.input_specs(model, input_signature)
    _refuse_python_side_layers(model)
    names = signature.unique_names([s.name for s in specs])
    for s, n in zip(specs, names):
        s.name = n
    fn, _ = signature.trace_inference(model, specs, structure)
    out_names = signature.unique_names([f"output_{i}" for i in range(len(fn.outputs))])
    out_names = [n if n not in names else f"{n}_out" for n in out_names]
    proto = lower_fn(fn, names, out_names, opset, graph_name=_safe(model.name, set()))
    return proto, names, out_names


def _refuse_python_side_layers(model):
    """Layers whose work runs in Python before the graph (strings, 64-bit hashes, feature
    columns: layers/_preprocessing.py): the traced graph only passes their output on, so
    an ONNX file without them would silently take different inputs."""
    seen, stack = set(), list(model._sublayers())
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        if getattr(layer, "preprocess_arrays", False) or type(layer).__name__ == "DenseFeatures":
            raise NotImplementedError(
                f"ONNX export: layer {layer.name!r} ({type(layer).__name__}) runs in Python "
                "before the graph (strings, 64-bit hashes or feature columns), so it cannot "
                "be part of an ONNX file. Apply it to the data first and export the model "
                "that follows it."
            )
        stack.extend(layer._sublayers())


def export_onnx(model, filepath, verbose=None, input_signature=None, opset_version=None):
    onnx = _import_onnx()
    import os

    proto, _, _ = to_onnx(model, input_signature, opset_version)
    path = os.fspath(filepath)
    if _weight_bytes(proto) < EXTERNAL_DATA_BYTES:
        onnx.save(proto, path)
        return proto
    onnx.save(
        proto,
        path,
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=os.path.basename(path) + ".data",
        size_threshold=1024,
    )
    onnx.checker.check_model(path)
    return proto
