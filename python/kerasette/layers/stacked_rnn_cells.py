"""`StackedRNNCells(cells)`: several cells as one, each feeding the next its output
within a time step (Keras 3's class: `state_size` is the list of the cells' state
sizes, the states one entry per cell, the output the last cell's)."""

from .. import ops
from .layer import Layer, _call_takes


def _state_sizes(cell):
    """A cell's state sizes as a flat list (an int state_size is one state)."""
    s = cell.state_size
    return list(s) if isinstance(s, (list, tuple)) else [s]


def output_size_of(cell):
    size = getattr(cell, "output_size", None)
    return size if size is not None else _state_sizes(cell)[0]


def prefix_paths(layer, variables):
    """Keras names a sublayer's weights under its parent: `lstm/lstm_cell/kernel`."""
    for v in variables:
        if not v.path.startswith(layer.name + "/"):
            v.path = f"{layer.name}/{v.path}"


def call_cell(cell, inputs, states, training):
    """One step of any cell: (output, new states as a list)."""
    kw = {"training": training} if _call_takes(cell, "training") else {}
    out, new = cell.call(inputs, states, **kw)
    if not isinstance(new, (list, tuple)):
        new = [new]
    return out, list(new)


class StackedRNNCells(Layer):
    _has_build_config = True

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError(
                    "All cells must have a `call` method. Received cell without "
                    f"a `call` method: {cell}"
                )
            if "state_size" not in dir(cell):
                raise ValueError(
                    "All cells must have a `state_size` attribute. Received cell "
                    f"without a `state_size`: {cell}"
                )
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        return output_size_of(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        out = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                out.append(fn(batch_size=batch_size))
            else:
                out.append([ops.zeros((batch_size, d)) for d in _state_sizes(cell)])
        return out

    def build(self, input_shape):
        batch = input_shape[0]
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                cell.built = True
            input_shape = (batch, output_size_of(cell))
        prefix_paths(self, [v for c in self.cells if isinstance(c, Layer) for v in c.weights])
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, s in zip(self.cells, states):
            single = not isinstance(s, (list, tuple))
            inputs, s = call_cell(cell, inputs, [s] if single else list(s), training)
            new_states.append(s[0] if single and len(s) == 1 else s)
        return inputs, new_states

    def get_config(self):
        from ..saving import serialize_keras_object  # with each cell's build_config

        return {**super().get_config(), "cells": [serialize_keras_object(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..saving import deserialize_keras_object

        config = dict(config)
        cells = [
            deserialize_keras_object(c, custom_objects=custom_objects) for c in config.pop("cells")
        ]
        return cls(cells, **config)
