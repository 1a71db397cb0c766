"""`DenseFeatures`: the first layer of a Sequential that reads feature columns.

It turns a dict of arrays (or a pandas DataFrame) into one float32 matrix
(`preprocess`), which the model is fed; `call` (in ops) reads it. Layout of that
matrix, described by `segments`:

    [ dense block (dense_dim floats) | ids of embedding column 0 (n_ids_0 slots) | ... ]

- dense block: every dense column (numeric, bucketized one-hot, indicator multi-hot),
  ordered by column name as TF orders them, concatenated;
- then, per embedding column (ordered by name), its categorical ids as floats, `-1` for
  an empty slot. `call` passes the dense block through and, per embedding column,
  gathers rows of the table (num_buckets, dimension) and combines them with the
  column's combiner (mean / sum / sqrtn over the non-empty slots; all empty -> zeros).

The layer's output is therefore [dense block | embedding 0 | embedding 1 | ...], of width
`dense_dim + sum(dimension)`.

`call` does that combination in kerasette.ops on the preprocessed matrix (so it traces
into a graph like any layer); `__call__` on a dict or DataFrame preprocesses it first.
"""

import numpy as np

from kerasette import ops
from kerasette.feature_column.dense import DenseColumn, EmbeddingColumn
from kerasette.layers.layer import Layer

__all__ = ["DenseFeatures"]


def _as_features(features):
    if hasattr(features, "columns") and hasattr(features, "to_numpy"):  # pandas DataFrame
        return {str(c): features[c] for c in features.columns}
    if isinstance(features, dict):
        return features
    raise TypeError(
        "DenseFeatures expects a dict of arrays or a pandas DataFrame; received "
        f"{type(features).__name__}"
    )


def _embedding_bag(ids, table, combiner):
    """Rows of `table` for float ids (batch, n) combined per row; -1 is an empty slot.

    The engine's embedding_bag: sum of the rows of the non-empty slots, times 1/count
    (mean), 1/sqrt(count) (sqrtn) or 1 (sum); a row with no ids gives zeros."""
    valid = ops.greater_equal(ids, 0.0)
    idx = ops.cast(ops.where(valid, ids, 0.0), "int32")
    weight = ops.cast(valid, "float32")
    rows = ops.multiply(ops.take(table, idx, axis=0), ops.expand_dims(weight, -1))
    summed = ops.sum(rows, axis=1)
    if combiner == "sum":
        return summed
    count = ops.maximum(ops.sum(weight, axis=1, keepdims=True), 1.0)
    if combiner == "sqrtn":
        count = ops.sqrt(count)
    return ops.multiply(summed, ops.reciprocal(count))


class DenseFeatures(Layer):
    """A layer that produces a dense matrix from `feature_columns`.

    Args:
        feature_columns: iterable of dense columns (`numeric_column`, `bucketized_column`,
            `indicator_column`, `embedding_column`).
        trainable: whether the embedding tables train. Defaults to `True`.
        name: layer name.

    Attributes:
        segments: the layout of `preprocess`'s output, one entry per block:
            `("dense", width)` then `("embedding", table_variable, dimension, n_ids,
            combiner)` per embedding column.
    """

    def __init__(self, feature_columns, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        columns = (
            list(feature_columns)
            if not isinstance(feature_columns, (DenseColumn, EmbeddingColumn))
            else [feature_columns]
        )
        if not columns:
            raise ValueError("feature_columns must not be empty")
        for c in columns:
            if not isinstance(c, (DenseColumn, EmbeddingColumn)):
                raise ValueError(
                    "Items of feature_columns must be dense columns (numeric_column, "
                    "bucketized_column, indicator_column, embedding_column); received "
                    f"{c!r}. Wrap a categorical column in indicator_column() or "
                    "embedding_column()."
                )
        names = [c.name for c in columns]
        if len(set(names)) != len(names):
            raise ValueError(f"Duplicate feature column names: {sorted(names)}")
        self.feature_columns = columns
        self._dense = sorted(
            (c for c in columns if isinstance(c, DenseColumn)), key=lambda c: c.name
        )
        self._embedding = sorted(
            (c for c in columns if isinstance(c, EmbeddingColumn)), key=lambda c: c.name
        )
        self._n_ids = {}  # id slots per embedding column, fixed by the first data seen
        self._tables = {}

    # --- layout ----------------------------------------------------------------------

    @property
    def dense_dim(self):
        """The width of the dense (numeric, indicator) part of the output."""
        return int(sum(c.dense_width for c in self._dense))

    @property
    def output_dim(self):
        """The width of the output: the dense part plus every embedding."""
        return self.dense_dim + sum(c.dimension for c in self._embedding)

    @property
    def input_width(self):
        """The width of the matrix `preprocess` makes (dense values, then embedding ids)."""
        return self.dense_dim + sum(self._n_ids.get(c.name, 1) for c in self._embedding)

    @property
    def segments(self):
        """How the preprocessed matrix splits into the dense part and each embedding's ids."""
        segs = [("dense", self.dense_dim)]
        for c in self._embedding:
            segs.append(
                (
                    "embedding",
                    self._tables.get(c.name),
                    c.dimension,
                    self._n_ids.get(c.name, 1),
                    c.combiner,
                )
            )
        return segs

    # --- weights ---------------------------------------------------------------------

    def build(self, input_shape=None):
        if self.built:
            return
        for c in self._embedding:
            self._tables[c.name] = self.add_weight(
                shape=(c.categorical_column.num_buckets, c.dimension),
                initializer=c.initializer if c.initializer is not None else c.default_initializer(),
                trainable=c.trainable,
                name=f"{c.name}/embedding_weights",
            )
        self.built = True

    def compute_output_shape(self, input_shape):
        return (input_shape[0] if input_shape else None, self.output_dim)

    # --- data ------------------------------------------------------------------------

    def preprocess(self, features):
        """dict of arrays / DataFrame -> float32 matrix in the layout above."""
        features = _as_features(features)
        if not self.built:
            self.build()
        blocks = [c.dense_block(features) for c in self._dense]
        for c in self._embedding:
            ids = c.categorical_column.ids(features)
            width = self._n_ids.setdefault(c.name, ids.shape[1])
            if ids.shape[1] > width:
                raise ValueError(
                    f"Feature column '{c.name}' produced {ids.shape[1]} ids per row, but the "
                    f"layer was set up for {width} (by the first data it saw)"
                )
            if ids.shape[1] < width:
                ids = np.pad(ids, ((0, 0), (0, width - ids.shape[1])), constant_values=-1)
            blocks.append(ids.astype(np.float32))
        rows = {b.shape[0] for b in blocks}
        if len(rows) > 1:
            raise ValueError(f"Features have different numbers of rows: {sorted(rows)}")
        out = np.concatenate(blocks, axis=1) if len(blocks) > 1 else blocks[0]
        return np.ascontiguousarray(out, dtype=np.float32)

    def __call__(self, features, *args, **kwargs):
        from kerasette.graph.trace import is_symbolic

        if not is_symbolic(features):  # raw feature values: Python preprocessing first
            features = self.preprocess(features)
        return super().__call__(features, *args, **kwargs)

    def call(self, inputs):
        """[dense block | id slots per embedding column] -> [dense | combined rows]."""
        parts = [inputs[:, : self.dense_dim]] if self.dense_dim else []
        offset = self.dense_dim
        for c in self._embedding:
            n = self._n_ids.get(c.name, 1)
            parts.append(
                _embedding_bag(inputs[:, offset : offset + n], self._tables[c.name], c.combiner)
            )
            offset += n
        return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=1)

    # --- config ----------------------------------------------------------------------

    def get_config(self):
        from kerasette.feature_column.serialization import serialize_column

        config = super().get_config()
        config["feature_columns"] = [serialize_column(c) for c in self.feature_columns]
        return config

    @classmethod
    def from_config(cls, config):
        from kerasette.feature_column.serialization import deserialize_column

        config = dict(config)
        config["feature_columns"] = [deserialize_column(c) for c in config["feature_columns"]]
        return cls(**config)
