"""StringLookup and IntegerLookup (Keras 3's IndexLookup): a vocabulary, given or learned
by `adapt`, maps tokens to indices, optionally encoded (one_hot, multi_hot, count,
tf_idf), or back with `invert=True`.

Index layout, as Keras's: [mask token (int output only)] [num_oov_indices OOV slots]
[vocabulary]. `adapt` orders the learned vocabulary by count, most frequent first, ties
in descending token order (Keras sorts with numpy's lexsort and reverses). tf_idf
weights are log(1 + documents / (1 + documents holding the token)), the OOV slots
weighted by their mean. OOV tokens spread over several slots by floormod (integers) or
FarmHash Fingerprint64 of the token (strings; TensorFlow's to_hash_bucket_fast).
"""

import collections
import os

import numpy as np

from .. import ops
from ..feature_column.fingerprint import fingerprint64
from ._preprocessing import (
    PreprocessingLayer,
    as_str_array,
    encode_numpy,
    encode_ops,
    to_numpy,
)

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _listify(x):
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    return x.tolist() if isinstance(x, np.ndarray) else x


class IndexLookup(PreprocessingLayer):
    _string = True

    def __init__(
        self,
        max_tokens,
        num_oov_indices,
        mask_token,
        oov_token,
        vocabulary_dtype,
        vocabulary=None,
        idf_weights=None,
        invert=False,
        output_mode="int",
        sparse=False,
        pad_to_max_tokens=False,
        oov_method="floormod",
        name=None,
        salt=None,
        **kwargs,
    ):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(
                f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}"
            )
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(
                "If pad_to_max_tokens is True, must set `max_tokens`. "
                f"Received: max_tokens={max_tokens}"
            )
        if num_oov_indices < 0:
            raise ValueError(
                "`num_oov_indices` must be greater than or equal to 0. "
                f"Received: num_oov_indices={num_oov_indices}"
            )
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(
                f"Unknown value for `oov_method`: {oov_method!r}. Allowed "
                "values are: ('floormod', 'farmhash')"
            )
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = list(salt)
            elif isinstance(salt, int):
                salt = [salt, salt]
            else:
                raise ValueError(
                    "The `salt` argument for `IndexLookup` can only be a tuple "
                    f"of 2 integers, or a single integer. Received: salt={salt}."
                )
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in _MODES:
            raise ValueError(
                f"Unknown value for `output_mode`: {output_mode!r}. Allowed values are: {_MODES}"
            )
        if invert and output_mode != "int":
            raise ValueError(
                "`output_mode` must be `'int'` when `invert` is true. "
                f"Received: output_mode={output_mode}"
            )
        if sparse and output_mode == "int":
            raise ValueError(
                "`sparse` may only be true if `output_mode` is `'one_hot'`, "
                "`'multi_hot'`, `'count'` or `'tf_idf'`. Received: "
                f"sparse={sparse} and output_mode={output_mode}"
            )
        if sparse:
            raise ValueError("kerasette has no sparse tensors: use sparse=False")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(
                "`idf_weights` should only be set if `output_mode` is "
                f"`'tf_idf'`. Received: idf_weights={idf_weights} and "
                f"output_mode={output_mode}"
            )
        self._frozen_vocab_size = kwargs.pop("vocabulary_size", None)
        has_input = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("trainable", None)
        dtype = kwargs.pop("dtype", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword argument(s): {kwargs}")
        super().__init__(name=name, dtype=dtype)
        self.invert, self.max_tokens = invert, max_tokens
        self.num_oov_indices, self.mask_token, self.oov_token = (
            num_oov_indices,
            mask_token,
            oov_token,
        )
        self.output_mode, self.sparse = output_mode, sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method, self.salt = oov_method, salt
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_input
        self._tokens = []  # the learned/given tokens, in index order
        self._index = {}
        self.idf_weights = None
        if output_mode == "tf_idf" and has_input and vocabulary is not None and idf_weights is None:
            raise ValueError(
                "When specifying the `vocabulary` argument, in TF-IDF output "
                "mode, the `idf_weights` argument must also be provided."
            )
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.reset_state()

    # ---- layout ------------------------------------------------------------------------
    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self):
        """The size of the vocabulary, special tokens included."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary, in index order.

        Args:
            include_special_tokens: Whether to include the mask and OOV tokens.
                Defaults to `True`.

        Returns:
            A list of tokens.
        """
        vocab = [self.oov_token] * self._token_start_index() + list(self._tokens)
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        if not include_special_tokens:
            vocab = vocab[self._token_start_index() :]
        return vocab

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    # ---- .keras files: an adapted vocabulary travels as assets/<path>/vocabulary.txt,
    # one token a line, special tokens included (Keras's save_assets/load_assets) -----
    def save_assets(self, dir_path):
        if self.input_vocabulary is not None or not self._tokens:
            return  # a given vocabulary is in the config; nothing adapted: nothing to save
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in self.get_vocabulary(include_special_tokens=True)))

    def load_assets(self, dir_path):
        path = os.path.join(dir_path, "vocabulary.txt")
        if self.input_vocabulary is not None or not os.path.exists(path):
            return
        if self.output_mode == "tf_idf":
            # the weights (load_own_variables) come first, as Keras loads them
            if self.idf_weights is None:
                raise ValueError(
                    f"Layer '{self.name}': a tf_idf vocabulary file without the layer's "
                    "idf_weights in the weights file"
                )
            self.set_vocabulary(path, idf_weights=self.idf_weights)
            return
        self.set_vocabulary(path)

    # tf_idf weights travel in the weights file as the dataset "idf_weights" of the
    # layer's vars group (Keras's save_own_variables/load_own_variables).
    def save_own_variables(self, store):
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            store["idf_weights"] = np.asarray(self.idf_weights, dtype="float32")

    def load_own_variables(self, store):
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.idf_weights = np.asarray(store["idf_weights"], dtype="float32").reshape(-1)

    # ---- vocabulary ----------------------------------------------------------------------
    def _canon(self, values):
        """Tokens as Python str (StringLookup) or int (IntegerLookup)."""
        if self._string:
            return list(as_str_array(np.asarray(values, dtype=object)).reshape(-1))
        return [int(v) for v in np.asarray(values).reshape(-1)]

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (and idf weights), replacing any adapted one.

        Args:
            vocabulary: A list of tokens, or a path to a file with one per line.
            idf_weights: The inverse document frequencies, required with
                `output_mode="tf_idf"`. Defaults to `None`.

        Raises:
            ValueError: For an empty vocabulary, repeated tokens, or idf weights that
                do not match the output mode.
        """
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError(
                "`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                f"Received: output_mode={self.output_mode} and "
                f"idf_weights={idf_weights}"
            )
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding="utf-8") as f:
                lines = f.read().splitlines()
            while lines and lines[-1] == "":
                lines.pop()
            vocabulary = lines if self._string else [int(v) for v in lines]
        vocabulary = self._canon(_listify(vocabulary))
        if not vocabulary:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [
            self.oov_token
        ] * self.num_oov_indices
        found_special = list(vocabulary[:start]) == special
        tokens = vocabulary[start:] if found_special else vocabulary
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(
                "The passed vocabulary has at least one repeated term. Please "
                f"uniquify your dataset. The repeated terms are: {repeated}"
            )
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(
                "Found reserved mask token at unexpected location in "
                "`vocabulary`. Note that passed `vocabulary` does not need to "
                "include the OOV and mask tokens. Either remove all mask and OOV "
                "tokens, or include them only at the start of the vocabulary in "
                f"precisely this order: {special}. Received: "
                f"mask_token={self.mask_token}"
            )
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            raise ValueError(
                "Found reserved OOV token at unexpected location in "
                f"`vocabulary`. Received: oov_token={self.oov_token}"
            )
        if self.max_tokens is not None and start + len(tokens) > self.max_tokens:
            raise ValueError(
                "Attempted to set a vocabulary larger than the maximum vocab "
                f"size. Received vocabulary size is {start + len(tokens)}; "
                f"`max_tokens` is {self.max_tokens}."
            )
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf" and idf_weights is not None:
            idf = np.asarray(_listify(idf_weights), dtype="float64")
            if len(vocabulary) != len(idf):
                raise ValueError(
                    "`idf_weights` must be the same length as vocabulary. "
                    f"len(idf_weights) is {len(idf)}; len(vocabulary) is "
                    f"{len(vocabulary)}"
                )
            if idf.ndim != 1:
                raise ValueError("TF-IDF data must be a 1-index array.")
            front, front_value = (0, 0.0) if found_special else (start, np.average(idf))
            back = (
                self.max_tokens - front - len(idf)
                if self.pad_to_max_tokens and self.max_tokens is not None
                else 0
            )
            self.idf_weights = np.pad(
                idf, (front, back), "constant", constant_values=(front_value, 0)
            ).astype("float32")

    def _set_tokens(self, tokens):
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {t: i + start for i, t in enumerate(self._tokens)}
        self._frozen_vocab_size = self.vocabulary_size()
        self.__dict__.pop("_eager_fns", None)  # traced graphs hold the old vocabulary

    # ---- adapt -------------------------------------------------------------------------
    def reset_state(self):
        """Forgets the counts gathered by `update_state`."""
        if self._has_input_vocabulary:
            return
        self._counts = collections.Counter()
        self._doc_counts = collections.Counter()
        self._num_documents = 0

    def update_state(self, data):
        """Counts the tokens of one batch of data (a step of `adapt`).

        Args:
            data: A batch of tokens.
        """
        if self._has_input_vocabulary:
            raise ValueError(
                f"Cannot adapt layer '{self.name}' after setting a static "
                "vocabulary via `vocabulary` argument or `set_vocabulary()` "
                "method."
            )
        rows = self._rows(data)
        for row in rows:
            self._counts.update(row)
        if self.output_mode == "tf_idf":
            for row in rows:
                self._doc_counts.update(set(row))
            self._num_documents += len(rows)

    def _rows(self, data):
        """Documents as lists of canonical tokens (a rank-0/1 batch is one document)."""
        if isinstance(data, list) and data and isinstance(data[0], list):  # ragged rows
            return [self._canon(r) for r in data]
        a = to_numpy(data)
        if a.ndim <= 1:
            a = a.reshape(1, -1)
        return [self._canon(r) for r in a.reshape(a.shape[0], -1)]

    def finalize_state(self):
        """Builds the vocabulary from the counts (the last step of `adapt`)."""
        if self._has_input_vocabulary or not self._counts:
            self._frozen_vocab_size = self.vocabulary_size()
            return
        counts = dict(self._counts)
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(special, None)
        # count descending, then token descending (reverse of an ascending lexsort)
        key = (lambda t: t.encode("utf-8")) if self._string else (lambda t: t)
        tokens = sorted(counts, key=lambda t: (counts[t], key(t)), reverse=True)
        if self.max_tokens:
            tokens = tokens[: self.max_tokens - self._token_start_index()]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            n = self._num_documents
            idf = np.array(
                [np.log(1.0 + n / (1.0 + self._doc_counts[t])) for t in tokens], dtype="float64"
            ).astype("float32")
            idf = np.pad(
                idf, (self._token_start_index(), 0), constant_values=np.mean(idf, dtype="float32")
            )
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size), constant_values=0)
            self.idf_weights = idf.astype("float32")
        self.reset_state()

    def adapt(self, data, steps=None):
        """Learns the vocabulary from data: the most frequent tokens, up to `max_tokens`.

        Args:
            data: An array, a list, a `Dataset` or a generator of batches.
            steps: The number of batches to read from a dataset or generator.
                Defaults to `None` (all).

        Raises:
            ValueError: If the layer was given a fixed vocabulary.
        """
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray)) or hasattr(data, "__array__"):
            a = to_numpy(data)
            if a.ndim == 1:
                a = a[:, None]
            self.update_state(a)
        else:
            self._adapt_batches(data, steps)
        self.finalize_state()

    # ---- lookup --------------------------------------------------------------------------
    def _oov_slot(self, token):
        if self.num_oov_indices <= 1:
            return self._oov_start_index()
        if not self._string and self.oov_method != "farmhash":
            return self._oov_start_index() + int(token) % self.num_oov_indices
        if self.salt is not None:
            from .hashing import siphash_2_4

            h = siphash_2_4(self.salt, str(token).encode("utf-8"))
        else:
            h = fingerprint64(str(token))
        return self._oov_start_index() + h % self.num_oov_indices

    def _lookup_numpy(self, a):
        flat = self._canon(a)
        mask_value = 0 if self.output_mode == "int" else -1  # -1: dropped by encoding
        out = np.empty(len(flat), dtype=np.int64)
        for i, t in enumerate(flat):
            if self.mask_token is not None and t == self.mask_token:
                out[i] = mask_value
                continue
            j = self._index.get(t)
            if j is None:
                if self.num_oov_indices == 0:
                    raise ValueError(
                        "When `num_oov_indices=0` all inputs should be in "
                        f"vocabulary, found OOV values [{t!r}], consider "
                        "setting `num_oov_indices=1`."
                    )
                j = self._oov_slot(t)
            out[i] = j
        return out.reshape(a.shape)

    def _invert_numpy(self, a):
        start = self._token_start_index()
        table = {i + start: t for i, t in enumerate(self._tokens)}
        ids = np.asarray(a).astype(np.int64)
        out = [
            self.mask_token
            if self.mask_token is not None and i == 0
            else table.get(int(i), self.oov_token)
            for i in ids.reshape(-1)
        ]
        return np.array(out, dtype=object if self._string else np.int64).reshape(ids.shape)

    def _check_known_size(self):
        if (
            self.output_mode != "int"
            and not self.pad_to_max_tokens
            and self._frozen_vocab_size is None
        ):
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and "
                "`pad_to_max_tokens=False`, you must set the layer's "
                "vocabulary before calling it. Either pass a `vocabulary` "
                "argument to the layer, or call `adapt` with some sample data."
            )

    def preprocess(self, inputs):
        self._check_known_size()
        a = to_numpy(inputs)
        if self.invert:
            return self._invert_numpy(a)
        ids = self._lookup_numpy(a)
        if self.output_mode == "int":
            return ids
        out = encode_numpy(
            ids, "count" if self.output_mode == "tf_idf" else self.output_mode, self._depth()
        )
        if self.output_mode == "tf_idf":
            if self.idf_weights is None:
                raise ValueError(
                    "When `output_mode` is `'tf_idf'`, `idf_weights` must be provided."
                )
            out = (out * self.idf_weights).astype("float32")
        return out

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = self._depth()
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def get_config(self):
        config = {
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": _listify(self.input_idf_weights),
            "vocabulary": _listify(self.input_vocabulary),
            "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method,
            "salt": self.salt,
        }
        return {**self._base_config(self._config_dtype()), **config}

    def get_build_config(self):
        return {}  # Keras's lookup layers write an empty build config

    def _config_dtype(self):
        return self._dtype_name or "float32"  # Keras's lookups report float32


class StringLookup(IndexLookup):
    """Maps strings to integer indices from a vocabulary (or back, with `invert=True`).

    Indices start after the mask token (if any) and the `num_oov_indices`
    out-of-vocabulary indices; unknown strings get an OOV index. Build the vocabulary
    from data with `adapt`, or pass it.

    ```python
    layer = keras.layers.StringLookup(vocabulary=["a", "b", "c"])
    layer(np.array([["a", "c", "z"]]))  # [[1, 3, 0]]
    ```

    Args:
        max_tokens: The largest vocabulary size (special tokens included), or `None`
            for no limit. Defaults to `None`.
        num_oov_indices: The number of out-of-vocabulary indices; an unknown string
            is hashed to one of them. Defaults to `1`.
        mask_token: The string that means padding (index 0), or `None` for no mask.
            Defaults to `None`.
        oov_token: The string `invert=True` outputs for an OOV index. Defaults to
            `"[UNK]"`.
        vocabulary: The vocabulary: a list of strings, or a path to a text file with
            one per line. Defaults to `None`.
        idf_weights: The inverse document frequencies, with `output_mode="tf_idf"`
            and a given vocabulary. Defaults to `None`.
        invert: Whether to map indices back to strings. Defaults to `False`.
        output_mode: What the layer outputs: `"int"` (one index per token),
            `"one_hot"`, `"multi_hot"`, `"count"` or `"tf_idf"` (one vector per
            sample). Defaults to `"int"`.
        pad_to_max_tokens: Whether vector outputs have `max_tokens` entries even
            when the vocabulary is smaller. Defaults to `False`.
        sparse: Only `False` is supported (kerasette has no sparse tensors).
        encoding: The text encoding of byte strings. Defaults to `"utf-8"`.
        name: The layer's name. Defaults to an automatic one.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Limitations:
        `sparse=True` raises `ValueError` (kerasette has no sparse tensors).
    """

    _string = True
    preprocess_arrays = True

    def __init__(
        self,
        max_tokens=None,
        num_oov_indices=1,
        mask_token=None,
        oov_token="[UNK]",
        vocabulary=None,
        idf_weights=None,
        invert=False,
        output_mode="int",
        pad_to_max_tokens=False,
        sparse=False,
        encoding="utf-8",
        name=None,
        **kwargs,
    ):
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens,
            sparse=sparse,
            name=name,
            vocabulary_dtype="string",
            **kwargs,
        )

    def get_config(self):
        config = super().get_config()
        config["encoding"] = self.encoding
        del config["vocabulary_dtype"]
        return config


class IntegerLookup(IndexLookup):
    """Integer tokens. In a model its lookup runs in ops (vocabulary compared in the
    graph, exact for |token| < 2**24, the graph's float32 integers)."""

    _string = False

    def __init__(
        self,
        max_tokens=None,
        num_oov_indices=1,
        mask_token=None,
        oov_token=-1,
        vocabulary=None,
        vocabulary_dtype="int64",
        idf_weights=None,
        invert=False,
        output_mode="int",
        sparse=False,
        pad_to_max_tokens=False,
        name=None,
        **kwargs,
    ):
        if vocabulary_dtype not in ("int32", "int64"):
            raise ValueError(
                "IntegerLookup's `vocabulary_dtype` must be int32 or int64. "
                f"Received: vocabulary_dtype={vocabulary_dtype}"
            )
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            vocabulary_dtype=vocabulary_dtype,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            name=name,
            **kwargs,
        )

    def call(self, inputs):
        """The lookup in ops on raw integers (a model's numeric input)."""
        self._check_known_size()
        x = ops.cast(inputs, "float32")
        if self.invert:
            table = np.asarray(self.get_vocabulary(), dtype="float32")
            idx = ops.cast(ops.clip(x, 0.0, float(len(table) - 1)), "int32")
            known = ops.logical_and(
                ops.greater_equal(x, float(self._token_start_index())),
                ops.less(x, float(len(table))),
            )
            out = ops.where(known, ops.take(table, idx), float(self.oov_token))
            if self.mask_token is not None:
                out = ops.where(ops.equal(x, 0.0), float(self.mask_token), out)
            return out
        start = self._token_start_index()
        if self._tokens:
            vocab = np.asarray(self._tokens, dtype="float32")
            eq = ops.cast(ops.equal(ops.expand_dims(x, -1), vocab), "float32")
            found = ops.greater(ops.sum(eq, axis=-1), 0.0)
            pos = ops.sum(
                ops.multiply(eq, np.arange(start, start + len(vocab), dtype="float32")), axis=-1
            )
        else:
            found, pos = ops.zeros_like(x, dtype="bool"), ops.zeros_like(x)
        if self.num_oov_indices > 1:
            if self.oov_method == "farmhash":
                raise ValueError(
                    "IntegerLookup(oov_method='farmhash') hashes in numpy: feed "
                    "the model `layer.preprocess(x)` (e.g. in Dataset.map)"
                )
            n = float(self.num_oov_indices)
            oov = ops.add(
                ops.subtract(x, ops.multiply(ops.floor(ops.divide(x, n)), n)),
                float(self._oov_start_index()),
            )
        else:
            oov = ops.full_like(x, float(self._oov_start_index()))
        ids = ops.where(found, pos, oov)
        if self.mask_token is not None:
            mask_value = 0.0 if self.output_mode == "int" else -1.0
            ids = ops.where(ops.equal(x, float(self.mask_token)), mask_value, ids)
        if self.output_mode == "int":
            return ops.cast(ids, "int64")  # Keras's ids are int64 (exact in float32 here)
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_ops(ids, mode, self._depth())
        if self.output_mode == "tf_idf":
            out = ops.multiply(out, np.asarray(self.idf_weights, dtype="float32"))
        return out
