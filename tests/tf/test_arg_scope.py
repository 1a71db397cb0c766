"""arg_scope / add_arg_scope: TF-Slim semantics (defaults, explicit wins, nesting, reuse)."""

import threading

import pytest

import kerasette
from kerasette import arg_scope as arg_scope_module
from kerasette.arg_scope import add_arg_scope, arg_scope, current_arg_scope, has_arg_scope


@add_arg_scope
def conv(x, stride=1, padding="valid", activation=None):
    return {"x": x, "stride": stride, "padding": padding, "activation": activation}


@add_arg_scope
def pool(x, size=2, **kwargs):
    return {"x": x, "size": size, **kwargs}


def plain(x, stride=1):
    return x


def test_defaults_apply_inside_and_not_outside():
    with arg_scope([conv], stride=2, padding="same"):
        assert conv(0) == {"x": 0, "stride": 2, "padding": "same", "activation": None}
    assert conv(0)["stride"] == 1
    assert current_arg_scope() == {}


def test_explicit_keyword_and_positional_win():
    with arg_scope([conv], stride=2, padding="same"):
        assert conv(0, stride=5)["stride"] == 5
        # stride given by position must win without a "multiple values" error
        out = conv(0, 7)
        assert out["stride"] == 7 and out["padding"] == "same"


def test_nesting_inner_overrides_outer_and_restores():
    with arg_scope([conv, pool], padding="same"):
        with arg_scope([conv], padding="causal", stride=3):
            assert conv(0)["padding"] == "causal"
            assert conv(0)["stride"] == 3
            assert pool(0)["padding"] == "same"  # outer still applies to pool
        assert conv(0)["padding"] == "same"
        assert conv(0)["stride"] == 1


def test_scope_capture_and_reenter():
    with arg_scope([conv], stride=4) as sc:
        pass
    assert conv(0)["stride"] == 1
    with arg_scope(sc):
        assert conv(0)["stride"] == 4
    with pytest.raises(ValueError, match="no keyword arguments"):
        with arg_scope(sc, stride=1):
            pass


def test_top_level_spelling_is_callable():
    # kerasette.arg_scope works whether Python resolves it to the function or the module.
    import kerasette.arg_scope  # noqa: F401  (binds the module as an attribute)

    with kerasette.arg_scope([conv], activation="relu"):
        assert conv(0)["activation"] == "relu"
    with arg_scope_module([conv], activation="tanh"):
        assert conv(0)["activation"] == "tanh"
    assert kerasette.add_arg_scope is add_arg_scope


def test_undecorated_target_rejected():
    assert not has_arg_scope(plain)
    with pytest.raises(ValueError, match="not scope-aware"):
        with arg_scope([plain], stride=2):
            pass
    with pytest.raises(TypeError, match="list/tuple"):
        with arg_scope(conv, stride=2):
            pass


def test_unknown_key_raises_when_applied():
    with arg_scope([conv], strides=2):  # typo: the target takes `stride`
        with pytest.raises(TypeError, match=r"\['strides'\].*conv.*accepted arguments"):
            conv(0)
    # A target with **kwargs accepts anything, as in TF-Slim.
    with arg_scope([pool], anything=1):
        assert pool(0)["anything"] == 1


def test_decorated_class_and_subclass():
    class Base:
        def __init__(self, units, activation=None, **kwargs):
            self.units, self.activation, self.kwargs = units, activation, kwargs

    class Top:
        def __init__(self, units, activation=None, use_bias=True):
            self.units, self.activation, self.use_bias = units, activation, use_bias

    add_arg_scope(Top)
    assert has_arg_scope(Top)
    with arg_scope([Top], activation="relu", use_bias=False):
        t = Top(3)
        assert (t.units, t.activation, t.use_bias) == (3, "relu", False)
        assert Top(3, activation="tanh").activation == "tanh"
    with arg_scope([Top], bogus=1):
        with pytest.raises(TypeError, match="bogus"):
            Top(3)

    class Sub(Top):
        pass

    add_arg_scope(Sub)
    with arg_scope([Top], activation="relu"):
        assert Sub(2).activation == "relu"  # a scope on the parent reaches subclasses
        with arg_scope([Sub], activation="sigmoid"):
            assert Sub(2).activation == "sigmoid"
            assert Top(2).activation == "relu"


def test_threads_do_not_share_scope():
    seen = {}

    def worker():
        seen["stride"] = conv(0)["stride"]

    with arg_scope([conv], stride=9):
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert conv(0)["stride"] == 9
    assert seen["stride"] == 1


def test_layers_are_scope_aware_out_of_the_box():
    from kerasette import layers, regularizers
    from kerasette.initializers import HeNormal

    reg = regularizers.l2(0.05)
    with kerasette.arg_scope(
        [layers.Dense], kernel_initializer="he_normal", kernel_regularizer=reg, activation="relu"
    ):
        a = layers.Dense(4)
        b = layers.Dense(4, activation="tanh")  # explicit wins
        with kerasette.arg_scope([layers.Dense], activation="sigmoid"):
            c = layers.Dense(2)
        drop = layers.Dropout(0.5)  # not listed: untouched
    plain = layers.Dense(4)
    assert isinstance(a.kernel_initializer, HeNormal)
    assert a.kernel_regularizer is reg
    assert a.activation.__name__ == "relu"
    assert b.activation.__name__ == "tanh"
    assert c.activation.__name__ == "sigmoid" and isinstance(c.kernel_initializer, HeNormal)
    assert plain.activation.__name__ == "linear" and plain.kernel_regularizer is None
    assert drop.rate == 0.5
    with kerasette.arg_scope([layers.Dense], bogus=1):
        with pytest.raises((TypeError, ValueError), match="bogus"):
            layers.Dense(3)


def test_builtin_without_signature_is_scope_aware():
    scoped_max = add_arg_scope(max)
    with arg_scope([scoped_max], default=-1):
        assert scoped_max([], default=5) == 5  # explicit wins
        assert scoped_max([]) == -1
