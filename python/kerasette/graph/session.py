"""TF1's `Session`: `run(fetches, feed_dict)`, `partial_run_setup` / `partial_run`.

A run prunes the graph to what its fetches need given what is known (fed tensors and,
in a partial run, what earlier steps computed), copies that into an FnIR (graph/fnir.py)
whose inputs are the known tensors, and runs it with `_run_fn`. The FnIR is cached per
(known tensors, fetches), as TF caches an executor per signature. `_run_fn` is the one
place where the compiled C++ path replaces the interpreter.
"""

import collections
import itertools

import numpy as np

from . import interpreter, ir
from .default import Graph, get_default_graph, tensor_name, tf_dtype_name
from .errors import InvalidArgumentError
from .fnir import FnIR, Rebuilder


def _run_fn(fn, arrays):
    """Values of fn.outputs given fn.inputs = arrays (the swap point for compiled runs)."""
    return interpreter.evaluate(fn.outputs, dict(zip(fn.inputs, arrays)))


_handles = itertools.count(1)


class _PartialRunState:
    def __init__(self, feeds, fetches, keep):
        self.pending_feeds = {id(s): s for s in feeds}
        self.pending_fetches = {id(s): s for s in fetches}
        self.fed, self.fetched = set(), set()
        self.keep = keep  # ids of tensors a later step may still need
        self.values = {}  # id(sym) -> array: fed and computed so far


class Session:
    """Runs fetches of one graph (the default graph when it is made, unless given)."""

    def __init__(self, target="", graph=None, config=None):
        if isinstance(target, ir.Graph) and graph is None:
            target, graph = "", target  # Session(g)
        self._graph = graph if graph is not None else get_default_graph()
        self._closed = False
        self._plans = collections.OrderedDict()  # signature -> _Plan (bounded)
        self._partial = {}  # handle -> _PartialRunState
        self._default_cm = None

    @property
    def graph(self):
        return self._graph

    # ---- lifecycle ----------------------------------------------------------------------
    def close(self):
        self._closed = True
        self._plans.clear()
        self._partial.clear()

    def __enter__(self):
        if isinstance(self._graph, Graph):
            self._default_cm = self._graph.as_default()
            self._default_cm.__enter__()
        return self

    def __exit__(self, *exc):
        if self._default_cm is not None:
            cm, self._default_cm = self._default_cm, None
            cm.__exit__(*exc)
        self.close()
        return False

    def _check_open(self):
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")

    # ---- run ----------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Values of `fetches` (a tensor, or lists/tuples/dicts of them, nested) with the
        placeholders (or any tensors) in `feed_dict` set to the given values."""
        self._check_open()
        leaves, rebuild = _flatten_fetches(fetches)
        # A Variable the graph never reads is fetched as its value (no node is added,
        # so this works on a finalized graph too).
        direct = {
            i: f.numpy()
            for i, f in enumerate(leaves)
            if _is_variable(f) and id(f) not in self._graph._var_syms
        }
        syms = [self._as_fetch(f) for i, f in enumerate(leaves) if i not in direct]
        feeds = self._convert_feeds(feed_dict)
        values = {id(s): v for s, v in feeds}
        it = iter(self._compute(syms, values, keep=()))
        out = [direct[i] if i in direct else next(it) for i in range(len(leaves))]
        return rebuild([_result(v) for v in out])

    # ---- partial runs ---------------------------------------------------------------------
    def partial_run_setup(self, fetches, feeds=None):
        """Declares the fetches and feeds of a partial run; returns its handle."""
        self._check_open()
        leaves, _ = _flatten_fetches(fetches)
        fetch_syms = [self._as_fetch(f) for f in leaves]
        feed_syms = [self._as_feed_key(f) for f in (feeds or [])]
        fed = {id(s) for s in feed_syms}
        for s in fetch_syms:
            if id(s) in fed:
                raise InvalidArgumentError(None, None, f"{tensor_name(s)} is both fed and fetched.")
        # Keep, after each step, whatever a node some declared fetch needs reads.
        keep = {id(s) for s in fetch_syms}
        for node in ir.producers_of(fetch_syms):
            keep.update(id(i) for i in node.inputs)
        handle = f"kerasette-partial-run-{next(_handles)}"
        self._partial[handle] = _PartialRunState(feed_syms, fetch_syms, keep)
        return handle

    def partial_run(self, handle, fetches, feed_dict=None):
        """Continues the run `handle` with more feeds; fetches what they make computable.
        Nothing an earlier step of this run computed is computed again."""
        self._check_open()
        leaves, rebuild = _flatten_fetches(fetches)
        syms = [self._as_fetch(f) for f in leaves]
        feeds = self._convert_feeds(feed_dict)
        state = self._partial.get(handle)
        if state is None:
            raise InvalidArgumentError(
                None, None, "Must run 'setup' before performing partial runs!"
            )
        for s, _ in feeds:
            if id(s) not in state.pending_feeds:
                raise InvalidArgumentError(
                    None, None, f"The feed {tensor_name(s)} was not specified in partial_run_setup."
                )
            if id(s) in state.fed:
                raise InvalidArgumentError(
                    None, None, f"The feed {tensor_name(s)} has already been fed."
                )
        for s in syms:
            if id(s) not in state.pending_fetches:
                raise InvalidArgumentError(
                    None,
                    None,
                    f"The fetch {tensor_name(s)} was not specified in partial_run_setup.",
                )
            if id(s) in state.fetched:
                raise InvalidArgumentError(
                    None, None, f"The fetch {tensor_name(s)} has already been fetched."
                )
        fed_now = {id(s) for s, _ in feeds}
        unfed = {
            i: s for i, s in state.pending_feeds.items() if i not in state.fed and i not in fed_now
        }
        _check_computable(syms, unfed)

        values = dict(state.values)
        values.update((id(s), v) for s, v in feeds)
        out = self._compute(syms, values, keep=state.keep)
        # Commit only after the step succeeded, so a failed step can be retried.
        state.values = {i: v for i, v in values.items() if i in state.keep}
        state.fed |= fed_now
        state.fetched.update(id(s) for s in syms)
        if len(state.fed) == len(state.pending_feeds) and len(state.fetched) == len(
            state.pending_fetches
        ):
            del self._partial[handle]  # TF releases a run once it is done
        return rebuild([_result(v) for v in out])

    # ---- the core ---------------------------------------------------------------------------
    def _compute(self, syms, values, keep):
        """Values of `syms` given `values` {id(sym): array}; adds to `values` what the
        step computed that `keep` names."""
        if not syms:
            return []
        # A partial-run step is one of a kind (what is known grows): no cache for it.
        plan = _Plan(syms, values, keep) if keep else self._plan(syms, values)
        outs = _run_fn(plan.fn, [values[id(s)] for s in plan.known])
        for s, v in zip(plan.kept, outs[len(syms) :]):
            values[id(s)] = v
        return outs[: len(syms)]

    def _plan(self, syms, values):
        key = (tuple(id(s) for s in syms), frozenset(values))
        plan = self._plans.get(key)
        if plan is not None:
            self._plans.move_to_end(key)
            return plan
        plan = _Plan(syms, values, ())
        self._plans[key] = plan
        if len(self._plans) > 64:
            self._plans.popitem(last=False)
        return plan

    # ---- argument checks ----------------------------------------------------------------------
    def _as_fetch(self, f):
        from ..variables import Variable

        if isinstance(f, str):
            if not isinstance(self._graph, Graph):
                raise TypeError(f"Cannot fetch {f!r} by name from {self._graph}")
            return self._graph.get_tensor_by_name(f)
        if isinstance(f, Variable):
            return self._graph.variable(f)  # its read node (made once per graph)
        if f is None:
            raise TypeError('Argument `fetch` = None has invalid type "NoneType". Cannot be None')
        if not isinstance(f, ir.Sym):
            raise TypeError(
                f"Argument `fetch` = {f!r} has invalid type "
                f'"{type(f).__name__}" must be a string or Tensor. (Can not '
                f"convert a {type(f).__name__} into a Tensor or Operation.)"
            )
        if f.graph is not self._graph:
            raise ValueError(
                f"Fetch argument {f!r} cannot be interpreted as a Tensor. "
                f"(Tensor {f!r} is not an element of this graph.)"
            )
        return f

    def _as_feed_key(self, k):
        if isinstance(k, str) and isinstance(self._graph, Graph):
            try:
                return self._graph.get_tensor_by_name(k)
            except KeyError as e:
                raise TypeError(f"Cannot interpret feed_dict key as Tensor: {e}") from None
        if not isinstance(k, ir.Sym):
            raise TypeError(
                f"Cannot interpret feed_dict key as Tensor: {k!r} is a "
                f"{type(k).__name__}, not a tensor of the graph."
            )
        if k.graph is not self._graph:
            raise TypeError(
                f"Cannot interpret feed_dict key as Tensor: Tensor {k!r} is "
                "not an element of this graph."
            )
        return k

    def _convert_feeds(self, feed_dict):
        """[(sym, array)]: each value converted to its tensor's dtype, its shape checked."""
        out = []
        for key, val in (feed_dict or {}).items():
            sym = self._as_feed_key(key)
            if isinstance(val, ir.Sym):
                raise TypeError(
                    "The value of a feed cannot be a tf.Tensor object. "
                    "Acceptable feed values include Python scalars, strings, "
                    "lists, numpy ndarrays, or TensorHandles. For reference, "
                    f"the tensor object was {val!r} which was passed to the "
                    f"argument `feed_dict` with key {sym!r}."
                )
            arr = _as_feed_array(val, sym.dtype)
            if not _compatible(sym.shape, arr.shape):
                raise ValueError(
                    f"Cannot feed value of shape {arr.shape} for Tensor "
                    f"{tensor_name(sym)}, which has shape "
                    f"{_shape_str(sym.shape)}"
                )
            out.append((sym, arr))
        return out


class _Plan:
    """One step's work: the nodes `syms` need beyond what is known, as an FnIR whose
    inputs are the known tensors it reads and whose outputs are syms + kept values."""

    def __init__(self, syms, values, keep):
        nodes, known = _prune(syms, values)
        rb = Rebuilder("session_run")
        self.known = known
        for s in known:
            (new,) = rb.graph.add("placeholder", [], {"name": s.name}, [(s.shape, s.dtype)])
            rb.alias(s, new)
        for node in nodes:
            rb.copy(node)
        # What this step computes that a later step of the same run may read.
        self.kept = [o for n in nodes for o in n.outputs if id(o) in keep]
        self.fn = FnIR(rb.graph, [rb[s] for s in known], [rb[s] for s in list(syms) + self.kept])


def _prune(syms, values):
    """(nodes to run in graph order, known tensors they read): the walk back from `syms`
    stops at known values; reaching an unfed placeholder is TF's missing-feed error."""
    seen, nodes, known, stack = set(), [], {}, list(syms)
    while stack:
        s = stack.pop()
        if id(s) in values:
            known[id(s)] = s
            continue
        n = s.node
        if n.id in seen:
            continue
        seen.add(n.id)
        if n.op == "placeholder":
            raise InvalidArgumentError(None, n, _missing_feed_message(s))
        nodes.append(n)
        stack.extend(n.inputs)
    nodes.sort(key=lambda n: n.id)  # ids grow as nodes are made: a topological order
    return nodes, sorted(known.values(), key=lambda s: (s.node.id, s.index))


def _check_computable(syms, unfed):
    """TF's partial-run check: no fetch may depend on a declared feed not fed yet. Like
    TF's, the walk goes on through fed tensors (feeding an intermediate does not excuse
    an unfed placeholder above it)."""
    if not unfed:
        return
    seen, stack = set(), list(syms)
    while stack:
        s = stack.pop()
        n = s.node
        if n.id in seen:
            continue
        seen.add(n.id)
        for i in n.inputs:
            if id(i) in unfed:
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Fetch {tensor_name(i)} can't be computed from the feeds "
                    "that have been fed so far.",
                )
            stack.append(i)


def _is_variable(x):
    from ..variables import Variable

    return isinstance(x, Variable)


def _missing_feed_message(sym):
    msg = (
        f"You must feed a value for placeholder tensor '{tensor_name(sym)[:-2]}' "
        f"with dtype {tf_dtype_name(sym.dtype)}"
    )
    if not ir.unknown_rank(sym.shape) and len(sym.shape) > 0:
        dims = ",".join("?" if d is None else str(d) for d in sym.shape)
        msg += f" and shape [{dims}]"
    return msg


def _as_feed_array(val, dtype):
    from ..tensor import Tensor

    if isinstance(val, Tensor):
        val = val.numpy()
    if dtype == "bfloat16":
        return np.asarray(val, dtype=np.float32)
    try:
        return np.asarray(val, dtype=np.dtype(dtype))
    except (TypeError, ValueError) as e:
        if "inhomogeneous" in str(e) or "sequence" in str(e):
            raise ValueError(str(e)) from None
        raise TypeError(f"Cannot convert {val!r} to a feed of dtype {dtype}: {e}") from None


def _compatible(static, actual):
    if ir.unknown_rank(static):
        return True
    return len(static) == len(actual) and all(d is None or d == a for d, a in zip(static, actual))


def _shape_str(shape):
    if ir.unknown_rank(shape):
        return "<unknown>"
    return str(tuple(shape))


def _result(v):
    """TF returns a 0-d fetch as a numpy scalar and the rest as arrays."""
    v = np.asarray(v)
    return v[()] if v.ndim == 0 else v


def _flatten_fetches(fetches):
    """(leaves, rebuild): TF1's fetch structures (a tensor; lists, tuples, namedtuples
    and dicts of them, nested) as a flat list and a function that rebuilds the shape."""
    leaves = []

    def walk(x):
        if isinstance(x, dict):
            keys = list(x)
            kids = [walk(x[k]) for k in keys]
            return lambda it: (
                type(x)(zip(keys, (k(it) for k in kids)))
                if not isinstance(x, collections.defaultdict)
                else _defaultdict(x, keys, kids, it)
            )
        if isinstance(x, tuple) and hasattr(x, "_fields"):  # a namedtuple
            kids = [walk(v) for v in x]
            return lambda it: type(x)(*[k(it) for k in kids])
        if isinstance(x, (list, tuple)):
            kids = [walk(v) for v in x]
            return lambda it: type(x)(k(it) for k in kids)
        leaves.append(x)
        return lambda it: next(it)

    build = walk(fetches)
    return leaves, lambda values: build(iter(values))


def _defaultdict(x, keys, kids, it):
    d = collections.defaultdict(x.default_factory)
    for k, kid in zip(keys, kids):
        d[k] = kid(it)
    return d
