"""Write a file so that a crash never leaves it half written.

The data goes to a temporary file in the *same folder* (so the final rename stays
on one file system), is flushed to disk with fsync, and only then replaces the
target with ``os.replace``, which is atomic on POSIX and Windows. A failure or a
kill at any point leaves either the old file or the new one, whole.

A SIGKILL mid-write leaves the temporary file behind (``.NAME.xxxxxxxx.tmp``); the
next save of the same target removes such orphans, so a crash-looping trainer
leaves at most one per target. An orphan is told from a concurrent writer's live
temp file by a lock: every writer holds a shared ``flock`` on the folder for the
whole write, and the cleanup runs only under an exclusive, non-blocking one, i.e.
when no writer is active in that folder (the kernel drops a killed writer's lock).
The lock is on the folder, not the temp file, because HDF5 flocks the files it
writes. Where folders cannot be locked (Windows, some network file systems) only
orphans older than ``STALE_SECONDS`` are removed.
"""

import contextlib
import os
import re
import tempfile
import time

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

# Removal age for temp files whose writer cannot be checked: a live writer
# touches its file far more often than this.
STALE_SECONDS = 30 * 60


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


def temp_pattern(filepath):
    """The names atomic_write gives temporary files for ``filepath``
    (tempfile.mkstemp: eight characters of [a-z0-9_])."""
    return re.compile(
        r"\." + re.escape(os.path.basename(os.fspath(filepath))) + r"\.[a-z0-9_]{8}\.tmp\Z"
    )


def _lock_folder(folder):
    """An fd on ``folder`` (None where folders cannot be flocked) and whether it
    got the exclusive lock, i.e. no other writer is active there."""
    if fcntl is None:
        return None, False
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return None, False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd, True
    except OSError:
        return fd, False


def remove_orphans(filepath, exclusive):
    """Remove temp files left by dead writers of ``filepath``: all of them when
    ``exclusive`` (no writer can be active), else only those older than
    STALE_SECONDS. Returns the names removed."""
    folder = os.path.dirname(os.path.abspath(os.fspath(filepath)))
    pattern = temp_pattern(filepath)
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not pattern.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if not exclusive and now - entry.stat(follow_symlinks=False).st_mtime < STALE_SECONDS:
                continue
            os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            continue  # gone already, or not ours to remove
    return removed


@contextlib.contextmanager
def atomic_write(filepath):
    """``with atomic_write(path) as tmp_path:`` write ``tmp_path`` completely;
    on normal exit it replaces ``path``, on any exception it is deleted. Orphans
    of earlier killed writes of ``path`` are removed first."""
    filepath = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save to {filepath}: folder {folder} does not exist")
    if os.path.isdir(filepath):
        raise IsADirectoryError(f"Cannot save to {filepath}: it is a directory")
    lock_fd, exclusive = _lock_folder(folder)
    try:
        remove_orphans(filepath, exclusive)
        if lock_fd is not None:
            try:
                # Shared for the whole write (from exclusive, or waiting out another
                # writer's cleanup): our temp file is never taken for an orphan.
                fcntl.flock(lock_fd, fcntl.LOCK_SH)
            except OSError:
                pass
        fd, tmp = tempfile.mkstemp(
            prefix="." + os.path.basename(filepath) + ".", suffix=".tmp", dir=folder
        )
        os.close(fd)
        try:
            yield tmp
            mode = (
                (os.stat(filepath).st_mode & 0o777) if os.path.exists(filepath) else _default_mode()
            )
            os.chmod(tmp, mode)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, filepath)
            _fsync_dir(folder)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    finally:
        if lock_fd is not None:
            os.close(lock_fd)
