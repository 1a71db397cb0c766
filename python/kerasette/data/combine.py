"""zip, concatenate, enumerate, unbatch (element path)."""

import numpy as np

from kerasette.data import structure
from kerasette.data.dataset import INFINITE, UNKNOWN, Dataset
from kerasette.data.transforms import _Unary

__all__ = ["ZipDataset", "ConcatenateDataset", "EnumerateDataset", "UnbatchDataset"]


def _check_datasets(datasets, what):
    for d in structure.flatten(datasets):
        if not isinstance(d, Dataset):
            raise TypeError(f"{what} expects Datasets; received {type(d).__name__}")


class ZipDataset(Dataset):
    def __init__(self, datasets):
        if isinstance(datasets, list):
            datasets = tuple(datasets)
        _check_datasets(datasets, "Dataset.zip")
        self.datasets = datasets

    def cardinality(self):
        cards = [d.cardinality() for d in structure.flatten(self.datasets)]
        finite = [c for c in cards if c >= 0]
        if finite:
            return min(finite)
        return UNKNOWN if UNKNOWN in cards else INFINITE

    def _elements(self):
        leaves = structure.flatten(self.datasets)
        for parts in zip(*leaves):
            yield structure.pack_as(self.datasets, parts)


class ConcatenateDataset(Dataset):
    def __init__(self, first, second):
        _check_datasets((first, second), "concatenate")
        self.first, self.second = first, second

    def cardinality(self):
        a, b = self.first.cardinality(), self.second.cardinality()
        if INFINITE in (a, b):
            return INFINITE
        return UNKNOWN if UNKNOWN in (a, b) else a + b

    def _elements(self):
        yield from self.first
        yield from self.second


class EnumerateDataset(_Unary):
    def __init__(self, input_dataset, start=0):
        super().__init__(input_dataset)
        self.start = int(start)

    def _index_source(self):
        return None

    def _cheap(self):
        return False

    def _element_pass(self):
        for i, element in enumerate(self.input, start=self.start):
            yield np.int64(i), element


class UnbatchDataset(_Unary):
    def cardinality(self):
        return INFINITE if self.input.cardinality() == INFINITE else UNKNOWN

    def _index_source(self):
        return None

    def _cheap(self):
        return False

    def _element_pass(self):
        for batch in self.input:
            leaves = structure.flatten(batch)
            if any(np.ndim(leaf) == 0 for leaf in leaves):
                raise ValueError(
                    "unbatch needs elements with a batch dimension; received a scalar component"
                )
            sizes = {len(leaf) for leaf in leaves}
            if len(sizes) != 1:
                raise ValueError(f"unbatch: components have different batch sizes {sorted(sizes)}")
            for i in range(sizes.pop()):
                yield structure.pack_as(batch, [leaf[i] for leaf in leaves])
