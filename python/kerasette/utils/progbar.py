"""Keras 3's progress bar (`keras.utils.Progbar`), same arguments and same bytes.

On a terminal (or in Jupyter) the bar is redrawn in place exactly as Keras draws it:
backspaces + carriage return, ANSI bold/green/grey, padding to erase a longer line.
When stdout is not a terminal (a log file, a pipe) each update is written as one clean
line without escape codes, so logs read well; Keras would write the in-place bytes
there too (it treats any POSIX system as "dynamic"), which is the one deliberate change.
"""

import math
import os
import re
import sys
import time

import numpy as np

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _is_dynamic():
    return (
        (hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
        or "ipykernel" in sys.modules
        or "PYCHARM_HOSTED" in os.environ
    )


def _format_time(time_per_unit, unit_name):
    if time_per_unit >= 1 or time_per_unit == 0:
        return f" {time_per_unit:.0f}s/{unit_name}"
    if time_per_unit >= 1e-3:
        return f" {time_per_unit * 1000.0:.0f}ms/{unit_name}"
    return f" {time_per_unit * 1000000.0:.0f}us/{unit_name}"


def _format_eta(eta):
    if eta > 3600:
        return "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
    if eta > 60:
        return "%d:%02d" % (eta // 60, eta % 60)
    return "%ds" % eta


class Progbar:
    """Displays a progress bar (Keras's arguments: target, width, verbose, interval,
    stateful_metrics, stateless_metrics, unit_name)."""

    def __init__(
        self,
        target,
        width=20,
        verbose=1,
        interval=0.05,
        stateful_metrics=None,
        stateless_metrics=None,
        unit_name="step",
        dynamic_display=None,
    ):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` can be provided."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        if stateful_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = set(stateful_metrics), None
        elif stateless_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = None, set(stateless_metrics)
        else:
            self.stateful_metrics, self.stateless_metrics = set(), None
        self._dynamic_display = _is_dynamic() if dynamic_display is None else dynamic_display
        self._seen_so_far = 0
        self._values = {}
        self._values_order = []
        self._start = time.time()
        self._last_update = 0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def _is_stateless(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def _accumulate(self, current, values, finalize):
        for k, v in values or []:
            if k not in self._values_order:
                self._values_order.append(k)
            if self._is_stateless(k) and not finalize:
                # Running average weighted by the number of steps since the last update.
                base = max(current - self._seen_so_far, 1)
                if k not in self._values:
                    self._values[k] = [v * base, base]
                else:
                    self._values[k][0] += v * base
                    self._values[k][1] += base
            else:
                self._values[k] = [v, 1]
        self._seen_so_far = current

    def _metric_text(self, signed):
        info = ""
        for k in self._values_order:
            total, count = self._values[k]
            if not isinstance(total, float):
                total = np.mean(total)
            avg = total / max(1, count)
            big = abs(avg) > 1e-3 if signed else avg > 1e-3  # Keras's verbose=2 drops abs
            info += f" - {k}: {avg:.4f}" if big else f" - {k}: {avg:.4e}"
        return info

    def update(self, current, values=None, finalize=None):
        """Updates the bar to step `current`; `values` is a list of (name, value)."""
        if finalize is None:
            finalize = False if self.target is None else current >= self.target
        self._accumulate(current, values, finalize)
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._write(self._line_verbose1(current, now, time_per_unit, finalize))
        elif self.verbose == 2 and finalize and self.target is not None and self.target > 0:
            numdigits = int(math.log10(self.target)) + 1
            info = f"%{numdigits}d/%d" % (current, self.target) + f" - {now - self._start:.0f}s"
            info += " -" + _format_time(time_per_unit, self.unit_name)
            self._write(info + self._metric_text(signed=False) + "\n")
        self._last_update = now

    def _line_verbose1(self, current, now, time_per_unit, finalize):
        special = 0  # bytes of escape codes, not counted in the visible width
        if self.target is not None and self.target > 0:
            numdigits = int(math.log10(self.target)) + 1
            bar = f"\x1b[1m{(f'%{numdigits}d/%d') % (current, self.target)}\x1b[0m "
            special += 8
            prog_width = int(self.width * float(current) / self.target)
            if prog_width > 0:
                bar += f"\x1b[32m{'━' * prog_width}\x1b[0m"
                special += 9
            bar += f"\x1b[37m{'━' * (self.width - prog_width)}\x1b[0m"
            special += 9
        else:
            bar = "%7d/Unknown" % current
        if self.target is not None and self.target > 0 and not finalize:
            info = f" \x1b[1m{_format_eta(time_per_unit * (self.target - current))}\x1b[0m"
        else:
            info = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"
        special += 8
        info += _format_time(time_per_unit, self.unit_name) + self._metric_text(signed=True)
        total_width = len(bar) + len(info) - special
        if not self._dynamic_display:
            return _ANSI.sub("", bar + info) + "\n"
        message = "\b" * self._prev_total_width + "\r" + bar + info
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        self._prev_total_width = total_width
        return message

    @staticmethod
    def _write(message):
        sys.stdout.write(message)
        sys.stdout.flush()

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    def _estimate_step_duration(self, current, now):
        # The first step (compilation/warm-up in Keras) is left out of the estimate.
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            time_per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            time_per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return time_per_unit
