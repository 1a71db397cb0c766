"""Partial-run scenarios played on the same small graph by kerasette and by real
TensorFlow (in graph mode, in a subprocess: tests/graph/_tf_partial_run.py).

The graph: placeholders a, b, c, d (float32 scalars), e (float32 [None, 2]);
r1 = a + b, r2 = r1 * c, r3 = r1 + d, r4 = r2 * r1, s = sum(e) * a.
A step is ("setup", fetches, feeds) | ("prun", fetches, {feed: value}) |
("run", fetches, {feed: value}); fetches are tensor labels in lists, tuples or dicts.
Each step's result is {"ok": value} or {"err": class name, "msg": message} with tensor
names replaced by their labels, so the two libraries' messages compare directly.
"""

import json

import numpy as np

LABELS = ["a", "b", "c", "d", "e", "r1", "r2", "r3", "r4", "s"]

SCENARIOS = {
    "seed": [
        ("setup", ["r1", "r2"], ["a", "b", "c"]),
        ("prun", "r1", {"a": 1, "b": 2}),
        ("prun", "r2", {"c": 3}),
    ],
    "feed_twice": [
        ("setup", ["r1", "r2"], ["a", "b", "c"]),
        ("prun", "r1", {"a": 1, "b": 2}),
        ("prun", "r2", {"a": 5, "c": 3}),
        ("prun", "r2", {"c": 3}),
    ],
    "fetch_not_declared": [
        ("setup", ["r1", "r2"], ["a", "b", "c", "d"]),
        ("prun", "r3", {"a": 1, "b": 2, "d": 4}),
        ("prun", "r1", {"a": 1, "b": 2}),
    ],
    "feed_not_declared": [
        ("setup", ["r1", "r2"], ["a", "b", "c"]),
        ("prun", "r1", {"a": 1, "b": 2, "d": 7}),
        ("prun", "r1", {"a": 1, "b": 2}),
    ],
    "fetch_twice": [
        ("setup", ["r1", "r2"], ["a", "b", "c"]),
        ("prun", ["r1"], {"a": 1, "b": 2}),
        ("prun", ["r1"], {}),
        ("prun", ["r2"], {"c": 4}),
    ],
    "after_done": [
        ("setup", ["r1", "r2"], ["a", "b", "c"]),
        ("prun", ["r2", "r1"], {"a": 1, "b": 2, "c": 3}),
        ("prun", "r2", {}),
    ],
    "not_computable_yet": [
        ("setup", ["r1", "r2"], ["a", "b", "c"]),
        ("prun", "r2", {"a": 1, "b": 2}),
        ("prun", "r1", {}),
        ("prun", "r2", {"c": 2}),
    ],
    "three_steps_reuse": [
        ("setup", ["r1", "r2", "r4"], ["a", "b", "c"]),
        ("prun", "r1", {"a": 2, "b": 3}),
        ("prun", "r2", {"c": 4}),
        ("prun", "r4", {}),
    ],
    "structures": [
        ("setup", ["r1", "r2", "r4"], ["a", "b", "c"]),
        ("prun", {"x": "r1", "y": ["r1"]}, {"a": 1, "b": 2}),
        ("prun", ("r2", ["r4"]), {"c": 3}),
    ],
    "feed_intermediate": [
        ("setup", ["r2"], ["a", "b", "c", "r1"]),
        ("prun", "r2", {"r1": 10, "c": 2}),
    ],
    "feed_intermediate_only": [
        ("setup", ["r2", "r4"], ["c", "r1"]),
        ("prun", "r2", {"r1": 10, "c": 2}),
        ("prun", "r4", {}),
    ],
    "both_fed_and_fetched": [("setup", ["r1", "a"], ["a", "b"])],
    "undeclared_placeholder": [("setup", ["r3"], ["a", "b"]), ("prun", "r3", {"a": 1, "b": 2})],
    "bad_handle": [("prun_bad_handle", "r1", {"a": 1, "b": 2})],
    "bad_shape": [
        ("setup", ["r1", "s"], ["a", "b", "e"]),
        ("prun", "r1", {"a": [1, 2], "b": 2}),
        ("prun", "s", {"a": 2, "e": [1, 2]}),
        ("prun", "s", {"a": 2, "e": [[1, 2], [3, 4]]}),
    ],
    "run_structures": [
        ("run", {"z": ["r1", ("r2", "r1")], "w": "r3"}, {"a": 1, "b": 2, "c": 3, "d": 4})
    ],
    "run_missing_feed": [("run", "r2", {"a": 1, "b": 2})],
    "run_missing_feed_shape": [("run", "s", {"a": 1})],
    "run_bad_shape": [
        ("run", "r1", {"a": [1, 2], "b": 2}),
        ("run", "s", {"a": 1, "e": [[1, 2, 3]]}),
    ],
    "run_feed_intermediate": [("run", "r2", {"r1": 10, "c": 2})],
}


def to_json(x):
    if isinstance(x, dict):
        return {str(k): to_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_json(v) for v in x]
    return np.asarray(x).tolist()


def play(build, session, error_types, scenarios):
    """Plays scenarios with one library. build() -> {label: tensor}; session() -> a
    Session; error_types: the exception classes to report rather than raise."""
    out = {}
    for name, steps in scenarios.items():
        t = build()
        names = {tname(v): k for k, v in t.items()}
        sess = session()
        handle, results = None, []

        def struct(f):
            if isinstance(f, dict):
                return {k: struct(v) for k, v in f.items()}
            if isinstance(f, list):
                return [struct(v) for v in f]
            if isinstance(f, tuple):
                return tuple(struct(v) for v in f)
            return t[f]

        for kind, fetches, feeds in steps:
            try:
                if kind == "setup":
                    handle = sess.partial_run_setup(struct(fetches), [t[f] for f in feeds])
                    results.append({"ok": None})
                    continue
                fd = {t[k]: v for k, v in feeds.items()}
                if kind == "prun":
                    r = sess.partial_run(handle, struct(fetches), feed_dict=fd)
                elif kind == "prun_bad_handle":
                    r = sess.partial_run("no such handle", struct(fetches), feed_dict=fd)
                else:
                    r = sess.run(struct(fetches), feed_dict=fd)
                results.append({"ok": to_json(r)})
            except error_types as e:
                msg = getattr(e, "message", None) or str(e)
                for tn in sorted(names, key=len, reverse=True):
                    msg = msg.replace(tn, f"<{names[tn]}>")
                    msg = msg.replace(f"'{tn[:-2]}'", f"'<{names[tn]}>'")
                results.append({"err": type(e).__name__, "msg": msg})
        sess.close()
        out[name] = results
    return out


def tname(t):
    return t.name if hasattr(t, "op") else _kname(t)


def _kname(t):
    from kerasette.graph.default import tensor_name

    return tensor_name(t)


def dumps(x):
    return json.dumps(x)
