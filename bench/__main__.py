"""`make bench`: every benchmark, each a ratio against a baseline measured in the same run.

    .venv/bin/python -m bench [--only classify,webhook,pipeline,end_to_end,sweep,ledger,console] [--quick]

The classifier runs first: it measures one process's CPU, which the servers of the others (PostgreSQL
still writing out what end_to_end stored) would disturb.

Results go to bench/results/<name>.json; a summary table is printed at the end.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
PROJECT = RESULTS.parent.parent


def _script(args: list[str]) -> dict:
    """A benchmark that runs as its own process and prints one JSON object."""
    out = subprocess.run([sys.executable, *args], cwd=PROJECT, capture_output=True, text=True, check=True).stdout
    return json.loads(out[out.index("{") :])


def run_one(name: str, quick: bool) -> dict:
    if name == "webhook":
        from bench import webhook

        return webhook.run(seconds=5 if quick else 15)
    if name == "pipeline":
        from bench import pipeline

        return pipeline.run(n=500 if quick else 2000)
    if name == "end_to_end":
        from bench import end_to_end

        return end_to_end.run(rate=100, seconds=10 if quick else 60)
    if name == "classify":
        return _script(["bench/bench_classify.py"])
    if name == "sweep":
        sizes = "10000,100000" if quick else "10000,100000,1000000"
        return _script(["bench/bench_sweep.py", "--sizes", sizes])
    if name == "console":
        return _script(["bench/bench_console.py", "--cases", "20000" if quick else "100000"])
    if name == "ledger":
        return _script(["-m", "bench.bench_ledger", "--cases", "20000" if quick else "200000"])
    raise SystemExit(f"unknown benchmark {name!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="classify,webhook,pipeline,end_to_end,sweep,ledger,console")
    parser.add_argument("--quick", action="store_true", help="shorter runs, for a smoke test")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    machine = {"cpus": len(__import__("os").sched_getaffinity(0)), "python": platform.python_version()}
    summary = []
    for name in args.only.split(","):
        print(f"== {name}", flush=True)
        result = run_one(name, args.quick)
        result.setdefault("measured_at", datetime.now(UTC).isoformat(timespec="seconds"))
        result["machine"] = machine
        result["quick"] = args.quick
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(json.dumps(result, indent=2, ensure_ascii=False), flush=True)
        summary.append((name, result))
    print("\nbenchmark   figures (targets in each result's JSON)")
    for name, result in summary:
        figures = {k: v for k, v in _flat(result).items() if isinstance(v, int | float) and not isinstance(v, bool)}
        print(f"{name:<11} " + ", ".join(f"{k}={v}" for k, v in list(figures.items())[:8]))


def _flat(result: dict, prefix: str = "") -> dict:
    """Nested figures (per database, per page) as `outer.inner` keys, for the summary line."""
    out = {}
    for key, value in result.items():
        if key in ("machine", "targets"):
            continue
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


if __name__ == "__main__":
    main()
