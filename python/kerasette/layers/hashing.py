"""`Hashing` and `HashedCrossing`: values to bins by hash, in Python before the graph
(64-bit hashes do not fit the graph's float32 integers).

Hashing gives TensorFlow's bins: integers (floats truncated first) are hashed as their
decimal strings; without a salt a value's bin is FarmHash Fingerprint64 % bins
(`to_hash_bucket_fast`), with a salt SipHash-2-4 keyed by the two salt words
(`to_hash_bucket_strong`). A `mask_value` takes bin 0 and moves the others up by one.
HashedCrossing combines the features' fingerprints (integers as themselves) with
FingerprintCat64 from TF's default key, as `tf.sparse.cross_hashed`.
"""

import numpy as np

from ..feature_column.fingerprint import fingerprint64, fingerprint_cat64
from ._preprocessing import PreprocessingLayer, as_str_array, encode_numpy, to_numpy

_M = (1 << 64) - 1
_CROSS_KEY = 0xDECAFCAFFE  # SparseCrossHashed's default hash_key


def _rotl(v, b):
    return ((v << b) | (v >> (64 - b))) & _M


def siphash_2_4(key, data):
    """SipHash-2-4 of bytes under the 128-bit key (k0, k1), as an int."""
    k0, k1 = int(key[0]) & _M, int(key[1]) & _M
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573

    def rounds(n, v0, v1, v2, v3):
        for _ in range(n):
            v0 = (v0 + v1) & _M
            v1 = _rotl(v1, 13) ^ v0
            v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & _M
            v3 = _rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & _M
            v3 = _rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & _M
            v1 = _rotl(v1, 17) ^ v2
            v2 = _rotl(v2, 32)
        return v0, v1, v2, v3

    n = len(data)
    end = n - n % 8
    for i in range(0, end, 8):
        m = int.from_bytes(data[i : i + 8], "little")
        v3 ^= m
        v0, v1, v2, v3 = rounds(2, v0, v1, v2, v3)
        v0 ^= m
    last = ((n & 0xFF) << 56) | int.from_bytes(data[end:], "little")
    v3 ^= last
    v0, v1, v2, v3 = rounds(2, v0, v1, v2, v3)
    v0 ^= last
    v2 ^= 0xFF
    v0, v1, v2, v3 = rounds(4, v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def _as_hash_strings(a):
    """Values as the strings TF hashes: strings as they are, numbers as decimal ints."""
    if a.dtype.kind in "SUO":
        return as_str_array(a)
    if a.dtype.kind == "f":
        a = a.astype(np.int64)
    return as_str_array(a.astype(np.int64).astype(str))


def _salt(salt):
    if salt is None:
        return None
    if isinstance(salt, (tuple, list)) and len(salt) == 2:
        return list(salt)
    if isinstance(salt, int):
        return [salt, salt]
    raise ValueError(
        "The `salt` argument for `Hashing` can only be a tuple of size 2 "
        f"integers, or a single integer. Received: salt={salt}."
    )


class Hashing(PreprocessingLayer):
    """Hashes values (strings or ints) into `num_bins` bins, with TensorFlow's FarmHash
    Fingerprint64 (or SipHash with a `salt`), so that the bins match TensorFlow's.

    Args:
        num_bins: The number of bins (including the mask bin, if any).
        mask_value: The value mapped to bin 0 (the other values hash into the
            remaining bins), or `None`. Defaults to `None`.
        salt: An int or a pair of ints: use a keyed SipHash instead of FarmHash.
            Defaults to `None`.
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"` or `"count"`. Defaults to
            `"int"`.
        sparse: Only `False` is supported (kerasette has no sparse tensors).
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Limitations:
        `sparse=True` raises `ValueError` (kerasette has no sparse tensors). Inside a
        model it hashes the values of a model input (before the graph); numbers the
        graph computes raise `ValueError`.
    """

    preprocess_arrays = True
    front_on_numbers = True  # ints hash as decimal strings: not in the graph

    def __init__(
        self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs
    ):
        dtype = kwargs.pop("dtype", None)
        super().__init__(**kwargs)
        from ._preprocessing import policy_name

        self._dtype_name = policy_name(dtype) or ("int64" if output_mode == "int" else "float32")
        if num_bins is None or num_bins <= 0:
            raise ValueError(
                "The `num_bins` for `Hashing` cannot be `None` or non-positive "
                f"values. Received: num_bins={num_bins}."
            )
        if output_mode == "int" and self._dtype_name not in ("int32", "int64"):
            raise ValueError(
                'When `output_mode="int"`, `dtype` should be an integer type, '
                f"'int32' or 'in64'. Received: dtype={dtype}"
            )
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of "
                "('int', 'one_hot', 'multi_hot', 'count'). Received: "
                f"output_mode={output_mode}"
            )
        if sparse:
            raise ValueError("kerasette has no sparse tensors: use sparse=False")
        self.num_bins, self.mask_value = num_bins, mask_value
        self.strong_hash = salt is not None
        self.output_mode, self.sparse = output_mode, sparse
        self.salt = _salt(salt)

    def _bins(self, a):
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = a == self.mask_value
        strings = _as_hash_strings(a)
        uniq, inverse = np.unique(strings.reshape(-1), return_inverse=True)
        if self.strong_hash:
            hashes = [siphash_2_4(self.salt, s.encode("utf-8")) % bins for s in uniq]
        else:
            hashes = [fingerprint64(s) % bins for s in uniq]
        out = np.asarray(hashes, dtype=np.int64)[inverse].reshape(a.shape)
        if mask is not None:
            out = np.where(mask, 0, out + 1)
        return out

    def preprocess(self, inputs):
        a = to_numpy(inputs)
        if self.output_mode == "one_hot" and a.ndim and a.shape[-1] == 1:
            a = a[..., 0]
        ids = self._bins(a)
        if self.output_mode == "int":
            return ids.astype(self._dtype_name)
        return encode_numpy(ids, self.output_mode, self.num_bins, dtype=self._dtype_name)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_bins,)
        return tuple(input_shape[:-1]) + (self.num_bins,)

    def get_config(self):
        return {
            **self._base_config(self._dtype_name),
            "num_bins": self.num_bins,
            "salt": self.salt,
            "mask_value": self.mask_value,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }


class HashedCrossing(PreprocessingLayer):
    """Crosses two categorical features and hashes each combination into `num_bins` bins
    (TensorFlow's feature cross).

    Args:
        num_bins: The number of bins.
        output_mode: `"int"` or `"one_hot"`. Defaults to `"int"`.
        sparse: Only `False` is supported (kerasette has no sparse tensors).
        name: The layer's name. Defaults to an automatic one.
        dtype: Only `None` or `"float32"`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Limitations:
        `sparse=True` raises `ValueError` (kerasette has no sparse tensors). Inside a
        model it crosses model inputs (strings or raw numbers, before the graph) or the
        int ids of lookup, Discretization and Hashing layers; other numbers the graph
        computes raise `ValueError`.
    """

    preprocess_arrays = True
    front_on_numbers = True  # raw model inputs: crossed before the graph

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs):
        from ._preprocessing import policy_name

        super().__init__(name=name, **kwargs)
        self._dtype_name = policy_name(dtype) or ("int64" if output_mode == "int" else "float32")
        if output_mode not in ("int", "one_hot"):
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of "
                f"('int', 'one_hot'). Received: output_mode={output_mode}"
            )
        if sparse:
            raise ValueError("kerasette has no sparse tensors: use sparse=False")
        self.num_bins, self.output_mode, self.sparse = num_bins, output_mode, sparse

    @staticmethod
    def _fingerprints(a):
        if a.dtype.kind in "SUO":
            strings = as_str_array(a).reshape(-1)
            uniq, inverse = np.unique(strings, return_inverse=True)
            return [
                int(v) for v in np.array([fingerprint64(s) for s in uniq], dtype=np.uint64)[inverse]
            ]
        if a.dtype.kind not in "iu":
            raise ValueError(
                f"HashedCrossing inputs must be integers or strings; got dtype {a.dtype}"
            )
        return [int(v) & _M for v in a.reshape(-1)]

    def cross_bins(self, arrays):
        """The bin (int64) of each row's combination of the checked input arrays."""
        fps = [self._fingerprints(a) for a in arrays]
        out = []
        for row in zip(*fps):
            h = _CROSS_KEY
            for v in row:
                h = fingerprint_cat64(h, v)
            out.append(h % self.num_bins)
        return np.asarray(out, dtype=np.int64)

    def preprocess(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                "`HashedCrossing` should be called on a list or tuple of "
                f"inputs. Received: inputs={inputs}"
            )
        if len(inputs) < 2:
            raise ValueError(
                "`HashedCrossing` should be called on at least two inputs. "
                f"Received: inputs={inputs}"
            )
        arrays = [to_numpy(x) for x in inputs]
        shape = arrays[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(
                "All `HashedCrossing` inputs should have shape `()`, "
                "`(batch_size)` or `(batch_size, 1)`. "
                f"Received: inputs={inputs}"
            )
        if any(a.shape != shape for a in arrays[1:]):
            raise ValueError(
                f"All `HashedCrossing` inputs should have equal shape. Received: inputs={inputs}"
            )
        ids = self.cross_bins(arrays).reshape(shape)
        if self.output_mode == "int":
            return ids.astype(self._dtype_name)
        return encode_numpy(ids, "one_hot", self.num_bins, dtype=self._dtype_name)

    # ---- inside a model -----------------------------------------------------------------
    _MAX_TABLE = 1 << 22

    def call(self, inputs):
        """On model inputs (strings or raw numbers) the model's front feeds this call
        (models/string_front.py). Otherwise each input must be the ids of a layer whose number of ids is known
        (a lookup, Discretization or Hashing in "int" mode, as FeatureSpace's crosses):
        then the cross is a lookup in the table of every id combination's bin, made by
        `preprocess` itself, since 64-bit hashes cannot run in the graph."""
        from ..graph import tree
        from ..graph.ir import Sym
        from ..models.string_front import runs_in_front
        from . import _cross_table

        flat = tree.flatten(inputs)[0]
        if runs_in_front(self, [x for x in flat if isinstance(x, Sym)]):
            return super().call(inputs)
        return _cross_table.cross(self, flat)

    def compute_output_shape(self, input_shape):
        shape = (
            tuple(input_shape[0])
            if isinstance(input_shape, (list, tuple)) and isinstance(input_shape[0], (list, tuple))
            else tuple(input_shape)
        )
        return shape if self.output_mode == "int" else shape[:1] + (self.num_bins,)

    def get_config(self):
        return {
            "num_bins": self.num_bins,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self._dtype_name,
        }  # Keras writes a plain string here
