"""What the wrappers need from a model, whichever Keras-like library built it.

The wrappers follow the scikeras contract, which is model-agnostic: a kerasette
``Sequential`` is the intended model, but anything with Keras's ``compile`` /
``fit`` / ``predict`` works. Library-specific steps (seeding, cloning, resolving
``"adam"`` to a class, pickling) are looked up in the library the model comes from.
"""

import importlib
import inspect
import re
import sys

import numpy as np


def library_of(model, default="kerasette"):
    """Top-level package of ``model``'s class: ``"kerasette"`` or e.g. ``"keras"``."""
    if model is None:
        return default
    top = type(model).__module__.partition(".")[0]
    return top if top in ("kerasette", "keras") else default


def library_module(library, name):
    return importlib.import_module(f"{library}.{name}")


def is_model(obj):
    """A model instance (as opposed to a callable building one)."""
    return all(callable(getattr(obj, m, None)) for m in ("compile", "fit", "predict"))


def set_seed(seed):
    """Seeds kerasette (init, shuffling, dropout) and Keras if it is in use."""
    library_module("kerasette", "utils").set_random_seed(seed)
    if "keras" in sys.modules:  # only when a Keras model could be involved
        sys.modules["keras"].utils.set_random_seed(seed)


def is_compiled(model):
    flag = getattr(model, "compiled", None)
    if flag is not None:
        return bool(flag)
    return getattr(model, "optimizer", None) is not None


def seed_from(random_state):
    """An int seed from scikit-learn's ``random_state`` (None draws from numpy's global RNG)."""
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state)
    if random_state is None:
        return int(np.random.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    raise ValueError(
        f"random_state must be None, an int or a numpy RandomState; got {random_state!r}."
    )


def compile_config(model):
    """The arguments ``model`` was compiled with, in serialisable (config) form."""
    if library_of(model) == "kerasette":
        return library_module("kerasette", "saving.compile_state").get_compile_config(model)
    return model.get_compile_config()


def compile_from(model, config):
    """Compiles ``model`` the way ``config`` (from :func:`compile_config`) records."""
    if config is None:
        return
    if library_of(model) == "kerasette":
        library_module("kerasette", "saving.compile_state").compile_from_config(model, config)
    else:
        model.compile_from_config(config)


def clone_compiled(model):
    """A fresh copy of ``model``: same architecture, new weights, compiled the same way."""
    clone = library_module(library_of(model), "models").clone_model(model)
    if is_compiled(model) and not is_compiled(clone):
        compile_from(clone, compile_config(model))
    return clone


def loss_of(model, fallback=None):
    """The loss ``model`` was compiled with (a string, function or Loss object)."""
    loss = getattr(model, "loss", None)
    return fallback if loss is None else loss


def loss_name(loss):
    """Snake-case name of a loss given as a string, class, instance or function."""
    if loss is None:
        return ""
    if isinstance(loss, str):
        return loss.lower()
    cls = loss if inspect.isclass(loss) else type(loss)
    name = getattr(loss, "__name__", "") if inspect.isfunction(loss) else cls.__name__
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)  # KLDivergence -> KL_Divergence
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def loss_from_logits(loss):
    return bool(getattr(loss, "from_logits", False))


def output_units(model):
    """Units of the model's last output dimension (None if it cannot be told)."""
    shape = getattr(model, "output_shape", None)
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[-1], (int, np.integer)):
        return int(shape[-1])
    return None


def accepts(fn, name):
    """True if callable ``fn`` takes a keyword ``name`` (or **kwargs)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())
