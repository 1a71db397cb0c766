"""`TextVectorization`: strings -> token ids (int) or a vocabulary-sized vector
(multi_hot, count, tf_idf), with Keras 3's standardize / split / ngrams steps, run in
Python before the graph. The vocabulary is a StringLookup with mask token "".

Standardize "lower_and_strip_punctuation" lowercases and removes ASCII punctuation
(Keras's regex; TensorFlow lowercases ASCII letters only); split "whitespace" splits on runs of whitespace, "character" into
Unicode characters; ngrams=(n1, n2, ...) appends, for each width in order, the
space-joined n-grams of the tokens.
"""

import re

import numpy as np

from ._preprocessing import PreprocessingLayer, as_str_array, to_numpy
from .lookup import StringLookup

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")


class TextVectorization(PreprocessingLayer):
    """Turns strings into sequences of token indices (or vectors): standardizes the text,
    splits it into tokens, optionally forms n-grams, and looks the tokens up in a
    vocabulary learned with `adapt` (or passed).

    ```python
    layer = keras.layers.TextVectorization(max_tokens=1000, output_sequence_length=8)
    layer.adapt(["the cat sat", "the dog ran"])
    layer(["the cat ran"])
    ```

    Args:
        max_tokens: The largest vocabulary size, or `None` for no limit. Defaults to
            `None`.
        standardize: `"lower_and_strip_punctuation"`, `"lower"`,
            `"strip_punctuation"`, `None`, or a function of a string array. Defaults
            to `"lower_and_strip_punctuation"`.
        split: `"whitespace"`, `"character"`, `None` (the inputs are already
            tokens), or a function. Defaults to `"whitespace"`.
        ngrams: `None`, an int `n` (all n-grams up to `n`) or a tuple of n-gram
            sizes. Defaults to `None`.
        output_mode: What the layer outputs: `"int"` (one index per token),
            `"one_hot"`, `"multi_hot"`, `"count"` or `"tf_idf"` (one vector per
            sample). Defaults to `"int"`.
        output_sequence_length: With `output_mode="int"`, pad or cut every sequence
            to this length. Defaults to `None`.
        pad_to_max_tokens: Whether vector outputs have `max_tokens` entries.
            Defaults to `False`.
        vocabulary: The vocabulary: a list of strings or a path to a file. Defaults
            to `None`.
        idf_weights: The inverse document frequencies, with `output_mode="tf_idf"`.
            Defaults to `None`.
        sparse: Only `False` is supported (kerasette has no sparse tensors).
        ragged: Only `False` is supported.
        encoding: The text encoding of byte strings. Defaults to `"utf-8"`.
        name: The layer's name. Defaults to an automatic one.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Limitations:
        `ragged=True` and `sparse=True` raise `ValueError` (kerasette has neither
        ragged nor sparse tensors).
    """

    preprocess_arrays = True

    def __init__(
        self,
        max_tokens=None,
        standardize="lower_and_strip_punctuation",
        split="whitespace",
        ngrams=None,
        output_mode="int",
        output_sequence_length=None,
        pad_to_max_tokens=False,
        vocabulary=None,
        idf_weights=None,
        sparse=False,
        ragged=False,
        encoding="utf-8",
        name=None,
        **kwargs,
    ):
        if not (standardize is None or callable(standardize) or standardize in _STANDARDIZE):
            raise ValueError(
                f"Unknown value for `standardize`: {standardize!r}. Allowed "
                f"values are: {_STANDARDIZE}, None or a callable"
            )
        if not (split is None or callable(split) or split in ("whitespace", "character")):
            raise ValueError(
                f"Unknown value for `split`: {split!r}. Allowed values are: "
                "('whitespace', 'character'), None or a callable"
            )
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in ("int", "one_hot", "multi_hot", "count", "tf_idf"):
            raise ValueError(f"Unknown value for `output_mode`: {output_mode!r}")
        if not (
            ngrams is None
            or isinstance(ngrams, int)
            or isinstance(ngrams, tuple)
            and all(isinstance(i, int) for i in ngrams)
        ):
            raise ValueError(
                "`ngrams` must be None, an integer, or a tuple of integers. "
                f"Received: ngrams={ngrams}"
            )
        if output_mode == "int" and not (
            isinstance(output_sequence_length, int) or output_sequence_length is None
        ):
            raise ValueError(
                "`output_sequence_length` must be either None or an integer "
                "when `output_mode` is 'int'. Received: "
                f"output_sequence_length={output_sequence_length}"
            )
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(
                "`output_sequence_length` must not be set if `output_mode` is "
                f"not 'int'. Received output_sequence_length="
                f"{output_sequence_length}."
            )
        if ragged:
            raise ValueError("kerasette has no ragged tensors: use ragged=False")
        self._max_tokens, self._standardize, self._split = max_tokens, standardize, split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._ragged, self._output_mode = ragged, output_mode
        self._output_sequence_length, self._encoding = output_sequence_length, encoding
        has_input = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            mask_token="",
            output_mode=output_mode,
            sparse=sparse,
            has_input_vocabulary=has_input,
            encoding=encoding,
            vocabulary_size=vocabulary_size,
        )

    # ---- string steps ----------------------------------------------------------------
    def _standardize_one(self, s):
        if self._standardize in ("lower_and_strip_punctuation", "lower"):
            s = s.translate(_ASCII_LOWER)  # tf.strings.lower: ASCII letters only
        if self._standardize in ("lower_and_strip_punctuation", "strip_punctuation"):
            s = _PUNCTUATION.sub("", s)
        return s

    def _tokens(self, inputs):
        """Each input string's tokens (a list per string), or the standardized strings
        themselves when split is None."""
        a = to_numpy(inputs)
        if callable(self._standardize):
            a = to_numpy(self._standardize(as_str_array(a, self._encoding)))
        a = as_str_array(a, self._encoding)
        if not callable(self._standardize):
            a = np.vectorize(self._standardize_one, otypes=[object])(a) if a.size else a
        if self._split is None:
            return a, False
        if a.ndim > 1:
            if a.shape[-1] != 1:
                raise ValueError(
                    "When using `TextVectorization` to tokenize strings, the "
                    "input rank must be 1 or the last shape dimension must be "
                    f"1. Received: inputs.shape={a.shape} with rank={a.ndim}"
                )
            a = a[..., 0]
        scalar = a.ndim == 0
        flat = a.reshape(-1)
        if self._split == "whitespace":
            rows = [[t for t in _WHITESPACE.split(s) if t] for s in flat]
        elif self._split == "character":
            rows = [list(s) for s in flat]
        else:
            rows = [list(as_str_array(to_numpy(r), self._encoding)) for r in self._split(flat)]
        if self._ngrams is not None:
            rows = [self._ngram_row(r) for r in rows]
        return (rows[0] if scalar else rows), True

    def _ngram_row(self, tokens):
        out = []
        for n in self._ngrams:
            out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return out

    # ---- adapt -----------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (and idf weights) from text.

        Args:
            data: Strings: an array or list, a `Dataset` or a generator of batches.
            batch_size: Accepted for Keras compatibility. Defaults to `None`.
            steps: The number of batches to read from a dataset or generator.
                Defaults to `None` (all).
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

    def update_state(self, data):
        """Counts the tokens of one batch of text (a step of `adapt`).

        Args:
            data: A batch of strings.
        """
        tokens, split = self._tokens(data)
        if split:
            if tokens and not isinstance(tokens[0], list):  # one scalar string
                tokens = [tokens]
            self._lookup_layer.update_state(tokens)
        else:
            self._lookup_layer.update_state(tokens)

    def finalize_state(self):
        """Builds the vocabulary from the counts (the last step of `adapt`)."""
        self._lookup_layer.finalize_state()

    def reset_state(self):
        """Forgets the counts gathered by `update_state`."""
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary, in index order.

        Args:
            include_special_tokens: Whether to include the padding and OOV tokens.
                Defaults to `True`.

        Returns:
            A list of strings.
        """
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        """The size of the vocabulary, special tokens included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (and idf weights), replacing any adapted one.

        Args:
            vocabulary: A list of strings, or a path to a file with one per line.
            idf_weights: The inverse document frequencies, with
                `output_mode="tf_idf"`. Defaults to `None`.
        """
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ---- .keras files: the vocabulary (assets) and idf weights (weights file) are the
    # inner StringLookup's, written in this layer's folders, as Keras does ---------------
    def save_assets(self, dir_path):
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path):
        self._lookup_layer.load_assets(dir_path)

    def save_own_variables(self, store):
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store):
        self._lookup_layer.load_own_variables(store)

    # ---- call --------------------------------------------------------------------------
    def preprocess(self, inputs):
        tokens, split = self._tokens(inputs)
        lookup = self._lookup_layer
        if not split:
            return lookup.preprocess(tokens)
        ragged = tokens and isinstance(tokens[0], list) or not tokens
        rows = tokens if ragged else [tokens]
        if self._output_mode == "int":
            ids = [
                lookup.preprocess(np.array(r, dtype=object)) if r else np.zeros(0, np.int64)
                for r in rows
            ]
            length = self._output_sequence_length
            if length is None:
                length = max((len(r) for r in ids), default=0)
            out = np.zeros((len(ids), length), dtype=np.int64)
            for i, r in enumerate(ids):
                r = r[:length]
                out[i, : len(r)] = r
            return out if ragged else out[0]
        # multi_hot / count / tf_idf / one_hot over each row's tokens
        from ._preprocessing import bincount_rows

        depth = lookup._depth()
        ids = [lookup._lookup_numpy(np.array(r, dtype=object)) for r in rows]
        mode = self._output_mode
        if mode == "one_hot":
            return lookup.preprocess(np.array(tokens, dtype=object))
        out = (
            np.stack([bincount_rows(r, depth, mode == "multi_hot") for r in ids])
            if ids
            else np.zeros((0, depth), "float32")
        )
        if mode == "tf_idf":
            out = (out * lookup.idf_weights).astype("float32")
        return out if ragged else out[0]

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        return (input_shape[0], self._lookup_layer._depth())

    def get_config(self):
        config = {
            "max_tokens": self._lookup_layer.max_tokens,
            "standardize": self._standardize,
            "split": self._split,
            "ngrams": self._ngrams_arg,
            "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": self._lookup_layer.pad_to_max_tokens,
            "sparse": self._lookup_layer.sparse,
            "ragged": self._ragged,
            "vocabulary": self._lookup_layer.get_config()["vocabulary"],
            "idf_weights": self._lookup_layer.get_config()["idf_weights"],
            "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size(),
        }
        return {**self._base_config(self._dtype_name or "float32"), **config}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)
