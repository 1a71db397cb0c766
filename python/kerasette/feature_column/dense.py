"""Dense feature columns: numeric, bucketized, indicator, and the embedding column.

A dense column's `dense_block(features)` is a (rows, dense_width) float32 array. The
embedding column is dense too in TF, but here its lookup runs in the C++ core:
DenseFeatures hands the core the column's ids and the table (see layers.dense_features).
"""

import math

import numpy as np

from kerasette.feature_column import _inputs
from kerasette.feature_column.categorical import CategoricalColumn

__all__ = ["DenseColumn", "NumericColumn", "BucketizedColumn", "IndicatorColumn", "EmbeddingColumn"]


class DenseColumn:
    name = None

    @property
    def dense_width(self):
        raise NotImplementedError

    def dense_block(self, features):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class NumericColumn(DenseColumn):
    def __init__(self, key, shape=(1,), default_value=None, dtype="float32", normalizer_fn=None):
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        if not shape or any(not isinstance(d, (int, np.integer)) or d < 1 for d in shape):
            raise ValueError(f"shape dimensions must be positive integers; received: shape={shape}")
        if np.dtype(dtype).kind not in "iuf":
            raise ValueError(f"dtype must be convertible to float; received: dtype={dtype}")
        if normalizer_fn is not None and not callable(normalizer_fn):
            raise TypeError(f"normalizer_fn must be a callable; received: {normalizer_fn!r}")
        self.key, self.name = key, key
        self.shape = tuple(int(d) for d in shape)
        self.default_value = default_value
        self.dtype = np.dtype(dtype)
        self.normalizer_fn = normalizer_fn

    @property
    def dense_width(self):
        return int(np.prod(self.shape))

    def values(self, features):
        raw = _inputs.feature_array(features, self.key, self.name)
        try:
            x = raw.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"numeric_column '{self.name}' needs numbers; received dtype "
                f"{raw.dtype} (e.g. {raw.ravel()[:1]})"
            ) from None
        if x.shape[1] != self.dense_width:
            raise ValueError(
                f"numeric_column '{self.name}' expects {self.dense_width} values "
                f"per row (shape={self.shape}); received {x.shape[1]}"
            )
        if self.default_value is not None:  # fill missing (NaN) values
            fill = np.broadcast_to(
                np.asarray(self.default_value, np.float64).reshape(-1), (self.dense_width,)
            )
            x = np.where(np.isnan(x), fill, x)
        if self.normalizer_fn is not None:
            x = np.asarray(self.normalizer_fn(x), dtype=np.float64).reshape(x.shape)
        return x

    def dense_block(self, features):
        return self.values(features).astype(np.float32)


class BucketizedColumn(DenseColumn, CategoricalColumn):
    """Buckets a numeric column: bucket i holds boundaries[i-1] <= x < boundaries[i].
    As a dense column it is one-hot per source value; as a categorical column its id
    is `bucket + i * (len(boundaries) + 1)` for the i-th source value."""

    def __init__(self, source_column, boundaries):
        if not isinstance(source_column, NumericColumn):
            raise ValueError(
                "source_column must be a column generated with numeric_column(); "
                f"received: {source_column!r}"
            )
        boundaries = [float(b) for b in boundaries]
        if not boundaries or any(a >= b for a, b in zip(boundaries, boundaries[1:])):
            raise ValueError(f"boundaries must be a sorted list; received: {boundaries}")
        self.source_column = source_column
        self.boundaries = tuple(boundaries)
        self.name = f"{source_column.name}_bucketized"
        self.key = source_column.key

    @property
    def _per_value(self):
        return len(self.boundaries) + 1

    @property
    def num_buckets(self):
        return self.source_column.dense_width * self._per_value

    @property
    def dense_width(self):
        return self.num_buckets

    def buckets(self, features):
        x = self.source_column.values(features)
        return np.searchsorted(np.asarray(self.boundaries), x, side="right").astype(np.int64)

    def ids(self, features):
        b = self.buckets(features)
        return b + np.arange(b.shape[1], dtype=np.int64) * self._per_value

    def dense_block(self, features):
        ids = self.ids(features)
        out = np.zeros((ids.shape[0], self.dense_width), dtype=np.float32)
        np.put_along_axis(out, ids, 1.0, axis=1)
        return out


class IndicatorColumn(DenseColumn):
    """Multi-hot (counts) of a categorical column's ids; empty slots add nothing."""

    def __init__(self, categorical_column):
        if not isinstance(categorical_column, CategoricalColumn):
            raise ValueError(
                f"indicator_column needs a categorical column; received: {categorical_column!r}"
            )
        self.categorical_column = categorical_column
        self.name = f"{categorical_column.name}_indicator"

    @property
    def dense_width(self):
        return self.categorical_column.num_buckets

    def dense_block(self, features):
        ids = self.categorical_column.ids(features)
        rows = np.repeat(np.arange(ids.shape[0]), ids.shape[1])
        flat = ids.ravel()
        keep = flat >= 0
        out = np.zeros((ids.shape[0], self.dense_width), dtype=np.float32)
        np.add.at(out, (rows[keep], flat[keep]), 1.0)
        return out


class EmbeddingColumn:
    """A trainable table (num_buckets, dimension) looked up by a categorical column's
    ids and combined per row with `combiner` ("mean", "sum" or "sqrtn")."""

    def __init__(
        self,
        categorical_column,
        dimension,
        combiner="mean",
        initializer=None,
        ckpt_to_load_from=None,
        tensor_name_in_ckpt=None,
        max_norm=None,
        trainable=True,
        use_safe_embedding_lookup=True,
    ):
        if not isinstance(categorical_column, CategoricalColumn):
            raise ValueError(
                f"embedding_column needs a categorical column; received: {categorical_column!r}"
            )
        if not isinstance(dimension, (int, np.integer)) or dimension < 1:
            raise ValueError(f"Invalid dimension {dimension}.")
        if combiner not in ("mean", "sum", "sqrtn"):
            raise ValueError(
                f'combiner must be "mean", "sum" or "sqrtn"; received: combiner={combiner!r}'
            )
        if (
            initializer is not None
            and not callable(initializer)
            and not isinstance(initializer, str)
        ):
            raise ValueError(f"initializer must be callable if specified; received {initializer!r}")
        if ckpt_to_load_from is not None or tensor_name_in_ckpt is not None:
            raise ValueError(
                "embedding_column(ckpt_to_load_from=...) is not supported by "
                "kerasette; load weights with set_weights instead"
            )
        if max_norm is not None:
            raise ValueError("embedding_column(max_norm=...) is not supported by kerasette")
        self.categorical_column = categorical_column
        self.dimension = int(dimension)
        self.combiner = combiner
        self.initializer = initializer
        self.trainable = bool(trainable)
        self.name = f"{categorical_column.name}_embedding"

    def default_initializer(self):
        # TF: truncated_normal(mean=0.0, stddev=1/sqrt(dimension))
        from kerasette import initializers

        return initializers.TruncatedNormal(mean=0.0, stddev=1.0 / math.sqrt(self.dimension))

    def __repr__(self):
        return f"EmbeddingColumn(name={self.name!r}, dimension={self.dimension})"
