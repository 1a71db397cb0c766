"""Categorical feature columns: each row becomes integer ids (-1 = empty slot).

`ids(features)` returns a (rows, slots) int64 array; `num_buckets` bounds the ids.
Out-of-vocabulary and out-of-range rules are TensorFlow's (see each factory).
"""

import numpy as np

from kerasette.feature_column import _inputs
from kerasette.feature_column.fingerprint import fingerprint_cat64_array

__all__ = [
    "CategoricalColumn",
    "IdentityCategoricalColumn",
    "VocabularyListCategoricalColumn",
    "HashedCategoricalColumn",
    "CrossedColumn",
    "DEFAULT_HASH_KEY",
]

# TF's default `hash_key` for crossed columns (feature_column_v2 / sparse_ops).
DEFAULT_HASH_KEY = 0xDECAFCAFFE


class CategoricalColumn:
    """Base of the columns that produce ids."""

    key = None

    @property
    def num_buckets(self):
        raise NotImplementedError

    def ids(self, features):
        raise NotImplementedError

    def cross_values(self, features):
        """uint64 values this column contributes to a cross (its ids, as TF does)."""
        ids = self.ids(features)
        return ids.astype(np.uint64), ids < 0

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class IdentityCategoricalColumn(CategoricalColumn):
    def __init__(self, key, num_buckets, default_value=None):
        if not isinstance(num_buckets, (int, np.integer)) or num_buckets < 1:
            raise ValueError(
                f"num_buckets must be a positive integer; received: num_buckets={num_buckets!r}"
            )
        if default_value is not None and not 0 <= default_value < num_buckets:
            raise ValueError(
                f"default_value must be in [0, {num_buckets}); received: "
                f"default_value={default_value}"
            )
        self.key, self.name = key, key
        self._num_buckets, self.default_value = int(num_buckets), default_value

    @property
    def num_buckets(self):
        return self._num_buckets

    def ids(self, features):
        raw = _inputs.feature_array(features, self.key, self.name)
        values = _inputs.int_values(raw, self.key)
        missing = values == -1
        bad = ~missing & ((values < 0) | (values >= self._num_buckets))
        if bad.any():
            if self.default_value is None:
                raise ValueError(
                    f"categorical_column_with_identity '{self.name}': ids must be in "
                    f"[0, {self._num_buckets}); received {values[bad][0]}. Pass "
                    "default_value=... to map out-of-range ids to a bucket."
                )
            values = np.where(bad, self.default_value, values)
        return np.where(missing, -1, values)


class VocabularyListCategoricalColumn(CategoricalColumn):
    """Ids from a vocabulary: index in the list; OOV values go to one of
    `num_oov_buckets` hashed buckets after the vocabulary, else to `default_value`
    (-1 = dropped)."""

    def __init__(self, key, vocabulary_list, dtype=None, default_value=-1, num_oov_buckets=0):
        vocab = list(vocabulary_list)
        if not vocab:
            raise ValueError(f"vocabulary_list for '{key}' must not be empty")
        if len(set(vocab)) != len(vocab):
            raise ValueError(f"Duplicate keys in vocabulary_list for '{key}': {vocab}")
        if num_oov_buckets < 0:
            raise ValueError(f"num_oov_buckets must be >= 0; received {num_oov_buckets}")
        if num_oov_buckets and default_value not in (-1, None):
            raise ValueError(
                f"Can't specify both num_oov_buckets ({num_oov_buckets}) and "
                f"default_value ({default_value}) for '{key}'"
            )
        strings = all(isinstance(v, (str, bytes)) for v in vocab)
        ints = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in vocab)
        if not (strings or ints):
            raise ValueError(
                f"vocabulary_list for '{key}' must hold all strings or all "
                f"integers; received {vocab[:5]}"
            )
        self.key, self.name = key, key
        self.vocabulary_list = tuple(v.decode() if isinstance(v, bytes) else v for v in vocab)
        self.is_string = strings if dtype is None else np.dtype(dtype).kind in "USO"
        self.default_value = -1 if default_value is None else default_value
        self.num_oov_buckets = int(num_oov_buckets)
        self._index = {v: i for i, v in enumerate(self.vocabulary_list)}

    @property
    def num_buckets(self):
        return len(self.vocabulary_list) + self.num_oov_buckets

    def ids(self, features):
        raw = _inputs.feature_array(features, self.key, self.name)
        if self.is_string:
            values = _inputs.string_values(raw)
        else:
            values = _inputs.int_values(raw, self.key)
        uniq, inverse = np.unique(values, return_inverse=True)
        table = np.empty(len(uniq), dtype=np.int64)
        for i, v in enumerate(uniq.tolist()):
            if v in self._index:
                table[i] = self._index[v]
            elif v == "" or v == -1:
                table[i] = -1  # missing stays missing
            elif self.num_oov_buckets:
                oov = _inputs.fingerprints(np.array([str(v)]))[0]
                table[i] = len(self.vocabulary_list) + int(oov % np.uint64(self.num_oov_buckets))
            else:
                table[i] = self.default_value
        return table[inverse].reshape(values.shape)


class HashedCategoricalColumn(CategoricalColumn):
    """id = Fingerprint64(str(value)) % hash_bucket_size (TF's to_hash_bucket_fast)."""

    def __init__(self, key, hash_bucket_size, dtype="string"):
        if not isinstance(hash_bucket_size, (int, np.integer)) or hash_bucket_size < 1:
            raise ValueError(
                f"hash_bucket_size must be a positive integer; received: "
                f"hash_bucket_size={hash_bucket_size!r}"
            )
        self.key, self.name = key, key
        self.hash_bucket_size = int(hash_bucket_size)
        self.dtype = dtype

    @property
    def num_buckets(self):
        return self.hash_bucket_size

    def ids(self, features):
        raw = _inputs.feature_array(features, self.key, self.name)
        if _inputs.is_string(raw) or raw.dtype.kind in "SU":
            values = _inputs.string_values(raw)
        else:
            values = _inputs.int_values(raw, self.key).astype(str)
            values[values == "-1"] = ""
        ids = (_inputs.fingerprints(values) % np.uint64(self.hash_bucket_size)).astype(np.int64)
        return np.where(values == "", -1, ids)


class CrossedColumn(CategoricalColumn):
    """Hashed cross of features: for every combination of one value per key,
    id = FingerprintCat64(...FingerprintCat64(hash_key, h1)..., hk) % hash_bucket_size,
    where h is Fingerprint64 of a raw string feature, the raw value of an integer
    feature, or the id of a categorical column (TF's `sparse_cross_hashed`)."""

    def __init__(self, keys, hash_bucket_size, hash_key=None):
        keys = list(keys)
        if len(keys) < 2:
            raise ValueError(f"keys must be a list with length > 1; received: {keys}")
        for k in keys:
            if not isinstance(k, (str, CategoricalColumn)) or isinstance(
                k, HashedCategoricalColumn
            ):
                raise ValueError(
                    "Unsupported key type: crossed_column keys must be feature "
                    "names (str) or categorical columns other than "
                    f"categorical_column_with_hash_bucket; received {k!r}"
                )
        if not isinstance(hash_bucket_size, (int, np.integer)) or hash_bucket_size < 1:
            raise ValueError(f"hash_bucket_size must be > 1; received {hash_bucket_size!r}")
        self.keys = tuple(keys)
        self.hash_bucket_size = int(hash_bucket_size)
        self.hash_key = DEFAULT_HASH_KEY if hash_key is None else int(hash_key)
        self.name = "_X_".join(sorted(k if isinstance(k, str) else k.name for k in keys))
        self.key = self.name

    @property
    def num_buckets(self):
        return self.hash_bucket_size

    def _component(self, features, key):
        if not isinstance(key, str):
            return key.cross_values(features)
        # A raw feature is crossed value by value, "" and -1 included (as TF does);
        # only a categorical column's empty slots drop out of the cross.
        raw = _inputs.feature_array(features, key, self.name)
        if _inputs.is_string(raw) or raw.dtype.kind in "SU":
            values = _inputs.string_values(raw)
            return _inputs.fingerprints(values), np.zeros(values.shape, dtype=bool)
        values = _inputs.int_values(raw, key)
        return values.astype(np.uint64), np.zeros(values.shape, dtype=bool)

    def ids(self, features):
        # TF's SparseCross takes the sparse inputs (categorical columns' ids) first and
        # the dense ones (raw features) after, each group in the order given.
        ordered = [k for k in self.keys if not isinstance(k, str)] + [
            k for k in self.keys if isinstance(k, str)
        ]
        parts = [self._component(features, k) for k in ordered]
        n = parts[0][0].shape[0]
        acc = np.full((n, 1), self.hash_key, dtype=np.uint64)
        empty = np.zeros((n, 1), dtype=bool)
        for values, missing in parts:
            if values.shape[0] != n:
                raise ValueError(
                    f"crossed_column '{self.name}': features have different "
                    f"row counts ({n} vs {values.shape[0]})"
                )
            k = values.shape[1]
            acc = fingerprint_cat64_array(
                np.repeat(acc, k, axis=1), np.tile(values, (1, acc.shape[1]))
            )
            empty = np.repeat(empty, k, axis=1) | np.tile(missing, (1, empty.shape[1]))
        ids = (acc % np.uint64(self.hash_bucket_size)).astype(np.int64)
        return np.where(empty, -1, ids)
