"""`keras.applications.vgg19`: VGG19 ((2, 2, 4, 4, 4) convolutions per block)."""

from ._vgg import build_vgg


def VGG19(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="vgg19",
):
    """The VGG19 network as a functional model.

    Args:
        include_top: Whether to add the classifier (Flatten, fc1, fc2, predictions).
        weights: `None` (random initialization), `"imagenet"` (Keras's ImageNet
            file, read from Keras's cache folder or downloaded there) or the path of a
            weights file.
        input_tensor: A `keras.Input` to build on.
        input_shape: `(height, width, 3)`; defaults to `(224, 224, 3)` with the top.
        pooling: Without the top: `None`, `"avg"` or `"max"` global pooling.
        classes: The number of classes (with the top).
        classifier_activation: The activation of `predictions`.
        name: The model's name.

    Returns:
        A functional `Model`.
    """
    return build_vgg(
        name,
        (2, 2, 4, 4, 4),
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
    )


def preprocess_input(x, data_format=None):
    """Keras's "caffe" preprocessing: RGB to BGR, minus the ImageNet channel means."""
    import numpy as np

    x = np.asarray(x, dtype="float32")[..., ::-1]
    return x - np.asarray([103.939, 116.779, 123.68], dtype="float32")
