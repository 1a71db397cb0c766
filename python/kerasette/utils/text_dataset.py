"""`text_dataset_from_directory` (Keras's): a folder of class subfolders of .txt files
as a kerasette.data.Dataset of (batch of strings, batch of labels).

As Keras: classes are the sorted subfolder names (or `class_names`), files are listed
per class in sorted walk order, shuffled with numpy's RandomState(seed) (the same
permutation for paths and labels), then split by `validation_split` (validation takes
the last fraction). Keras then also shuffles the file dataset with tf.data's own
shuffle, so with shuffle=True the same files and labels come in another order. Labels: "int" (int32 ids), "categorical" (one-hot float32),
"binary" (float32, shape (n, 1)) or None.
"""

import os

import numpy as np

_FORMATS = (".txt",)


def _index(directory, labels, class_names, follow_links, formats=_FORMATS):
    if labels == "inferred":
        subdirs = sorted(
            d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d))
        )
        if class_names:
            if sorted(class_names) != sorted(subdirs) and not set(class_names) <= set(subdirs):
                raise ValueError(
                    "The `class_names` passed did not match the names of the "
                    f"subdirectories of the target directory. Expected: "
                    f"{subdirs}, but received: {class_names}"
                )
            subdirs = list(class_names)
        class_names = subdirs
        roots = [os.path.join(directory, d) for d in subdirs]
    else:
        roots = [directory]
        class_names = list(class_names or [])
    paths, ids = [], []
    for i, root in enumerate(roots):
        found = []
        for dirpath, _, files in sorted(os.walk(root, followlinks=follow_links)):
            for name in sorted(files):
                if name.lower().endswith(formats):
                    found.append(os.path.join(dirpath, name))
        paths.extend(found)
        ids.extend([i] * len(found))
    return paths, np.asarray(ids, dtype=np.int32), class_names


def text_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    max_length=None,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    format="tf",
    verbose=True,
):
    from ..data import Dataset

    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple)):
        raise ValueError(
            "`labels` argument should be a list/tuple of integer labels, of "
            "the same size as the number of text files in the target "
            "directory. If you wish to infer the labels from the subdirectory "
            'names in the target directory, pass `labels="inferred"`. If you '
            "wish to get a dataset that only contains text samples (no "
            f"labels), pass `labels=None`. Received: labels={labels}"
        )
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(
            '`label_mode` argument must be one of "int", "categorical", '
            f'"binary", or None. Received: label_mode={label_mode}'
        )
    if labels is None or label_mode is None:
        labels, label_mode = None, None
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
    if seed is None and shuffle:
        seed = int(np.random.randint(1e6))
    paths, ids, names = _index(
        directory,
        "inferred" if labels == "inferred" or labels is None else labels,
        class_names,
        follow_links,
    )
    if isinstance(labels, (list, tuple)):
        if len(labels) != len(paths):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files "
                f"in the target directory. len(labels) is {len(labels)} while "
                f"we found {len(paths)} files in directory {directory}."
            )
        ids = np.asarray(labels, dtype=np.int32)
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

    def read(ps):
        out = np.empty(len(ps), dtype=object)
        for i, p in enumerate(ps):
            with open(p, "rb") as f:
                data = f.read()
            if max_length is not None:
                data = data[:max_length]
            out[i] = data.decode("utf-8", errors="ignore")
        return out

    def build(ps, ys):
        texts = read(ps)
        if label_mode is None:
            ds = Dataset.from_tensor_slices(texts)
        else:
            if label_mode == "categorical":
                ys = np.eye(len(names), dtype=np.float32)[ys]
            elif label_mode == "binary":
                ys = ys.astype(np.float32).reshape(-1, 1)
            ds = Dataset.from_tensor_slices((texts, ys))
        if batch_size is not None:
            ds = ds.batch(batch_size)
        ds.class_names = names
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
