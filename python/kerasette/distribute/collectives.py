"""Array collectives over the `init()` communicator (Horovod's `allreduce`,
`allgather`, `broadcast`, `broadcast_variables`), on numpy buffers with mpi4py's
uppercase (buffer) methods."""

import numpy as np

from . import _mpi

Average = "average"
Sum = "sum"


def _op_name(op, average=None):
    if average is not None:  # Horovod's legacy flag
        return Average if average else Sum
    if op not in (Average, Sum):
        raise ValueError(f"op must be kerasette.distribute.Average or .Sum; got {op!r}")
    return op


def allreduce_(buf, op=Average):
    """In place: `buf` becomes the sum (or mean) of every rank's `buf`. `buf` must be a
    writeable C-contiguous numpy array of the same shape and dtype on every rank."""
    if not (isinstance(buf, np.ndarray) and buf.flags.c_contiguous and buf.flags.writeable):
        raise TypeError("allreduce_ needs a writeable C-contiguous numpy array")
    if op == Average and buf.dtype.kind != "f":
        raise TypeError(f"averaging needs a floating-point buffer; got dtype {buf.dtype}")
    c = _mpi.comm()
    n = c.Get_size()
    if n == 1:
        return buf
    c.Allreduce(_mpi.mpi().IN_PLACE, buf.reshape(-1), op=_mpi.mpi().SUM)
    if op == Average:
        buf /= buf.dtype.type(n)
    return buf


def allreduce(value, average=None, op=Average, name=None):
    """The sum or mean over ranks of `value` (a number or array), as a new array."""
    op = _op_name(op, average)
    arr = np.array(value, copy=True)
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"allreduce expects numbers; got dtype {arr.dtype}")
    if op == Average and arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return allreduce_(np.ascontiguousarray(arr), op)


def allgather(value, name=None):
    """Concatenates every rank's array along axis 0 (first dimensions may differ)."""
    arr = np.ascontiguousarray(value)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    c = _mpi.comm()
    firsts = c.allgather(arr.shape[0])
    shapes = c.allgather((arr.shape[1:], arr.dtype.str))
    if any(s != shapes[0] for s in shapes):
        raise ValueError(
            f"allgather needs the same trailing shape and dtype on every rank; got {shapes}"
        )
    out = np.empty((sum(firsts),) + arr.shape[1:], dtype=arr.dtype)
    row = int(np.prod(arr.shape[1:], dtype=np.int64))
    counts = [f * row for f in firsts]
    c.Allgatherv(arr.reshape(-1), [out.reshape(-1), counts])
    return out


def broadcast(value, root_rank=0, name=None):
    """`root_rank`'s `value` (an array of the same shape and dtype on every rank)."""
    arr = np.array(value, copy=True, order="C")
    _check_root(root_rank)
    _mpi.comm().Bcast(arr.reshape(-1) if arr.ndim else arr.reshape(1), root=root_rank)
    return arr


def broadcast_variables(variables, root_rank=0):
    """Overwrites each Variable with `root_rank`'s value: one Bcast per dtype over the
    variables packed into one buffer (the same list, in the same order, on every rank)."""
    _check_root(root_rank)
    variables = list(variables)
    c = _mpi.comm()
    sig = [(tuple(v.shape), np.dtype(v.dtype).str) for v in variables]
    root_sig = c.bcast(sig, root=root_rank)
    if root_sig != sig:
        raise ValueError(
            "broadcast_variables: the variables differ between ranks (shapes/"
            f"dtypes here {sig}, on rank {root_rank} {root_sig}); build the same "
            "model and optimizer on every rank"
        )
    by_dtype = {}
    for v in variables:
        by_dtype.setdefault(np.dtype(v.dtype).str, []).append(v)
    for dt in sorted(by_dtype):
        group = by_dtype[dt]
        flat = (
            np.concatenate([np.asarray(v.value, dtype=dt).reshape(-1) for v in group])
            if group
            else np.empty(0, dt)
        )
        c.Bcast(flat, root=root_rank)
        at = 0
        for v in group:
            k = int(np.prod(v.shape, dtype=np.int64))
            v.assign(flat[at : at + k].reshape(v.shape))
            at += k


def _check_root(root_rank):
    n = _mpi.size()
    if (
        isinstance(root_rank, bool)
        or not isinstance(root_rank, (int, np.integer))
        or not 0 <= root_rank < n
    ):
        raise ValueError(f"root_rank must be an int in [0, {n}); got {root_rank!r}")
