"""A neighbourhood step's own model: the count model cut down to the variables the step frees.

Given the whole model with most variables fixed, CP-SAT still loads and propagates all of
it (a tenth of a second on a large model before it searches at all). Cut down to the freed
variables, with what the fixed ones contribute moved into each constraint's bounds, the
same step is solved several times faster and to the same answer.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.placement_model import PlacementModel, plain_proto

# CP-SAT writes an unbounded side of a constraint as the extreme 64-bit integers; anything beyond
# this is such a side and stays unbounded when fixed variables shift the bounds.
UNBOUNDED = 2**62


@dataclass(frozen=True)
class Row:
    """One linear constraint: low <= sum(coeffs * vars) <= high."""

    variables: tuple[int, ...]
    coeffs: tuple[int, ...]
    low: int
    high: int


@dataclass(frozen=True)
class StepAnswer:
    """What a step changed (freed variables whose value differs from the plan's), and the people the
    whole plan then places."""

    changes: dict[int, int]
    placed: int


class StepModels:
    """The count model's constraints as plain rows, indexed by variable, to cut step models from.

    Built once per phase (a few tenths of a second on a large model); each cut takes hundredths.
    """

    def __init__(self, pm: PlacementModel) -> None:
        proto = plain_proto(pm.model)
        self.domains = [(v.domain[0], v.domain[len(v.domain) - 1]) for v in proto.variables]
        self.rows: list[Row] = []
        self.touching: dict[int, list[int]] = defaultdict(list)
        for constraint in proto.constraints:
            if constraint.WhichOneof("constraint") != "linear" or constraint.enforcement_literal:
                raise ValueError("a step model can only be cut from linear constraints")
            linear = constraint.linear
            row = Row(tuple(linear.vars), tuple(linear.coeffs), linear.domain[0], linear.domain[len(linear.domain) - 1])
            for v in row.variables:
                self.touching[v].append(len(self.rows))
            self.rows.append(row)
        self.people: dict[int, int] = defaultdict(int)  # people placed per unit of each variable
        for terms in pm.people_at.values():
            for var, n in terms:
                self.people[var.index] += n

    def solve(self, free: set[int], values: dict[int, int], placed: int, bound: int, *, time_limit: float, seed: int,
              cancel: threading.Event | None) -> StepAnswer | None:
        """The most people placed with only ``free`` changing from ``values`` (a valid plan placing
        ``placed``) and at most ``bound`` placed in all; None if no solution was found in time."""
        from planner.placement import solve_model

        columns = sorted(free)
        freed_people = sum(self.people.get(v, 0) * values.get(v, 0) for v in columns)
        model = self._cut(columns, values, bound - (placed - freed_people))
        solver, status = solve_model(model, time_limit, 1, seed, cancel, presolve=False, lean=True)
        if status not in ("OPTIMAL", "FEASIBLE"):
            return None
        solution = solver.response_proto.solution
        changes = {v: x for v, x in zip(columns, solution) if x != values.get(v, 0)}
        return StepAnswer(changes, placed - freed_people + round(solver.objective_value))

    def _cut(self, columns: list[int], values: dict[int, int], room: int) -> cp_model.CpModel:
        """The model over these variables, the others fixed at ``values``; at most ``room`` people
        placed by the freed variables."""
        model = cp_model.CpModel()
        var = {v: model.new_int_var(*self.domains[v], f"x{v}") for v in columns}
        for k in sorted({k for v in columns for k in self.touching[v]}):
            row = self.rows[k]
            fixed = sum(c * values.get(v, 0) for v, c in zip(row.variables, row.coeffs) if v not in var)
            terms = [(var[v], c) for v, c in zip(row.variables, row.coeffs) if v in var]
            model.add_linear_constraint(_weighted(terms), _shifted(row.low, fixed), _shifted(row.high, fixed))
        placed = [(var[v], self.people[v]) for v in columns if self.people.get(v)]
        model.add(_weighted(placed) <= room)
        model.maximize(_weighted(placed))
        model.proto.solution_hint.vars.extend([var[v].index for v in columns])  # in bulk: one by one is slow
        model.proto.solution_hint.values.extend([values.get(v, 0) for v in columns])
        return model


def _weighted(terms: list[tuple[cp_model.IntVar, int]]) -> cp_model.LinearExpr:
    return cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms])


def _shifted(side: int, fixed: int) -> int:
    """A constraint's bound less what the fixed variables contribute (an unbounded side stays so)."""
    if side <= -UNBOUNDED:
        return cp_model.INT_MIN
    if side >= UNBOUNDED:
        return cp_model.INT_MAX
    return side - fixed
