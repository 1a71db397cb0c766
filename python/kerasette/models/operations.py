"""An op applied between the layers of a functional model (`x = ops.add(x, 1)`, `x * 2`).

Keras makes each such call an `Operation` with a name ("add", "multiply") that shows in
the summary and in the config's "layers" list. Here it is one graph node, replayed by
running the same primitive on new inputs. Keras names its op classes after `keras.ops`
functions (`Add`, `Sum`), so a config entry maps to `kerasette.ops.<snake_name>` on the
way back.
"""

import numpy as np

from ..utils import naming

_KERAS_OPS_MODULE = "keras.src.ops.numpy"
# Primitive name -> (Keras class name, {primitive attr: Keras constructor arg}) where the
# CamelCase of the primitive's name is not Keras's class, or an attribute is renamed.
_TO_KERAS = {
    "matmul": ("Matmul", {}),
    "reshape": ("Reshape", {"shape": "newshape"}),
    "getitem": ("GetItem", {}),
    "abs": ("Absolute", {}),
}
# Keras class name -> kerasette.ops function name, where snake_case does not give it.
_FROM_KERAS = {"GetItem": "getitem", "Absolute": "abs", "TrueDivide": "divide"}


def _camel(name):
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


class Operation:
    """One primitive node of the functional graph, seen as a Keras Operation."""

    def __init__(self, node, name=None):
        self.node = node
        keras_name, self._renames = _TO_KERAS.get(node.op, (_camel(node.op), {}))
        self.keras_class = keras_name
        self.name = name or naming.auto_name(keras_name)

    @property
    def op(self):
        return self.node.op

    def replay(self, inputs):
        """Runs the primitive on `inputs` (new values, in the node's input order)."""
        from ..graph.trace import apply

        return apply(self.node.op, inputs, **self.node.attrs)

    def keras_config(self):
        """(module, class_name, config) as Keras writes this op in a model config."""
        config = {"name": self.name}
        for key, value in self.node.attrs.items():
            config[self._renames.get(key, key)] = _plain(value)
        return _KERAS_OPS_MODULE, self.keras_class, config

    def __repr__(self):
        return f"<Operation {self.name} ({self.node.op})>"


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.item() if value.ndim == 0 else value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


class RevivedOperation:
    """A Keras op read from a config: calls `kerasette.ops.<name>(*args, **config)`."""

    def __init__(self, class_name, config):
        from .. import ops

        fn_name = _FROM_KERAS.get(class_name, naming.to_snake_case(class_name))
        fn = getattr(ops, fn_name, None)
        if fn is None or not callable(fn):
            raise ValueError(
                f"The model uses the Keras op {class_name!r}, which "
                f"kerasette.ops does not provide (no ops.{fn_name})"
            )
        config = dict(config or {})
        self.name = config.pop("name", None) or naming.auto_name(class_name)
        self.class_name, self._fn, self._config = class_name, fn, config

    def __call__(self, *args, **kwargs):
        return self._fn(*args, **self._config, **kwargs)
