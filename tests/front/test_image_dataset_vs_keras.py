"""keras.utils.image_dataset_from_directory against real Keras on PNG files written here
(lossless, so both libraries decode the same pixels): same images after resizing, same
labels, class names and splits; with shuffle=True the same (image, label) pairs."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import kerasette as ks  # noqa: E402

pytestmark = pytest.mark.keras_ref
PIL = pytest.importorskip("PIL.Image")


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("imgs")
    rng = np.random.default_rng(0)
    for c, cls in enumerate(("cats", "dogs", "owls")):
        (root / cls).mkdir()
        for i in range(4 + c):
            h, w = rng.integers(5, 14, size=2)
            a = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
            PIL.fromarray(a, "RGB").save(root / cls / f"{i}.png")
        PIL.fromarray(rng.integers(0, 256, (6, 9), dtype=np.uint8), "L").save(
            root / cls / "gray.png"
        )
        (root / cls / "notes.txt").write_text("not an image")
    return root


def _all(ds):
    xs, ys = [], []
    for b in ds:
        x, y = b if isinstance(b, tuple) else (b, None)
        xs.append(np.asarray(x))
        if y is not None:
            ys.append(np.asarray(y))
    join = np.stack if xs[0].ndim == 3 else np.concatenate  # unbatched: one image each
    return join(xs), (join(ys) if ys else None)


CASES = [
    dict(image_size=(8, 10)),
    dict(image_size=(6, 6), label_mode="categorical", batch_size=4),
    dict(image_size=(7, 5), interpolation="nearest", batch_size=None),
    dict(image_size=(9, 9), crop_to_aspect_ratio=True),
    dict(image_size=(4, 12), label_mode=None, data_format="channels_first"),
    dict(
        image_size=(8, 8),
        color_mode="rgba",
        validation_split=0.25,
        subset="validation",
        seed=3,
        shuffle=False,
    ),
    dict(image_size=(5, 5), class_names=["owls", "cats", "dogs"]),
]


@pytest.mark.parametrize("kw", CASES, ids=str)
def test_images_and_labels_as_keras(keras, folder, kw):
    kw = (
        dict(shuffle=False, verbose=False, **kw)
        if "shuffle" not in kw
        else dict(verbose=False, **kw)
    )
    ours = ks.utils.image_dataset_from_directory(folder, **kw)
    theirs = keras.utils.image_dataset_from_directory(folder, **kw)
    assert ours.class_names == theirs.class_names
    xo, yo = _all(ours)
    xt, yt = _all(theirs)
    assert xo.shape == xt.shape and xo.dtype == xt.dtype
    np.testing.assert_allclose(xo, xt, atol=1e-3)
    if yt is not None:
        np.testing.assert_array_equal(yo, yt)
        assert yo.dtype == yt.dtype


def test_grayscale_files_as_keras(keras, folder):
    kw = dict(image_size=(6, 9), color_mode="grayscale", shuffle=False, verbose=False)
    ours, theirs = (lib.utils.image_dataset_from_directory(folder, **kw) for lib in (ks, keras))
    xo, _ = _all(ours)
    xt, _ = _all(theirs)
    gray = [i for i, p in enumerate(ours.file_paths) if p.endswith("gray.png")]
    np.testing.assert_allclose(xo[gray], xt[gray], atol=1e-3)  # grey files: no RGB->L rule
    assert xo.shape == xt.shape


def test_shuffled_split_same_pairs(keras, folder):
    kw = dict(image_size=(6, 6), validation_split=0.3, subset="both", seed=5, verbose=False)
    for o, t in zip(
        ks.utils.image_dataset_from_directory(folder, **kw),
        keras.utils.image_dataset_from_directory(folder, **kw),
    ):
        xo, yo = _all(o)
        xt, yt = _all(t)
        assert len(xo) == len(xt)
        for x, y in zip(xo, yo):  # each of ours is one of Keras's, with its label
            assert any(int(y) == int(v) and np.allclose(x, u, atol=1e-3) for u, v in zip(xt, yt))


def test_trains_a_convnet(folder):
    ds = ks.utils.image_dataset_from_directory(
        folder, image_size=(8, 8), batch_size=4, verbose=False, seed=1
    )
    m = ks.Sequential(
        [
            ks.Input((8, 8, 3)),
            ks.layers.Rescaling(1 / 255.0),
            ks.layers.Conv2D(4, 3, activation="relu"),
            ks.layers.GlobalAveragePooling2D(),
            ks.layers.Dense(3),
        ]
    )
    m.compile("adam", ks.losses.SparseCategoricalCrossentropy(from_logits=True))
    h = m.fit(ds, epochs=2, verbose=0).history["loss"]
    assert np.all(np.isfinite(h))


@pytest.mark.parametrize(
    "kw",
    [
        dict(color_mode="cmyk"),
        dict(label_mode="sparse"),
        dict(validation_split=0.2),
        dict(subset="training"),
    ],
    ids=str,
)
def test_bad_arguments_raise_as_keras(keras, folder, kw):
    with pytest.raises(ValueError):
        keras.utils.image_dataset_from_directory(folder, verbose=False, **kw)
    with pytest.raises(ValueError):
        ks.utils.image_dataset_from_directory(folder, verbose=False, **kw)
