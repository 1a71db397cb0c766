"""`kerasette.ops`: Keras 3's `keras.ops` names. Eager on arrays (a kerasette Tensor
comes back), symbolic on traced tensors (a node is added to the graph)."""

from ..graph import prims as _prims  # noqa: F401  (registers every primitive op)
from . import (  # noqa: F401
    core,
    math,  # noqa: F401,E402
    nn,
    numpy,
    random,
)
from .core import *  # noqa: F401,F403
from .math import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .numpy import *  # noqa: F401,F403
