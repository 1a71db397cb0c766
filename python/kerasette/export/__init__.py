"""`model.export(filepath, format=...)`: Keras 3's `Model.export` (docs/export.md).

kerasette writes two formats:
    "onnx"       the inference forward as an ONNX file (onnxruntime runs it); `onnx` extra
    "kerasette"  a version folder (BASE/N/model.keras) that `kerasette serve` serves with
                 TensorFlow Serving's REST API
Keras's other formats need TensorFlow, OpenVINO or torch, which kerasette does not use;
they raise a ValueError naming the two above. Keras's default, "tf_saved_model", too.
"""

KERAS_FORMATS = ("tf_saved_model", "onnx", "openvino", "litert", "torch")
SUPPORTED_FORMATS = ("onnx", "kerasette")

_NEEDS = {
    "tf_saved_model": "TensorFlow",
    "openvino": "OpenVINO",
    "litert": "TensorFlow Lite",
    "torch": "PyTorch",
}


def export_model(
    model, filepath, format="tf_saved_model", verbose=None, input_signature=None, **kwargs
):
    """Exports `model` for inference; see `Model.export`."""
    if not isinstance(format, str):
        raise TypeError(f"format must be a string, got {format!r}")
    if format not in KERAS_FORMATS + SUPPORTED_FORMATS:
        raise ValueError(
            f"Unrecognized format={format}. Supported formats are: {list(SUPPORTED_FORMATS)}."
        )
    if format in _NEEDS:
        raise ValueError(
            f"format={format!r} needs {_NEEDS[format]}, which kerasette does not use. "
            f"kerasette exports format='onnx' (the inference graph, for onnxruntime and "
            f"any ONNX runtime) and format='kerasette' (a version folder that "
            f"`kerasette serve` serves with TensorFlow Serving's REST API). Supported "
            f"formats are: {list(SUPPORTED_FORMATS)}."
        )
    verbose = True if verbose is None else bool(verbose)
    if format == "onnx":
        opset = kwargs.pop("opset_version", None)
        _no_kwargs(kwargs, format)
        from .onnx_export import export_onnx

        export_onnx(model, filepath, input_signature=input_signature, opset_version=opset)
    else:
        _no_kwargs(kwargs, format)
        if input_signature is not None:
            raise ValueError(
                "format='kerasette' saves the whole model, which takes the "
                "inputs it was built for; input_signature does not apply"
            )
        from ..models.model import Model
        from .servable_folder import export_servable

        if not isinstance(model, Model):
            raise TypeError(
                f"The model must be a `keras.Model`. Received: model={model} "
                f"of the type {type(model)}"
            )
        if not model.built:
            raise ValueError(
                "The model provided has not yet been built. It must be built before export."
            )
        export_servable(model, filepath)
    if verbose:
        print(f"Saved artifact at '{filepath}'.")


def _no_kwargs(kwargs, format):
    if kwargs:
        raise TypeError(
            f"model.export(format={format!r}) got unexpected keyword arguments {sorted(kwargs)}"
        )


__all__ = ["export_model", "KERAS_FORMATS", "SUPPORTED_FORMATS"]
