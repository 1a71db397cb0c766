"""`keras.utils.FeatureSpace`: structured data (a dict of columns) to model-ready features.

Keras 3's FeatureSpace (keras/src/layers/preprocessing/feature_space.py) built from
kerasette's own preprocessing layers, with no TensorFlow: each feature has a preprocessor
(Normalization, Rescaling, Discretization, IntegerLookup, StringLookup, Hashing, or one
the user gives), crosses go through HashedCrossing, `one_hot` features through
CategoryEncoding(multi_hot), and "concat" mode joins them in sorted-name order, crosses
last, as Keras does.

Called on a dict of arrays, every step runs eagerly on numpy (the preprocessing layers'
`preprocess`), so strings never reach the graph. `get_inputs()` / `get_encoded_features()`
give the same steps as symbolic tensors, for a model drawn on top.
"""

import numpy as np

from .. import ops
from ..layers.layer import Layer
from . import naming


def _layers():
    from .. import layers

    return layers


def _serialize(obj):
    from ..saving.serialization import serialize_keras_object

    return serialize_keras_object(obj)


def _deserialize(config):
    from ..saving.serialization import deserialize_keras_object

    return deserialize_keras_object(config)


class Cross:
    """A feature cross: the named features hashed together into `crossing_dim` bins."""

    _keras_identity = ("keras.src.layers.preprocessing.feature_space", "Cross", "Cross")

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in {"int", "one_hot"}:
            raise ValueError(
                "Invalid value for argument `output_mode`. "
                "Expected one of {'int', 'one_hot'}. "
                f"Received: output_mode={output_mode}"
            )
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self):
        return "_X_".join(self.feature_names)

    def get_config(self):
        return {
            "feature_names": self.feature_names,
            "crossing_dim": self.crossing_dim,
            "output_mode": self.output_mode,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Feature:
    """One feature: its input dtype, its preprocessing layer and how it is encoded."""

    _keras_identity = ("keras.src.layers.preprocessing.feature_space", "Feature", "Feature")

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in {"int", "one_hot", "float"}:
            raise ValueError(
                "Invalid value for argument `output_mode`. "
                "Expected one of {'int', 'one_hot', 'float'}. "
                f"Received: output_mode={output_mode}"
            )
        self.dtype = dtype
        if isinstance(preprocessor, dict):
            preprocessor = _deserialize(preprocessor)
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self):
        return {
            "dtype": self.dtype,
            "preprocessor": _serialize(self.preprocessor),
            "output_mode": self.output_mode,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class TFDIdentity(Layer):
    """The "float" feature's preprocessor: passes values through (Keras's name)."""

    _keras_identity = ("keras.src.layers.preprocessing.feature_space", "TFDIdentity", None)

    def __init__(self, **kwargs):
        kwargs.pop("dtype", None)
        super().__init__(**kwargs)
        self.built = True

    def __call__(self, inputs, *args, **kwargs):
        if _is_symbolic(inputs):
            return super().__call__(inputs, *args, **kwargs)
        return inputs

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class TFDConcat(Layer):
    """Joins the encoded features on the last axis (Keras's name for it)."""

    _keras_identity = ("keras.src.layers.preprocessing.feature_space", "TFDConcat", None)

    def __init__(self, axis=-1, **kwargs):
        kwargs.pop("dtype", None)
        super().__init__(**kwargs)
        self.axis = axis
        self.built = True

    def __call__(self, xs, *args, **kwargs):
        if any(_is_symbolic(x) for x in xs):
            return super().__call__(xs, *args, **kwargs)
        return np.concatenate([_np(x).astype("float32") for x in xs], axis=self.axis)

    def call(self, xs):
        return ops.concatenate([ops.cast(x, "float32") for x in xs], axis=self.axis)

    def compute_output_shape(self, input_shape):
        widths = [s[-1] for s in input_shape]
        total = None if any(w is None for w in widths) else sum(widths)
        return tuple(input_shape[0][:-1]) + (total,)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


def _is_symbolic(x):
    from ..graph.trace import is_symbolic

    return is_symbolic(x)


def _np(x):
    """A numpy array from a Tensor, list, scalar or array."""
    from ..layers._preprocessing import to_numpy

    return to_numpy(x)


def _to_batch_columns(value):
    """A feature's values as a numpy column: scalars and rank-1 arrays get Keras's
    trailing axis. Returns (array, whether a scalar was made a batch of one)."""
    x = _np(value)
    if x.ndim == 0:
        return x.reshape(1, 1), True
    if x.ndim == 1:
        return x[:, None], False
    return x, False


class FeatureSpace(Layer):
    """One-stop preprocessing and encoding of structured data, as Keras's FeatureSpace.

    Args:
        features: A dict from feature name to its type: a name such as
            `"integer_categorical"` (default arguments) or a `FeatureSpace.*()` spec.
        output_mode: `"concat"` (one float vector) or `"dict"` (one entry per feature
            and cross).
        crosses: Features to cross, as tuples of names or `FeatureSpace.cross(...)`.
        crossing_dim: The number of bins of a cross given as a tuple. Defaults to 32.
        hashing_dim: The number of bins of `"integer_hashed"`/`"string_hashed"`
            features given by name. Defaults to 32.
        num_discretization_bins: The bins of `"float_discretized"` features given by
            name. Defaults to 32.
        name: The layer's name.

    """

    _keras_identity = ("keras.utils", "FeatureSpace", None)
    _ks_saves_whole = True  # load_model returns it though it is not a model

    # ---- feature specs -------------------------------------------------------------------
    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        name = name or naming.auto_name("float")
        return Feature("float32", TFDIdentity(name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        name = name or naming.auto_name("float_rescaled")
        layer = _layers().Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor")
        return Feature("float32", layer, "float")

    @classmethod
    def float_normalized(cls, name=None):
        name = name or naming.auto_name("float_normalized")
        layer = _layers().Normalization(axis=-1, name=f"{name}_preprocessor")
        return Feature("float32", layer, "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot", name=None):
        name = name or naming.auto_name("float_discretized")
        layer = _layers().Discretization(
            num_bins=num_bins, bin_boundaries=bin_boundaries, name=f"{name}_preprocessor"
        )
        return Feature("float32", layer, output_mode)

    @classmethod
    def integer_categorical(
        cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None
    ):
        name = name or naming.auto_name("integer_categorical")
        layer = _layers().IntegerLookup(
            name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices
        )
        return Feature("int32", layer, output_mode)

    @classmethod
    def string_categorical(
        cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None
    ):
        name = name or naming.auto_name("string_categorical")
        layer = _layers().StringLookup(
            name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices
        )
        return Feature("string", layer, output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or naming.auto_name("string_hashed")
        layer = _layers().Hashing(name=f"{name}_preprocessor", num_bins=num_bins)
        return Feature("string", layer, output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or naming.auto_name("integer_hashed")
        layer = _layers().Hashing(name=f"{name}_preprocessor", num_bins=num_bins)
        return Feature("int32", layer, output_mode)

    # ---- construction --------------------------------------------------------------------
    def __init__(
        self,
        features,
        output_mode="concat",
        crosses=None,
        crossing_dim=32,
        hashing_dim=32,
        num_discretization_bins=32,
        name=None,
        **kwargs,
    ):
        kwargs.pop("dtype", None)
        kwargs.pop("trainable", None)
        super().__init__(name=name, **kwargs)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        if not isinstance(features, dict):
            raise ValueError(
                "The `features` argument should be a dict mapping feature names to "
                f"feature types. Received: features={features!r}"
            )
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {n: self._standardize_feature(n, v) for n, v in features.items()}
        self.crosses = [self._standardize_cross(c, features, crossing_dim) for c in crosses or ()]
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        if output_mode not in {"dict", "concat"}:
            raise ValueError(
                "Invalid value for argument `output_mode`. "
                "Expected one of {'dict', 'concat'}. "
                f"Received: output_mode={output_mode}"
            )
        self.output_mode = output_mode
        self.preprocessors = {n: f.preprocessor for n, f in self.features.items()}
        self.crossers = {
            c.name: _layers().HashedCrossing(c.crossing_dim, name=c.name) for c in self.crosses
        }
        self.one_hot_encoders = {}
        self.concat = None
        self._ks_inputs = None
        self._ks_encoded = None
        self._is_adapted = False
        self._sublayers_built = False
        self.built = False  # True once adapted (a loaded file then runs build_from_config)

    def _standardize_feature(self, name, feature):
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return _deserialize(feature)
        makers = {
            "float": lambda: self.float(name=name),
            "float_normalized": lambda: self.float_normalized(name=name),
            "float_rescaled": lambda: self.float_rescaled(name=name),
            "float_discretized": lambda: self.float_discretized(
                name=name, num_bins=self.num_discretization_bins
            ),
            "integer_categorical": lambda: self.integer_categorical(name=name),
            "string_categorical": lambda: self.string_categorical(name=name),
            "integer_hashed": lambda: self.integer_hashed(self.hashing_dim, name=name),
            "string_hashed": lambda: self.string_hashed(self.hashing_dim, name=name),
        }
        if not isinstance(feature, str) or feature not in makers:
            raise ValueError(f"Invalid feature type: {feature}")
        return makers[feature]()

    @staticmethod
    def _standardize_cross(cross, features, crossing_dim):
        if isinstance(cross, dict):
            cross = _deserialize(cross)
        if isinstance(cross, Cross):
            return cross
        if not crossing_dim:
            raise ValueError(
                "When specifying `crosses`, the argument `crossing_dim` "
                "(dimensionality of the crossing space) should be specified as well."
            )
        unknown = [key for key in cross if key not in features]
        if unknown:
            raise ValueError(
                "All features referenced in the `crosses` argument should be present "
                f"in the `features` dict. Received unknown features: {cross}"
            )
        return Cross(cross, crossing_dim=crossing_dim)

    # ---- adapt ---------------------------------------------------------------------------
    def _list_adaptable_preprocessors(self):
        layers = _layers()
        names = []
        for name in self.features:
            layer = self.preprocessors[name]
            if isinstance(layer, layers.Normalization) and layer.input_mean is not None:
                continue  # preset mean and variance
            if getattr(layer, "_has_input_vocabulary", False):
                continue  # a lookup or TextVectorization given its vocabulary
            if isinstance(layer, layers.Discretization) and layer.num_bins is None:
                continue  # fixed bin boundaries (Keras's adapt would raise here)
            if hasattr(layer, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset):
        """Adapts every feature's preprocessor (vocabularies, means, bin boundaries).

        Args:
            dataset: A dict of arrays or lists (one sample per row), or an iterable of
                dicts (a `kerasette.data.Dataset`, batched or not).
        """
        if isinstance(dataset, dict):
            columns = {k: _np(v) for k, v in dataset.items()}
            take = self._list_adaptable_preprocessors()
            for name in take:
                if name not in columns:
                    raise ValueError(f"adapt(): the data has no feature {name!r}")
            # Keras slices a dict into samples and batches them by 32.
            batches = {n: _batches_of(columns[n], 32) for n in take}
        elif isinstance(dataset, (str, bytes)) or not hasattr(dataset, "__iter__"):
            raise ValueError(
                "`adapt()` can only be called on a Dataset or a dict of arrays/lists. "
                f"Received instead: {dataset} (of type {type(dataset)})"
            )
        else:
            batches = self._collect(dataset)
        for name, feature_batches in batches.items():
            self.preprocessors[name].adapt(iter(feature_batches))
        self._is_adapted = True
        self._build_encoders()

    def _collect(self, dataset):
        """Per adaptable feature, the dataset's elements as (batch, 1) arrays: an
        element of scalars is a sample, and samples are batched by 32 (Keras)."""
        take = self._list_adaptable_preprocessors()
        out = {n: [] for n in take}
        pending = {n: [] for n in take}
        for element in dataset:
            if not isinstance(element, dict):
                raise ValueError(
                    "adapt(): each element of the dataset must be a dict of features; "
                    f"got {type(element).__name__}. Map (x, y) pairs to x first."
                )
            for n in take:
                if n not in element:
                    raise ValueError(f"adapt(): the data has no feature {n!r}")
                x = _np(element[n])
                if x.ndim == 0:
                    pending[n].append(x)
                    if len(pending[n]) == 32:
                        out[n].append(np.stack(pending[n])[:, None])
                        pending[n] = []
                else:
                    out[n].append(x[:, None] if x.ndim == 1 else x)
        for n in take:
            if pending[n]:
                out[n].append(np.stack(pending[n])[:, None])
            if not out[n]:
                raise ValueError("adapt() received an empty dataset")
        return out

    # ---- encoding ------------------------------------------------------------------------
    def _cardinality(self, name, layer):
        layers = _layers()
        if isinstance(layer, (layers.IntegerLookup, layers.StringLookup)):
            return layer.vocabulary_size()
        if isinstance(layer, layers.CategoryEncoding):
            return layer.num_tokens
        if isinstance(layer, layers.Discretization) and layer.num_bins is None:
            return len(layer.bin_boundaries) + 1  # fixed boundaries (Keras has None here)
        if isinstance(layer, (layers.Discretization, layers.Hashing, layers.HashedCrossing)):
            return layer.num_bins
        raise ValueError(
            f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a standard "
            "feature and the dimensionality of its output space is not known, thus it "
            "cannot be one-hot encoded. Try using `output_mode='int'`."
        )

    def _gives_integers(self, layer):
        """Whether a preprocessor outputs integer ids (Keras checks the dtype)."""
        layers = _layers()
        if isinstance(layer, (layers.HashedCrossing, layers.Hashing)):
            return layer.output_mode == "int"
        if isinstance(layer, (layers.IntegerLookup, layers.StringLookup)):
            return layer.output_mode == "int"
        if isinstance(layer, layers.Discretization):
            return layer.output_mode == "int"
        if isinstance(layer, layers.TextVectorization):
            return layer.output_mode == "int"
        return False

    def _spec_and_layer(self, name):
        if name in self.features:
            return self.features[name], self.preprocessors[name]
        return self.crosses_by_name[name], self.crossers[name]

    def _merge_names(self):
        return sorted(self.features) + sorted(self.crosses_by_name)

    def _build_encoders(self):
        """The one-hot encoders and the concat layer (Keras makes them on first use)."""
        if self._sublayers_built:
            return
        encoders = {}
        for name in self._merge_names():
            spec, layer = self._spec_and_layer(name)
            integer = self._gives_integers(layer)
            if spec.output_mode == "one_hot":
                if not integer:
                    raise ValueError(
                        f"Feature '{name}' has `output_mode='one_hot'`. Thus its "
                        "preprocessor should return an integer dtype. Instead it "
                        "returns a float32 dtype."
                    )
                encoders[name] = _layers().CategoryEncoding(
                    num_tokens=self._cardinality(name, layer), output_mode="multi_hot"
                )
            elif self.output_mode == "concat" and (integer or spec.output_mode == "int"):
                raise ValueError(
                    f"Cannot concatenate features because feature '{name}' has not been "
                    "encoded (it has an integer dtype). Consider using `output_mode='dict'`."
                )
        self.one_hot_encoders = encoders
        if self.output_mode == "concat":
            self.concat = TFDConcat(axis=-1)
        self._sublayers_built = True
        self.built = True

    def _check_if_adapted(self):
        if not self._is_adapted:
            if self._list_adaptable_preprocessors():
                raise ValueError(
                    "You need to call `.adapt(dataset)` on the FeatureSpace before you "
                    "can start using it."
                )
            self._is_adapted = True

    def _check_if_built(self):
        self._check_if_adapted()
        self._build_encoders()

    def _encode(self, data):
        """Preprocess, cross, one-hot encode and merge: numpy arrays or symbolic
        tensors, by the same layers."""
        symbolic = _is_symbolic(next(iter(data.values())))
        pre = {name: self.preprocessors[name](data[name]) for name in self.features}
        if not symbolic:
            pre = {k: _np(v) for k, v in pre.items()}
        crossed = {}
        for cross in self.crosses:
            out = self.crossers[cross.name]([pre[n] for n in cross.feature_names])
            crossed[cross.name] = out if _is_symbolic(out) else _np(out)
        merged = {**pre, **crossed}
        outputs = {}
        for name in self._merge_names():
            x = merged[name]
            encoder = self.one_hot_encoders.get(name)
            if encoder is not None:
                x = encoder(x)
                x = x if _is_symbolic(x) else _np(x)
            outputs[name] = x
        if self.output_mode == "dict":
            return outputs
        return self.concat([outputs[n] for n in self._merge_names()])

    # ---- symbolic ------------------------------------------------------------------------
    def get_inputs(self):
        """A dict of `keras.Input(shape=(1,))`, one per feature, with its dtype."""
        self._check_if_built()
        if self._ks_inputs is None:
            from ..layers.input_layer import Input

            inputs = {}
            for name, feature in self.features.items():
                try:
                    inputs[name] = Input(shape=(1,), dtype=feature.dtype, name=name)
                except TypeError as e:
                    raise ValueError(
                        f"FeatureSpace.get_inputs(): feature {name!r} needs an Input of "
                        f"dtype {feature.dtype!r}, which this kerasette build cannot make "
                        f"({e}). Call the FeatureSpace on data instead."
                    ) from None
            self._ks_inputs = inputs
        return self._ks_inputs

    def get_encoded_features(self):
        """The encoded features as symbolic tensors on `get_inputs()` (one tensor in
        "concat" mode, a dict in "dict" mode)."""
        self._check_if_built()
        if self._ks_encoded is None:
            self._ks_encoded = self._encode(self.get_inputs())
        return self._ks_encoded

    # ---- eager calls ---------------------------------------------------------------------
    def __call__(self, data):
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError(
                "A FeatureSpace can only be called with a dict. "
                f"Received: data={data} (of type {type(data)}"
            )
        # Keras looks each key of `data` up among the features and each feature up in
        # `data`: a key that is not a feature, or a feature left out, is a KeyError
        unknown = [k for k in data if k not in self.features]
        if unknown:
            raise KeyError(
                f"FeatureSpace: the data has key(s) {unknown} that are not features "
                f"(the features: {list(self.features)})"
            )
        missing = [n for n in self.features if n not in data]
        if missing:
            raise KeyError(f"FeatureSpace: the data has no feature(s) {missing}")
        if any(_is_symbolic(v) for v in data.values()):
            return self._encode(data)
        columns, rebatched = {}, False
        for name in self.features:
            columns[name], made = _to_batch_columns(data[name])
            rebatched = rebatched or made
        merged = self._encode(columns)
        from ..tensor import Tensor

        if self.output_mode == "concat":
            out = np.asarray(merged, dtype="float32")
            return Tensor(out[0] if rebatched else out)
        result = {}
        for name, x in merged.items():
            x = np.asarray(x)
            if rebatched and x.ndim == 2 and x.shape[0] == 1:
                x = x[0]
            result[name] = Tensor(x)
        return result

    # ---- config and saving ---------------------------------------------------------------
    def get_config(self):
        return {
            "features": _serialize(self.features),
            "output_mode": self.output_mode,
            "crosses": _serialize(self.crosses),
            "crossing_dim": self.crossing_dim,
            "hashing_dim": self.hashing_dim,
            "num_discretization_bins": self.num_discretization_bins,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_build_config(self):
        out = {}
        for name, feature in self.features.items():
            config = feature.preprocessor.get_build_config()
            if config is None and self._sublayers_built:
                # Keras's layers record the (None, 1) Input they were called on when
                # adapt() drew the encoded features; kerasette's numpy layers do not.
                config = {"input_shape": (None, 1)}
            out[name] = config
        return out

    def build_from_config(self, config):
        for name, build_config in (config or {}).items():
            layer = self.features[name].preprocessor
            if build_config and not layer.built:
                layer.build_from_config(build_config)
        self._is_adapted = True

    def save(self, filepath):
        """Saves the FeatureSpace to a `.keras` file (`keras.saving.load_model` reads it)."""
        from ..saving.keras_archive import save_archive

        if not str(filepath).endswith(".keras"):
            raise ValueError(
                "Invalid `filepath` argument: expected a `.keras` extension. "
                f"Received: filepath={filepath}"
            )
        save_archive(self, filepath)


def _batches_of(column, size):
    """What Keras's adapt feeds a preprocessor from one dict column: the column is
    sliced into samples; scalar samples are batched by `size` and given a trailing
    axis, a rank-1 sample becomes a (k, 1) batch of its own, larger ones go as is."""
    column = np.asarray(column)
    if column.ndim == 0:
        column = column.reshape(1)
    if column.ndim == 1:
        return [column[i : i + size, None] for i in range(0, column.shape[0], size)]
    if column.ndim == 2:
        return [row[:, None] for row in column]
    return list(column)
