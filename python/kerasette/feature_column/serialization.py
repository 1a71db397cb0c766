"""Feature columns to and from JSON-able configs (for saving DenseFeatures models).

A column becomes {"class_name": ..., "config": {constructor arguments}}, nested columns
included. A `normalizer_fn` is stored by name and looked up when loading among the
registered / `custom_objects` functions (loading never runs code from the file); an
unnamed lambda cannot be restored and raises a clear error then.
"""

import numpy as np

from kerasette.feature_column.categorical import (
    CrossedColumn,
    HashedCategoricalColumn,
    IdentityCategoricalColumn,
    VocabularyListCategoricalColumn,
)
from kerasette.feature_column.dense import (
    BucketizedColumn,
    EmbeddingColumn,
    IndicatorColumn,
    NumericColumn,
)

__all__ = ["serialize_column", "deserialize_column"]

_CLASSES = {
    c.__name__: c
    for c in (
        NumericColumn,
        BucketizedColumn,
        IdentityCategoricalColumn,
        VocabularyListCategoricalColumn,
        HashedCategoricalColumn,
        CrossedColumn,
        IndicatorColumn,
        EmbeddingColumn,
    )
}


def _py(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [_py(x) for x in v]
    return v


def _config(col):
    if isinstance(col, NumericColumn):
        fn = col.normalizer_fn
        return {
            "key": col.key,
            "shape": list(col.shape),
            "default_value": _py(col.default_value),
            "dtype": col.dtype.name,
            "normalizer_fn": None if fn is None else getattr(fn, "__name__", repr(fn)),
        }
    if isinstance(col, BucketizedColumn):
        return {
            "source_column": serialize_column(col.source_column),
            "boundaries": list(col.boundaries),
        }
    if isinstance(col, IdentityCategoricalColumn):
        return {
            "key": col.key,
            "num_buckets": col.num_buckets,
            "default_value": _py(col.default_value),
        }
    if isinstance(col, VocabularyListCategoricalColumn):
        return {
            "key": col.key,
            "vocabulary_list": _py(list(col.vocabulary_list)),
            "dtype": "string" if col.is_string else "int64",
            "default_value": col.default_value,
            "num_oov_buckets": col.num_oov_buckets,
        }
    if isinstance(col, HashedCategoricalColumn):
        return {"key": col.key, "hash_bucket_size": col.hash_bucket_size, "dtype": str(col.dtype)}
    if isinstance(col, CrossedColumn):
        return {
            "keys": [k if isinstance(k, str) else serialize_column(k) for k in col.keys],
            "hash_bucket_size": col.hash_bucket_size,
            "hash_key": col.hash_key,
        }
    if isinstance(col, IndicatorColumn):
        return {"categorical_column": serialize_column(col.categorical_column)}
    if isinstance(col, EmbeddingColumn):
        from kerasette import initializers

        init = col.initializer
        if init is not None and not isinstance(init, (str, initializers.Initializer)):
            raise ValueError(
                f"embedding_column '{col.name}': a custom initializer function "
                "cannot be saved; use a kerasette.initializers object"
            )
        return {
            "categorical_column": serialize_column(col.categorical_column),
            "dimension": col.dimension,
            "combiner": col.combiner,
            "initializer": initializers.serialize(initializers.get(init)) if init else None,
            "trainable": col.trainable,
        }
    raise TypeError(f"Cannot serialize feature column {col!r}")


def serialize_column(col):
    return {"class_name": type(col).__name__, "config": _config(col)}


def _lookup_function(name, column_key):
    from kerasette.saving import object_registration as reg

    table = dict(reg.GLOBAL_CUSTOM_OBJECTS)
    table.update(reg.scoped_custom_objects() or {})
    for registered, obj in table.items():
        if registered == name or registered.split(">")[-1] == name:
            return obj
    raise ValueError(
        f"numeric_column '{column_key}' was saved with normalizer_fn={name!r}; pass it when "
        f"loading: load_model(..., custom_objects={{{name!r}: fn}})"
    )


def deserialize_column(config):
    if not isinstance(config, dict) or config.get("class_name") not in _CLASSES:
        raise ValueError(f"Unknown feature column config: {config!r:.200}")
    cls, cfg = _CLASSES[config["class_name"]], dict(config.get("config") or {})
    if cls is NumericColumn and cfg.get("normalizer_fn") is not None:
        cfg["normalizer_fn"] = _lookup_function(cfg["normalizer_fn"], cfg.get("key"))
    for nested in ("source_column", "categorical_column"):
        if nested in cfg:
            cfg[nested] = deserialize_column(cfg[nested])
    if cls is CrossedColumn:
        cfg["keys"] = [k if isinstance(k, str) else deserialize_column(k) for k in cfg["keys"]]
    if cls is VocabularyListCategoricalColumn:
        cfg["dtype"] = None
    if cls is EmbeddingColumn and cfg.get("initializer") is not None:
        from kerasette import initializers

        cfg["initializer"] = initializers.get(cfg["initializer"])
    return cls(**cfg)
