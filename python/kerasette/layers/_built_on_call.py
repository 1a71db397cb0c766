"""Weightless layers that Keras builds on their first call and so saves with a
`build_config` ({"input_shape": ...}): Flatten, the reshaping layers and the
image preprocessing layers."""


class BuiltOnCall:
    """Mixed in before `Layer`: the first call builds the layer and records its shape.
    Later calls may have other sizes (Keras checks only these layers' rank, in call)."""

    _has_build_config = True

    def _check_input_shape(self, shape):
        pass
