"""What iterating a `Dataset` yields: numpy arrays that also answer `.numpy()`.

TensorFlow's tutorials iterate a tf.data.Dataset and call `.numpy()` on what comes out
(`for text_batch, label_batch in ds.take(1): text_batch.numpy()[i]`). kerasette's
elements are numpy arrays; `Element` is an ndarray subclass (a view, no copy) that adds
`.numpy()` and otherwise behaves as the array does. `as_numpy_iterator()` yields plain
arrays, as tf.data's does.
"""

import numpy as np

from ..graph import tree


class Element(np.ndarray):
    """A dataset element: a numpy array with TensorFlow's `.numpy()`."""

    def numpy(self):
        """The element as a plain numpy array, as `tf.Tensor.numpy()` gives it: text
        as an object array of UTF-8 bytes, a 0-d element as a numpy scalar."""
        a = np.asarray(self)
        flat = a.reshape(-1)
        if a.dtype.kind == "U" or (
            a.dtype.kind == "O" and flat.size and all(isinstance(s, str) for s in flat)
        ):
            out = np.empty(a.shape, dtype=object)
            out.reshape(-1)[:] = [s.encode("utf-8") for s in flat]
            a = out
        return a[()] if a.ndim == 0 else a

    def __repr__(self):
        return repr(np.asarray(self))

    def __hash__(self):
        # a 0-d element stands in for a numpy scalar, which is hashable
        if self.ndim == 0:
            return hash(self.item())
        raise TypeError("unhashable type: a dataset element with dimensions")

    def __reduce__(self):  # pickles (and deep-copies) as the plain array
        return np.asarray(self).__reduce__()


def _wrap(value):
    if isinstance(value, Element):
        return value
    if isinstance(value, np.ndarray):
        return value.view(Element)
    if isinstance(value, np.generic):
        return np.asarray(value).view(Element)
    if isinstance(value, str):  # a row of an object array of text
        return np.asarray(value, dtype=object).view(Element)
    return value


def wrap(element):
    """`element` (an array, or a tuple/list/dict of them) with Element leaves."""
    if isinstance(element, (np.ndarray, np.generic)):
        return _wrap(element)
    return tree.map_structure(_wrap, element)
