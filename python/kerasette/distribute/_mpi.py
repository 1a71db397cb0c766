"""The MPI state behind `kerasette.distribute`: one communicator, set by `init()`.

mpi4py is imported here and nowhere else in kerasette (the optional extra "mpi"), so
`import kerasette.distribute` works without it and only `init()` needs it.
"""

_INSTALL_HINT = (
    "kerasette.distribute needs mpi4py and an MPI runtime: "
    "pip install mpi4py mpich   (or the extra: pip install 'kerasette[mpi]')"
)

_comm = None  # the world communicator of this job (mpi4py Comm)
_local_comm = None  # the ranks on this host (MPI_COMM_TYPE_SHARED split)
_cross_comm = None  # the ranks with this process's local rank, one per host (Horovod's)
_MPI = None  # the mpi4py.MPI module once imported


def _import_mpi():
    global _MPI
    if _MPI is None:
        try:
            from mpi4py import MPI  # initializes MPI (MPI_Init_thread) on import
        except ImportError as e:
            raise ImportError(f"{_INSTALL_HINT} ({e})") from e
        _MPI = MPI
    return _MPI


def init(comm=None):
    """Initializes kerasette.distribute (Horovod's `hvd.init`).

    Args:
        comm: an mpi4py communicator to train over, or a list of world ranks to form
            one from; defaults to `MPI.COMM_WORLD`. Calling `init()` again is a no-op
            unless a different `comm` is given.
    """
    global _comm, _local_comm, _cross_comm
    MPI = _import_mpi()
    if comm is None:
        if _comm is not None:
            return
        comm = MPI.COMM_WORLD
    elif isinstance(comm, (list, tuple)):
        ranks = [int(r) for r in comm]
        world = MPI.COMM_WORLD
        if any(not 0 <= r < world.Get_size() for r in ranks) or len(set(ranks)) != len(ranks):
            raise ValueError(
                f"init(comm=ranks) needs distinct ranks in [0, {world.Get_size()}); got {comm!r}"
            )
        group = world.Get_group().Incl(ranks)
        comm = world.Create(group)
        if comm == MPI.COMM_NULL:
            raise ValueError(
                f"this process (world rank {world.Get_rank()}) is not in init(comm={ranks!r})"
            )
    elif not isinstance(comm, MPI.Comm):
        raise TypeError(
            f"init(comm=...) expects an mpi4py communicator or a list of ranks; "
            f"got {type(comm).__name__}"
        )
    _comm = comm
    _local_comm = comm.Split_type(MPI.COMM_TYPE_SHARED, key=comm.Get_rank())
    _cross_comm = comm.Split(color=_local_comm.Get_rank(), key=comm.Get_rank())


def shutdown():
    """Forgets the communicator (Horovod's `hvd.shutdown`); MPI itself finalizes at exit."""
    global _comm, _local_comm, _cross_comm
    for c in (_local_comm, _cross_comm):
        if c is not None:
            c.Free()
    _comm = _local_comm = _cross_comm = None


def is_initialized():
    return _comm is not None


def comm():
    """The communicator `init()` set up (an mpi4py `Comm`)."""
    if _comm is None:
        raise ValueError(
            "kerasette.distribute has not been initialized; call kerasette.distribute.init() first."
        )
    return _comm


def mpi():
    return _import_mpi()


def rank():
    """This process's rank in [0, size())."""
    return comm().Get_rank()


def size():
    """The number of processes training together."""
    return comm().Get_size()


def local_rank():
    """This process's rank among those on the same host (pick a device with it)."""
    comm()
    return _local_comm.Get_rank()


def local_size():
    comm()
    return _local_comm.Get_size()


def cross_rank():
    """This process's rank among the processes with the same local_rank (one per host)."""
    comm()
    return _cross_comm.Get_rank()


def cross_size():
    """The number of hosts (when every host runs the same number of processes)."""
    comm()
    return _cross_comm.Get_size()
