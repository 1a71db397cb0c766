"""The VGG networks (Simonyan & Zisserman, 2014) as Keras builds them: five blocks of
3x3 "same" ReLU convolutions, each closed by a 2x2 max pooling, then either the
classifier (Flatten, two 4096-unit ReLU layers, `predictions`) or an optional global
pooling. Layer names follow Keras's (`block1_conv1`, ..., `fc1`, `predictions`)."""

import os

_WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/"
    "{name}/{name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
)
_FILTERS = (64, 128, 256, 512, 512)


def _input_shape(input_shape, include_top, weights):
    """Keras's obtain_input_shape for channels_last, default 224, smallest 32."""
    if (
        weights == "imagenet"
        and include_top
        and input_shape is not None
        and tuple(input_shape) != (224, 224, 3)
    ):
        raise ValueError(
            "When setting `include_top=True` and loading `imagenet` weights, "
            f"`input_shape` should be (224, 224, 3).  Received: "
            f"input_shape={input_shape}"
        )
    if input_shape is None:
        return (224, 224, 3) if include_top else (None, None, 3)
    input_shape = tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError(
            f"`input_shape` must be a tuple of three integers. Received: input_shape={input_shape}"
        )
    if weights == "imagenet" and input_shape[-1] != 3:
        raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
    if any(d is not None and d < 32 for d in input_shape[:2]):
        raise ValueError(f"Input size must be at least 32x32; Received: input_shape={input_shape}")
    if include_top and None in input_shape:
        raise ValueError(
            "If `include_top` is True, you should specify a static "
            f"`input_shape`. Received: input_shape={input_shape}"
        )
    return input_shape


def build_vgg(
    name,
    convs_per_block,
    include_top,
    weights,
    input_tensor,
    input_shape,
    pooling,
    classes,
    classifier_activation,
):
    from .. import layers
    from ..models.functional import Functional
    from ..utils import get_file

    if not (
        weights in ("imagenet", None)
        or (isinstance(weights, (str, os.PathLike)) and os.path.exists(weights))
    ):
        raise ValueError(
            "The `weights` argument should be either `None` (random "
            "initialization), 'imagenet' (pre-training on ImageNet), or the "
            f"path to the weights file to be loaded.  Received: weights={weights}"
        )
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(
            "If using `weights='imagenet'` with `include_top=True`, `classes` "
            f"should be 1000.  Received classes={classes}"
        )
    if weights == "imagenet" and include_top and classifier_activation not in ("softmax", None):
        raise ValueError(
            "Only `None` and `softmax` activations are allowed for the "
            "`classifier_activation` argument when using pretrained weights, "
            "with `include_top=True`; Received: "
            f"classifier_activation={classifier_activation}"
        )
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"`pooling` must be None, 'avg' or 'max'. Received: {pooling}")
    inputs = (
        input_tensor
        if input_tensor is not None
        else layers.Input(shape=_input_shape(input_shape, include_top, weights))
    )
    x = inputs
    for block, (filters, n) in enumerate(zip(_FILTERS, convs_per_block), start=1):
        for i in range(1, n + 1):
            x = layers.Conv2D(
                filters, (3, 3), activation="relu", padding="same", name=f"block{block}_conv{i}"
            )(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Functional(inputs, x, name=name)
    if weights == "imagenet":  # Keras's file, from its cache folder or downloaded there
        suffix = "" if include_top else "_notop"
        path = get_file(
            f"{name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5",
            _WEIGHTS_URL.format(name=name, suffix=suffix),
            cache_subdir="models",
        )
        model.load_weights(path)
    elif weights is not None:
        model.load_weights(weights)
    return model
