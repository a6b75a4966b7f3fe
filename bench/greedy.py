"""The greedy baseline as a command: ``python -m bench.greedy SCENARIO -o PLAN``."""
from __future__ import annotations

import argparse
import sys

from planner.baseline import greedy_plan
from planner.model import load_scenario, plan_to_dict, write_json

__all__ = ["greedy_plan"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.greedy", description=__doc__)
    parser.add_argument("scenario")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    plan = greedy_plan(load_scenario(args.scenario))
    write_json(plan_to_dict(plan), args.output)
    print(f"greedy placed {len(plan.assignments)} of {len(plan.assignments) + len(plan.unassigned)}", file=sys.stderr)


if __name__ == "__main__":
    main()
