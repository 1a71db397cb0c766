"""Variable: the numpy storage contract the engine relies on (docs/internals.md)."""

import numpy as np
import pytest

from kerasette.variables import Variable


def test_value_is_the_storage_and_assign_copies_into_it():
    v = Variable(
        np.arange(6, dtype="float32").reshape(2, 3),
        shape=(2, 3),
        name="kernel",
        path="dense/kernel",
    )
    storage = v.value
    assert v.shape == (2, 3) and v.dtype == "float32" and v.path == "dense/kernel"
    copy = v.numpy()
    copy[0, 0] = 100
    assert v.value[0, 0] == 0
    v.assign(np.ones((2, 3)))
    assert v.value is storage and storage.sum() == 6
    with pytest.raises(ValueError, match=r"dense/kernel.*\(2, 3\).*\(3, 2\)"):
        v.assign(np.ones((3, 2)))
    assert np.asarray(v) is storage
    with pytest.raises(TypeError, match="dtype"):
        v.assign(np.full((2, 3), "x"))


def test_rebind_moves_storage_keeping_values():
    v = Variable(np.full((4,), 2.0, "float32"), shape=(4,))
    arena = np.zeros(10, "float32")
    v._rebind(arena[3:7])
    assert np.shares_memory(v.value, arena) and arena[3:7].tolist() == [2.0] * 4
    v.assign(np.arange(4))
    assert arena[3:7].tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="rebind"):
        v._rebind(arena[:3])


def test_initializer_callable_and_arithmetic():
    v = Variable(lambda shape, dtype: np.ones(shape, dtype), shape=(2,), name="b")
    np.testing.assert_array_equal(v * 3 + 1, [4, 4])
    assert float(Variable(np.float32(0.25), shape=())) == 0.25
    assert Variable(np.float32(0.25), shape=()) < 0.5
    with pytest.raises(ValueError, match="shape"):
        Variable(np.zeros(3), shape=(2,))


def test_utils_exports_and_to_categorical(keras):
    import kerasette as ks

    for name in [
        "PyDataset",
        "Sequence",
        "register_keras_serializable",
        "custom_object_scope",
        "Progbar",
        "set_random_seed",
        "to_categorical",
        "normalize",
    ]:
        assert hasattr(keras.utils, name) and getattr(ks.utils, name) is not None
    labels = np.array([0, 2, 1, 2])
    np.testing.assert_array_equal(
        ks.utils.to_categorical(labels), keras.utils.to_categorical(labels)
    )
    np.testing.assert_array_equal(
        ks.utils.to_categorical(labels[:, None], 4), keras.utils.to_categorical(labels[:, None], 4)
    )
    with pytest.raises(ValueError, match="out of range"):
        ks.utils.to_categorical([0, 5], num_classes=3)
    x = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(ks.utils.normalize(x), keras.utils.normalize(x), rtol=1e-5)
