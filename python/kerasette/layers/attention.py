"""`Attention` (Luong dot-product or Bahdanau-style concat scores) and
`MultiHeadAttention` with Keras's weight layout (query/key/value kernels (dim, heads,
key_dim) with (heads, key_dim) biases; output kernel (heads, value_dim, dim), bias (dim))."""

import math

from .. import constraints, initializers, ops, regularizers
from ..ops._reshape_sized import reshape_sized
from .layer import Layer

_BIG = 1.0e9


def _masked_softmax(scores, keep):
    if keep is not None:
        scores = scores - (1.0 - ops.cast(keep, scores.dtype)) * _BIG
    return ops.softmax(scores, axis=-1)


def _dropout(layer, x, training):
    if not training or layer.dropout <= 0:
        return x
    from ..ops import _prim

    out = _prim.dropout(x, ops.cast(layer._counter, "int32"), layer.dropout, layer._seed)
    layer._counter.assign(ops.add(layer._counter, 1.0))
    return out


def _seeded(layer, dropout, seed):
    from ..utils import random as ks_random
    from ..variables import Variable

    layer._seed = layer._counter = None
    if dropout > 0:
        layer._seed = seed if seed is not None else ks_random.next_seed()
        layer._counter = Variable(
            0,
            shape=(),
            dtype="float32",
            trainable=False,
            name="seed_generator_state",
            path=f"{layer.name}/seed_generator_state",
        )


def _causal(Tq, Tv):
    import numpy as np

    return np.tril(np.ones((Tq, Tv), bool))


def _causal_keep(q, v, lead=()):
    """The causal mask as float32 for queries q and values v (axis -2 the time); deferred
    to run time when a length is unknown (`Input((None, d))`)."""
    Tq, Tv = q.shape[-2], v.shape[-2]
    if Tq is None or Tv is None:
        from ..graph.prims.deferred import deferred

        return deferred(_causal_keep, [q, v], [(lead + (Tq, Tv), "float32")], lead=lead)
    return ops.cast(ops.convert_to_tensor(_causal(Tq, Tv).reshape(lead + (Tq, Tv))), "float32")


class Attention(Layer):
    """Dot-product attention (Luong style): each query attends over the values, with
    weights from the softmax of the query-key scores.

    Call it on `[query, value]` or `[query, value, key]` (the key defaults to the value).

    Args:
        use_scale: Whether to multiply the scores by a learned scalar. Defaults to
            `False`.
        score_mode: `"dot"` (query-key dot product) or `"concat"` (`tanh` of their
            sum, weighted). Defaults to `"dot"`.
        dropout: The fraction of the attention weights dropped during training.
            Defaults to `0.0`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    # Keras saves {"input_shape": [query_shape, value_shape(, key_shape)]} for it
    _has_build_config = True

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                "Invalid value for argument score_mode. Expected one of "
                f"{{'dot', 'concat'}}. Received: score_mode={score_mode}"
            )
        self.use_scale, self.score_mode = bool(use_scale), score_mode
        self.dropout, self.seed = float(dropout), seed
        self.supports_masking = True
        self.scale = self.concat_score_weight = None
        _seeded(self, self.dropout, seed)

    def build(self, input_shape=None):
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                name="concat_score_weight", shape=(), initializer="ones"
            )
        self.built = True

    def _check_input_shape(self, shape):
        pass

    def get_build_config(self):
        config = super().get_build_config()
        if config and isinstance(config["input_shape"], (list, tuple)):
            # a list of shapes, as Keras records it
            shapes = config["input_shape"]
            if shapes and isinstance(shapes[0], (list, tuple)):
                config["input_shape"] = [tuple(s) for s in shapes]
        return config

    def call(
        self,
        inputs,
        mask=None,
        training=False,
        return_attention_scores=False,
        use_causal_mask=False,
    ):
        if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
            raise ValueError(
                f"{type(self).__name__} layer must be called on a list of "
                f"inputs, namely [query, value] or [query, value, key]. "
                f"Received: inputs={inputs}."
            )
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask and len(mask) > 1 else None
        if self.score_mode == "dot":
            scores = ops.matmul(q, ops.swapaxes(k, -2, -1))
            if self.scale is not None:
                scores = scores * self.scale
        else:
            s = ops.expand_dims(q, -2) + ops.expand_dims(k, -3)
            if self.scale is not None:
                s = self.scale * s
            scores = self.concat_score_weight * ops.sum(ops.tanh(s), axis=-1)
        keep = None
        if v_mask is not None:
            keep = ops.expand_dims(ops.cast(v_mask, "float32"), -2)
        if use_causal_mask:
            c = _causal_keep(q, k)
            keep = c if keep is None else keep * c
        weights = _masked_softmax(scores, keep)
        weights_d = _dropout(self, weights, training)
        out = ops.matmul(weights_d, v)
        if q_mask is not None:
            out = out * ops.expand_dims(ops.cast(q_mask, out.dtype), -1)
        if return_attention_scores:
            return out, weights
        return out

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def get_config(self):
        return {
            **super().get_config(),
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
            "seed": self.seed,
        }


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017): `num_heads` attention heads over learned
    projections of the query, key and value, concatenated and projected back.

    Call it as `layer(query, value, key=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False)`.

    Args:
        num_heads: The number of attention heads.
        key_dim: The size of each head's query and key projections.
        value_dim: The size of each head's value projection; `None` means `key_dim`.
            Defaults to `None`.
        dropout: The fraction of the attention weights dropped during training.
            Defaults to `0.0`.
        use_bias: Whether the projections have biases. Defaults to `True`.
        output_shape: The size of the output's last axis (an int or a 1-tuple; saved
            as a tuple, as Keras does); `None` means the query's. Defaults to `None`.
        attention_axes: `None`, or the sequence axis (`1`, `-2`, `(1,)`), the only
            one supported: attention over the sequence axis of 3-D inputs. After
            building it reads `(1,)`, as in Keras.
        kernel_initializer: Initializer of the `kernel` weights. Defaults to
            `"glorot_uniform"`.
        bias_initializer: Initializer of the bias. Defaults to `"zeros"`.
        kernel_regularizer: Regularizer of the `kernel` weights. Defaults to `None`.
        bias_regularizer: Regularizer of the bias. Defaults to `None`.
        activity_regularizer: Regularizer of the layer's output. Defaults to `None`.
        kernel_constraint: Constraint on the `kernel` weights. Defaults to `None`.
        bias_constraint: Constraint on the bias. Defaults to `None`.
        seed: An int making the random draws reproducible, or `None`. Defaults to
            `None`.
        use_gate: Only `False` is supported.
        sliding_window: Only `None` is supported.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Limitations:
        Query, value and key must be 3-D. Other `attention_axes`, an `output_shape`
        of more than one axis, `use_gate` and `sliding_window` raise
        `NotImplementedError`; Keras's `flash_attention` argument is not accepted.
    """

    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        dropout=0.0,
        use_bias=True,
        output_shape=None,
        attention_axes=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        seed=None,
        use_gate=False,
        sliding_window=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        # Keras keeps attention_axes as given (an int becomes a 1-tuple) until build,
        # which fills in the default, the sequence axis (1,), for 3-D inputs.
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(
                "`attention_axes` must be an int, list, or tuple."
                f"Received: attention_axes={attention_axes}"
            )
        # 1 and -2 both name the sequence axis of a 3-D input, the only case here
        if attention_axes is not None and tuple(attention_axes) not in ((1,), (-2,)):
            raise NotImplementedError(
                "MultiHeadAttention: attention_axes other than the sequence axis "
                f"((1,) for 3-D inputs) are not supported yet; got {attention_axes}"
            )
        if use_gate or sliding_window is not None:
            raise NotImplementedError(
                "MultiHeadAttention: use_gate and sliding_window are not supported yet"
            )
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(
                    f"Invalid `output_shape`: {output_shape}. When specified, the "
                    "`output_shape` should be of type tuple, list, or int."
                ) from None
            if len(output_shape) != 1:
                raise NotImplementedError(
                    "MultiHeadAttention: only a 1-D output_shape (the last axis's size) "
                    f"is supported yet; got {output_shape}"
                )
        self.num_heads, self.key_dim = int(num_heads), int(key_dim)
        self.value_dim = int(value_dim) if value_dim else self.key_dim
        self.dropout, self.use_bias = float(dropout), bool(use_bias)
        self._output_shape = output_shape
        self._attention_axes = attention_axes
        self.attention_axes = attention_axes
        self.use_gate, self.sliding_window = False, None
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self.supports_masking = True
        _seeded(self, self.dropout, seed)

    def _w(self, name, shape):
        return self.add_weight(
            name=name,
            shape=shape,
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )

    def _b(self, name, shape):
        return self.add_weight(
            name=name,
            shape=shape,
            initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint,
        )

    def build(self, query_shape, value_shape=None, key_shape=None):
        # Keras saves the shapes build saw as {"shapes_dict": {...}}; its loader builds
        # the layer from them before it reads the weights.
        self._build_shapes = {"query_shape": tuple(query_shape)}
        for name, shape in (("value_shape", value_shape), ("key_shape", key_shape)):
            if shape is not None:
                self._build_shapes[name] = tuple(shape)
        value_shape = tuple(value_shape or query_shape)
        key_shape = tuple(key_shape or value_shape)
        if len(query_shape) != 3 or len(value_shape) != 3 or len(key_shape) != 3:
            raise NotImplementedError(
                "MultiHeadAttention: only 3-D (batch, time, features) query, value and "
                f"key are supported yet; got query_shape={tuple(query_shape)}, "
                f"value_shape={value_shape}, key_shape={key_shape}"
            )
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, "
                f"must be equal. Received: value_shape={value_shape} and "
                f"key_shape={key_shape}"
            )
        # what Keras's build leaves in attention_axes (and get_config) for 3-D inputs
        self._attention_axes = self.attention_axes = (1,)
        H, kd, vd = self.num_heads, self.key_dim, self.value_dim
        out_dim = query_shape[-1] if not self._output_shape else self._output_shape[-1]
        self._out_dim = out_dim
        self.query_kernel = self._w("query/kernel", (query_shape[-1], H, kd))
        self.query_bias = self._b("query/bias", (H, kd)) if self.use_bias else None
        self.key_kernel = self._w("key/kernel", (key_shape[-1], H, kd))
        self.key_bias = self._b("key/bias", (H, kd)) if self.use_bias else None
        self.value_kernel = self._w("value/kernel", (value_shape[-1], H, vd))
        self.value_bias = self._b("value/bias", (H, vd)) if self.use_bias else None
        self.output_kernel = self._w("attention_output/kernel", (H, vd, out_dim))
        self.output_bias = self._b("attention_output/bias", (out_dim,)) if self.use_bias else None
        self.built = True

    def _keras_weight_groups(self):
        """(sub-path, variables) as Keras's weights file holds them: its MHA keeps the
        projections in four EinsumDense sublayers (kernel, bias each)."""

        def present(*vs):
            return [v for v in vs if v is not None]

        return [
            ("_dropout_layer", []),
            ("_softmax", []),
            ("key_dense", present(self.key_kernel, self.key_bias)),
            ("output_dense", present(self.output_kernel, self.output_bias)),
            ("query_dense", present(self.query_kernel, self.query_bias)),
            ("value_dense", present(self.value_kernel, self.value_bias)),
        ]

    def get_build_config(self):
        shapes = getattr(self, "_build_shapes", None)
        return {"shapes_dict": dict(shapes)} if self.built and shapes else None

    def build_from_config(self, config):
        shapes = (config or {}).get("shapes_dict")
        if shapes and not self.built:
            # positionally: the build wrapper takes the first shape as `input_shape`
            names = ("query_shape", "value_shape", "key_shape")
            self.build(*(tuple(shapes[n]) if shapes.get(n) else None for n in names))

    def _symbolic_call(self, *args, **kwargs):
        if not self.built:
            from ..graph.trace import suspended

            q = args[0]
            v = args[1] if len(args) > 1 else kwargs.get("value")
            k = args[2] if len(args) > 2 else kwargs.get("key")
            with suspended():
                self.build(
                    tuple(q.shape), tuple(v.shape), tuple(k.shape) if k is not None else None
                )
        return super()._symbolic_call(*args, **kwargs)

    def _check_input_shape(self, shape):
        pass

    def _proj(self, x, kernel, bias):
        """x (B, T, C) @ kernel (C, H, d) + bias -> (B, H, T, d), as one 2-D matmul."""
        C, H, d = kernel.shape
        y = ops.matmul(ops.reshape(x, (-1, C)), ops.reshape(kernel, (C, H * d)))
        if bias is not None:
            y = y + ops.reshape(bias, (H * d,))
        # (B*T, H*d) -> (B, T, H, d): T from x, which may be unknown until run time
        return ops.transpose(reshape_sized(y, (-1, (0, 1), H, d), [x]), (0, 2, 1, 3))

    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        if key is None:
            key = value
        query_mask = query_mask if query_mask is not None else getattr(query, "_keras_mask", None)
        value_mask = value_mask if value_mask is not None else getattr(value, "_keras_mask", None)
        key_mask = key_mask if key_mask is not None else getattr(key, "_keras_mask", None)
        q = self._proj(query, self.query_kernel, self.query_bias)
        k = self._proj(key, self.key_kernel, self.key_bias)
        v = self._proj(value, self.value_kernel, self.value_bias)
        q = q * (1.0 / math.sqrt(float(self.key_dim)))
        scores = ops.matmul(q, ops.swapaxes(k, -1, -2))  # (B, H, Tq, Tk)
        keep = self._keep(
            query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask
        )
        if keep is not None:
            keep = ops.expand_dims(keep, 1)  # over heads
        weights = _masked_softmax(scores, keep)
        out = ops.matmul(_dropout(self, weights, training), v)  # (B, H, Tq, vd)
        H, vd, D = self.output_kernel.shape
        out = ops.reshape(ops.transpose(out, (0, 2, 1, 3)), (-1, H * vd))
        out = reshape_sized(
            ops.matmul(out, ops.reshape(self.output_kernel, (H * vd, D))), (-1, (0, 1), D), [query]
        )
        if self.output_bias is not None:
            out = out + self.output_bias
        if return_attention_scores:
            return out, weights
        return out

    def _keep(self, query, value, q_mask, v_mask, k_mask, attention_mask, causal):
        keep = None

        def both(a, b):
            return b if a is None else a * b

        if q_mask is not None:
            keep = both(keep, ops.expand_dims(ops.cast(q_mask, "float32"), -1))
        if v_mask is not None:
            keep = both(keep, ops.expand_dims(ops.cast(v_mask, "float32"), -2))
        if k_mask is not None:
            keep = both(keep, ops.expand_dims(ops.cast(k_mask, "float32"), -2))
        if causal:
            keep = both(keep, _causal_keep(query, value, lead=(1,)))
        if attention_mask is not None:
            keep = both(keep, ops.cast(attention_mask, "float32"))
        return keep

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        last = self._output_shape[-1] if self._output_shape else query_shape[-1]
        return tuple(query_shape[:-1]) + (last,)

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "use_gate": False,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": None,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed,
        }
