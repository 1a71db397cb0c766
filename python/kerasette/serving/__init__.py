"""kerasette serve: TensorFlow Serving's REST API for saved kerasette models.

``kerasette serve PATH`` (or ``python -m kerasette.serving PATH``) serves a ``.keras``
file, or a base folder of numbered versions (see ``repository``), on 127.0.0.1:8501,
answering TF Serving clients: status, metadata and ``:predict``, with dynamic batching.
Needs the ``serve`` extra (uvicorn, starlette); ``import kerasette`` never loads it.
"""

from .batching import BatchingOptions
from .errors import ServingError
from .servable import Servable
from .server import build_app, serve

__all__ = ["BatchingOptions", "Servable", "ServingError", "build_app", "serve"]
