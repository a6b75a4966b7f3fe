"""The linear relaxation of the count model, solved with GLOP: a fast bound and a guide.

CP-SAT's own relaxation of this model converges slowly, while the plain LP is solved
in seconds at most and is usually within a few people of the optimum. Its value
rounded down bounds the people any plan can place. Where the search starts: on a
small model a dive on it (give floors to cohorts as the LP leans, re-solve, repeat),
on a large one, where each re-solve takes long, the floors as the LP leans at once.
The CP-SAT model is the single definition: its linear constraints are copied as they are.
"""
from __future__ import annotations

import math
import time
from typing import Collection, Sequence

from ortools.linear_solver import linear_solver_pb2, pywraplp
from ortools.sat.python import cp_model

from planner.placement_model import plain_proto

UNBOUNDED = 2**62
EPSILON = 1e-6
# Without GLOP's presolve the basis survives bound changes, so after the root (primal simplex)
# each dive step is a warm dual simplex re-solve: tens of milliseconds instead of a second.
ROOT_PARAMETERS = "use_preprocessing: false"
RESOLVE_PARAMETERS = "use_preprocessing: false use_dual_simplex: true"
LAST_RESOLVE_SECONDS = 1.0


class Relaxation:
    """The LP of a CP-SAT model with linear constraints only, kept loaded for re-solves."""

    def __init__(self, model: cp_model.CpModel, *, dive: bool, leave_out: Collection[int] = ()) -> None:
        """``dive``: keep the basis for re-solves (else GLOP's presolve makes the one solve faster).
        ``leave_out``: constraints not copied (a looser LP, whose value still bounds the model's)."""
        mp = linear_solver_pb2.MPModelProto()
        _copy(plain_proto(model), mp, set(leave_out))
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.solver.LoadModelFromProto(mp)
        self.dive_ready = dive
        if dive:
            self.solver.SetSolverSpecificParametersAsString(ROOT_PARAMETERS)
        self.columns = self.solver.variables()
        self.sign = model.proto.objective.scaling_factor or 1.0
        self.value: float | None = None
        self.root: float | None = None

    @property
    def bound(self) -> int:
        """The relaxation's value at the root, rounded down: no plan places more."""
        assert self.root is not None
        return math.floor(self.root + EPSILON)

    def solve(self, time_limit: float) -> bool:
        self.solver.SetTimeLimit(max(50, int(time_limit * 1000)))
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            return False
        self.value = self.sign * self.solver.Objective().Value()
        if self.root is None:
            self.root = self.value
            if self.dive_ready:
                self.solver.SetSolverSpecificParametersAsString(RESOLVE_PARAMETERS)
        return True

    def interrupt(self) -> None:
        """Stop a solve running in another thread (a cancelled run should not wait for it)."""
        self.solver.InterruptSolve()

    def values(self, indices: Sequence[int]) -> dict[int, float]:
        return {i: self.columns[i].solution_value() for i in indices}

    def leaning(self, groups: Sequence[tuple[int, Sequence[int]]]) -> dict[int, int]:
        """Whole floors for these columns, given per floor group as (floors, columns sharing them): the
        floors go to the columns in the order of the LP's share, each its share rounded up while
        floors are left. Only a start for the search, which trades floors where this got it wrong."""
        out: dict[int, int] = {}
        for floors, columns in groups:
            shares = self.values(columns)
            for i in sorted(columns, key=lambda i: -shares[i]):
                out[i] = min(floors, math.ceil(shares[i] - EPSILON)) if shares[i] > EPSILON else 0
                floors -= out[i]
        return out

    def rounded_down(self, indices: Sequence[int]) -> dict[int, int]:
        """The last solution's values of these columns rounded down (for the placement model's
        decisions, with the floors whole, a feasible solution: its constraints cap sums of counts)."""
        return {i: math.floor(self.columns[i].solution_value() + EPSILON) for i in indices}

    def dive(self, groups: Sequence[Sequence[int]], deadline: float, share: float) -> tuple[dict[int, int], bool]:
        """Whole values for these columns, given per floor group (their sum is capped together).

        Each round fixes the columns already whole and positive, rounds up the most
        leaning column of the most leaning ``share`` of the groups (at least one), and
        re-solves. When time runs out the rest is rounded down, which keeps every cap; the
        flag says whether the LP solution has these values (then rounding it down is feasible).
        """
        assert self.dive_ready, "a dive needs the basis kept: Relaxation(model, dive=True)"
        columns = [i for group in groups for i in group]
        now = self.values(columns)
        while time.perf_counter() < deadline:
            now = self.values([i for i in columns if self.columns[i].lb() != self.columns[i].ub()])
            leaning = sorted((max((now[i] - math.floor(now[i]), i) for i in group if _fractional(now.get(i)))
                              for group in groups if any(_fractional(now.get(i)) for i in group)), reverse=True)
            if not leaning:
                return {i: round(now[i]) if i in now else round(self.columns[i].lb()) for i in columns}, True
            for i, x in now.items():
                if x >= 1 - EPSILON and not _fractional(x):
                    self.columns[i].SetBounds(round(x), round(x))
            chosen = [i for _, i in leaning[:max(1, int(len(leaning) * share))]]
            for i in chosen:
                self.columns[i].SetBounds(math.ceil(now[i]), math.ceil(now[i]))
            if not self.solve(deadline - time.perf_counter()):
                for i in chosen:
                    self.columns[i].SetBounds(math.floor(now[i]), math.floor(now[i]))
                if not self.solve(deadline - time.perf_counter()):
                    break
        return self._round_down_rest(columns, now)

    def _round_down_rest(self, columns: Sequence[int], now: dict[int, float]) -> tuple[dict[int, int], bool]:
        """Out of time: the open columns rounded down (which keeps every cap) and one last re-solve,
        so the LP solution matches them."""
        takes = {i: math.floor(now[i] + EPSILON) if i in now else round(self.columns[i].lb()) for i in columns}
        for i, value in takes.items():
            self.columns[i].SetBounds(value, value)
        return takes, self.solve(LAST_RESOLVE_SECONDS)


def _fractional(x: float | None) -> bool:
    return x is not None and abs(x - round(x)) > EPSILON


def _copy(proto, mp: linear_solver_pb2.MPModelProto, leave_out: set[int]) -> None:
    for var in proto.variables:
        domain = var.domain
        mp.variable.add(lower_bound=domain[0], upper_bound=domain[len(domain) - 1])
    for index, coeff in zip(proto.objective.vars, proto.objective.coeffs):
        mp.variable[index].objective_coefficient = coeff
    for index, constraint in enumerate(proto.constraints):
        if index in leave_out:
            continue
        linear = constraint.linear
        low, high = linear.domain[0], linear.domain[len(linear.domain) - 1]
        row = mp.constraint.add(lower_bound=low if low > -UNBOUNDED else -math.inf,
                                upper_bound=high if high < UNBOUNDED else math.inf)
        row.var_index.extend(list(linear.vars))
        row.coefficient.extend(list(linear.coeffs))
