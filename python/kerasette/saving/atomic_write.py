"""Write a file so that a crash never leaves it half written.

The data goes to a temporary file in the *same folder* (so the final rename stays
on one file system), is flushed to disk with fsync, and only then replaces the
target with ``os.replace``, which is atomic on POSIX and Windows. A failure or a
kill at any point leaves either the old file or the new one, whole.
"""
import contextlib
import os
import tempfile


def _default_mode():
    # mkstemp creates 0600; a saved model should get the usual 0666 & ~umask.
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _fsync_dir(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not supported here (Windows); the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def check_overwrite(filepath, overwrite):
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")


@contextlib.contextmanager
def atomic_write(filepath):
    """``with atomic_write(path) as tmp_path:`` write ``tmp_path`` completely;
    on normal exit it replaces ``path``, on any exception it is deleted."""
    filepath = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save to {filepath}: folder {folder} does not exist")
    if os.path.isdir(filepath):
        raise IsADirectoryError(f"Cannot save to {filepath}: it is a directory")
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(filepath) + ".",
                               suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        yield tmp
        mode = (os.stat(filepath).st_mode & 0o777) if os.path.exists(filepath) \
            else _default_mode()
        os.chmod(tmp, mode)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
        _fsync_dir(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
