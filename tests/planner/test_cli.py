"""The CLI end to end on the sample scenarios, plus cancel and time-limit behaviour."""
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench.greedy import greedy_plan
from planner import load_scenario, solve, validate

SAMPLES = sorted(Path("tests/data/scenarios").glob("*.json"))


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "planner", *map(str, args)], capture_output=True, text=True)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_solve_then_check(sample, tmp_path):
    out = tmp_path / "plan.json"
    assert _cli("solve", sample, "-o", out, "--time-limit", "3").returncode == 0
    assert _cli("check", sample, out).returncode == 0
    plan = json.loads(out.read_text())
    greedy = greedy_plan(load_scenario(sample))
    assert len(plan["assignments"]) >= len(greedy.assignments)


def test_check_reports_corrupted_plan(tmp_path):
    sample = SAMPLES[0]
    out = tmp_path / "plan.json"
    _cli("solve", sample, "-o", out, "--time-limit", "1")
    plan = json.loads(out.read_text())
    plan["assignments"][1]["room"] = plan["assignments"][0]["room"]
    plan["assignments"].append(plan["assignments"][0])
    out.write_text(json.dumps(plan))
    done = _cli("check", sample, out)
    assert done.returncode == 1 and "rule" in done.stdout


def test_malformed_scenario_exits_2(tmp_path):
    data = json.loads(SAMPLES[0].read_text())
    data["sites"][0]["rooms"][3]["beds"] = "two"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    done = _cli("solve", bad, "-o", tmp_path / "p.json")
    assert done.returncode == 2 and "sites[0].rooms[3].beds: must be a non-negative integer" in done.stderr
    bad.write_text("{not json")
    assert _cli("check", bad, bad).returncode == 2


def test_time_limit_and_cancel_return_valid_plans():
    scenario = load_scenario(SAMPLES[0] if "city" in SAMPLES[0].name else Path("tests/data/scenarios/city-2000.json"))
    start = time.perf_counter()
    result = solve(scenario, time_limit=1.5)
    assert time.perf_counter() - start < 2.5
    assert validate(scenario, result.plan) == [] and result.is_feasible()
    cancel = threading.Event()
    seen = []
    threading.Timer(0.5, cancel.set).start()
    start = time.perf_counter()
    result = solve(scenario, time_limit=30, cancel=cancel, progress=seen.append)
    assert time.perf_counter() - start < 3
    assert validate(scenario, result.plan) == [] and seen and seen[0].placed > 0
    assert result.summary().startswith(f"placed {len(result.plan.assignments):,} of {len(scenario.people):,}")
