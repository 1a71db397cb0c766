"""How many public Keras scripts run unchanged under ``import kerasette as keras``?

    python examples/keras_scripts/run_all.py [--only NAME ...] [--mode both|keras|kerasette]
        [--timeout 300] [--json results.json] [--markdown results.md]

Runs every ``scripts/*.py`` of this folder, one at a time, each in a fresh subprocess:
once with real Keras (``KERAS_BACKEND=tensorflow``) and once with kerasette put in
its place by ``keras_swap.py`` (an import hook launched through ``python -c``; the
script's text is the same file both times). kerasette comes from the caller's
``PYTHONPATH`` when it has one (``PYTHONPATH=build/<you>:python``), else from the working
tree's ``build/dev:python`` (build/dev holds the compiled extension).

For each script it reports whether it ran (exit status 0 within the timeout) under
Keras and under kerasette, kerasette's first error (the exception line and the script
line it came from), and, where both runs trained/evaluated/predicted, whether the
numbers are comparable:

* ``same``: every number noted from fit/evaluate/predict agrees to 1e-4 (relative);
* ``close``: accuracy-like values (accuracy, AUC, precision, recall, R2) within 0.05 of
  each other, losses and other values within a factor of 3 (same order of magnitude),
  predict output shapes equal;
* ``differ in K of N calls (last call: ...); first: ...``: how many fit/evaluate/predict
  calls had a value pair outside that, whether the script's last call agrees, and the
  first pair that didn't (scripts that evaluate an untrained model differ there by
  construction: the initial weights differ).

It also checks statically which ``keras.*`` names each script's code refers to that
Keras has and kerasette lacks (so a script's later gaps show, not only its first error).

Exact equality needs equal initial weights and equal random streams, which two
separate processes (and two libraries) don't give, even where a script seeds.

The collected scripts are NOT committed (they are third-party code; see INDEX.md for
where each comes from and what was changed). Without ``scripts/`` there is nothing to
run and the runner says so.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCRIPTS = HERE / "scripts"

ACC_LIKE = re.compile(r"(acc|auc|precision|recall|r2|f1|iou)", re.I)


def list_scripts(directory=SCRIPTS):
    return sorted(p for p in Path(directory).glob("*.py") if not p.name.startswith("_"))


def _env(mode):
    env = dict(os.environ)
    paths = [str(HERE)]
    if env.get("PYTHONPATH"):  # the caller's build of kerasette comes first
        paths.append(env["PYTHONPATH"])
    if mode == "kerasette":
        paths += [str(ROOT / "build" / "dev"), str(ROOT / "python")]
    env.update(
        PYTHONPATH=os.pathsep.join(paths),
        KERAS_BACKEND="tensorflow",
        TF_CPP_MIN_LOG_LEVEL="3",
        TF_ENABLE_ONEDNN_OPTS=env.get("TF_ENABLE_ONEDNN_OPTS", "0"),
        CUDA_VISIBLE_DEVICES="",
        MPLBACKEND="Agg",
        PYTHONHASHSEED="0",
        PYTHONUNBUFFERED="1",
    )
    return env


def script_timeout(script, default):
    """A script's header may ask for more time: ``# run_all-timeout: 600``."""
    head = Path(script).read_text(errors="replace")[:3000]
    m = re.search(r"^# run_all-timeout: (\d+)", head, re.M)
    return max(default, float(m.group(1))) if m else default


def run_one(script, mode, timeout, log_dir=None):
    """Runs SCRIPT under MODE in a fresh process and a fresh working folder."""
    script = Path(script).resolve()
    timeout = script_timeout(script, timeout)
    with tempfile.TemporaryDirectory(prefix=f"ks_{script.stem}_{mode}_") as work:
        record_path = os.path.join(work, "_record.json")
        cmd = [
            sys.executable,
            "-c",
            "import keras_swap; keras_swap.main()",
            mode,
            str(script),
            record_path,
        ]
        t0 = time.time()
        proc = subprocess.Popen(
            cmd,
            cwd=work,
            env=_env(mode),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        timed_out = False
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        seconds = round(time.time() - t0, 1)
        record = {}
        if os.path.exists(record_path):
            try:
                record = json.load(open(record_path))
            except ValueError:
                record = {}
    if log_dir:
        Path(log_dir).mkdir(parents=True, exist_ok=True)
        (Path(log_dir) / f"{script.stem}.{mode}.log").write_text(
            f"$ {' '.join(cmd)}\n--- stdout ---\n{out}\n--- stderr ---\n{err}"
        )
    ok = proc.returncode == 0 and not timed_out
    result = {
        "ok": ok,
        "returncode": proc.returncode,
        "timed_out": timed_out,
        "seconds": seconds,
        "events": record.get("events", []),
        "library": record.get("keras"),
    }
    if not ok:
        result["error"] = _first_error(record, err, timed_out, timeout)
    return result


def _first_error(record, stderr, timed_out, timeout):
    if timed_out:
        return {"line": f"timed out after {timeout} s", "script_line": None, "raised_at": None}
    e = record.get("error")
    if e:
        return {
            "line": f"{e['type']}: {e['message']}".rstrip(": "),
            "script_line": e.get("script_line"),
            "script_code": e.get("script_code"),
            "raised_at": e.get("raised_at"),
        }
    # No record (crash before/after the hook): the last "Error:" line of stderr.
    lines = [l for l in stderr.splitlines() if l.strip()]
    errs = [l for l in lines if re.match(r"^\w+(\.\w+)*(Error|Exception|Interrupt)\b", l)]
    return {
        "line": (errs or lines or ["(no output)"])[-1][:400],
        "script_line": None,
        "raised_at": None,
    }


def api_gaps(scripts, timeout=300):
    """Static check, one process per mode for all scripts: the ``keras.*`` names each
    script's code refers to that resolve under Keras but not under kerasette."""
    missing = {}
    for mode in ("keras", "kerasette"):
        with tempfile.TemporaryDirectory(prefix="ks_probe_") as work:
            out = os.path.join(work, "gaps.json")
            cmd = [
                sys.executable,
                "-c",
                "import keras_swap; keras_swap.probe()",
                mode,
                out,
                *[str(s) for s in scripts],
            ]
            proc = subprocess.run(
                cmd, cwd=work, env=_env(mode), capture_output=True, text=True, timeout=timeout
            )
            if proc.returncode != 0 or not os.path.exists(out):
                return {"error": f"probe under {mode} failed: {proc.stderr.strip()[-300:]}"}
            missing[mode] = json.load(open(out))
    return {
        name: sorted(set(missing["kerasette"].get(name, [])) - set(missing["keras"].get(name, [])))
        for name in missing["kerasette"]
    }


def gaps_markdown(gaps):
    if not gaps or "error" in gaps:
        return (gaps or {}).get("error", "")
    by_name = {}
    for script, names in gaps.items():
        for n in names:
            by_name.setdefault(n, []).append(script)
    if not by_name:
        return "Every `keras.*` name the scripts refer to resolves under kerasette."
    rows = [
        "Static check: `keras.*` names the scripts' code refers to that Keras has and "
        "kerasette lacks (imports and dotted names; methods on objects not followed).",
        "",
        "| name | scripts using it |",
        "|---|---|",
    ]
    for n, users in sorted(by_name.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        rows.append(f"| `{n}` | {len(users)}: {', '.join(users)} |")
    return "\n".join(rows)


def _pairs(a, b, path=""):
    """Yields (name, x, y) for the numbers two summaries hold at the same place."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            if k in b and k not in ("dtype", "argmax_hist"):
                yield from _pairs(a[k], b[k], f"{path}.{k}" if path else k)
    elif isinstance(a, list) and isinstance(b, list):
        if path.endswith("shape"):
            yield (path, a, b)
            return
        for i, (x, y) in enumerate(zip(a, b)):
            yield from _pairs(x, y, f"{path}[{i}]")
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        yield (path, float(a), float(b))


def _verdict(name, x, y, event):
    """'same', 'close' or None (differ)."""
    if isinstance(x, list):
        return "same" if x == y else None
    if x == y or abs(x - y) <= 1e-4 * max(abs(x), abs(y)):
        return "same"
    key = name.split(".")[-1]
    if event.get("call") == "evaluate" and re.match(r"^\[\d+\]$", name):
        # evaluate's list: [loss, metric, ...]; index 0 is the loss.
        acc_like = name != "[0]" and 0 <= x <= 1 and 0 <= y <= 1
    else:
        acc_like = bool(ACC_LIKE.search(key)) and "loss" not in key
    if acc_like:
        return "close" if abs(x - y) <= 0.05 else None
    if re.sub(r"^val_", "", key).rstrip("_0123456789") in (
        "tp",
        "fp",
        "tn",
        "fn",
        "true_positives",
        "false_positives",
        "true_negatives",
        "false_negatives",
    ):
        # confusion counts: a few samples either way, or 5%
        return "close" if abs(x - y) <= max(3.0, 0.05 * max(abs(x), abs(y))) else None
    if abs(x - y) <= 0.05:
        return "close"
    if key in ("std",) and min(abs(x), abs(y)) < 1e-3:
        return "close" if abs(x - y) <= 0.05 else None
    if x * y > 0 and max(abs(x), abs(y)) / min(abs(x), abs(y)) <= 3.0:
        return "close"
    return None


def compare(keras_run, kerasette_run):
    ke, se = keras_run.get("events", []), kerasette_run.get("events", [])
    if not ke and not se:
        return "no fit/evaluate/predict"
    if not (keras_run.get("ok") and kerasette_run.get("ok")):
        return "n/a"
    if [e.get("call") for e in ke] != [e.get("call") for e in se]:
        return (
            f"differ: calls {len(ke)} under Keras vs {len(se)} under kerasette "
            f"({_calls(ke)} vs {_calls(se)})"
        )
    verdicts, first_bad, n = [], None, 0
    for i, (a, b) in enumerate(zip(ke, se)):
        av = a.get("logs", a.get("value"))
        bv = b.get("logs", b.get("value"))
        v_call = "same"
        for name, x, y in _pairs(av, bv):
            n += 1
            v = _verdict(name, x, y, a)
            if v is None:
                v_call = "differ"
                if first_bad is None:
                    fx = x if isinstance(x, list) else f"{x:.4g}"
                    fy = y if isinstance(y, list) else f"{y:.4g}"
                    first_bad = f"{a['call']} #{i + 1} {name}: Keras {fx} vs kerasette {fy}"
                break
            if v == "close":
                v_call = "close"
        verdicts.append(v_call)
    if not n:
        return "no numbers"
    if first_bad is None:
        worst = "close" if "close" in verdicts else "same"
        return f"{worst} ({n} numbers, {len(ke)} calls)"
    ok = sum(v != "differ" for v in verdicts)
    return (
        f"differ in {len(verdicts) - ok} of {len(verdicts)} calls "
        f"(last call: {verdicts[-1]}); first: {first_bad}"
    )


def _calls(events):
    counts = {}
    for e in events:
        counts[e.get("call")] = counts.get(e.get("call"), 0) + 1
    return ", ".join(f"{v} {k}" for k, v in counts.items()) or "none"


def _yes(run):
    if run is None:
        return "-"
    return "yes" if run["ok"] else ("timeout" if run["timed_out"] else "no")


def markdown(results):
    rows = [
        "| # | script | Keras | kerasette | kerasette's first error (script line) | numbers | s Keras / kerasette |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, (name, r) in enumerate(results.items(), 1):
        k, s = r.get("keras"), r.get("kerasette")
        err = ""
        if s is not None and not s["ok"]:
            e = s["error"]
            err = e["line"].replace("|", "\\|")
            if e.get("script_line"):
                err += f" (line {e['script_line']})"
        secs = " / ".join(str(x["seconds"]) if x else "-" for x in (k, s))
        rows.append(
            f"| {i} | {name} | {_yes(k)} | {_yes(s)} | {err} | {r.get('numbers', '')} | {secs} |"
        )
    ran_k = sum(1 for r in results.values() if r.get("keras") and r["keras"]["ok"])
    ran_s = sum(1 for r in results.values() if r.get("kerasette") and r["kerasette"]["ok"])
    m = len(results)
    summary = [
        f"**{ran_s} of {m} public scripts ran unchanged under `import kerasette as keras`** "
        f"({ran_k} of {m} ran under Keras {results_keras_version(results)})."
    ]
    return "\n".join(summary + [""] + rows)


def results_keras_version(results):
    for r in results.values():
        k = r.get("keras")
        if k and k.get("library"):
            return f"— {k['library']}"
    return ""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scripts", default=str(SCRIPTS), help="folder of collected scripts")
    p.add_argument("--only", nargs="*", help="script names (stems) to run")
    p.add_argument("--mode", choices=["both", "keras", "kerasette"], default="both")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--markdown", help="write the Markdown table here")
    p.add_argument("--logs", help="folder for each run's stdout/stderr")
    p.add_argument(
        "--no-probe",
        action="store_true",
        help="skip the static check of the keras names each script uses",
    )
    args = p.parse_args(argv)

    scripts = list_scripts(args.scripts)
    if args.only:
        wanted = set(args.only)
        scripts = [s for s in scripts if s.stem in wanted]
        missing = wanted - {s.stem for s in scripts}
        if missing:
            p.error(f"no such scripts: {sorted(missing)}")
    if not scripts:
        print(f"no scripts under {args.scripts} (the collection is not committed: see INDEX.md)")
        return 2
    modes = ["keras", "kerasette"] if args.mode == "both" else [args.mode]
    gaps = {} if args.no_probe else api_gaps(scripts)
    results = {}
    for script in scripts:
        r = {}
        for mode in modes:
            print(
                f"[{time.strftime('%H:%M:%S')}] {script.stem} under {mode} ...",
                end=" ",
                file=sys.stderr,
                flush=True,
            )
            r[mode] = run_one(script, mode, args.timeout, args.logs)
            status = "ok" if r[mode]["ok"] else r[mode]["error"]["line"][:120]
            print(f"{r[mode]['seconds']} s: {status}", file=sys.stderr, flush=True)
        if len(modes) == 2:
            r["numbers"] = compare(r["keras"], r["kerasette"])
        if isinstance(gaps.get(script.stem), list):
            r["missing_api"] = gaps[script.stem]
        results[script.stem] = r
        if args.json:  # keep partial results if interrupted
            Path(args.json).write_text(json.dumps(results, indent=1))
    table = markdown(results)
    if gaps:
        table += "\n\n" + gaps_markdown(gaps)
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
