"""Feature column ids and dense blocks against tf.feature_column's own transforms."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
pytestmark = pytest.mark.keras_ref
from tensorflow.python.feature_column import feature_column_v2 as tf_fc_lib  # noqa: E402

from kerasette import feature_column as fc  # noqa: E402
from kerasette.feature_column.fingerprint import fingerprint64  # noqa: E402

tfc = tf.feature_column


def tf_ids(column, features):
    """TF's id tensor of a categorical column, densified with -1 for empty slots."""
    cache = tf_fc_lib.FeatureTransformationCache({k: tf.constant(v) for k, v in features.items()})
    sparse = column.get_sparse_tensors(cache, None).id_tensor
    return tf.sparse.to_dense(sparse, default_value=-1).numpy()


def tf_dense(column, features):
    cache = tf_fc_lib.FeatureTransformationCache({k: tf.constant(v) for k, v in features.items()})
    return (
        column.get_dense_tensor(cache, None).numpy().reshape(len(next(iter(features.values()))), -1)
    )


def assert_same_ids(ours, theirs):
    """Same multiset of non-empty ids in each row (TF's sparse order may differ)."""
    assert ours.shape[0] == theirs.shape[0]
    for a, b in zip(ours, theirs):
        assert sorted(a[a >= 0].tolist()) == sorted(b[b >= 0].tolist())


WORDS = np.array([["apple"], ["kiwi"], [""], ["banana"], ["durian"], ["fig"], ["apple"]])


def test_fingerprint64_matches_tf_on_all_length_classes():
    rng = np.random.default_rng(0)
    strings = ["", "a", "héllo", "x" * 17] + [
        "".join(rng.choice(list("abcdefgh01"), size=n)) for n in range(0, 260, 3)
    ]
    expected = tf.strings.to_hash_bucket_fast(strings, 2**62 + 1).numpy()
    assert [fingerprint64(s) % (2**62 + 1) for s in strings] == expected.tolist()


def test_hash_bucket_ids_match_tf():
    f = {"w": WORDS}
    assert_same_ids(
        fc.categorical_column_with_hash_bucket("w", 97).ids(f),
        tf_ids(tfc.categorical_column_with_hash_bucket("w", 97), f),
    )
    ints = {"n": np.array([[3], [-1], [12345], [7]], dtype=np.int64)}
    assert_same_ids(
        fc.categorical_column_with_hash_bucket("n", 50, dtype="int64").ids(ints),
        tf_ids(tfc.categorical_column_with_hash_bucket("n", 50, dtype=tf.int64), ints),
    )


@pytest.mark.parametrize("kwargs", [dict(), dict(num_oov_buckets=3), dict(default_value=1)])
def test_vocabulary_list_ids_match_tf(kwargs):
    vocab = ["apple", "banana", "cherry"]
    f = {"w": WORDS}
    ours = fc.categorical_column_with_vocabulary_list("w", vocab, **kwargs).ids(f)
    theirs = tf_ids(tfc.categorical_column_with_vocabulary_list("w", vocab, **kwargs), f)
    assert_same_ids(ours, theirs)
    ints = {"n": np.array([[3], [5], [-1], [99], [123456]], dtype=np.int64)}
    ours = fc.categorical_column_with_vocabulary_list("n", [3, 5, 7], **kwargs).ids(ints)
    theirs = tf_ids(tfc.categorical_column_with_vocabulary_list("n", [3, 5, 7], **kwargs), ints)
    assert_same_ids(ours, theirs)


def test_vocabulary_file_matches_list(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("apple\nbanana\ncherry\n")
    f = {"w": WORDS}
    ours = fc.categorical_column_with_vocabulary_file("w", path, num_oov_buckets=2).ids(f)
    theirs = tf_ids(
        tfc.categorical_column_with_vocabulary_file("w", str(path), num_oov_buckets=2), f
    )
    assert_same_ids(ours, theirs)
    with pytest.raises(ValueError, match="Missing vocabulary_file"):
        fc.categorical_column_with_vocabulary_file("w", tmp_path / "nope.txt")


def test_identity_ids_and_out_of_range_rules():
    f = {"i": np.array([[0], [4], [-1], [9]], dtype=np.int64)}
    col = fc.categorical_column_with_identity("i", 5, default_value=0)
    assert_same_ids(col.ids(f), tf_ids(tfc.categorical_column_with_identity("i", 5, 0), f))
    with pytest.raises(ValueError, match=r"\[0, 5\).*received 9"):
        fc.categorical_column_with_identity("i", 5).ids(f)


def test_bucketized_dense_and_ids_match_tf():
    x = {"x": np.array([[-5.0, 0.0], [0.5, 1.0], [2.0, 9.0]], dtype=np.float32)}
    ours = fc.bucketized_column(fc.numeric_column("x", shape=(2,)), [0.0, 1.0, 2.0])
    theirs = tfc.bucketized_column(tfc.numeric_column("x", shape=(2,)), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(ours.dense_block(x), tf_dense(theirs, x))
    assert_same_ids(ours.ids(x), tf_ids(theirs, x))


def test_crossed_ids_match_tf():
    f = {
        "w": WORDS,
        "n": np.array([[1], [2], [3], [4], [0], [2], [1]], dtype=np.int64),
        "x": np.array([[0.1], [5.0], [2.5], [-1.0], [9.0], [3.3], [0.0]], dtype=np.float32),
    }
    for keys_ours, keys_tf in [
        (["w", "n"], ["w", "n"]),
        (
            ["w", fc.categorical_column_with_identity("n", 5)],
            ["w", tfc.categorical_column_with_identity("n", 5)],
        ),
        (
            [
                fc.bucketized_column(fc.numeric_column("x"), [0.0, 3.0]),
                fc.categorical_column_with_vocabulary_list(
                    "w", ["apple", "kiwi"], num_oov_buckets=1
                ),
            ],
            [
                tfc.bucketized_column(tfc.numeric_column("x"), [0.0, 3.0]),
                tfc.categorical_column_with_vocabulary_list(
                    "w", ["apple", "kiwi"], num_oov_buckets=1
                ),
            ],
        ),
    ]:
        ours = fc.crossed_column(keys_ours, 1000).ids(f)
        assert_same_ids(ours, tf_ids(tfc.crossed_column(keys_tf, 1000), f))
    ours = fc.crossed_column(["w", "n"], 1000, hash_key=123).ids(f)
    assert_same_ids(ours, tf_ids(tfc.crossed_column(["w", "n"], 1000, hash_key=123), f))


def test_indicator_and_numeric_dense_match_tf():
    f = {
        "w": np.array([["apple", "kiwi"], ["apple", "apple"], ["", "banana"]]),
        "v": np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32),
    }
    vocab = ["apple", "banana", "kiwi"]
    ours = fc.indicator_column(fc.categorical_column_with_vocabulary_list("w", vocab))
    theirs = tfc.indicator_column(tfc.categorical_column_with_vocabulary_list("w", vocab))
    np.testing.assert_array_equal(ours.dense_block(f), tf_dense(theirs, f))
    ours = fc.numeric_column("v", shape=(2,), normalizer_fn=lambda x: x * 2 - 1)
    theirs = tfc.numeric_column("v", shape=(2,), normalizer_fn=lambda x: x * 2 - 1)
    np.testing.assert_allclose(ours.dense_block(f), tf_dense(theirs, f))


def test_bad_input_errors():
    with pytest.raises(ValueError, match="needs the input feature 'age'.*Available features"):
        fc.numeric_column("age").dense_block({"agee": np.zeros(3)})
    with pytest.raises(ValueError, match="boundaries must be a sorted list"):
        fc.bucketized_column(fc.numeric_column("a"), [2.0, 1.0])
    with pytest.raises(ValueError, match="both num_oov_buckets"):
        fc.categorical_column_with_vocabulary_list("w", ["a"], default_value=0, num_oov_buckets=2)
    with pytest.raises(ValueError, match="length > 1"):
        fc.crossed_column(["a"], 10)
    with pytest.raises(TypeError, match="needs numbers"):
        fc.numeric_column("a").dense_block({"a": np.array(["x", "y"])})
    with pytest.raises(ValueError, match="expects 2 values per row"):
        fc.numeric_column("a", shape=(2,)).dense_block({"a": np.zeros((3, 3))})


def test_missing_numeric_values_use_default():
    col = fc.numeric_column("a", default_value=-7.0)
    np.testing.assert_array_equal(col.dense_block({"a": np.array([1.0, np.nan])}), [[1.0], [-7.0]])


@pytest.mark.parametrize("name", fc.__all__)
def test_factory_signatures_match_tf(name):
    import inspect

    ours = inspect.signature(getattr(fc, name)).parameters
    theirs = inspect.signature(getattr(tfc, name)).parameters
    assert list(ours) == list(theirs)
    for p in theirs:
        if p != "dtype":  # tf.string / tf.float32 objects vs their names
            assert ours[p].default == theirs[p].default, p
