"""cache(): replay the first complete pass, from memory or from a file.

A pass that stops early (e.g. `take` downstream) caches nothing, as in tf.data. On the
index path the memory cache records the index order (so a shuffle upstream is frozen,
exactly as caching its elements would), not copies of the rows.

File format (no pickle; loading never runs code from the file): one JSON line with the
element structure, then each element's arrays written with `numpy.lib.format`. The file
is written to `<filename>.tmp` and renamed when the pass completes; a complete file is
read on later passes, also by a new Dataset in another process, without running
upstream.
"""

import json
import os
import threading

import numpy as np

from kerasette.data import structure
from kerasette.data.transforms import _Unary

__all__ = ["MemoryCacheDataset", "FileCacheDataset"]


class MemoryCacheDataset(_Unary):
    def __init__(self, input_dataset):
        super().__init__(input_dataset)
        self._chunks = None  # index path
        self._cached = None  # element path
        self._lock = threading.Lock()

    def _cheap(self):
        return self._chunks is not None or self._cached is not None or self.input._cheap()

    def _index_chunks(self):
        if self._chunks is not None:
            yield from self._chunks
            return
        recorded = []
        for chunk in self.input._index_chunks():
            recorded.append(chunk)
            yield chunk
        with self._lock:
            self._chunks = recorded

    def _element_pass(self):
        if self._cached is not None:
            yield from self._cached
            return
        recorded = []
        for element in self.input:
            recorded.append(element)
            yield element
        with self._lock:
            self._cached = recorded


def _template(struct):
    if isinstance(struct, tuple):
        return {"tuple": [_template(s) for s in struct]}
    if isinstance(struct, dict):
        return {"dict": [[k, _template(v)] for k, v in struct.items()]}
    return None


def _from_template(t):
    if t is None:
        return 0
    if "tuple" in t:
        return tuple(_from_template(s) for s in t["tuple"])
    return {k: _from_template(v) for k, v in t["dict"]}


class FileCacheDataset(_Unary):
    def __init__(self, input_dataset, filename):
        super().__init__(input_dataset)
        self.filename = filename

    def _cheap(self):
        return False  # file reads: worth a producer thread

    def _index_source(self):
        return None

    def _element_pass(self):
        if os.path.exists(self.filename):
            yield from self._read()
            return
        tmp = f"{self.filename}.tmp{os.getpid()}_{threading.get_ident()}"
        f = open(tmp, "wb")
        template_written = False
        try:
            for element in self.input:
                leaves = [np.asarray(x) for x in structure.flatten(element)]
                if not template_written:
                    f.write((json.dumps(_template(element)) + "\n").encode())
                    template_written = True
                for leaf in leaves:
                    if leaf.dtype.kind == "O":
                        raise TypeError(
                            "cache(filename) stores numeric/string arrays only; "
                            f"received an object array {leaf!r:.80}"
                        )
                    np.lib.format.write_array(f, leaf, allow_pickle=False)
                yield element
            if not template_written:
                f.write(b"null\n")
            f.close()
            os.replace(tmp, self.filename)  # only a complete pass becomes the cache
        finally:
            if not f.closed:
                f.close()
            if os.path.exists(tmp):
                os.remove(tmp)

    def _read(self):
        with open(self.filename, "rb") as f:
            header = f.readline()
            try:
                template = _from_template(json.loads(header))
            except (ValueError, KeyError, TypeError):
                raise ValueError(f"{self.filename!r} is not a kerasette dataset cache") from None
            n_leaves = structure.leaf_count(template)
            size = os.fstat(f.fileno()).st_size
            while f.tell() < size:
                leaves = [np.lib.format.read_array(f, allow_pickle=False) for _ in range(n_leaves)]
                yield structure.pack_as(template, leaves)
