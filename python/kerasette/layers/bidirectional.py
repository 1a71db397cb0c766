"""`Bidirectional(layer, merge_mode)`: a forward copy and a backward (go_backwards) copy of
an RNN over the same sequence; the backward outputs are flipped back to the input order
before merging (concat / sum / ave / mul / None), as Keras does. Weights: the forward
layer's, then the backward layer's."""

from .. import ops
from .layer import Layer

_MODES = ("sum", "mul", "ave", "concat", None)


class Bidirectional(Layer):
    """Runs a recurrent layer over the sequence in both directions and merges the two
    outputs.

    ```python
    layer = keras.layers.Bidirectional(keras.layers.LSTM(16, return_sequences=True))
    ```

    Args:
        layer: The recurrent layer (`LSTM`, `GRU`, `SimpleRNN` or `RNN`) of the
            forward direction; a copy of it, with `go_backwards` flipped, runs
            backwards.
        merge_mode: How the two outputs are combined: `"concat"`, `"sum"`, `"mul"`,
            `"ave"`, or `None` (a list of both). Defaults to `"concat"`.
        weights: Initial weights of both directions (forward first). Defaults to
            `None`.
        backward_layer: The layer to run backwards, instead of a copy of `layer`;
            its `go_backwards` must be the opposite of `layer`'s.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a "
                f"`keras.layers.Layer` instance. Received: {layer}"
            )
        if merge_mode not in _MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should "
                "be one of {'sum', 'mul', 'ave', 'concat', None}"
            )
        cfg = layer.get_config()
        cfg["name"] = "forward_" + layer.name
        self.forward_layer = type(layer).from_config(cfg)
        if backward_layer is None:
            cfg = layer.get_config()
            cfg["name"] = "backward_" + layer.name
            cfg["go_backwards"] = not cfg.get("go_backwards", False)
            self.backward_layer = type(layer).from_config(cfg)
        else:
            self.backward_layer = backward_layer
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` value."
            )
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(self.forward_layer, attr) != getattr(self.backward_layer, attr):
                raise ValueError(
                    f"Forward layer and backward layer are expected to have the "
                    f"same value for attribute `{attr}`"
                )
        for l in (self.forward_layer, self.backward_layer):
            l.zero_output_for_mask = l.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = layer.stateful
        self.supports_masking = True
        self._initial_weights = weights

    def build(self, sequences_shape, initial_state_shape=None):
        for l in (self.forward_layer, self.backward_layer):
            if not l.built:
                l.build(sequences_shape)
                l.built = True
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def _check_input_shape(self, shape):
        pass

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kw = {"training": training, "mask": mask}
        fs = bs = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fs, bs = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer.call(sequences, initial_state=fs, **kw)
        y_rev = self.backward_layer.call(sequences, initial_state=bs, **kw)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)
        if self.merge_mode == "concat":
            out = ops.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            out = y + y_rev
        elif self.merge_mode == "ave":
            out = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            out = y * y_rev
        else:
            out = [y, y_rev]
        if self.return_state:
            return (list(out) if self.merge_mode is None else [out]) + list(states)
        return out

    def reset_state(self):
        """Resets the states of both directions (stateful layers)."""
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self):
        """Keras 2's name for `reset_state`."""
        self.reset_state()

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            n = 2 * len(self.forward_layer.state_size)
            return ([out, out] if self.merge_mode is None else [out]) + [None] * n
        return [out, out] if self.merge_mode is None else out

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        f = self.forward_layer.compute_output_shape(sequences_shape)
        main = f[0] if self.return_state else f
        if self.merge_mode == "concat":
            main = tuple(main[:-1]) + (main[-1] * 2,)
        outs = [tuple(main)] * (2 if self.merge_mode is None else 1)
        if self.return_state:
            return outs + list(f[1:]) * 2
        return outs if self.merge_mode is None else outs[0]

    def get_config(self):
        from . import serialize

        c = {
            **super().get_config(),
            "merge_mode": self.merge_mode,
            "layer": serialize(self.forward_layer),
            "backward_layer": serialize(self.backward_layer),
        }
        return c

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize

        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        back = config.pop("backward_layer", None)
        if back is not None:
            back = deserialize(back, custom_objects=custom_objects)
        return cls(layer, backward_layer=back, **config)
