"""utils.PyDataset: Keras 3's protocol, with worker threads/processes computing ahead."""

import threading
import time

import numpy as np
import pytest

import kerasette
from kerasette.data import PyDataset


class Squares(kerasette.utils.PyDataset):
    def __init__(self, n, batch_size, delay=0.0, **kwargs):
        super().__init__(**kwargs)
        self.x = np.arange(n, dtype=np.float32)
        self.batch_size, self.delay = batch_size, delay
        self.threads = set()
        self.epoch_ends = 0

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, idx):
        self.threads.add(threading.get_ident())
        if self.delay:
            time.sleep(self.delay)
        s = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
        return self.x[s, None] ** 2, self.x[s]

    def on_epoch_end(self):
        self.epoch_ends += 1
        self.x = self.x[::-1].copy()  # a new order each epoch


@pytest.mark.keras_ref
def test_utils_pydataset_is_the_data_class():
    assert kerasette.utils.PyDataset is PyDataset
    keras = pytest.importorskip("keras")
    assert set(vars(keras.utils.PyDataset)) >= {
        "workers",
        "use_multiprocessing",
        "max_queue_size",
        "num_batches",
    }
    for attr in (
        "workers",
        "use_multiprocessing",
        "max_queue_size",
        "num_batches",
        "on_epoch_begin",
        "on_epoch_end",
        "__getitem__",
        "__iter__",
    ):
        assert hasattr(PyDataset, attr)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(workers=4),
        dict(workers=2, max_queue_size=2),
        dict(workers=2, use_multiprocessing=True),
    ],
)
def test_batches_in_order_and_epoch_end_refreshes(kwargs):
    ds = Squares(10, 3, **kwargs)
    assert ds.num_batches == len(ds) == 4
    first = [ds[i] for i in range(len(ds))]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in first]), np.arange(10))
    np.testing.assert_array_equal(np.concatenate([b[0] for b in first])[:, 0], np.arange(10) ** 2)
    ds.on_epoch_end()
    second = list(ds)  # __iter__ walks every batch, then calls on_epoch_end
    np.testing.assert_array_equal(
        np.concatenate([b[1] for b in second]), np.arange(10)[::-1]
    )  # nothing stale from before
    assert ds.epoch_ends == 2


def test_workers_compute_ahead_in_parallel():
    serial = Squares(16, 1, delay=0.03)
    t = time.perf_counter()
    for i in range(len(serial)):
        serial[i]
    t_serial = time.perf_counter() - t
    par = Squares(16, 1, delay=0.03, workers=4)
    t = time.perf_counter()
    for i in range(len(par)):
        par[i]
    t_par = time.perf_counter() - t
    assert len(par.threads - {threading.get_ident()}) >= 2
    assert t_par < 0.6 * t_serial, (t_serial, t_par)


def test_bad_arguments():
    with pytest.raises(ValueError, match="workers"):
        Squares(4, 2, workers=-1)
    with pytest.raises(ValueError, match="max_queue_size"):
        Squares(4, 2, max_queue_size=0)
