"""`image_dataset_from_directory` (Keras's): a folder of class subfolders of images
(.bmp .gif .jpeg .jpg .png) as a kerasette.data.Dataset of (images, labels): float32
images, uint8 with interpolation="nearest" (as TensorFlow's resize returns them).

Files are found, labelled, shuffled and split exactly as `text_dataset_from_directory`
does it (Keras's rules; see text_dataset.py). Images are decoded with Pillow (an
optional dependency, imported on first use) and resized as the Resizing layer does (TF's half-pixel bilinear or
nearest), batch by batch when the dataset is iterated. Lossless files (PNG, BMP) give
Keras's pixels; JPEG decoders may differ from TensorFlow's by a grey level.
"""

import numpy as np

from .text_dataset import _index

FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_MODES = {"rgb": "RGB", "rgba": "RGBA", "grayscale": "L"}


def _decode(path, mode):
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            "image_dataset_from_directory needs Pillow: pip install 'kerasette[image]' (or Pillow)"
        ) from None
    with Image.open(path) as im:
        im.seek(0)  # first frame of an animation, as Keras's expand_animations=False
        a = np.asarray(im.convert(mode))
    return a[..., None] if a.ndim == 2 else a


def image_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    color_mode="rgb",
    batch_size=32,
    image_size=(256, 256),
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    interpolation="bilinear",
    follow_links=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    data_format=None,
    verbose=True,
    format="tf",
):
    from ..data import Dataset
    from ..layers.image_preprocessing import Resizing
    from .timeseries_dataset import _check_format

    _check_format(format)
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple)):
        raise ValueError(
            '`labels` argument should be a list/tuple of integer labels, "'
            f'inferred" or None. Received: labels={labels}'
        )
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(
            '`label_mode` argument must be one of "int", "categorical", '
            f'"binary", or None. Received: label_mode={label_mode}'
        )
    if color_mode not in _MODES:
        raise ValueError(
            '`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
            f"Received: color_mode={color_mode}"
        )
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(
            f"`validation_split` must be between 0 and 1, received: {validation_split}"
        )
    if subset not in (None, "training", "validation", "both"):
        raise ValueError(
            f'`subset` must be either "training", "validation" or "both", received: {subset}'
        )
    if (validation_split is None) != (subset is None):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    # Keras's resizing arguments, checked before any file is read
    resize = Resizing(
        *(int(v) for v in image_size),
        interpolation=interpolation,
        crop_to_aspect_ratio=crop_to_aspect_ratio,
        pad_to_aspect_ratio=pad_to_aspect_ratio,
    )
    channels_first = data_format == "channels_first"
    if seed is None:
        seed = int(np.random.randint(1e6))
    paths, ids, names = _index(
        directory,
        labels if isinstance(labels, (list, tuple)) else "inferred",
        class_names,
        follow_links,
        FORMATS,
    )
    if isinstance(labels, (list, tuple)):
        if len(labels) != len(paths):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files "
                f"in the target directory. len(labels) is {len(labels)} while "
                f"we found {len(paths)} files in directory {directory}."
            )
        ids = np.asarray(labels, dtype=np.int32)
        names = sorted({int(v) for v in ids}) if not names else names
    if label_mode == "binary" and len(names) != 2:
        raise ValueError(
            'When passing `label_mode="binary"`, there must be exactly 2 '
            f"class_names. Received: class_names={names}"
        )
    if verbose:
        print(f"Found {len(paths)} files belonging to {len(names)} classes.")
    if shuffle:
        np.random.RandomState(seed).shuffle(paths)
        np.random.RandomState(seed).shuffle(ids)
    mode = _MODES[color_mode]
    # tf.image.resize keeps uint8 for nearest (exact pixels); otherwise float32
    plain = not (crop_to_aspect_ratio or pad_to_aspect_ratio)
    out_dtype = np.uint8 if interpolation == "nearest" and plain else np.float32

    def load(ps):
        batch = np.asarray(ps).ndim == 1
        ps = np.atleast_1d(np.asarray(ps))
        imgs = [np.asarray(resize(_decode(str(p), mode)[None].astype(np.float32)))[0] for p in ps]
        out = np.stack(imgs).astype(out_dtype)
        if channels_first:
            out = out.transpose(0, 3, 1, 2)
        return out if batch else out[0]

    def build(ps, ys):
        if not ps:
            raise ValueError(
                f"No images found in directory {directory}. Allowed formats: {FORMATS}"
            )
        ps = np.asarray(ps, dtype=object)
        if label_mode is None:
            ds = Dataset.from_tensor_slices(ps)
        else:
            if label_mode == "categorical":
                ys = np.eye(len(names), dtype=np.float32)[ys]
            elif label_mode == "binary":
                ys = ys.astype(np.float32).reshape(-1, 1)
            ds = Dataset.from_tensor_slices((ps, ys))
        if batch_size is not None:
            ds = ds.batch(batch_size)
        ds = ds.map(load if label_mode is None else (lambda p, y: (load(p), y)))
        ds.class_names = names if labels is not None else None  # Keras: None unlabelled
        ds.file_paths = list(ps)
        return ds

    if validation_split:
        n_val = int(validation_split * len(paths))
        train = (paths[: len(paths) - n_val], ids[: len(paths) - n_val])
        val = (paths[len(paths) - n_val :], ids[len(paths) - n_val :])
        if verbose and subset in ("training", "both"):
            print(f"Using {len(train[0])} files for training.")
        if verbose and subset in ("validation", "both"):
            print(f"Using {len(val[0])} files for validation.")
        if subset == "both":
            return build(*train), build(*val)
        return build(*(train if subset == "training" else val))
    return build(paths, ids)
