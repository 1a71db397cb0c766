"""Shared fixtures, and which tests a run selects.

`python3 -m pytest` is the quick run a contributor makes after each change: the tests
marked `slow` are left out, and the parity (against real Keras) and kernel suites run a
fixed sample of their parametrized cases. `python3 -m pytest --full` runs every test,
slow ones included; CI (.ci/run) runs that.

The sample is deterministic: a case is kept when a seeded hash of its node id falls in
the kept fraction, and each test function keeps its first case and one case for every
value of its small parameter axes (every ISA, thread count, dtype...), so no kernel path
or configuration goes untested by the quick run. A file named on the command line
(`pytest tests/kernels/test_gemm.py`, or a node id in it) runs in full.
"""

import os
import zlib

import numpy as np
import pytest

# Keep TensorFlow (the reference) quiet and on the CPU.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

# Sampled suites: kernel tests by folder; parity tests (against a reference library) by
# the keras_ref marker, their file's name or their use of real Keras/TensorFlow (a
# `keras`, `keras_tf` or `tf` fixture). The fraction of their parametrized cases the
# quick run keeps, and of the parity suites' plain tests (sampled per file):
KERNEL_DIRS = ("kernels/", "graph_engine/")
PARITY_NAMES = ("vs_keras", "vs_tf", "parity", "estimator_checks")
PARITY_FIXTURES = {"keras", "keras_tf", "tf"}
RATE = {"kernel": 0.1, "parity": 0.08, "parity-plain": 0.25}
SEED = b"kerasette-quick-run"
# In the kernel suites a parameter with at most this many values is an axis (ISA, thread
# count, dtype, ...) every value of which the sample keeps: no kernel path goes untested.
AXIS_MAX_VALUES = 6

# Slow tests, besides those their module marks `slow`: the quick run leaves them out and
# does not even import a whole slow file or folder (which saves its collection time).
SLOW = {
    "test_keras_scripts.py": "runs every public Keras script twice",
    "test_sanitizers.py": "builds the core twice more and reruns the kernel tests",
    "packaging/": "builds and installs a wheel in a fresh venv",
    "distribute/": "starts MPI ranks",
    "test_import_time.py": "times fresh interpreters",
    "test_quick_run.py": "collects the kernel tests four times",
    "serving/test_serve_versions.py": "starts servers and swaps model versions under load",
    "serving/test_serve_rest_api.py": "starts servers",
    "serving/test_serve_models.py": "starts servers",
    "serving/test_serve_cli.py": "starts servers",
    "saving/test_atomic.py": "kills saving processes",
    "saving/test_temp_cleanup.py": "kills saving processes",
    "saving/test_from_config_scaling.py": "rebuilds 20,000-layer models",
    "saving/test_hostile_files.py": "writes zip bombs and huge declared datasets",
    "saving/test_callbacks.py::test_training_killed_with_sigkill_resumes": "kills a training process",
    "wrappers/test_wrappers_sklearn_integration.py": "grid searches with worker processes",
    "wrappers/test_wrappers_scikeras.py::test_import_kerasette_does_not_import_sklearn": "starts a fresh interpreter",
    "graph/test_session.py::test_partial_run_matches_tensorflow": "runs TensorFlow 1 sessions",
    "engine/test_no_leak.py": "repeats fit and predict to watch the memory",
    # Single tests of 5 s or more on an idle 2-core machine:
    "engine/test_unknown_sequence_length.py::test_fit_evaluate_predict_on_any_length_match_keras": "trains on many sequence lengths in both libraries",
    "engine/test_unknown_sequence_length.py::test_several_inputs_of_unknown_length_match_keras": "trains on many sequence lengths in both libraries",
    "front/test_applications_vgg.py::test_default_top_has_keras_layers": "builds VGG16 twice",
    "kernels/test_bindings_fuzz.py::test_permutation_fuzz": "150 fuzzed permutations",
    "saving/test_compile_state.py::test_keras_trained_all_layers_model_keeps_training_in_kerasette": "trains every layer type in both libraries",
    "losses_metrics/test_long_tail_vs_keras.py::test_metrics_compiled_in_fit": "fits with every metric in both libraries",
}

TESTS = os.path.dirname(os.path.abspath(__file__))


def pytest_addoption(parser):
    parser.addoption(
        "--full",
        action="store_true",
        default=False,
        help="run every test: the slow ones and every parametrized case of the "
        "parity and kernel suites (the default run samples them)",
    )


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def _rel(path):
    return os.path.relpath(str(path), TESTS).replace(os.sep, "/")


def _named_files(config):
    """Test files the command line names (a file or a node id in it): they run in full."""
    out = set()
    for arg in config.args:
        path = os.path.abspath(os.path.join(str(config.invocation_params.dir), arg.split("::")[0]))
        if os.path.isfile(path):
            out.add(path)
    return out


def pytest_ignore_collect(collection_path, config):
    # pytest asks only about paths it finds by walking a folder, never about ones the
    # command line names, so `pytest tests/test_sanitizers.py` still collects it.
    if config.getoption("--full") or config.getoption("markexpr"):
        return None
    key = _slow_entry(_rel(collection_path))
    return True if key is not None and "::" not in key else None


def _slow_entry(rel_id):
    """The SLOW key that covers a path or node id relative to tests/, or None."""
    for key in SLOW:
        if key.endswith("/"):
            if rel_id.startswith(key) or rel_id == key[:-1]:
                return key
        elif rel_id == key or rel_id.startswith((key + "::", key + "[")):
            return key
    return None


def _rel_id(item):
    return _rel(item.path) + item.nodeid[len(item.nodeid.split("::")[0]) :]


def _suite(item):
    """'kernel', 'parity' or None: which sampled suite an item belongs to."""
    rel = _rel(item.path)
    if rel.startswith(KERNEL_DIRS):
        return "kernel"
    if (
        any(n in rel for n in PARITY_NAMES)
        or item.get_closest_marker("keras_ref") is not None
        or PARITY_FIXTURES & set(getattr(item, "fixturenames", ()))
    ):
        return "parity"
    return None


def _keep_in_sample(group, suite):
    """The cases of one parametrized test function the quick run keeps: its first case,
    a seeded hash sample of the others, and (kernel suites) one case per axis value."""
    axes = {}
    if suite == "kernel":  # (a plain test has no callspec: no axes)
        for item in group:
            for name, index in _indices(item).items():
                axes.setdefault(name, set()).add(index)
    small = {name for name, values in axes.items() if len(values) <= AXIS_MAX_VALUES}
    covered, keep = set(), []
    for n, item in enumerate(group):
        new = {(name, index) for name, index in _indices(item).items() if name in small} - covered
        hashed = zlib.crc32(SEED + item.nodeid.encode()) / 2**32 < RATE[suite]
        if n == 0 or new or hashed:
            covered |= new
            keep.append(item)
    return keep


def _indices(item):
    spec = getattr(item, "callspec", None)
    if spec is None:
        return {}
    indices = getattr(spec, "indices", None)
    if indices is None:  # older pytest: the values' reprs stand in for their positions
        indices = {k: repr(v) for k, v in spec.params.items()}
    return indices


@pytest.hookimpl(tryfirst=True)  # before `-m` reads the markers
def pytest_collection_modifyitems(config, items):
    for item in items:
        if _slow_entry(_rel_id(item)) is not None:
            item.add_marker(pytest.mark.slow)
    if config.getoption("--full"):
        return
    named = _named_files(config)
    # An explicit -m expression chooses by marker itself; slow tests then go by it.
    drop_slow = not config.getoption("markexpr")
    kept, slow, groups = [], [], {}
    for item in items:
        if str(item.path) in named:
            kept.append(item)
        elif drop_slow and item.get_closest_marker("slow") is not None:
            slow.append(item)
        elif _suite(item) and (hasattr(item, "callspec") or _suite(item) == "parity"):
            if hasattr(item, "callspec"):
                key = (item.parent.nodeid, item.originalname, _suite(item))
            else:  # a file's plain parity tests sample as one group
                key = (item.nodeid.split("::")[0], "", "parity-plain")
            if key not in groups:
                groups[key] = []
                kept.append(key)  # placeholder: the group keeps its place in the order
            groups[key].append(item)
        else:
            kept.append(item)
    selected, sampled_out = [], []
    for entry in kept:
        if isinstance(entry, tuple):
            group = groups[entry]
            keep = _keep_in_sample(group, entry[2])
            ids = {id(i) for i in keep}
            selected.extend(keep)
            sampled_out.extend(i for i in group if id(i) not in ids)
        else:
            selected.append(entry)
    if slow or sampled_out:
        config.hook.pytest_deselected(items=slow + sampled_out)
        items[:] = selected
    config._kerasette_quick = (len(slow), len(sampled_out))


def pytest_report_header(config):
    if config.getoption("--full"):
        return "kerasette: full run (every test, slow ones included)"
    return (
        "kerasette: quick run: slow tests left out, parity and kernel suites sampled; "
        "`pytest --full` runs everything"
    )


def pytest_terminal_summary(terminalreporter, config):
    slow, sampled_out = getattr(config, "_kerasette_quick", (0, 0))
    if slow or sampled_out:
        skipped_files = (
            ""
            if config.getoption("markexpr")
            else (", the slow files of SLOW (tests/conftest.py) not collected")
        )
        terminalreporter.write_line(
            f"quick run: {slow} slow tests and {sampled_out} sampled-out parity/kernel cases "
            f"deselected{skipped_files}; `python3 -m pytest --full` runs everything"
        )
