"""TF-Slim's ``arg_scope``: default keyword arguments for layers and functions.

```python
with kerasette.arg_scope([layers.Dense], kernel_initializer="he_normal",
                         kernel_regularizer=regularizers.l2(0.05)):
    model = Sequential([layers.Dense(64), layers.Dense(10, activation="softmax")])
```

Semantics (those of ``tf.contrib.framework.arg_scope`` / ``tf_slim``):
- A scope maps each listed target to keyword defaults; inside the block every call of
  that target receives them.
- Arguments the caller passes explicitly (by keyword or by position) win.
- Scopes nest: an inner scope adds to the outer one, and for the same target and key the
  inner value wins; leaving the block restores the outer scope.
- ``with arg_scope(...) as sc:`` yields the scope (a dict); ``with arg_scope(sc):``
  enters exactly that scope again (no extra kwargs are allowed then).
- Only targets made scope-aware with ``add_arg_scope`` may be listed (``ValueError``
  otherwise). kerasette's layer classes are scope-aware out of the box: the base
  ``Layer`` calls ``add_arg_scope(cls)`` for every subclass.
- A scoped key that the target does not accept raises ``TypeError`` naming the target,
  the key and the accepted arguments, when the target is called.

The current scope lives in a ``contextvars.ContextVar``, so threads (e.g. the data
pipeline's workers) start outside any scope and never see another thread's scope.

Keys: a decorated function is keyed by the original function; a decorated class by the
class itself. A class's scope applies to every construction that runs through that
class's ``__init__``, including ``super().__init__`` calls from subclasses (explicit
arguments of the subclass still win).
"""

import contextlib
import contextvars
import functools
import inspect
import sys
import types

__all__ = [
    "arg_scope",
    "add_arg_scope",
    "has_arg_scope",
    "current_arg_scope",
    "arg_scoped_arguments",
]

# The active scope: {key: {kwarg: value}}. Never mutated in place; each `with` block
# installs a new dict and restores the previous one on exit.
_CURRENT = contextvars.ContextVar("kerasette_arg_scope", default=types.MappingProxyType({}))


def current_arg_scope():
    """Returns a copy of the scope active in this thread/context."""
    return {k: dict(v) for k, v in _CURRENT.get().items()}


def _scope_key(op):
    """The key under which `op`'s defaults are stored; None if not scope-aware."""
    if isinstance(op, type):
        # Decorated as a class (key: the class) or through its __init__ function
        # (key: that function); either way the class itself is what users list.
        return getattr(op.__dict__.get("__init__"), "_arg_scope_key", None)
    return getattr(op, "_arg_scope_key", None)


def has_arg_scope(op):
    """True if `op` (a function or class) was made scope-aware by `add_arg_scope`."""
    return _scope_key(op) is not None


def _op_name(op):
    return getattr(op, "__qualname__", None) or getattr(op, "__name__", repr(op))


@contextlib.contextmanager
def _arg_scope(list_ops_or_scope, **kwargs):
    if isinstance(list_ops_or_scope, dict):
        # Re-entering a scope captured earlier with `as sc`.
        if kwargs:
            raise ValueError(
                "When re-entering a scope given as a dict, no keyword arguments may be "
                f"passed; received: {sorted(kwargs)}"
            )
        new_scope = {k: dict(v) for k, v in list_ops_or_scope.items()}
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError(
                "arg_scope expects a list/tuple of layers or functions, or a scope dict "
                f"captured with `as sc`; received: {type(list_ops_or_scope).__name__}"
            )
        new_scope = current_arg_scope()
        for op in list_ops_or_scope:
            key = _scope_key(op)
            if key is None:
                raise ValueError(
                    f"{_op_name(op)} is not scope-aware; decorate it with "
                    "@kerasette.add_arg_scope to use it in arg_scope"
                )
            merged = dict(new_scope.get(key, {}))
            merged.update(kwargs)  # inner scope overrides outer for the same key
            new_scope[key] = merged
    token = _CURRENT.set(new_scope)
    try:
        yield new_scope
    finally:
        _CURRENT.reset(token)


class _Accepted:
    """What a target's signature accepts, computed once per decorated target."""

    def __init__(self, func, owner=None):
        try:
            params = list(inspect.signature(func).parameters.values())
        except (TypeError, ValueError):  # some builtins have no signature: accept anything
            self.positional, self.names = [], None
            return
        self.positional = [
            p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        open_ended = any(p.kind == p.VAR_KEYWORD for p in params)
        if open_ended and owner is not None:
            # A class's __init__ usually forwards **kwargs up the MRO; accept what any
            # __init__ up there names, and stay open-ended only if the top one is.
            for base in owner.__mro__[1:]:
                init = base.__dict__.get("__init__")
                if init is None or base is object:
                    continue
                try:
                    base_params = inspect.signature(init).parameters.values()
                except (TypeError, ValueError):
                    break
                names |= {
                    p.name
                    for p in base_params
                    if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                }
                open_ended = any(p.kind == p.VAR_KEYWORD for p in base_params)
                if not open_ended:
                    break
        names.discard("self")
        self.names = None if open_ended else names


def _wrap(func, key, owner=None):
    accepted_cache = []

    @functools.wraps(func)
    def with_scope(*args, **kwargs):
        scoped = _CURRENT.get().get(key)
        if not scoped:
            return func(*args, **kwargs)
        if not accepted_cache:
            accepted_cache.append(_Accepted(func, owner))
        accepted = accepted_cache[0]
        if accepted.names is not None:
            bad = sorted(set(scoped) - accepted.names)
            if bad:
                raise TypeError(
                    f"arg_scope sets {bad} for {_op_name(key)}, which does not accept "
                    f"{'it' if len(bad) == 1 else 'them'}; accepted arguments: "
                    f"{sorted(accepted.names)}"
                )
        given_positionally = set(accepted.positional[: len(args)])
        merged = {k: v for k, v in scoped.items() if k not in given_positionally}
        merged.update(kwargs)  # explicit keyword arguments win
        return func(*args, **merged)

    with_scope._arg_scope_key = key
    return with_scope


def add_arg_scope(func_or_class):
    """Makes a function or class scope-aware (a decorator).

    For a function, returns a wrapper keyed by the original function; list the wrapper
    in `arg_scope`. For a class, wraps its ``__init__`` in place (keyed by the class)
    and returns the class.
    """
    if isinstance(func_or_class, type):
        cls = func_or_class
        if has_arg_scope(cls):
            return cls
        cls.__init__ = _wrap(cls.__init__, cls, owner=cls)
        return cls
    if not callable(func_or_class):
        raise TypeError(f"add_arg_scope expects a function or class; received: {func_or_class!r}")
    if has_arg_scope(func_or_class):
        return func_or_class
    return _wrap(func_or_class, func_or_class)


def arg_scoped_arguments(op):
    """The argument names `op` accepts (None if open-ended, i.e. it takes **kwargs)."""
    key = _scope_key(op)
    if key is None:
        raise ValueError(f"{_op_name(op)} is not decorated with add_arg_scope")
    if isinstance(op, type):
        return _Accepted(op.__dict__["__init__"].__wrapped__, owner=op).names
    return _Accepted(op.__wrapped__).names


def arg_scope(list_ops_or_scope, **kwargs):
    """Sets default keyword arguments for the listed layers/functions in a `with` block.

    Args:
        list_ops_or_scope: a list or tuple of scope-aware layer classes or functions,
            or a scope dict captured earlier with ``with arg_scope(...) as sc``.
        **kwargs: the defaults to set for every listed target.

    Returns:
        A context manager that yields the active scope (a dict).

    Example:

    >>> from kerasette import arg_scope, add_arg_scope
    >>> @add_arg_scope
    ... def conv(x, stride=1, padding="valid"):
    ...     return (x, stride, padding)
    >>> with arg_scope([conv], stride=2) as sc:
    ...     print(conv(0), conv(0, stride=3))
    (0, 2, 'valid') (0, 3, 'valid')
    >>> with arg_scope(sc):
    ...     print(conv(1))
    (1, 2, 'valid')
    """
    return _arg_scope(list_ops_or_scope, **kwargs)


class _CallableModule(types.ModuleType):
    # `import kerasette.arg_scope` binds this module as the attribute `kerasette.arg_scope`,
    # shadowing the function Keras-style code calls (`kerasette.arg_scope([...])`).
    # Making the module itself callable keeps both spellings working.
    def __call__(self, list_ops_or_scope, **kwargs):
        return arg_scope(list_ops_or_scope, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

# `from kerasette import arg_scope` may bind the function rather than the module; give
# the function the module's decorator too so `arg_scope.add_arg_scope(...)` works either way.
arg_scope.add_arg_scope = add_arg_scope
