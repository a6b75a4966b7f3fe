"""Planner against the greedy baseline, each run as a whole CLI subprocess so start-up counts.

Usage: ``python -m bench.planner_bench [--only county,overflow-900] [--seed 1] [--time-limit S]
[--planner-from DIR]`` (``--planner-from`` runs the planner of another checkout, e.g. an older commit,
on the same scenarios).
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
TIME_LIMITS = {"county": 1.0, "city": 10.0, "province": 55.0, "overflow-province": 55.0}
DEFAULT_LIMIT = 10.0


@dataclass(frozen=True)
class Row:
    scenario: str
    method: str
    placed: int
    total: int
    most: int | None
    most_status: str | None
    backups: int
    sites_per_batch: float
    person_km: float
    idle: int
    first: float | None
    final: float | None
    seconds: float
    peak_mb: float
    valid: bool

    @property
    def short(self) -> int | None:
        return None if self.most is None else self.most - self.placed


def _run(command: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds and peak RSS (MB, this child's own rusage) of one run; its stderr."""
    env = dict(os.environ, PYTHONPATH=str(cwd)) if cwd else None
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, text=True, cwd=cwd, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read()
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{text}")
    return seconds, usage.ru_maxrss / 1024, text


def _progress_times(stderr: str) -> tuple[float | None, float | None]:
    """When the first plan came (the constructive phase) and when the last improvement did."""
    times = [(float(line.split("]")[0].strip("[ s")), line) for line in stderr.splitlines()
             if line.startswith("[") and "floor model" not in line]  # the floor model reports its own solutions
    first = next((t for t, line in times if "constructive" in line), None)
    return first, (times[-1][0] if times else None)


def _row(name: str, method: str, scenario_path: Path, plan_path: Path, seconds: float, peak: float,
         first: float | None, final: float | None, most: tuple[int | None, str | None]) -> Row:
    scenario, plan = load_scenario(scenario_path), load_plan(plan_path)
    m = plan_metrics(scenario, plan)
    return Row(name, method, m.placed, m.total, most[0], most[1], m.backup_sites_activated, m.sites_per_batch,
               m.person_km, m.idle_beds, first, final, seconds, peak, not validate(scenario, plan))


def bench_preset(name: str, seed: int, time_limit: float | None, planner_from: Path | None = None) -> list[Row]:
    OUT.mkdir(exist_ok=True)
    if name.endswith(".json"):  # a scenario file rather than a preset
        scenario_path, name = Path(name), Path(name).stem
    else:
        scenario_path = OUT / f"{name}-seed{seed}.json"
        if not scenario_path.exists():
            write_json(generate(name, seed), scenario_path)
    limit = time_limit if time_limit is not None else TIME_LIMITS.get(name, DEFAULT_LIMIT)
    tag = "planner" if planner_from is None else f"planner ({planner_from.name})"
    planner_plan = OUT / f"{name}-seed{seed}.{'planner' if planner_from is None else planner_from.name}.json"
    seconds, peak, err = _run([sys.executable, "-m", "planner", "solve", str(scenario_path.resolve()),
                               "-o", str(planner_plan.resolve()), "--time-limit", str(limit), "--progress"],
                              planner_from)
    stats = json.loads(planner_plan.read_text())["stats"]
    startup = seconds - stats["solve_seconds"]  # progress times are from inside solve
    first, final = _progress_times(err)
    most = (stats.get("placed_bound"), stats.get("placed_bound_status"))
    rows = [_row(name, tag, scenario_path, planner_plan, seconds, peak, None if first is None else first + startup,
                 None if final is None else final + startup, most)]
    greedy_plan = OUT / f"{name}-seed{seed}.greedy.json"
    seconds, peak, _ = _run([sys.executable, "-m", "bench.greedy", str(scenario_path), "-o", str(greedy_plan)])
    rows.append(_row(name, "greedy", scenario_path, greedy_plan, seconds, peak, seconds, seconds,
                     (most[0], None)))
    return rows


def format_table(rows: list[Row]) -> str:
    head = ("| scenario | method | placed | most placeable | short of it | backups activated | sites/batch | "
            "person-km | idle beds | first valid plan s | final plan s | total s | peak MB | valid |")
    lines = [head, "|" + "---|" * 14]
    for r in rows:
        most = "" if r.most is None else f"{r.most:,}" + (f" ({r.most_status})" if r.most_status else "")
        lines.append(f"| {r.scenario} | {r.method} | {r.placed:,}/{r.total:,} | {most} | "
                     f"{'' if r.short is None else f'{r.short:,}'} | {r.backups} | {r.sites_per_batch:.2f} | "
                     f"{r.person_km:,.0f} | {r.idle} | {_seconds(r.first)} | {_seconds(r.final)} | "
                     f"{r.seconds:.2f} | {r.peak_mb:.0f} | {'yes' if r.valid else 'NO'} |")
    return "\n".join(lines)


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.planner_bench", description=__doc__)
    parser.add_argument("--only", default="county,city,province",
                        help="comma-separated presets or scenario files (*.json)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=None, help="override the per-preset limit")
    parser.add_argument("--planner-from", type=Path, default=None, help="run the planner of this checkout")
    args = parser.parse_args()
    rows: list[Row] = []
    for name in args.only.split(","):
        rows += bench_preset(name.strip(), args.seed, args.time_limit,
                             args.planner_from.resolve() if args.planner_from else None)
        print(format_table(rows[-2:]).splitlines()[-2], file=sys.stderr, flush=True)
    print(f"machine: {os.cpu_count()} cores")
    print(format_table(rows))


if __name__ == "__main__":
    main()
