"""Reading the pickled parts of Keras's dataset files (IMDB/Reuters ragged arrays in
.npz, CIFAR batches) with an unpickler that can rebuild numpy arrays and nothing else,
so a tampered file cannot run code."""

import io
import pickle
import zipfile

import numpy as np

_ARRAY_GLOBALS = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
}


class ArraysOnly(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ARRAY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a dataset file")


def load_npz(path):
    """{name: array} of an .npz archive; object arrays through ArraysOnly."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for member in z.namelist():
            if not member.endswith(".npy"):
                continue
            with z.open(member) as f:
                buf = io.BytesIO(f.read())
            try:
                out[member[:-4]] = np.lib.format.read_array(buf, allow_pickle=False)
            except ValueError:  # an object array: header, then a pickle stream
                buf.seek(0)
                major, _ = np.lib.format.read_magic(buf)
                if major == 1:
                    np.lib.format.read_array_header_1_0(buf)
                else:
                    np.lib.format.read_array_header_2_0(buf)
                out[member[:-4]] = ArraysOnly(buf).load()
    return out


def load_pickle(path, **kwargs):
    with open(path, "rb") as f:
        return ArraysOnly(f, **kwargs).load()
