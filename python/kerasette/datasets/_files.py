"""Where the dataset files live and how a missing one is fetched (Keras's cache layout:
`$KERAS_HOME/<cache_subdir>/<fname>`, archives extracted beside it)."""

import os
import tarfile
import urllib.request
import zipfile

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def cache_dir():
    return os.path.join(_home(), "datasets")


def _home(cache_dir=None):
    if cache_dir is not None:
        return os.path.expanduser(cache_dir)
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def get_file(
    fname=None,
    origin=None,
    untar=False,
    cache_subdir="datasets",
    extract=False,
    cache_dir=None,
    **_ignored,
):
    """The local path of `fname` under `cache_dir/cache_subdir`, downloading it from
    `origin` (Keras's source by default) first when it is not cached yet. With
    `extract`/`untar`, the path of the folder the archive unpacks into, named as Keras
    names it (`fname` without a dot: `fname` itself, the archive `fname + "_archive"`;
    with a dot: `<stem>_extracted`, the archive `fname`). File hashes are not checked."""
    if fname is None and origin:
        fname = os.path.basename(origin.split("?")[0])
    if not fname or os.path.dirname(fname):
        raise ValueError(f"fname must be a file name, not a path; got {fname!r}")
    folder = os.path.join(_home(cache_dir), cache_subdir)
    target = os.path.join(folder, fname)
    if extract or untar:
        if "." in fname:
            unpacked = os.path.join(folder, fname[: fname.find(".")] + "_extracted")
        else:
            unpacked, target = target, target + "_archive"
        if os.path.isdir(unpacked) and os.listdir(unpacked):
            return unpacked
    if not os.path.exists(target):
        _download(origin or ORIGIN + fname, target, fname, folder)
    if extract or untar:
        _extract(target, unpacked)
        return unpacked
    return target


def _download(origin, target, fname, folder):
    os.makedirs(folder, exist_ok=True)
    tmp = target + ".part"
    try:
        urllib.request.urlretrieve(origin, tmp)
    except OSError as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise OSError(
            f"{fname} is not in {folder} and could not be downloaded from {origin}: {e}"
        ) from None
    os.replace(tmp, target)


def _extract(archive, dest):
    """Unpack a tar or zip archive into dest, refusing members that would land outside."""
    root = os.path.realpath(dest)

    def safe(name):
        path = os.path.realpath(os.path.join(root, name))
        if os.path.commonpath([root, path]) != root:
            raise ValueError(f"{archive}: member {name!r} would extract outside {dest}")

    if tarfile.is_tarfile(archive):
        with tarfile.open(archive) as t:
            for m in t.getmembers():
                safe(m.name)
                if m.issym() or m.islnk():
                    raise ValueError(f"{archive}: links in dataset archives are refused")
            t.extractall(root)
    elif zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                safe(name)
            z.extractall(root)
    else:
        raise ValueError(f"{archive} is neither a tar nor a zip archive")
