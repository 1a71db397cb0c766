"""utils.Progbar writes the bytes Keras 3's Progbar writes, for the same updates under
the same (fake) clock, in verbose 1 (dynamic display) and 2; and clean lines to files."""

import io
import sys
import time

import pytest

import kerasette as ks

UPDATES = [  # (time, current, values)
    (0.5, 1, [("accuracy", 0.25), ("loss", 1.2)]),
    (0.52, 2, [("accuracy", 0.5), ("loss", 1.1)]),
    (0.9, 5, [("accuracy", 0.6), ("loss", 0.9)]),
    (1.5, 7, [("accuracy", 0.625), ("loss", 0.0005)]),
    (2.3, 8, [("accuracy", 0.7), ("loss", 0.8)]),
]


def _run(
    monkeypatch,
    progbar_cls,
    verbose,
    target=8,
    updates=UPDATES,
    dynamic=True,
    stateful=None,
    slow=1.0,
):
    clock = {"t": 100.0}
    monkeypatch.setattr(time, "time", lambda: clock["t"])
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    bar = progbar_cls(target, verbose=verbose, stateful_metrics=stateful)
    bar._dynamic_display = dynamic
    for t, current, values in updates:
        clock["t"] = 100.0 + t * slow
        bar.update(current, values)
    monkeypatch.setattr(sys, "stdout", sys.__stdout__)
    return out.getvalue()


@pytest.mark.parametrize("verbose", [1, 2])
@pytest.mark.parametrize("slow", [1.0, 0.001, 100.0, 3000.0])
def test_same_bytes_as_keras(keras, monkeypatch, verbose, slow):
    from keras.src.utils import io_utils

    monkeypatch.setattr(io_utils, "is_interactive_logging_enabled", lambda: True)
    ref = _run(monkeypatch, keras.utils.Progbar, verbose, slow=slow)
    mine = _run(monkeypatch, ks.utils.Progbar, verbose, slow=slow)
    assert mine == ref
    assert ref  # something was printed


def test_stateful_metrics_and_unknown_target(keras, monkeypatch):
    from keras.src.utils import io_utils

    monkeypatch.setattr(io_utils, "is_interactive_logging_enabled", lambda: True)
    for target in [None, 8, 120]:
        ref = _run(monkeypatch, keras.utils.Progbar, 1, target=target, stateful=["loss"])
        mine = _run(monkeypatch, ks.utils.Progbar, 1, target=target, stateful=["loss"])
        assert mine == ref


def test_clean_lines_when_not_a_terminal(monkeypatch):
    text = _run(monkeypatch, ks.utils.Progbar, 1, dynamic=False)
    lines = text.split("\n")
    assert lines[-1] == ""
    assert "\x1b" not in text and "\b" not in text and "\r" not in text
    assert lines[-2].startswith("8/8 ━━━━━━━━━━━━━━━━━━━━ 2s")
    # The final update shows the values given (Keras: the epoch averages), not a mean.
    assert lines[-2] == "8/8 ━━━━━━━━━━━━━━━━━━━━ 2s 257ms/step - accuracy: 0.7000 - loss: 0.8000"


def test_dynamic_display_follows_isatty(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdout", Tty())
    assert ks.utils.Progbar(3)._dynamic_display is True
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert ks.utils.Progbar(3)._dynamic_display is ("ipykernel" in sys.modules)
