"""`keras.ops.nn`."""
__all__ = []
