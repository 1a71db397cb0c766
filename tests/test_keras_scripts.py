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
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "examples" / "keras_scripts"
sys.path.insert(0, str(HERE))
import run_all  # noqa: E402

pytestmark = pytest.mark.slow

TIMEOUT = 300

# Ran to the end under kerasette at the time of writing (main at 40e4f53, 2026-12-07).
EXPECTED_TO_RUN = [
    "guide_writing_your_own_callbacks",
    "keras_demo_subclass",
    "kio_imbalanced_classification",
    "tf_imbalanced_data",
]

# First error under kerasette at the time of writing.
KNOWN_FAILURES = {
    "guide_functional_api": "keras.utils.plot_model missing",
    "guide_masking_and_padding": "a masked tensor has no _keras_mask attribute",
    "guide_sequential_model": "Sequential has no .inputs (feature extractor from a Sequential)",
    "guide_subclassing_layers_models": "fit on a model with a call-time add_loss layer: "
                                       "'the optimizer update runs compiled only'",
    "guide_training_with_built_in_methods": "compile() without a loss when a layer add_loss()es: "
                                            "'No loss to compute'",
    "keras_demo_custom_layer_backend_agnostic": "keras.random (SeedGenerator) missing",
    "keras_demo_functional": "keras.config.disable_traceback_filtering missing",
    "keras_demo_mnist_convnet": "fit(validation_split=...) on 4-D x validates on a 2-D "
                                "(600, 784) slice",
    "kio_addition_rnn": "compiled LSTM training program: 'Cannot broadcast shapes (128,), (1536,)'",
    "kio_autoencoder": "keras.datasets missing",
    "kio_bidirectional_lstm_imdb": "LSTM needs a fixed number of time steps (Input(shape=(None,)))",
    "kio_mnist_convnet": "fit(validation_split=...) on 4-D x validates on a 2-D slice",
    "kio_siamese_contrastive": "keras.backend.epsilon missing",
    "kio_structured_data_classification_from_scratch": "keras.Input(dtype='string') unsupported",
    "kio_timeseries_anomaly_detection": "fit(validation_split=...) on 3-D x validates on a 2-D slice",
    "kio_timeseries_classification_from_scratch": "keras.utils.plot_model missing",
    "kio_timeseries_classification_transformer": "fit(validation_split=...) on 3-D x validates "
                                                 "on a 2-D slice",
    "scikeras_basic_usage": "scikeras imports keras.src.saving.saving_lib (no kerasette.src)",
    "scikeras_mlpclassifier_mlpregressor": "scikeras imports keras.src.saving.saving_lib",
    "tf_basic_classification": "keras.datasets missing (tf.keras.datasets.fashion_mnist)",
    "tf_basic_regression": "Normalization(input_shape=[1,], axis=None) refuses (None, 1) input",
    "tf_save_and_load": "tf.saved_model.save(model) needs a TF Trackable",
}

# Scripts whose imports need packages beyond keras/kerasette.
NEEDS = {
    "scikeras_basic_usage": ["scikeras", "tensorflow"],
    "scikeras_mlpclassifier_mlpregressor": ["scikeras", "tensorflow"],
    "guide_training_with_built_in_methods": ["tensorflow"],
    "kio_structured_data_classification_from_scratch": ["tensorflow", "pandas"],
    "kio_timeseries_anomaly_detection": ["pandas", "matplotlib"],
    "tf_basic_classification": ["tensorflow", "matplotlib"],
    "tf_basic_regression": ["tensorflow", "pandas", "seaborn", "matplotlib"],
    "tf_save_and_load": ["tensorflow", "h5py"],
    "tf_imbalanced_data": ["tensorflow", "pandas", "seaborn", "matplotlib"],
}

COLLECTION = {p.stem: p for p in run_all.list_scripts()}
needs_collection = pytest.mark.skipif(
    not COLLECTION, reason="examples/keras_scripts/scripts/ is not here (third-party "
                           "scripts are not committed; INDEX.md says how to rebuild it)")


def _skip_if_missing_packages(name):
    missing = [m for m in NEEDS.get(name, []) if importlib.util.find_spec(m) is None]
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
