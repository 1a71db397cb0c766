"""kerasette.layers: Keras 3's core layers, Lambda and the merge layers."""

import importlib as _importlib

from .activation import Activation

# Text/tabular preprocessing and the long tail (activation, noise) layers.
from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .attention import Attention, MultiHeadAttention
from .batch_normalization import BatchNormalization
from .bidirectional import Bidirectional
from .category_encoding import CategoryEncoding
from .concatenate import Concatenate, concatenate
from .conv import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
)
from .dense import Dense
from .discretization import Discretization
from .dot import Dot, dot
from .dropout import Dropout
from .embedding import Embedding
from .flatten import Flatten
from .hashing import HashedCrossing, Hashing
from .image_preprocessing import (
    CenterCrop,
    RandomContrast,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Rescaling,
    Resizing,
)
from .input_layer import Input, InputLayer
from .lambda_layer import Lambda
from .layer import Layer
from .layer_normalization import LayerNormalization
from .lookup import IntegerLookup, StringLookup
from .masking import Masking
from .merge import (
    Add,
    Average,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    maximum,
    minimum,
    multiply,
    subtract,
)
from .noise import (
    ActivityRegularization,
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    UnitNormalization,
)
from .normalization import Normalization
from .pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from .reshape import Reshape
from .reshaping import (
    Cropping1D,
    Cropping2D,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)
from .reshaping_sequence import Permute, RepeatVector
from .rnn import GRU, LSTM, RNN, SimpleRNN
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell
from .spatial_dropout import SpatialDropout1D, SpatialDropout2D
from .stacked_rnn_cells import StackedRNNCells
from .text_vectorization import TextVectorization
from .time_distributed import TimeDistributed

__all__ = [
    "Activation",
    "Add",
    "Average",
    "BatchNormalization",
    "Concatenate",
    "Dense",
    "DenseFeatures",
    "Dot",
    "Dropout",
    "Embedding",
    "Flatten",
    "Input",
    "InputLayer",
    "Lambda",
    "Layer",
    "LayerNormalization",
    "Maximum",
    "Minimum",
    "Multiply",
    "Normalization",
    "Reshape",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]
# The image layers: convolution, pooling, spatial reshaping, image preprocessing.
__all__ += [
    "Conv1D",
    "Conv1DTranspose",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "CenterCrop",
    "RandomContrast",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "Rescaling",
    "Resizing",
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "Cropping1D",
    "Cropping2D",
    "UpSampling1D",
    "UpSampling2D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "SpatialDropout1D",
    "SpatialDropout2D",
]
__all__ += [
    "ActivityRegularization",
    "AlphaDropout",
    "CategoryEncoding",
    "Discretization",
    "ELU",
    "GaussianDropout",
    "GaussianNoise",
    "HashedCrossing",
    "Hashing",
    "IntegerLookup",
    "LeakyReLU",
    "PReLU",
    "ReLU",
    "Softmax",
    "StringLookup",
    "TextVectorization",
    "UnitNormalization",
]
__all__ += [
    "GRU",
    "LSTM",
    "SimpleRNN",
    "RNN",
    "SimpleRNNCell",
    "LSTMCell",
    "GRUCell",
    "StackedRNNCells",
    "Bidirectional",
    "Masking",
    "Permute",
    "RepeatVector",
    "TimeDistributed",
    "Attention",
    "MultiHeadAttention",
]
# Keras's other names for the same classes (keras.layers.MaxPool2D is MaxPooling2D).
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
)
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
)
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose = Conv1DTranspose, Conv2DTranspose
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
ALIASES = {
    "AvgPool1D": "AveragePooling1D",
    "AvgPool2D": "AveragePooling2D",
    "AvgPool3D": "AveragePooling3D",
    "MaxPool1D": "MaxPooling1D",
    "MaxPool2D": "MaxPooling2D",
    "MaxPool3D": "MaxPooling3D",
    "GlobalAvgPool1D": "GlobalAveragePooling1D",
    "GlobalAvgPool2D": "GlobalAveragePooling2D",
    "GlobalAvgPool3D": "GlobalAveragePooling3D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D",
    "GlobalMaxPool2D": "GlobalMaxPooling2D",
    "GlobalMaxPool3D": "GlobalMaxPooling3D",
    "Convolution1D": "Conv1D",
    "Convolution2D": "Conv2D",
    "Convolution3D": "Conv3D",
    "Convolution1DTranspose": "Conv1DTranspose",
    "Convolution2DTranspose": "Conv2DTranspose",
    "SeparableConvolution1D": "SeparableConv1D",
    "SeparableConvolution2D": "SeparableConv2D",
}
__all__ += list(ALIASES)
# Functional forms are not layer classes: never in the deserialize table.
_FUNCTIONS = {"add", "average", "concatenate", "dot", "maximum", "minimum", "multiply", "subtract"}


def __getattr__(name):
    # DenseFeatures lives with the feature columns; import it only when asked for.
    if name == "DenseFeatures":
        return _importlib.import_module(f"{__name__}.dense_features").DenseFeatures
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_TABLE = {}  # class name -> built-in layer class, made on first use
_TAKES_CUSTOM = {}  # class -> whether its from_config takes custom_objects


def _builtin_table():
    if not _TABLE:
        _TABLE.update(
            {
                n: globals()[n]
                for n in __all__
                if n in globals() and n != "Input" and n not in _FUNCTIONS
            }
        )
    return _TABLE


def _from_config(cls, inner, custom_objects):
    takes = _TAKES_CUSTOM.get(cls)
    if takes is None:
        import inspect

        takes = _TAKES_CUSTOM[cls] = (
            "custom_objects" in inspect.signature(cls.from_config).parameters
        )
    if takes:  # Lambda resolves named functions through them
        return cls.from_config(inner, custom_objects=custom_objects)
    return cls.from_config(inner)


def deserialize(config, custom_objects=None):
    """A layer from its {"class_name", "config"} dict (Keras's `layers.deserialize`)."""
    name = config.get("class_name")
    cls = (custom_objects or {}).get(name) or _builtin_table().get(name)
    if cls is None and name == "DenseFeatures":
        cls = __getattr__(name)
    if cls is None:
        # Registered custom layers (`register_keras_serializable`) and custom_object_scope
        # live in kerasette.saving's registry.
        from ..saving import deserialize_keras_object

        return deserialize_keras_object(config, custom_objects=custom_objects)
    return _from_config(cls, config.get("config") or {}, custom_objects)


def serialize(layer):
    """Keras's envelope; built-in layers say module "keras.layers" (what Keras writes),
    any other class goes through kerasette.saving (its module and registered name)."""
    cls = type(layer)
    builtin = cls.__name__ in __all__ and cls is globals().get(cls.__name__)
    if not builtin and cls.__name__ == "DenseFeatures":
        builtin = cls is __getattr__("DenseFeatures")
    if not builtin:
        from ..saving import serialize_keras_object

        return serialize_keras_object(layer)
    return {
        "module": "keras.layers",
        "class_name": cls.__name__,
        "config": layer.get_config(),
        "registered_name": None,
    }
