"""`keras.ops.core`."""
__all__ = []


def shape_dim(x, axis):
    """Dimension `axis` of x as an int32 scalar tensor (known at run time)."""
    from ..graph.trace import apply
    return apply("shape_dim", [x], axis=int(axis))


__all__ += ["shape_dim"]
