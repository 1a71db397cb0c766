"""`keras.applications`: the classic image-classification architectures, built as
functional models with Keras's layer names (so Keras's weight files load by name).

Only the VGG family is here so far (VGG16, VGG19), channels_last."""

from . import vgg16, vgg19  # noqa: F401
from .vgg16 import VGG16
from .vgg19 import VGG19

__all__ = ["VGG16", "VGG19", "vgg16", "vgg19"]
