"""Parameter routing for the scikeras-style wrappers.

A wrapper parameter ``dest__name`` is meant for one destination only (``model``,
``fit``, ``compile``, ``predict``, ``optimizer``, ``loss``, ``metrics``). A plain
parameter reaches a destination only if that destination accepts its name (the
pass lists below, taken from scikeras). Routed keys win over plain ones, so
``fit__epochs`` beats ``epochs``.
"""

ROUTING_PREFIXES = frozenset({"model", "fit", "compile", "predict", "optimizer", "loss", "metrics"})

# Plain wrapper parameters each destination accepts (scikeras's pass lists).
FIT_KWARGS = frozenset(
    {
        "batch_size",
        "epochs",
        "verbose",
        "validation_split",
        "shuffle",
        "class_weight",
        "sample_weight",
        "initial_epoch",
        "validation_steps",
        "validation_batch_size",
        "validation_freq",
        "callbacks",
    }
)
PREDICT_KWARGS = frozenset({"batch_size", "verbose", "steps"})
COMPILE_KWARGS = frozenset(
    {"optimizer", "loss", "metrics", "loss_weights", "weighted_metrics", "run_eagerly"}
)


def route_params(params, destination, pass_filter):
    """Picks the parameters bound for ``destination``, prefixes stripped.

    Args:
        params: dict of wrapper parameters (``get_params(deep=False)``).
        destination: a routing prefix, e.g. ``"fit"``.
        pass_filter: plain (unprefixed) names the destination accepts; ``None``
            accepts every plain name.
    Returns:
        dict ready to be passed as keyword arguments.
    """
    prefix = destination + "__"
    plain, routed = {}, {}
    for key, value in params.items():
        if key.startswith(prefix):
            routed[key[len(prefix) :]] = value
        elif "__" not in key and (pass_filter is None or key in pass_filter):
            plain[key] = value
    plain.update(routed)
    return plain


def is_routed_name(key):
    """True for ``dest__name`` with a known destination (accepted as an extra init kwarg)."""
    head, sep, tail = key.partition("__")
    return bool(sep) and head in ROUTING_PREFIXES and bool(tail)
