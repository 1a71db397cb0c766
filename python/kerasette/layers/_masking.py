"""Keras's mask propagation.

A mask rides on a symbolic tensor, or on the Tensor an eager layer call returns, as
`_keras_mask`. Before `call`, a layer whose `call`
names a `mask` argument receives the inputs' masks; after it, a layer that supports
masking sets `compute_mask(inputs, previous_mask)` on outputs that have none; a layer
that does not support masking drops the mask, with Keras's warning.
"""

import inspect
import warnings

from ..graph import tree


def _mask_of(x):
    return getattr(x, "_keras_mask", None)


def _call_names_mask(layer):
    cls = type(layer)
    hit = cls.__dict__.get("_ks_call_names_mask")
    if hit is None:
        try:
            hit = "mask" in inspect.signature(cls.call).parameters
        except (TypeError, ValueError):
            hit = False
        type.__setattr__(cls, "_ks_call_names_mask", hit)
    return hit


def _masks(inputs):
    if isinstance(inputs, (list, tuple)):
        return type(inputs)(_masks(x) for x in inputs)
    if isinstance(inputs, dict):
        return {k: _masks(v) for k, v in inputs.items()}
    return _mask_of(inputs)


def _any(masks):
    return bool(tree.flatten(masks)[0])


def fill_mask_arg(layer, inputs, kwargs):
    """Passes the inputs' masks as `mask=` when call takes one; returns the mask seen."""
    if kwargs.get("mask") is not None:
        return kwargs["mask"]
    previous = _masks(inputs)
    if _any(previous) and _call_names_mask(layer):
        kwargs["mask"] = previous
    return previous


def set_output_masks(layer, inputs, outputs, previous_mask):
    flat = [o for o in tree.flatten(outputs)[0] if hasattr(o, "_keras_mask")]
    if not layer.supports_masking:
        if _any(previous_mask):
            warnings.warn(
                f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed "
                "an input with a mask attached to it. However, this layer does not "
                "support masking and will therefore destroy the mask information. "
                "Downstream layers will not see the mask.",
                stacklevel=1,
            )
        return
    if not flat or all(o._keras_mask is not None for o in flat):
        return
    masks = layer.compute_mask(inputs, previous_mask)
    if masks is None:
        return
    masks = list(masks) if isinstance(masks, (list, tuple)) else [masks]
    for out, mask in zip(flat, masks):
        if out._keras_mask is None and mask is not None:
            out._keras_mask = mask
