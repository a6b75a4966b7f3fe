"""Quarantine-site placement planner: scenario in, plan out (see docs/scenario-format.md).

The web app builds a ``Scenario`` from database rows, calls ``solve`` and stores
``result.plan``; ``validate`` checks any plan independently of the solver;
``most_placeable`` tells how many people the sites can take at most.
"""
from planner.metrics import PlanMetrics, plan_metrics
from planner.model import (
    PLAN_FORMAT,
    SCENARIO_FORMAT,
    Assignment,
    Batch,
    FormatError,
    Location,
    Occupant,
    Person,
    Plan,
    Policy,
    Room,
    Scenario,
    Site,
    Stats,
    Unassigned,
    load_plan,
    load_scenario,
    plan_from_dict,
    plan_to_dict,
    scenario_from_dict,
    scenario_to_dict,
    write_json,
)
from planner.placeable import Placeable, most_placeable
from planner.reasons import Reason
from planner.result import Progress, SolveResult
from planner.solver import solve
from planner.validate import Violation, validate

__all__ = [
    "PLAN_FORMAT", "SCENARIO_FORMAT", "Assignment", "Batch", "FormatError", "Location", "Occupant", "Person",
    "Placeable", "Plan", "PlanMetrics", "Policy", "Progress", "Reason", "Room", "Scenario", "Site", "SolveResult",
    "Stats", "Unassigned", "Violation", "load_plan", "load_scenario", "most_placeable", "plan_from_dict",
    "plan_metrics", "plan_to_dict", "scenario_from_dict", "scenario_to_dict", "solve", "validate", "write_json",
]
