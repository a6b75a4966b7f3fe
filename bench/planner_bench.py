"""Planner against the greedy baseline, each run as a whole CLI subprocess so start-up counts.

Usage: ``python -m bench.planner_bench [--only county,city] [--seed 1] [--time-limit S]``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.generate import generate
from planner.metrics import plan_metrics
from planner.model import load_plan, load_scenario, write_json
from planner.validate import validate

OUT = Path(__file__).resolve().parent / "out"
# Province runs with 55 s so the whole command (start-up, reading, writing) stays under 60 s.
TIME_LIMITS = {"county": 1.0, "city": 10.0, "province": 55.0}


@dataclass(frozen=True)
class Row:
    scenario: str
    method: str
    placed: str
    backups: int
    sites_per_batch: float
    person_km: float
    idle: int
    first: float | None
    seconds: float
    peak_mb: float
    bound: float | None
    gap: float | None
    valid: bool


def _run(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds and peak RSS (MB, this child's own rusage) of one run; its stderr."""
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read()
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{text}")
    return seconds, usage.ru_maxrss / 1024, text


def _first_plan(stderr: str, fallback: float) -> float | None:
    for line in stderr.splitlines():
        if "constructive" in line:
            return float(line.split("]")[0].strip("[ s"))
    return fallback


def _row(name: str, method: str, scenario_path: Path, plan_path: Path, seconds: float, peak: float,
         first: float | None) -> Row:
    scenario, plan = load_scenario(scenario_path), load_plan(plan_path)
    m = plan_metrics(scenario, plan)
    objective, bound = plan.stats.objective, plan.stats.bound
    gap = (objective - bound) / max(1.0, objective) if objective is not None and bound is not None else None
    return Row(name, method, f"{m.placed}/{m.total}", m.backup_sites_activated, m.sites_per_batch, m.person_km,
               m.idle_beds, first, seconds, peak, bound, gap, not validate(scenario, plan))


def bench_preset(name: str, seed: int, time_limit: float | None) -> list[Row]:
    OUT.mkdir(exist_ok=True)
    scenario_path = OUT / f"{name}-seed{seed}.json"
    if not scenario_path.exists():
        write_json(generate(name, seed), scenario_path)
    limit = time_limit if time_limit is not None else TIME_LIMITS[name]
    rows = []
    planner_plan = OUT / f"{name}-seed{seed}.planner.json"
    seconds, peak, err = _run([sys.executable, "-m", "planner", "solve", str(scenario_path), "-o", str(planner_plan),
                               "--time-limit", str(limit), "--progress"])
    # The first plan time is reported from inside solve; add the start-up measured around it.
    stats = json.loads(planner_plan.read_text())["stats"]
    startup = seconds - stats["solve_seconds"]
    first = _first_plan(err, 0.0)
    rows.append(_row(name, "planner", scenario_path, planner_plan, seconds, peak,
                     None if first is None else first + startup))
    greedy_plan = OUT / f"{name}-seed{seed}.greedy.json"
    seconds, peak, _ = _run([sys.executable, "-m", "bench.greedy", str(scenario_path), "-o", str(greedy_plan)])
    rows.append(_row(name, "greedy", scenario_path, greedy_plan, seconds, peak, seconds))
    return rows


def format_table(rows: list[Row]) -> str:
    head = ("| scenario | method | placed | backups activated | sites/batch | person-km | idle beds | "
            "first valid plan s | total s | peak MB | bound | gap | valid |")
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        lines.append(f"| {r.scenario} | {r.method} | {r.placed} | {r.backups} | {r.sites_per_batch:.2f} | "
                     f"{r.person_km:,.0f} | {r.idle} | {'' if r.first is None else f'{r.first:.2f}'} | "
                     f"{r.seconds:.2f} | {r.peak_mb:.0f} | {'' if r.bound is None else f'{r.bound:,.0f}'} | "
                     f"{'' if r.gap is None else f'{r.gap:.1%}'} | {'yes' if r.valid else 'NO'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.planner_bench", description=__doc__)
    parser.add_argument("--only", default="county,city,province", help="comma-separated presets")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=None, help="override the per-preset limit")
    args = parser.parse_args()
    rows: list[Row] = []
    for name in args.only.split(","):
        rows += bench_preset(name.strip(), args.seed, args.time_limit)
        print(format_table(rows[-2:]).splitlines()[-2:][0], file=sys.stderr, flush=True)
    print(f"machine: {os.cpu_count()} cores")
    print(format_table(rows))


if __name__ == "__main__":
    main()
