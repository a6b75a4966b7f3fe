"""Command line: ``python -m planner solve|check``.

Exit codes: 0 success (``check``: plan valid), 1 plan has violations,
2 a file is missing or malformed.
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Sequence

from planner.model import FormatError, load_plan, load_scenario, plan_to_dict, write_json
from planner.solver import Progress, solve
from planner.validate import validate

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT = 0, 1, 2
# Kept back from ``--time-limit`` for writing the plan and the interpreter's exit, which frees what the
# run built (0.5 s measured after a 10,000-person short night, most of it the exit): a fixed part and a
# part per person, with room for the solve's own last steps running a little late.
EXIT_RESERVE_SECONDS = 0.3
EXIT_RESERVE_PER_PERSON = 6e-5


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m planner", description="Plan and check quarantine placements.")
    commands = parser.add_subparsers(dest="command", required=True)
    solve_cmd = commands.add_parser("solve", help="write a plan for a scenario")
    solve_cmd.add_argument("scenario")
    solve_cmd.add_argument("-o", "--output", required=True, help="where to write the plan JSON")
    solve_cmd.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    solve_cmd.add_argument("--workers", type=int, default=2)
    solve_cmd.add_argument("--seed", type=int, default=0)
    solve_cmd.add_argument("--progress", action="store_true", help="print each improvement to stderr")
    check_cmd = commands.add_parser("check", help="check a plan against a scenario's hard rules")
    check_cmd.add_argument("scenario")
    check_cmd.add_argument("plan")
    return parser


def _print_progress(p: Progress) -> None:
    print(f"[{p.elapsed:7.2f}s] {p.phase}: placed {p.placed}/{p.total} objective {p.objective} bound {p.bound}",
          file=sys.stderr, flush=True)


def run_solve(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    scenario = load_scenario(args.scenario)
    people = sum(len(batch.people) for batch in scenario.batches)
    reserve = EXIT_RESERVE_SECONDS + EXIT_RESERVE_PER_PERSON * people
    budget = max(0.1, args.time_limit - (time.perf_counter() - started) - reserve)
    result = solve(scenario, time_limit=budget, workers=args.workers, seed=args.seed,
                   progress=_print_progress if args.progress else None)
    write_json(plan_to_dict(result.plan), args.output)
    print(result.summary())
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    try:
        plan = load_plan(args.plan)
    except FormatError as err:
        raise FormatError(err.path, f"{err.problem} (in plan {args.plan})") from None
    violations = validate(scenario, plan)
    for violation in violations:
        print(violation)
    print(f"{len(violations)} violation(s); {len(plan.assignments)} assigned, {len(plan.unassigned)} unassigned",
          file=sys.stderr)
    return EXIT_VIOLATIONS if violations else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return run_solve(args) if args.command == "solve" else run_check(args)
    except FormatError as err:
        print(f"error: malformed input: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
