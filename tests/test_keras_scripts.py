"""Public Keras scripts that ran unchanged under kerasette keep running.

examples/keras_scripts/run_all.py runs a collection of public Keras 3 scripts (keras.io
guides and examples, TensorFlow tutorials, scikeras notebooks; INDEX.md there lists
them) unchanged under real Keras and under kerasette. This test pins down what ran
under kerasette when it was written: each script in EXPECTED_TO_RUN must still run
(exit 0 within the timeout) under kerasette; the others are KNOWN_FAILURES with the
first error they stopped on, run as non-strict xfails so that a fix shows as XPASS.

The scripts themselves are third-party code and are not committed (see INDEX.md): where
examples/keras_scripts/scripts/ is absent these tests skip.
"""

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "examples" / "keras_scripts"
sys.path.insert(0, str(HERE))
import run_all  # noqa: E402

pytestmark = pytest.mark.slow

TIMEOUT = 300

# Ran to the end under kerasette when measured (kerasette-only pass of run_all.py,
# 2026-12-07: main at 6c13ac5, guide_functional_api at 3b5c126; INDEX.md has the table).
EXPECTED_TO_RUN = [
    "guide_functional_api",  # plot_model needs pydot + Graphviz, as under Keras
    "guide_masking_and_padding",
    "guide_sequential_model",
    "guide_subclassing_layers_models",
    # Conv1D on Input((None, 10)); ran in 52 s under kerasette on 2026-12-07 (dynshape)
    "guide_training_with_built_in_methods",
    "guide_writing_your_own_callbacks",
    "keras_demo_custom_layer_backend_agnostic",
    "keras_demo_functional",
    "keras_demo_mnist_convnet",
    "keras_demo_subclass",
    "kio_addition_rnn",
    "kio_autoencoder",
    "kio_bidirectional_lstm_imdb",
    "kio_imbalanced_classification",
    "kio_mnist_convnet",
    "kio_siamese_contrastive",
    "kio_structured_data_classification_from_scratch",  # string Input -> StringLookup (ae3ea7d)
    "kio_timeseries_anomaly_detection",
    "kio_timeseries_classification_from_scratch",  # plot_model: pydot + Graphviz
    "kio_timeseries_classification_transformer",
    "tf_basic_classification",
    "tf_basic_regression",
    "tf_imbalanced_data",
]

# First error under kerasette when measured, and why it is (or is not) kerasette's.
KNOWN_FAILURES = {
    "scikeras_basic_usage": "scikeras imports keras.src.saving.saving_lib, Keras's private package (kerasette "
    "has no keras.src); past a shim for it, real Keras optimizers reach compile (most "
    "likely from sklearn's worker processes, which lack the swap's import hook)",
    "scikeras_mlpclassifier_mlpregressor": "scikeras imports keras.src.saving.saving_lib (as scikeras_basic_usage)",
    "tf_save_and_load": "tf.saved_model.save(model) needs a TensorFlow Trackable (tf.Module); a kerasette "
    "model is not one, and that is TensorFlow's API, not Keras's",
}

# Scripts whose imports need packages beyond keras/kerasette.
# "graphviz:dot" is Graphviz's dot program (keras.utils.plot_model needs it and pydot).
NEEDS = {
    "scikeras_basic_usage": ["scikeras", "tensorflow"],
    "scikeras_mlpclassifier_mlpregressor": ["scikeras", "tensorflow"],
    "guide_functional_api": ["pydot", "graphviz:dot"],
    "guide_training_with_built_in_methods": ["tensorflow", "pydot", "graphviz:dot"],
    "kio_timeseries_classification_from_scratch": ["pydot", "graphviz:dot"],
    "kio_structured_data_classification_from_scratch": [
        "tensorflow",
        "pandas",
        "pydot",
        "graphviz:dot",
    ],
    "kio_timeseries_anomaly_detection": ["pandas", "matplotlib"],
    "tf_basic_classification": ["tensorflow", "matplotlib"],
    "tf_basic_regression": ["tensorflow", "pandas", "seaborn", "matplotlib"],
    "tf_save_and_load": ["tensorflow", "h5py"],
    "tf_imbalanced_data": ["tensorflow", "pandas", "seaborn", "matplotlib"],
}

COLLECTION = {p.stem: p for p in run_all.list_scripts()}
needs_collection = pytest.mark.skipif(
    not COLLECTION,
    reason="examples/keras_scripts/scripts/ is not here (third-party "
    "scripts are not committed; INDEX.md says how to rebuild it)",
)


def _missing(need):
    if need.startswith("graphviz:"):
        return shutil.which(need.split(":", 1)[1]) is None
    return importlib.util.find_spec(need) is None


def _skip_if_missing_packages(name):
    missing = [m for m in NEEDS.get(name, []) if _missing(m)]
    if missing:
        pytest.skip(f"{name} needs {', '.join(missing)}")


def _run(name):
    _skip_if_missing_packages(name)
    return run_all.run_one(COLLECTION[name], "kerasette", TIMEOUT)


def test_lists_are_disjoint():
    assert not set(EXPECTED_TO_RUN) & set(KNOWN_FAILURES)


@needs_collection
def test_lists_cover_the_collection():
    assert set(COLLECTION) == set(EXPECTED_TO_RUN) | set(KNOWN_FAILURES)


@needs_collection
@pytest.mark.parametrize("name", EXPECTED_TO_RUN)
def test_still_runs_unchanged_under_kerasette(name):
    r = _run(name)
    assert r["ok"], f"{name} ran under kerasette before and now stops: {r['error']}"


@needs_collection
@pytest.mark.parametrize("name", sorted(KNOWN_FAILURES))
def test_known_failure(name):
    r = _run(name)
    if not r["ok"]:
        pytest.xfail(f"{KNOWN_FAILURES[name]} (now: {r['error']['line'][:200]})")
