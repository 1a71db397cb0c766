"""Where the dataset files live and how a missing one is fetched."""
import os
import urllib.request

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def cache_dir():
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets")


def get_file(fname, origin=None):
    """The local path of `fname`, downloading it from `origin` (Keras's source) first
    when it is not cached yet; the download lands under a temporary name, then moves."""
    path = os.path.join(cache_dir(), fname)
    if os.path.exists(path):
        return path
    os.makedirs(cache_dir(), exist_ok=True)
    tmp = path + ".part"
    try:
        urllib.request.urlretrieve(origin or ORIGIN + fname, tmp)
    except OSError as e:
        raise OSError(f"{fname} is not in {cache_dir()} and could not be downloaded from "
                      f"{origin or ORIGIN + fname}: {e}") from None
    os.replace(tmp, path)
    return path
