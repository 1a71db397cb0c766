"""kerasette.distribute: data-parallel training over MPI, Horovod-style.

    import kerasette as ks
    import kerasette.distribute as kd

    kd.init()
    x_part, y_part = kd.shard(x, y)                      # each rank its own rows
    opt = kd.DistributedOptimizer(ks.optimizers.SGD(0.01 * kd.size()))
    model.compile(optimizer=opt, loss="mse")
    model.fit(x_part, y_part, batch_size=32,
              callbacks=[kd.callbacks.BroadcastGlobalVariablesCallback(0),
                         kd.callbacks.MetricAverageCallback()],
              verbose=1 if kd.rank() == 0 else 0)
    if kd.rank() == 0:
        model.save("model.keras")

Run with `mpiexec -n 4 python -m mpi4py train.py` (`-m mpi4py` aborts the whole job
when one rank raises, instead of leaving the others waiting in a collective). Every step allreduces the gradients (one
in-place Allreduce on the engine's flat gradient buffer), so the ranks apply identical
updates: N ranks with batch B each train like one process with batch N*B.

Horovod's contract, which this follows: (1) scale the learning rate by `size()`
(optionally warm it up: `callbacks.LearningRateWarmupCallback`); (2) wrap the
optimizer; (3) broadcast rank 0's initial state; (4) print and checkpoint on rank 0
only; (5) shard the data so that every rank runs the same number of steps per epoch.
Not synchronized: BatchNormalization's moving statistics (each rank keeps its own;
rank 0's are the ones saved) and Dropout masks (draw the same stream on every rank
unless seeded per rank).

Needs mpi4py and an MPI runtime (`pip install mpi4py mpich`, or the extra "mpi");
only `init()` imports mpi4py.
"""

from . import callbacks
from ._mpi import (
    comm,
    cross_rank,
    cross_size,
    init,
    is_initialized,
    local_rank,
    local_size,
    rank,
    shutdown,
    size,
)
from .collectives import Average, Sum, allgather, allreduce, broadcast, broadcast_variables
from .data import shard
from .optimizer import DistributedOptimizer


def mpi_threads_supported():
    """Whether MPI was initialized with MPI_THREAD_MULTIPLE (Horovod's)."""
    from ._mpi import mpi

    return mpi().Query_thread() == mpi().THREAD_MULTIPLE


__all__ = [
    "init",
    "shutdown",
    "is_initialized",
    "rank",
    "size",
    "local_rank",
    "local_size",
    "cross_rank",
    "cross_size",
    "comm",
    "mpi_threads_supported",
    "DistributedOptimizer",
    "Average",
    "Sum",
    "allreduce",
    "allgather",
    "broadcast",
    "broadcast_variables",
    "shard",
    "callbacks",
]
