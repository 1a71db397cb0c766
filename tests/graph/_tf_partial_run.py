"""Plays tests/graph/_pr_scenarios.py with real TensorFlow in graph mode; prints JSON.
Run as a script in its own process: disabling eager execution is process-wide."""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tensorflow as tf  # noqa: E402
from _pr_scenarios import SCENARIOS, play  # noqa: E402

tf.compat.v1.disable_eager_execution()
v1 = tf.compat.v1


def build():
    v1.reset_default_graph()
    a, b, c, d = (v1.placeholder(tf.float32, shape=[], name=n) for n in "abcd")
    e = v1.placeholder(tf.float32, shape=[None, 2], name="e")
    r1 = a + b
    r2 = r1 * c
    return {
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "e": e,
        "r1": r1,
        "r2": r2,
        "r3": r1 + d,
        "r4": r2 * r1,
        "s": tf.reduce_sum(e) * a,
    }


print(json.dumps(play(build, v1.Session, (tf.errors.OpError, ValueError, TypeError), SCENARIOS)))
