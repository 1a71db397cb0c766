"""Starts the REST server: a ``ModelRepository`` behind the ASGI app on uvicorn.

uvicorn picks uvloop and httptools when they are installed (``kerasette[serve]``
lists them) and falls back to asyncio and h11 otherwise. One process, one event loop:
batching needs all requests in one place, and the compute thread uses the cores.
"""

import logging
import os

from .app import DEFAULT_MAX_BODY_BYTES, create_app
from .batching import BatchingOptions, make_executor
from .repository import ModelRepository
from .servable import Servable


def load_servable(path):
    """Loads a ``.keras`` file with kerasette and adapts it for serving."""
    from kerasette.models import load_model  # the engine loads only when a server starts

    return Servable.from_model(load_model(path)).warm_up()


def default_model_name(path):
    """``mnist.keras`` -> ``mnist``; a base folder ``models/mnist/`` -> ``mnist``."""
    base = os.path.basename(os.path.normpath(os.fspath(path)))
    return base[: -len(".keras")] if base.endswith(".keras") else base


def build_app(
    path,
    name=None,
    batching=None,
    poll_seconds=1.0,
    max_body_bytes=DEFAULT_MAX_BODY_BYTES,
    load=load_servable,
):
    """The ASGI app serving ``path`` (a ``.keras`` file or a base folder of versions)."""
    repository = ModelRepository(
        name or default_model_name(path),
        path,
        load,
        batching or BatchingOptions(),
        make_executor(),
        poll_seconds=poll_seconds,
    )
    return create_app(repository, max_body_bytes=max_body_bytes)


def serve(
    path,
    name=None,
    host="127.0.0.1",
    port=8501,
    batching=None,
    poll_seconds=1.0,
    max_body_bytes=DEFAULT_MAX_BODY_BYTES,
    log_level="info",
    num_threads=1,
):
    """Serves a model until interrupted. Binds loopback unless ``host`` says otherwise.

    ``num_threads`` is the core's kernel thread count. One by default: batching already
    gives the forward wide GEMMs, and the event loop parsing the next requests needs a
    core of its own; OpenMP workers spinning beside it cost more than they bring (on
    2 cores, 1 thread served ~10x more requests/s than 2 at concurrency 64).
    """
    import uvicorn

    from kerasette import config

    _log_to_stderr(log_level)
    config.set_num_threads(int(num_threads))
    app = build_app(path, name, batching, poll_seconds, max_body_bytes)
    app.state.repository.preload()  # a model that does not load fails here, before binding
    config = uvicorn.Config(
        app,
        host=host,
        port=int(port),
        log_level=log_level,
        access_log=False,
        lifespan="on",
        loop="auto",
        http="auto",
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    server.run()
    if not server.started:  # the lifespan failed (e.g. the model did not load)
        raise SystemExit(3)


def _log_to_stderr(level):
    logger = logging.getLogger("kerasette.serving")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("kerasette serve: %(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(level.upper())
