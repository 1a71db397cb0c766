"""`DistributedOptimizer`: the wrapped optimizer averages each step's gradients over
the ranks (one in-place Allreduce on the engine's flat gradient arena) before clipping
and the update, as Horovod's does before `apply_gradients`.

The engine calls `optimizer._gradient_hook(grads)` on every training step, with `grads`
a float32 view of the whole trainable-gradient arena (every trainable weight's gradient,
regularization included), between backward and gradient clipping / the fused update.
"""

from . import _mpi
from .collectives import Average, Sum, _op_name, allreduce_

_SUBCLASSES = {}  # optimizer class -> its distributed subclass (same __name__)


class _GradientAverager:
    """The per-step hook: sums (and averages) the flat gradient buffer over the ranks.
    It looks the communicator up per call, so it holds no MPI handle and pickles."""

    def __init__(self, op):
        self.op = op

    def __call__(self, grads):
        allreduce_(grads, self.op)


class _DistributedMixin:
    def __reduce__(self):  # the class is made at run time: pickle through the factory
        return (_remake, (type(self).__mro__[2], self._gradient_hook.op), self.__dict__)

    def __repr__(self):
        return (
            f"<Distributed{type(self).__name__} name={self.name}, built={self.built}, "
            f"op={self._gradient_hook.op}>"
        )


def _subclass(base):
    # Keeps the base's __name__: the engine and serialization recognise optimizers by
    # class name, and a saved model stores the plain optimizer (as Horovod's does).
    if base not in _SUBCLASSES:
        _SUBCLASSES[base] = type(
            base.__name__,
            (_DistributedMixin, base),
            {"__module__": base.__module__, "__qualname__": base.__qualname__},
        )
    return _SUBCLASSES[base]


def _remake(base, op):
    obj = object.__new__(_subclass(base))
    obj._gradient_hook = _GradientAverager(op)
    return obj


def DistributedOptimizer(
    optimizer,
    name=None,
    compression=None,
    op=Average,
    gradient_predivide_factor=1.0,
    backward_passes_per_step=1,
    average_aggregated_gradients=False,
    sparse_as_dense=False,
    device_dense="",
    device_sparse="",
    num_groups=0,
    groups=None,
):
    """An optimizer that averages gradients across ranks before applying them.

    Horovod's `hvd.DistributedOptimizer`: returns a new optimizer of the same class
    (built from `optimizer.get_config()`; the given one's state is not carried over),
    whose every training step in `fit` / `train_on_batch` first allreduces the step's
    gradients, so that all ranks apply the same update and stay identical.

    Args:
        optimizer: a kerasette optimizer (instance, name or config).
        name: a new name for the optimizer (default: the given one's).
        op: `kerasette.distribute.Average` (default) or `.Sum`.
        compression: Horovod's; only `None` is supported (gradients travel as
            float32 in one buffer).
        gradient_predivide_factor: Horovod's; only `1.0` is supported.
        backward_passes_per_step: Horovod's; only `1` is supported.
        average_aggregated_gradients: Horovod's; only `False` is supported.
        sparse_as_dense: Horovod's; only `False` is supported (there are no sparse
            gradients).
        device_dense: Horovod's; only `""` is supported.
        device_sparse: Horovod's; only `""` is supported.
        num_groups: Horovod's; only `0` is supported.
        groups: Horovod's; only `None` is supported.

    Learning rate: each step now sees `size()` times as many samples, so Horovod
    recommends scaling the learning rate by `size()` (e.g. `SGD(0.01 * kd.size())`),
    optionally warming it up over the first epochs
    (`kd.callbacks.LearningRateWarmupCallback`).
    """
    from .. import optimizers

    if not _mpi.is_initialized():
        raise ValueError(
            "kerasette.distribute has not been initialized; call "
            "kerasette.distribute.init() before DistributedOptimizer()."
        )
    op = _op_name(op)
    unsupported = {
        "compression": (compression, None),
        "gradient_predivide_factor": (gradient_predivide_factor, 1.0),
        "backward_passes_per_step": (backward_passes_per_step, 1),
        "average_aggregated_gradients": (average_aggregated_gradients, False),
        "sparse_as_dense": (sparse_as_dense, False),
        "num_groups": (num_groups, 0),
        "groups": (groups, None),
    }
    for arg, (given, default) in unsupported.items():
        if given != default:
            raise ValueError(
                f"DistributedOptimizer: {arg}={given!r} is not supported by "
                f"kerasette (only {arg}={default!r})"
            )
    base = optimizers.get(optimizer)
    if isinstance(base, _DistributedMixin):
        raise ValueError("DistributedOptimizer: this optimizer is already distributed")
    config = base.get_config()
    if name is not None:
        config["name"] = name
    dist = _subclass(type(base)).from_config(config)
    dist._gradient_hook = _GradientAverager(op)
    return dist


__all__ = ["DistributedOptimizer", "Average", "Sum"]
