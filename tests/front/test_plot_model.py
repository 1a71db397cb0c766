"""`utils.model_to_dot` / `plot_model` against Keras's: the same boxes (labels with
names, classes, shapes, dtypes, activations, trainable flags) and the same edges, for
Sequential, functional (several inputs, a shared layer, an op between layers) and
nested models; the same errors without pydot/Graphviz."""

import sys

import pytest

import kerasette as ks
from kerasette.utils import model_visualization as mv

pydot = pytest.importorskip("pydot")


def _graph(dot, model_layers):
    """(labels, edges) with each node named by its layer's name instead of its id."""
    names = {str(id(la)): la.name for la in model_layers}
    labels = {}
    for n in dot.get_nodes():
        if n.get_name() in names:
            labels[names[n.get_name()]] = n.get("label")
    edges = {(names.get(e.get_source()), names.get(e.get_destination())) for e in dot.get_edges()}
    return labels, edges


def _all_layers(model):
    out = []
    for la in getattr(model, "operations", None) or model.layers:
        out.append(la)
        if hasattr(la, "layers") and la is not model:
            out += _all_layers(la)
    return out


def _functional(lib):
    a = lib.Input((4,), name="a")
    b = lib.Input((4,), name="b")
    shared = lib.layers.Dense(3, activation="relu", name="shared")
    x = lib.layers.Concatenate(name="cat")([shared(a), shared(b)])
    inner = lib.Sequential(
        [lib.Input((6,)), lib.layers.Dense(2, name="in1"), lib.layers.Dense(2, name="in2")],
        name="inner",
    )
    out = lib.layers.Dense(1, activation="sigmoid", name="out")(inner(x))
    model = lib.Model([a, b], out, name="m")
    inner.get_layer("in1").trainable = False
    return model


def _sequential(lib):
    return lib.Sequential(
        [
            lib.Input((5,)),
            lib.layers.Dense(4, activation="tanh", name="d1"),
            lib.layers.Dropout(0.1, name="drop"),
            lib.layers.Dense(1, name="d2"),
        ],
        name="seq",
    )


@pytest.mark.parametrize("build", [_functional, _sequential])
@pytest.mark.parametrize(
    "flags",
    [
        {},
        {
            "show_shapes": True,
            "show_dtype": True,
            "show_layer_activations": True,
            "show_trainable": True,
        },
        {"show_layer_names": False, "rankdir": "LR", "expand_nested": True},
    ],
)
def test_model_to_dot_matches_keras(keras, build, flags):
    ref_model, mine_model = build(keras), build(ks)
    ref = keras.utils.model_to_dot(ref_model, **flags)
    mine = ks.utils.model_to_dot(mine_model, **flags)
    assert _graph(mine, _all_layers(mine_model)) == _graph(ref, _all_layers(ref_model))
    for key in ("rankdir", "dpi", "splines", "concentrate"):
        assert str(mine.get(key)) == str(ref.get(key))


def test_plot_model_writes_the_file(tmp_path):
    if not mv.check_graphviz():
        pytest.skip("Graphviz's programs are not installed")
    path = tmp_path / "model.png"
    ks.utils.plot_model(_functional(ks), str(path), show_shapes=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_pydot_the_errors_are_keras(keras, monkeypatch):
    from keras.src.utils import model_visualization as kmv

    model = _sequential(ks)
    for mod in (kmv, mv):
        monkeypatch.setattr(mod, "pydot", None)
    # outside IPython (inside it, both print the message and return)
    monkeypatch.delitem(sys.modules, "IPython.core.magics.namespace", raising=False)
    with pytest.raises(ImportError) as ref:
        keras.utils.plot_model(_sequential(keras))
    with pytest.raises(ImportError) as mine:
        ks.utils.plot_model(model)
    assert str(mine.value) == str(ref.value)


def test_an_unbuilt_model_raises():
    with pytest.raises(ValueError, match="not yet been built"):
        ks.utils.plot_model(ks.Sequential([ks.layers.Dense(2)]))
