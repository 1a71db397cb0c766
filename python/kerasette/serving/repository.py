"""Model versions on disk, the one being served, and the swap to a newer one.

Layout (TensorFlow Serving's, with a ``.keras`` file in place of a SavedModel)::

    BASE/                 the model's base folder, given as PATH
      1/model.keras       version 1: a folder named by a positive integer holding
      2/model.keras       exactly one .keras file (any name); other entries are ignored
      ...

The highest version present is served (TF Serving's default "latest" policy). A plain
``.keras`` file given as PATH is served as version 1 and not watched. The base folder
is polled every ``poll_seconds``; when the highest version on disk changes, it is
loaded in a worker thread while the current one keeps serving, then swapped in with
one reference assignment. The old version stops taking requests at that instant and
is unloaded once the requests it already accepted are answered: none is dropped.

To publish a version safely, write it elsewhere and rename the folder into BASE
(a rename is atomic); a half-written file fails to load, is reported in the version
status, and is retried when its size or modification time changes.
"""

import asyncio
import logging
import os

from .batching import Batcher
from .errors import not_found

log = logging.getLogger("kerasette.serving")

# Version states of apis/get_model_status.proto.
LOADING, AVAILABLE, UNLOADING, END = "LOADING", "AVAILABLE", "UNLOADING", "END"


class ModelVersion:
    """One version's status, and its servable + batcher while it is loaded."""

    def __init__(self, number, path):
        self.number = number
        self.path = path
        self.state = LOADING
        self.error = ""  # the load error, if loading failed
        self.file_stamp = None  # (size, mtime) of the file that was tried
        self.servable = None
        self.batcher = None

    def status_json(self):
        code = "UNKNOWN" if self.error else "OK"
        return {
            "version": str(self.number),
            "state": self.state,
            "status": {"error_code": code, "error_message": self.error},
        }


def find_versions(base):
    """``{version: path of its .keras file}`` under a base folder (see the module doc)."""
    versions = {}
    try:
        entries = list(os.scandir(base))
    except OSError as e:
        raise FileNotFoundError(f"Cannot read model base folder {base!r}: {e}") from e
    for entry in entries:
        if not (entry.name.isdigit() and entry.is_dir()) or int(entry.name) < 1:
            continue
        try:
            files = [f for f in os.listdir(entry.path) if f.endswith(".keras")]
        except OSError:
            continue
        if len(files) == 1:
            versions[int(entry.name)] = os.path.join(entry.path, files[0])
        elif len(files) > 1:
            log.warning(
                "version folder %s holds %d .keras files (%s); expected one, skipped",
                entry.path,
                len(files),
                ", ".join(sorted(files)),
            )
    return versions


def _file_stamp(path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


class ModelRepository:
    """Serves one named model from a ``.keras`` file or a base folder of versions.

    Args:
        name: the model name in the URLs.
        path: a ``.keras`` file, or a base folder laid out as in the module doc.
        load: ``load(path) -> Servable``, called in a worker thread.
        batching: a ``BatchingOptions``.
        executor: the compute thread's executor, shared by all versions.
        poll_seconds: how often the base folder is scanned; ``<= 0`` disables it.
    """

    def __init__(self, name, path, load, batching, executor, poll_seconds=1.0):
        self.name = name
        self.path = os.fspath(path)
        self.watch = os.path.isdir(self.path)
        if not self.watch and not self.path.endswith(".keras"):
            raise ValueError(
                f"Model path must be a .keras file or a folder of numbered "
                f"versions (1/, 2/, ...), got {self.path!r}"
            )
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"Model path {self.path!r} does not exist")
        self._load = load
        self._batching = batching
        self._executor = executor
        self.poll_seconds = float(poll_seconds)
        self.versions = {}  # every version seen, by number
        self.latest = None  # the ModelVersion answering unversioned requests
        self._poll_task = None
        self._preloaded = None
        self._swap_lock = asyncio.Lock()

    def _on_disk(self):
        return find_versions(self.path) if self.watch else {1: self.path}

    def preload(self):
        """Loads the newest loadable version now, in this thread; raises if none loads.

        ``serve`` calls it before the server starts, so a bad PATH fails fast with a
        plain message; ``start`` calls it if nobody did.
        """
        on_disk = self._on_disk()
        if not on_disk:
            raise FileNotFoundError(
                f"No versions under {self.path!r}: expected numbered folders holding one "
                f".keras file each, e.g. {os.path.join(self.path, '1', 'model.keras')}"
            )
        for number in sorted(on_disk, reverse=True):
            v = self._load_version(number, on_disk[number])
            if v.servable is not None:
                self._preloaded = v
                return v
        v = self.versions[max(on_disk)]
        raise ValueError(
            f"Could not load version {v.number} of model {self.name!r} from {v.path!r}: {v.error}"
        )

    async def start(self):
        """Serves the preloaded version (loading it if needed) and starts the poller."""
        if self._preloaded is None:
            await asyncio.to_thread(self.preload)
        await self._swap_to(self._preloaded)
        self._preloaded = None
        if self.watch and self.poll_seconds > 0:
            self._poll_task = asyncio.get_running_loop().create_task(self._poll())

    async def stop(self):
        if self._poll_task is not None:
            self._poll_task.cancel()
        for v in list(self.versions.values()):
            if v.batcher is not None:
                await v.batcher.close()

    async def _poll(self):
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                await self.sync(await asyncio.to_thread(self._on_disk))
            except Exception:  # a bad scan must not kill the watcher
                log.exception("model %s: polling %s failed", self.name, self.path)

    async def sync(self, on_disk):
        """Serves the highest loadable version in ``on_disk`` if it is not served yet."""
        async with self._swap_lock:
            for number in sorted(on_disk, reverse=True):
                if self.latest is not None and number == self.latest.number:
                    return
                if await self._try_load(number, on_disk[number]):
                    await self._swap_to(self.versions[number])
                    return
                if self.latest is not None and number < self.latest.number:
                    return

    async def _try_load(self, number, path):
        v = self.versions.get(number)
        if v is not None and v.error and v.file_stamp == _file_stamp(path):
            return False  # failed before and the file has not changed since
        v = await asyncio.to_thread(self._load_version, number, path)
        return v.servable is not None

    def _load_version(self, number, path):
        """Loads one version (blocking) and records it; ``servable`` is None on failure."""
        v = ModelVersion(number, path)
        v.file_stamp = _file_stamp(path)
        self.versions[number] = v
        try:
            v.servable = self._load(path)
        except Exception as e:
            v.state, v.error = END, f"{type(e).__name__}: {e}"
            log.error(
                "model %s: version %d (%s) failed to load: %s", self.name, number, path, v.error
            )
        return v

    async def _swap_to(self, new):
        new.batcher = Batcher(new.servable.forward, self._batching, self._executor)
        new.state = AVAILABLE
        old, self.latest = self.latest, new  # the atomic swap: new requests see `new`
        log.info("model %s: serving version %d", self.name, new.number)
        if old is not None:
            old.state = UNLOADING
            await old.batcher.close()  # answers what it already accepted
            old.servable = old.batcher = None
            old.state = END

    def resolve(self, version=None):
        """The loaded version answering a request, or a 404 ``ServingError``."""
        if version is None:
            v = self.latest
            if v is None or v.state != AVAILABLE:
                raise not_found(f"Servable not found for request: Latest({self.name})")
            return v
        v = self.versions.get(version)
        if v is None or v.state != AVAILABLE:
            raise not_found(f"Servable not found for request: Specific({self.name}, {version})")
        return v

    def status_json(self, version=None):
        """``GET /v1/models/NAME[/versions/V]``: the version status list."""
        if version is None:
            versions = sorted(self.versions.values(), key=lambda v: -v.number)
        elif version in self.versions:
            versions = [self.versions[version]]
        else:
            raise not_found(f"Could not find version {version} of model {self.name}")
        return {"model_version_status": [v.status_json() for v in versions]}
