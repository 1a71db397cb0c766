"""`keras.ops.core`."""
__all__ = []
