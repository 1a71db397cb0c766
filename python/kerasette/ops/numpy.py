"""The numpy-style part of `keras.ops`, gathered from one small module per family."""

from . import _create, _index, _linalg, _math, _reduce, _shape
from ._create import *  # noqa: F401,F403
from ._index import *  # noqa: F401,F403
from ._linalg import *  # noqa: F401,F403
from ._math import *  # noqa: F401,F403
from ._reduce import *  # noqa: F401,F403
from ._shape import *  # noqa: F401,F403

__all__ = (
    _create.__all__
    + _index.__all__
    + _linalg.__all__
    + _math.__all__
    + _reduce.__all__
    + _shape.__all__
)
