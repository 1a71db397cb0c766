"""`Metric`, Keras 3's base class: state in Variables made by `add_variable`, changed by
`update_state` through `variable.assign(...)`, read by `result()`.

The same metric code runs two ways:
- eagerly, on arrays: each assign writes the variable at once;
- traced, inside a function being traced (a train step): each assign becomes an `assign`
  effect node of that graph (the compiled step writes the state), and later reads of the
  variable in the same trace see the assigned value, so `result()` traced after
  `update_state()` gives the state after this batch, as TensorFlow's program order does.
`stateless_update_state` / `stateless_result` / `stateless_reset_state` are Keras 3's pure
forms (state in, state out; no effect), for a step that threads the state itself.
"""

import threading

import numpy as np

from .. import initializers, ops
from ..graph.trace import as_sym, current_graph, graph_for, is_symbolic
from ..utils import naming
from ..variables import Variable

_stateless = threading.local()


def _scope():
    return getattr(_stateless, "scope", None)


class MetricVariable(Variable):
    """A metric's state variable (not trainable)."""

    def assign(self, value):
        scope = _scope()
        if scope is not None and id(self) in scope.state:
            if scope.graph is None:  # eager stateless: the scope swapped the storage in
                return super().assign(np.asarray(value))
            new = _as_state(self, value, scope.graph)
            scope.state[id(self)] = new
            scope.graph._var_syms[id(self)] = new  # later reads see the new value
            return new
        graph = graph_for([value]) or current_graph()
        if graph is None:
            return super().assign(np.asarray(value))
        return self._assign_symbolic(graph, as_sym(graph, value))

    def _assign_symbolic(self, graph, value):
        out = super()._assign_symbolic(graph, value)
        # Reads after this assign, in this trace, are reads of the assigned value.
        graph._var_syms[id(self)] = out.node.inputs[0]
        return out

    # Through ops (not numpy's operators) so a symbolic value works with or without a
    # tracing context around it.
    def assign_add(self, value):
        return self.assign(ops.add(self, value))

    def assign_sub(self, value):
        return self.assign(ops.subtract(self, value))


def _as_state(var, value, graph):
    """A new state value shaped and typed as var, symbolic in `graph` when there is one."""
    if graph is not None:
        value = as_sym(graph, value)
        if tuple(value.shape) != var.shape:
            value = ops.reshape(value, var.shape)
        return ops.cast(value, var.dtype)
    return np.asarray(value, dtype=var.dtype).reshape(var.shape)


class Metric:
    """The base class of metrics: state variables, updated batch by batch.

    A subclass makes its state with `add_variable` in `__init__`, and writes
    `update_state` (which assigns to the state) and `result` in `kerasette.ops`.
    The same code runs eagerly on arrays and compiled inside `fit`'s step.

    ```python
    class CountPositives(keras.metrics.Metric):
        def __init__(self, name="count_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.count = self.add_variable(shape=(), initializer="zeros", name="count")

        def update_state(self, y_true, y_pred, sample_weight=None):
            positives = keras.ops.cast(keras.ops.greater(y_pred, 0.5), "float32")
            self.count.assign_add(keras.ops.sum(positives))

        def result(self):
            return self.count
    ```

    Args:
        dtype: Only `None` or `"float32"`: metrics accumulate in float32.
        name: The metric's name. Defaults to one from the class name.

    Raises:
        ValueError: For another dtype.
    """

    def __init__(self, dtype=None, name=None):
        if isinstance(dtype, dict):  # a serialized DTypePolicy
            dtype = (dtype.get("config") or {}).get("name")
        if dtype not in (None, "float32"):
            raise ValueError(f"kerasette metrics accumulate in float32; got dtype={dtype!r}")
        object.__setattr__(self, "_variables", [])
        object.__setattr__(self, "_metrics", [])
        self.name = name or naming.auto_name(type(self).__name__)
        self._dtype = "float32"

    def __setattr__(self, name, value):
        # Keras's Tracker: Variables and Metrics kept as attributes are part of `variables`
        # (from super().__init__() on; subclasses may set plain attributes before it).
        tracked = "_variables" in self.__dict__
        if tracked and isinstance(value, Metric) and value not in self._metrics:
            self._metrics.append(value)
        elif (
            tracked and isinstance(value, Variable) and all(v is not value for v in self._variables)
        ):
            self._variables.append(value)
        object.__setattr__(self, name, value)

    @property
    def dtype(self):
        """The dtype the metric accumulates in (`"float32"`)."""
        return self._dtype

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """Adds a state variable to the metric (call it from `__init__`).

        Args:
            shape: The variable's shape.
            initializer: An initializer name or instance (`None`: `"zeros"`).
            dtype: The variable's dtype. Defaults to the metric's.
            aggregation: Kept on the variable for Keras compatibility.
                Defaults to `"sum"`.
            name: The variable's name. Defaults to `None`.

        Returns:
            The new variable (not trainable).

        Raises:
            RuntimeError: If `super().__init__()` was not called first.
        """
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                "You forgot to call `super().__init__()` in the `__init__()` method. Go add it!"
            )
        init = initializers.get(initializer if initializer is not None else "zeros")
        shape = tuple(int(d) for d in shape)
        var = MetricVariable(
            init,
            shape=shape,
            dtype=dtype or self.dtype,
            trainable=False,
            name=name,
            path=f"{self.name}/{name or 'variable'}",
        )
        var.aggregation = aggregation
        self._variables.append(var)
        return var

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Adds a state variable; Keras's older name for `add_variable`.

        Args:
            shape: The variable's shape. Defaults to `()`.
            initializer: An initializer name or instance. Defaults to `"zeros"`.
            dtype: The variable's dtype. Defaults to the metric's.
            name: The variable's name. Defaults to `None`.

        Returns:
            The new variable.
        """
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self):
        """The metric's state variables, then those of the metrics it holds as attributes."""
        out = list(self._variables)
        for m in self._metrics:
            out.extend(m.variables)
        return out

    def reset_state(self):
        """Sets every state variable back to zero (at the start of each epoch)."""
        for v in self.variables:
            v.assign(np.zeros(v.shape, dtype=v.dtype))

    def update_state(self, *args, **kwargs):
        """Accumulates one batch into the state (a subclass implements it).

        Args:
            *args: Usually `y_true` and `y_pred`.
            **kwargs: Usually `sample_weight`.

        Raises:
            NotImplementedError: On the base class.
        """
        raise NotImplementedError

    def result(self):
        """The metric's value from the current state (a subclass implements it).

        Returns:
            A scalar tensor (or a tensor, for per-class metrics).

        Raises:
            NotImplementedError: On the base class.
        """
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Updates the state with this batch and returns the running result."""
        self.update_state(*args, **kwargs)
        return self.result()

    # ---- Keras 3's stateless forms ---------------------------------------------------
    def stateless_update_state(self, metric_variables, *args, **kwargs):
        """The state's values after `update_state` on this batch, starting from
        `metric_variables`; nothing is written (Keras 3's pure form).

        Args:
            metric_variables: One value per variable of `variables`, in order.
            *args: The arguments of `update_state`.
            **kwargs: The keyword arguments of `update_state`.

        Returns:
            A list of the new values, in `variables` order.

        Raises:
            ValueError: If `metric_variables` does not match `variables`.
        """
        with _StatelessScope(self._checked(metric_variables), args) as scope:
            self.update_state(*args, **kwargs)
            return scope.values()

    def stateless_result(self, metric_variables):
        """The result for the state `metric_variables`; nothing is written.

        Args:
            metric_variables: One value per variable of `variables`, in order.

        Returns:
            What `result` returns for that state.
        """
        with _StatelessScope(self._checked(metric_variables), ()):
            return self.result()

    def stateless_reset_state(self):
        """The state's values after `reset_state`; nothing is written.

        Returns:
            A list of values, in `variables` order.
        """
        with _StatelessScope([(v, v) for v in self.variables], ()) as scope:
            self.reset_state()
            return scope.values()

    def _checked(self, metric_variables):
        variables = self.variables
        if len(metric_variables) != len(variables):
            raise ValueError(
                f"Argument `metric_variables` must be a list of tensors "
                f"corresponding 1:1 to {type(self).__name__}().variables. "
                f"Received list with length {len(metric_variables)}, but "
                f"expected {len(variables)} variables."
            )
        return list(zip(variables, metric_variables))

    def get_config(self):
        """The metric's config: the constructor arguments that recreate it.

        Returns:
            A JSON-serializable dict that `from_config` reads.
        """
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        """Creates a metric from its config (what `get_config` returns).

        Args:
            config: The config dict.

        Returns:
            A new metric.
        """
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__


class _StatelessScope:
    """Inside: reads of the mapped variables see the given values and assigns only record.

    Symbolic: the graph's read of each variable is redirected to its value. Eager: the
    values are written into the variables' storage for the duration and the originals
    put back after (single-threaded use, as eager metrics are)."""

    def __init__(self, mapping, args):
        self.mapping = mapping
        syms = [v for _, v in mapping if is_symbolic(v)] + [a for a in args if is_symbolic(a)]
        self.graph = syms[0].graph if syms else current_graph()

    def __enter__(self):
        self.saved_scope = _scope()
        self.state = {}
        self.saved_syms, self.saved_values = {}, {}
        for var, value in self.mapping:
            if self.graph is not None:
                self.saved_syms[id(var)] = self.graph._var_syms.get(id(var))
                self.state[id(var)] = _as_state(var, value, self.graph)
                self.graph._var_syms[id(var)] = self.state[id(var)]
            else:
                self.saved_values[id(var)] = var.value.copy()
                np.copyto(var.value, np.asarray(value, dtype=var.dtype).reshape(var.shape))
                self.state[id(var)] = None
        _stateless.scope = self
        return self

    def values(self):
        out = []
        for var, _ in self.mapping:
            new = self.state[id(var)]
            if new is None:  # eager: the update wrote through the variable's storage
                new = var.value.copy()
            out.append(new)
        return out

    def __exit__(self, *exc):
        _stateless.scope = self.saved_scope
        for var, _ in self.mapping:
            if self.graph is not None:
                old = self.saved_syms[id(var)]
                if old is None:
                    self.graph._var_syms.pop(id(var), None)
                else:
                    self.graph._var_syms[id(var)] = old
            else:
                np.copyto(var.value, self.saved_values[id(var)])
        return False
