"""kerasette.data.Dataset against tf.data on the same pipelines."""

import os
import threading
import time

import numpy as np
import pytest


@pytest.fixture
def tf():
    return pytest.importorskip("tensorflow")


from kerasette.data import AUTOTUNE, Dataset  # noqa: E402


def as_lists(it):
    """Elements to nested Python lists, for comparing across libraries."""

    def conv(e):
        if isinstance(e, tuple):
            return tuple(conv(x) for x in e)
        if isinstance(e, dict):
            return {k: conv(v) for k, v in e.items()}
        return np.asarray(e).tolist()

    return [conv(e) for e in it]


X = np.arange(23 * 3, dtype=np.float32).reshape(23, 3)
Y = np.arange(23, dtype=np.int64) % 4
W = np.linspace(0, 1, 23).astype(np.float32)


PIPELINES = {
    "slices": lambda D: D.from_tensor_slices(X),
    "tuple_batch": lambda D: D.from_tensor_slices((X, Y)).batch(5),
    "triple_batch_drop": lambda D: D.from_tensor_slices((X, Y, W)).batch(5, drop_remainder=True),
    "dict": lambda D: D.from_tensor_slices({"a": X, "b": Y}).batch(4),
    "take_skip": lambda D: D.from_tensor_slices(Y).skip(3).take(10).batch(3),
    "repeat_batch": lambda D: D.from_tensor_slices(Y).repeat(3).batch(7),
    "batch_repeat_take": lambda D: D.from_tensor_slices(Y).batch(6).repeat().take(9),
    "filter_map": lambda D: (
        D.from_tensor_slices((X, Y))
        .filter(lambda x, y: y % 2 == 0)
        .map(lambda x, y: (x * 2, y + 1))
        .batch(3)
    ),
    "map_dict": lambda D: (
        D.from_tensor_slices({"a": X, "b": Y})
        .map(lambda d: {"s": d["a"][0] + d["a"][1], "b": d["b"]})
        .batch(8)
    ),
    "parallel_map": lambda D: (
        D.from_tensor_slices(Y).map(lambda y: y * y, num_parallel_calls=4).batch(5)
    ),
    "skip_all": lambda D: D.from_tensor_slices(Y).skip(-1),
    "take_all": lambda D: D.from_tensor_slices(Y).take(-1).batch(10),
    "range": lambda D: D.range(2, 20, 3).batch(2),
    "zip": lambda D: D.zip((D.from_tensor_slices(X), D.range(100))).batch(6),
    "zip_dict": lambda D: D.zip({"a": D.range(5), "b": D.range(3).repeat()}),
    "concatenate": lambda D: D.range(4).concatenate(D.range(10, 13)).batch(3),
    "enumerate": lambda D: D.from_tensor_slices(Y).skip(2).enumerate(start=5).take(6),
    "unbatch": lambda D: D.from_tensor_slices((X, Y)).batch(5).unbatch().batch(7),
    "generator": lambda D: D.from_generator(
        lambda: ((np.full(2, i, np.float32), i) for i in range(5)),
        output_signature=None
        if D is Dataset
        else (
            __import__("tensorflow").TensorSpec((2,), "float32"),
            __import__("tensorflow").TensorSpec((), "int64"),
        ),
    ).batch(2),
}


@pytest.mark.keras_ref
@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_same_elements_as_tf_data(name, tf):
    ours = PIPELINES[name](Dataset)
    theirs = PIPELINES[name](tf.data.Dataset)
    assert as_lists(ours) == as_lists(theirs.as_numpy_iterator())
    assert as_lists(ours) == as_lists(ours)  # re-iterable: each pass is an epoch
    assert ours.cardinality() == int(theirs.cardinality())


@pytest.mark.keras_ref
def test_cardinality_of_infinite_and_filtered(tf):
    assert Dataset.range(5).repeat().cardinality() == int(
        tf.data.Dataset.range(5).repeat().cardinality()
    )
    assert Dataset.range(5).filter(lambda x: x > 2).cardinality() == int(
        tf.data.Dataset.range(5).filter(lambda x: x > 2).cardinality()
    )
    with pytest.raises(TypeError, match="infinite"):
        len(Dataset.range(5).repeat())


@pytest.mark.parametrize("buffer_size", [1, 4, 23, 100])
def test_shuffle_is_a_permutation_and_reshuffles(buffer_size):
    ds = Dataset.from_tensor_slices(Y.copy() * 0 + np.arange(23)).shuffle(buffer_size, seed=3)
    a, b = as_lists(ds), as_lists(ds)
    assert sorted(a) == list(range(23)) and sorted(b) == list(range(23))
    if buffer_size == 1:
        assert a == list(range(23))  # a buffer of one cannot reorder (as in tf.data)
    else:
        assert a != b  # reshuffle_each_iteration=True
    fixed = Dataset.range(23).shuffle(buffer_size, seed=3, reshuffle_each_iteration=False)
    assert as_lists(fixed) == as_lists(fixed)
    # same seed, same order, in a new dataset object too
    assert as_lists(Dataset.range(23).shuffle(buffer_size, seed=5)) == as_lists(
        Dataset.range(23).shuffle(buffer_size, seed=5)
    )


def test_small_shuffle_buffer_only_moves_elements_locally():
    # tf.data's buffer semantics: the i-th output is one of the first i + buffer inputs.
    out = as_lists(Dataset.range(200).shuffle(5, seed=0))
    assert all(v < i + 5 for i, v in enumerate(out))
    out = as_lists(Dataset.range(200).map(lambda x: x).shuffle(5, seed=0))  # element path
    assert all(v < i + 5 for i, v in enumerate(out)) and sorted(out) == list(range(200))


@pytest.mark.keras_ref
def test_cache_in_memory_freezes_shuffled_order_and_skips_upstream(tf):
    calls = []

    def f(x):
        calls.append(int(x))
        return x

    ds = Dataset.range(10).map(f).shuffle(10, seed=1).cache()
    first = as_lists(ds)
    n = len(calls)
    assert as_lists(ds) == first and len(calls) == n  # replayed, map not re-run
    # tf.data agrees that cache() after shuffle replays the same order
    t = tf.data.Dataset.range(10).shuffle(10, seed=1).cache()
    assert as_lists(t.as_numpy_iterator()) == as_lists(t.as_numpy_iterator())
    # index path: cache after shuffle on arrays freezes too
    ds2 = Dataset.from_tensor_slices(X).shuffle(23, seed=2).cache().batch(4)
    assert as_lists(ds2) == as_lists(ds2)


def test_cache_partial_pass_caches_nothing():
    calls = []
    ds = Dataset.range(6).map(lambda x: calls.append(1) or x).cache()
    assert as_lists(ds.take(2)) == [0, 1]
    assert as_lists(ds) == list(range(6))
    assert as_lists(ds) == list(range(6))
    assert len(calls) == 2 + 6


def test_cache_to_file_is_reused_by_a_new_dataset(tmp_path):
    path = tmp_path / "cache.bin"
    calls = []

    def make():
        return (
            Dataset.from_tensor_slices(({"a": X, "s": np.array([str(i) for i in Y])}, Y))
            .map(lambda d, y: (calls.append(1) or d, y))
            .cache(path)
            .batch(6)
        )

    first = as_lists(make())
    assert path.exists() and len(calls) == 23
    assert as_lists(make()) == first and len(calls) == 23  # read back, upstream not run
    assert as_lists(make()) == as_lists(
        PIPELINES["dict"](Dataset)
        .__class__.from_tensor_slices(({"a": X, "s": np.array([str(i) for i in Y])}, Y))
        .batch(6)
    )
    assert not [p for p in os.listdir(tmp_path) if ".tmp" in p]


def test_prefetch_runs_upstream_on_another_thread_and_propagates_errors():
    threads = set()

    def f(x):
        threads.add(threading.get_ident())
        return x

    assert as_lists(Dataset.range(5).map(f).prefetch(2)) == [0, 1, 2, 3, 4]
    assert threading.get_ident() not in threads

    def boom(x):
        if x == 3:
            raise RuntimeError("bad element 3")
        return x

    with pytest.raises(RuntimeError, match="bad element 3"):
        as_lists(Dataset.range(5).map(boom).prefetch(AUTOTUNE))


def test_prefetch_overlaps_production_with_consumption():
    # producer: 10 x 30 ms; consumer: 10 x 30 ms. Serial ~0.6 s, overlapped ~0.33 s.
    ds = Dataset.range(10).map(lambda x: time.sleep(0.03) or x)

    def consume(d):
        t = time.perf_counter()
        for _ in d:
            time.sleep(0.03)
        return time.perf_counter() - t

    serial = consume(ds)
    overlapped = consume(ds.prefetch(2))
    assert serial > 0.55
    assert overlapped < 0.8 * serial, (serial, overlapped)


def test_parallel_map_uses_threads_and_keeps_order():
    ds = Dataset.range(16).map(lambda x: time.sleep(0.05) or x * 10, num_parallel_calls=8)
    t = time.perf_counter()
    out = as_lists(ds)
    elapsed = time.perf_counter() - t
    assert out == [x * 10 for x in range(16)]
    assert elapsed < 0.5  # 16 x 50 ms serially would be 0.8 s; 8 threads need ~0.1 s


def test_bad_arguments():
    with pytest.raises(ValueError, match="must match along axis 0"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="batch_size must be positive"):
        Dataset.range(3).batch(0)
    with pytest.raises(TypeError, match="must be callable"):
        Dataset.range(3).map(5)
    with pytest.raises(ValueError, match="scalar boolean"):
        list(Dataset.range(3).filter(lambda x: np.array([True, False])))
    with pytest.raises(ValueError, match="different shapes"):
        list(Dataset.range(3).map(lambda x: np.zeros(int(x) + 1)).batch(3))


def test_array_fast_path_recognition():
    from kerasette.data.fast_path import as_array_epochs

    x, y = X, Y
    info = as_array_epochs(
        Dataset.from_tensor_slices((x, y)).shuffle(100).batch(8).prefetch(AUTOTUNE)
    )
    assert info["batch_size"] == 8 and info["shuffle"] and not info["drop_remainder"]
    assert info["tensors"][0] is not None and len(info["tensors"]) == 2
    assert as_array_epochs(Dataset.from_tensor_slices(x).batch(4))["shuffle"] is False
    # not equivalent to an epoch shuffle: partial buffer, frozen order, user code, no batch
    assert as_array_epochs(Dataset.from_tensor_slices(x).shuffle(5).batch(4)) is None
    assert (
        as_array_epochs(
            Dataset.from_tensor_slices(x).shuffle(100, reshuffle_each_iteration=False).batch(4)
        )
        is None
    )
    assert as_array_epochs(Dataset.from_tensor_slices(x).map(lambda v: v).batch(4)) is None
    assert as_array_epochs(Dataset.from_tensor_slices(x)) is None


def test_unseeded_shuffle_follows_set_random_seed():
    import kerasette as ks

    orders = []
    for _ in range(2):
        ks.utils.set_random_seed(7)
        ds = Dataset.range(50).shuffle(50)
        orders.append((as_lists(ds), as_lists(ds)))
    assert orders[0] == orders[1] and orders[0][0] != orders[0][1]
