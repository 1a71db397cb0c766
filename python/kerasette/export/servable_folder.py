"""`format="kerasette"`: one version folder of what `kerasette serve` reads.

TensorFlow Serving's layout, with a `.keras` file in place of a SavedModel
(serving/repository.py):

    models/mnist/        <- `kerasette serve models/mnist`
      1/model.keras      <- model.export("models/mnist/1", format="kerasette")

So `filepath` is the version folder, named by a positive integer, as a Keras user
exports a SavedModel for TF Serving. The file is the one `model.save` writes. A new
folder is written under a temporary name beside it and renamed into place, so a
server watching the base folder never sees half a version.
"""

import os
import shutil
import tempfile

MODEL_FILE = "model.keras"


def check_servable(model):
    """The server runs one float32 input to one output (serving/servable.py)."""
    from ..models.functional import Functional
    from ..models.sequential import Sequential

    if isinstance(model, Functional) and (len(model.inputs) != 1 or len(model.outputs) != 1):
        raise ValueError(
            f"format='kerasette': `kerasette serve` serves models with one input and one "
            f"output; this model has {len(model.inputs)} inputs and {len(model.outputs)} "
            "outputs. Export it with format='onnx' instead."
        )
    if not isinstance(model, (Functional, Sequential)):
        raise ValueError(
            "format='kerasette': `kerasette serve` loads the model from its "
            "config, which a subclassed model does not have; build it as a "
            "Sequential or functional model, or use format='onnx'."
        )


def version_folder(filepath):
    path = os.path.abspath(os.fspath(filepath))
    name = os.path.basename(path)
    if not (name.isdigit() and int(name) >= 1):
        raise ValueError(
            f"format='kerasette' writes one version of a served model, so the folder must "
            f"be named by a positive integer (BASE/1, BASE/2, ...), got {filepath!r}. "
            "Example: model.export('models/mnist/1', format='kerasette'), then "
            "`kerasette serve models/mnist`."
        )
    return path


def export_servable(model, filepath):
    """Writes `filepath/model.keras`; returns the path of the file."""
    from .. import saving

    path = version_folder(filepath)
    check_servable(model)
    if os.path.isdir(path):
        others = [f for f in os.listdir(path) if f.endswith(".keras") and f != MODEL_FILE]
        if others:
            raise ValueError(
                f"{filepath!r} already holds {others}: a version folder serves "
                "exactly one .keras file. Remove it or pick another version."
            )
        target = os.path.join(path, MODEL_FILE)
        saving.save_model(model, target)  # replaced atomically (saving/atomic_write.py)
        return target
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=parent)
    try:
        saving.save_model(model, os.path.join(tmp, MODEL_FILE))
        os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return os.path.join(path, MODEL_FILE)
