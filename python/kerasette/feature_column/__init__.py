"""TensorFlow's feature columns (`tf.feature_column`), consumed by `layers.DenseFeatures`.

```python
fc = kerasette.feature_column
age = fc.numeric_column("age")
columns = [
    age,
    fc.bucketized_column(age, boundaries=[18, 30, 50]),
    fc.indicator_column(fc.categorical_column_with_vocabulary_list("city", ["a", "b"],
                                                                   num_oov_buckets=1)),
    fc.embedding_column(fc.categorical_column_with_hash_bucket("job", 100), dimension=8),
]
model = kerasette.Sequential([kerasette.layers.DenseFeatures(columns), ...])
model.fit(dataframe_or_dict_of_arrays, y)
```

Ids follow TensorFlow exactly (vocabulary order, OOV buckets, FarmHash Fingerprint64 for
hash buckets and crosses), so a column gives the same ids as in TF.
"""

import os

from kerasette.feature_column.categorical import (
    CategoricalColumn,
    CrossedColumn,
    HashedCategoricalColumn,
    IdentityCategoricalColumn,
    VocabularyListCategoricalColumn,
)
from kerasette.feature_column.dense import (
    BucketizedColumn,
    DenseColumn,
    EmbeddingColumn,
    IndicatorColumn,
    NumericColumn,
)

__all__ = [
    "numeric_column",
    "bucketized_column",
    "categorical_column_with_identity",
    "categorical_column_with_vocabulary_list",
    "categorical_column_with_vocabulary_file",
    "categorical_column_with_hash_bucket",
    "crossed_column",
    "indicator_column",
    "embedding_column",
]


def _check_key(key):
    if not isinstance(key, str) or not key:
        raise ValueError(f"key must be a non-empty string; received: key={key!r}")
    return key


def numeric_column(key, shape=(1,), default_value=None, dtype="float32", normalizer_fn=None):
    """A real-valued feature of `shape` per row; NaN is replaced by `default_value`
    when given; `normalizer_fn(x)` is applied to the values."""
    return NumericColumn(_check_key(key), shape, default_value, dtype, normalizer_fn)


def bucketized_column(source_column, boundaries):
    """Discretizes a numeric column: `boundaries=[0., 1., 2.]` gives the buckets
    (-inf, 0.), [0., 1.), [1., 2.), [2., +inf)."""
    return BucketizedColumn(source_column, boundaries)


def categorical_column_with_identity(key, num_buckets, default_value=None):
    """Integer ids used as is, in [0, num_buckets); out-of-range ids map to
    `default_value`, or raise ValueError when it is None. -1 means missing."""
    return IdentityCategoricalColumn(_check_key(key), num_buckets, default_value)


def categorical_column_with_vocabulary_list(
    key, vocabulary_list, dtype=None, default_value=-1, num_oov_buckets=0
):
    """Ids are positions in `vocabulary_list`; an out-of-vocabulary value gets
    `len(vocabulary) + Fingerprint64(value) % num_oov_buckets`, or `default_value`
    (-1: dropped) when `num_oov_buckets` is 0."""
    return VocabularyListCategoricalColumn(
        _check_key(key), vocabulary_list, dtype, default_value, num_oov_buckets
    )


def categorical_column_with_vocabulary_file(
    key,
    vocabulary_file,
    vocabulary_size=None,
    dtype="string",
    default_value=None,
    num_oov_buckets=0,
    file_format=None,
):
    """Like `categorical_column_with_vocabulary_list`, with one vocabulary entry per line
    of `vocabulary_file` (the first `vocabulary_size` lines if given). Only plain text
    files are read (`file_format=None`)."""
    if file_format is not None:
        raise ValueError(
            f"file_format={file_format!r} is not supported; kerasette reads "
            "plain-text vocabulary files (file_format=None)"
        )
    path = os.fspath(vocabulary_file)
    if not os.path.exists(path):
        raise ValueError(f"Missing vocabulary_file: {path!r}")
    with open(path, encoding="utf-8") as f:
        vocab = [line.rstrip("\r\n") for line in f]
    if vocabulary_size is not None:
        if vocabulary_size < 1 or vocabulary_size > len(vocab):
            raise ValueError(
                f"Invalid vocabulary_size {vocabulary_size} for a file of {len(vocab)} lines"
            )
        vocab = vocab[:vocabulary_size]
    if str(dtype) not in ("string", "str") and dtype is not str:
        vocab = [int(v) for v in vocab]
    return VocabularyListCategoricalColumn(
        _check_key(key),
        vocab,
        None,
        -1 if default_value is None else default_value,
        num_oov_buckets,
    )


def categorical_column_with_hash_bucket(key, hash_bucket_size, dtype="string"):
    """id = Fingerprint64(str(value)) % hash_bucket_size: stable across processes and
    machines (never Python's salted `hash()`), identical to TensorFlow's ids."""
    return HashedCategoricalColumn(_check_key(key), hash_bucket_size, dtype)


def crossed_column(keys, hash_bucket_size, hash_key=None):
    """Hashed cross of raw features (names) and categorical columns."""
    return CrossedColumn(keys, hash_bucket_size, hash_key)


def indicator_column(categorical_column):
    """Multi-hot representation of a categorical column."""
    return IndicatorColumn(categorical_column)


def embedding_column(
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
    """A trainable embedding of a categorical column, trained by backprop in the core."""
    return EmbeddingColumn(
        categorical_column,
        dimension,
        combiner,
        initializer,
        ckpt_to_load_from,
        tensor_name_in_ckpt,
        max_norm,
        trainable,
        use_safe_embedding_lookup,
    )
