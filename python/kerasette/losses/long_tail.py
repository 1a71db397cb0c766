"""Keras 3's cosine-similarity, focal and overlap (Dice, Tversky) losses, in ops: the
per-sample functions and their classes (names, defaults and configs as Keras's)."""

from .. import ops
from .functions import EPSILON
from .loss import Loss
from .losses import _Builtin
from .reduction import squeeze_or_expand_to_same_rank


def _l2_normalize(x, axis):
    # Keras's ops.normalize(order=2, epsilon=1e-7): x * min(rsqrt(sum x^2), 1/epsilon)
    inv = ops.minimum(ops.rsqrt(ops.sum(ops.square(x), axis=axis, keepdims=True)), 1.0 / EPSILON)
    return ops.multiply(x, inv)


def cosine_similarity(y_true, y_pred, axis=-1):
    """The negative cosine similarity between labels and predictions along `axis`: -1
    when they point the same way, 0 when orthogonal, for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.
        axis: The axis the values are computed along. Defaults to `-1`.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return ops.negative(
        ops.sum(ops.multiply(_l2_normalize(y_true, axis), _l2_normalize(y_pred, axis)), axis=axis)
    )


def _bce(y_true, y_pred):
    """Elementwise binary crossentropy on probabilities clipped to [eps, 1 - eps]."""
    p = ops.clip(y_pred, EPSILON, 1.0 - EPSILON)
    return ops.negative(
        ops.add(
            ops.multiply(y_true, ops.log(p)),
            ops.multiply(ops.subtract(1.0, y_true), ops.log(ops.subtract(1.0, p))),
        )
    )


def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """The binary focal cross-entropy (Lin et al., 2017): the binary cross-entropy
    weighted by `(1 - p_t) ** gamma`, which down-weights well-classified examples,
    for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.
        apply_class_balancing: Whether to weight the classes by `alpha` (positives)
            and `1 - alpha`. Defaults to `False`.
        alpha: The weight of the positive class (with class balancing) or of the
            false positives. Defaults to `0.25`.
        gamma: The focusing parameter: larger values down-weight easy examples.
            Defaults to `2.0`.
        from_logits: Whether `y_pred` holds logits (unnormalized scores) rather than
            probabilities. Defaults to `False`.
        label_smoothing: In `[0, 1]`: the targets are moved toward a uniform
            distribution by this fraction. Defaults to `0.0`.
        axis: The axis the values are computed along. Defaults to `-1`.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = _bce(y_true, y_pred)
    p_t = ops.add(
        ops.multiply(y_true, y_pred),
        ops.multiply(ops.subtract(1.0, y_true), ops.subtract(1.0, y_pred)),
    )
    focal = ops.multiply(ops.power(ops.subtract(1.0, p_t), gamma), bce)
    if apply_class_balancing:
        weight = ops.add(
            ops.multiply(y_true, alpha), ops.multiply(ops.subtract(1.0, y_true), 1.0 - alpha)
        )
        focal = ops.multiply(weight, focal)
    return ops.mean(focal, axis=axis)


def categorical_focal_crossentropy(
    y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1
):
    """The categorical focal cross-entropy: the categorical cross-entropy weighted by
    `alpha * (1 - p) ** gamma`, for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.
        alpha: The weight of the positive class (with class balancing) or of the
            false positives. Defaults to `0.25`.
        gamma: The focusing parameter: larger values down-weight easy examples.
            Defaults to `2.0`.
        from_logits: Whether `y_pred` holds logits (unnormalized scores) rather than
            probabilities. Defaults to `False`.
        label_smoothing: In `[0, 1]`: the targets are moved toward a uniform
            distribution by this fraction. Defaults to `0.0`.
        axis: The axis the values are computed along. Defaults to `-1`.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    if isinstance(axis, bool):
        raise ValueError(
            f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}"
        )
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if label_smoothing:
        k = float(y_true.shape[-1])
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), label_smoothing / k)
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    out = ops.divide(y_pred, ops.sum(y_pred, axis=axis, keepdims=True))
    out = ops.clip(out, EPSILON, 1.0 - EPSILON)
    cce = ops.multiply(ops.negative(y_true), ops.log(out))
    weight = ops.multiply(ops.power(ops.subtract(1.0, out), gamma), alpha)
    return ops.sum(ops.multiply(weight, cce), axis=axis)


def dice(y_true, y_pred, axis=None):
    """The Dice loss: `1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))`, for
    segmentation, for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.
        axis: The axis the values are computed along. Defaults to `None`.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    inter = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    total = ops.add(ops.add(ops.sum(y_true, axis=axis), ops.sum(y_pred, axis=axis)), EPSILON)
    return ops.subtract(1.0, ops.divide(ops.multiply(inter, 2.0), total))


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """The Tversky loss: a Dice loss with false positives weighted by `alpha` and false
    negatives by `beta`, for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.
        alpha: The weight of the positive class (with class balancing) or of the
            false positives. Defaults to `0.5`.
        beta: The weight of the false negatives. Defaults to `0.5`.
        axis: The axis the values are computed along. Defaults to `None`.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    inter = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    fp = ops.sum(ops.multiply(ops.subtract(1.0, y_pred), y_true), axis=axis)
    fn = ops.sum(ops.multiply(y_pred, ops.subtract(1.0, y_true)), axis=axis)
    denom = ops.add(
        ops.add(ops.add(inter, ops.multiply(fp, alpha)), ops.multiply(fn, beta)), EPSILON
    )
    return ops.subtract(1.0, ops.divide(inter, denom))


class CosineSimilarity(_Builtin):
    """The negative cosine similarity between labels and predictions along `axis`: -1
    when they point the same way, 0 when orthogonal.

    ```python
    loss = keras.losses.CosineSimilarity()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.CosineSimilarity())
    ```

    Args:
        axis: The axis the values are computed along. Defaults to `-1`.
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"cosine_similarity"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(
        self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None
    ):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        # Keras's config has no `axis`; kerasette adds it only when it is not the default,
        # so a round trip keeps it (as Huber's delta) and default configs equal Keras's.
        config = super().get_config()
        if self.axis != -1:
            config["axis"] = self.axis
        return config


class BinaryFocalCrossentropy(_Builtin):
    """The binary focal cross-entropy (Lin et al., 2017): the binary cross-entropy
    weighted by `(1 - p_t) ** gamma`, which down-weights well-classified examples.

    ```python
    loss = keras.losses.BinaryFocalCrossentropy()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.BinaryFocalCrossentropy())
    ```

    Args:
        apply_class_balancing: Whether to weight the classes by `alpha` (positives)
            and `1 - alpha`. Defaults to `False`.
        alpha: The weight of the positive class (with class balancing) or of the
            false positives. Defaults to `0.25`.
        gamma: The focusing parameter: larger values down-weight easy examples.
            Defaults to `2.0`.
        from_logits: Whether `y_pred` holds logits (unnormalized scores) rather than
            probabilities. Defaults to `False`.
        label_smoothing: In `[0, 1]`: the targets are moved toward a uniform
            distribution by this fraction. Defaults to `0.0`.
        axis: The axis the values are computed along. Defaults to `-1`.
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"binary_focal_crossentropy"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_focal_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma

    def get_config(self):
        return {
            **Loss.get_config(self),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
            "apply_class_balancing": self.apply_class_balancing,
            "alpha": self.alpha,
            "gamma": self.gamma,
        }


class CategoricalFocalCrossentropy(_Builtin):
    """The categorical focal cross-entropy: the categorical cross-entropy weighted by
    `alpha * (1 - p) ** gamma`.

    ```python
    loss = keras.losses.CategoricalFocalCrossentropy()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.CategoricalFocalCrossentropy())
    ```

    Args:
        alpha: The weight of the positive class (with class balancing) or of the
            false positives. Defaults to `0.25`.
        gamma: The focusing parameter: larger values down-weight easy examples.
            Defaults to `2.0`.
        from_logits: Whether `y_pred` holds logits (unnormalized scores) rather than
            probabilities. Defaults to `False`.
        label_smoothing: In `[0, 1]`: the targets are moved toward a uniform
            distribution by this fraction. Defaults to `0.0`.
        axis: The axis the values are computed along. Defaults to `-1`.
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"categorical_focal_crossentropy"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_focal_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.alpha, self.gamma = alpha, gamma

    def get_config(self):
        return {
            **Loss.get_config(self),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
            "alpha": self.alpha,
            "gamma": self.gamma,
        }


class Dice(_Builtin):
    """The Dice loss: `1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))`, for
    segmentation.

    ```python
    loss = keras.losses.Dice()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.Dice())
    ```

    Args:
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"dice"`.
        axis: The axis the values are computed along. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {**Loss.get_config(self), "axis": self.axis}


class Tversky(_Builtin):
    """The Tversky loss: a Dice loss with false positives weighted by `alpha` and false
    negatives by `beta`.

    ```python
    loss = keras.losses.Tversky()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.Tversky())
    ```

    Args:
        alpha: The weight of the positive class (with class balancing) or of the
            false positives. Defaults to `0.5`.
        beta: The weight of the false negatives. Defaults to `0.5`.
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"tversky"`.
        axis: The axis the values are computed along. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(
        self,
        alpha=0.5,
        beta=0.5,
        reduction="sum_over_batch_size",
        name="tversky",
        axis=None,
        dtype=None,
    ):
        super().__init__(
            tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha, beta=beta, axis=axis
        )
        self.alpha, self.beta, self.axis = alpha, beta, axis

    def get_config(self):
        return {**Loss.get_config(self), "alpha": self.alpha, "beta": self.beta, "axis": self.axis}


LONG_TAIL_CLASSES = [
    CosineSimilarity,
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    Dice,
    Tversky,
]
LONG_TAIL_FUNCTIONS = {
    cosine_similarity: CosineSimilarity,
    binary_focal_crossentropy: BinaryFocalCrossentropy,
    categorical_focal_crossentropy: CategoricalFocalCrossentropy,
    dice: Dice,
    tversky: Tversky,
}
