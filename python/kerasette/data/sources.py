"""Dataset sources: slices of in-memory arrays, and Python generators."""

import numpy as np

from kerasette.data import structure
from kerasette.data.dataset import _CHUNK, Dataset

__all__ = ["SliceDataset", "GeneratorDataset"]


class SliceDataset(Dataset):
    def __init__(self, tensors):
        tensors = structure.normalize(tensors)
        leaves = structure.flatten(tensors)
        if not leaves:
            raise ValueError("from_tensor_slices needs at least one array")
        for leaf in leaves:
            if leaf.ndim == 0:
                raise ValueError(
                    "from_tensor_slices needs arrays with a first dimension to "
                    f"slice; received a scalar {leaf!r}"
                )
        lengths = {leaf.shape[0] for leaf in leaves}
        if len(lengths) != 1:
            raise ValueError(
                "Dimensions of the components must match along axis 0; received "
                f"lengths {[leaf.shape[0] for leaf in leaves]}"
            )
        self.tensors = tensors
        self.leaves = leaves
        self.n = lengths.pop()

    def cardinality(self):
        return self.n

    def row(self, i):
        return structure.pack_as(self.tensors, [leaf[i] for leaf in self.leaves])

    def gather(self, idx):
        """A batch of rows: a view when `idx` is a contiguous run, else one take per array."""
        if (
            len(idx)
            and idx[-1] - idx[0] == len(idx) - 1
            and (len(idx) < 2 or np.all(np.diff(idx) == 1))
        ):
            sl = slice(int(idx[0]), int(idx[-1]) + 1)
            return structure.pack_as(self.tensors, [leaf[sl] for leaf in self.leaves])
        return structure.pack_as(self.tensors, [leaf[idx] for leaf in self.leaves])

    def _index_source(self):
        return self

    def _cheap(self):
        return True

    def _index_chunks(self):
        for start in range(0, self.n, _CHUNK):
            yield np.arange(start, min(start + _CHUNK, self.n), dtype=np.int64)

    def _elements(self):
        return self._rows(self)


class GeneratorDataset(Dataset):
    def __init__(self, generator):
        if not callable(generator):
            raise TypeError(
                f"from_generator needs a callable that returns an iterator; received {generator!r}"
            )
        self.generator = generator

    def _elements(self):
        for element in self.generator():
            if isinstance(element, list):
                element = tuple(element)
            yield structure.map_structure(np.asarray, element)
