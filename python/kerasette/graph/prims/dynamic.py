"""Values known only when a program is made for concrete shapes (the batch size)."""

import numpy as np

from ..registry import register

# A dimension of x as an int32 scalar. A program is made for concrete shapes, so the
# compiler turns it into a constant there; a traced graph keeps it symbolic.
register(
    "shape_dim",
    infer=lambda x, axis: ((), "int32"),
    eval=lambda x, axis: np.asarray(x.shape[axis], dtype=np.int32),
    kernel="constant",
)
