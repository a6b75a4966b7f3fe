"""``solve``: a fast constructive plan first, then a CP-SAT floor model to improve it.

The best valid plan is kept at every step, so a time limit or a cancel always
returns something usable. Plans are compared lexicographically (placed,
backups activated, batch-site pairs, person-km, idle beds).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from planner.baseline import greedy_plan
from planner.construct import Occupancy, construct, default_floor_order
from planner.floor_model import FloorChoice, build_floor_model, solve_floor_model
from planner.inventory import Inventory, Unit, build_inventory
from planner.metrics import PlanMetrics, plan_metrics
from planner.model import Assignment, Plan, Scenario, Stats, Unassigned
from planner.reasons import SiteCache, explain

MODEL_SHARE_RESERVED = 0.15


@dataclass(frozen=True)
class Progress:
    """What a caller sees while solving: reported after the first plan and on each improvement."""

    placed: int
    total: int
    objective: float | None
    bound: float | None
    elapsed: float
    phase: str


@dataclass(frozen=True)
class SolveResult:
    plan: Plan
    status: str
    objective: float | None
    bound: float | None
    metrics: PlanMetrics
    seconds: float

    def is_feasible(self) -> bool:
        """A usable plan exists (possibly with people left out, each with a reason)."""
        return self.status in ("OPTIMAL", "FEASIBLE")

    def summary(self) -> str:
        m = self.metrics
        text = (f"Placed {m.placed} of {m.total} people using {m.batch_site_pairs} batch-site pairs "
                f"({m.sites_per_batch:.1f} sites per batch), {m.backup_sites_activated} backup site(s) activated, "
                f"{m.person_km:,.0f} person-km, {m.idle_beds} idle beds; {self.status.lower()} in {self.seconds:.2f} s")
        if self.bound is not None and self.objective:
            text += f" (gap {gap(self.objective, self.bound):.2%})"
        return text + "."


def gap(objective: float, bound: float) -> float:
    return max(0.0, objective - bound) / max(1.0, abs(objective))


@dataclass
class _Best:
    occ: Occupancy
    metrics: PlanMetrics
    plan: Plan


class _Clock:
    def __init__(self, limit: float) -> None:
        self.start = time.perf_counter()
        self.limit = limit

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    @property
    def left(self) -> float:
        return self.limit - self.elapsed


def solve(scenario: Scenario, *, time_limit: float = 10, workers: int = 2, seed: int = 0,
          progress: Callable[[Progress], None] | None = None,
          cancel: threading.Event | None = None) -> SolveResult:
    """Plan where every person of every batch goes; never returns an invalid plan."""
    clock = _Clock(time_limit)
    report = progress or (lambda _p: None)
    inv = build_inventory(scenario)
    best = _as_best(inv, construct(inv))
    first_seconds = clock.elapsed
    report(_progress(best, clock, None, "constructive"))
    choice: FloorChoice | None = None
    if _worth_optimising(best) and clock.left > 0.2 and not _cancelled(cancel):
        choice = _optimise(inv, best, clock, workers, seed, cancel, report)
        if choice.floors:
            candidate = _as_best(inv, construct(inv, _guided_order(choice)))
            if candidate.metrics.key < best.metrics.key:
                best = candidate
                report(_progress(best, clock, choice.bound, "optimised"))
    if best.metrics.placed < best.metrics.total and not _cancelled(cancel):
        best = _safety_net(inv, best)
    return _result(inv, best, choice, clock, first_seconds)


def _safety_net(inv: Inventory, best: _Best) -> _Best:
    """Fall back to the hand-style greedy when it happens to place more people."""
    plan = greedy_plan(inv.scenario)
    if len(plan.assignments) <= best.metrics.placed:
        return best
    occ = Occupancy.empty(inv)
    slot_of = {slot.room_id: slot.index for slot in inv.slots}
    room_of = {a.person: slot_of[a.room] for a in plan.assignments}
    for hh in inv.households:
        if hh.members[0].id in room_of:
            occ.put(hh, [(p, room_of[p.id]) for p in hh.members])
    return _as_best(inv, occ)


def _worth_optimising(best: _Best) -> bool:
    return best.metrics.placed > 0 or best.metrics.total > 0


def _cancelled(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()


def _optimise(inv: Inventory, best: _Best, clock: _Clock, workers: int, seed: int,
              cancel: threading.Event | None, report: Callable[[Progress], None]) -> FloorChoice:
    fm = build_floor_model(inv, best.occ)
    budget = clock.left * (1 - MODEL_SHARE_RESERVED) - 0.1

    def on_solution(objective: float, bound: float) -> None:
        report(Progress(best.metrics.placed, best.metrics.total, objective, bound, clock.elapsed, "floor model"))

    return solve_floor_model(fm, time_limit=budget, workers=workers, seed=seed, cancel=cancel,
                             on_solution=on_solution)


def _guided_order(choice: FloorChoice) -> Callable[[Occupancy, Unit], Sequence[int]]:
    """Floors the model chose, at sites it sends the batch to, ahead of the default order."""
    def order(occ: Occupancy, unit: Unit) -> list[int]:
        sites = choice.sites_of_batch.get(unit.batch, set())
        chosen = {f for f in choice.floors.get(unit.group, ()) if occ.inv.floors[f].site in sites} \
            if unit.group is not None else set()
        base = default_floor_order(occ, unit)
        return [f for f in base if f in chosen] + [f for f in base if f not in chosen]
    return order


def _as_best(inv: Inventory, occ: Occupancy) -> _Best:
    plan = to_plan(inv, occ, Stats())
    return _Best(occ, plan_metrics(inv.scenario, plan), plan)


def to_plan(inv: Inventory, occ: Occupancy, stats: Stats, with_reasons: bool = False) -> Plan:
    assignments = [Assignment(person.id, inv.sites[inv.slots[slot].site].id, inv.slots[slot].room_id)
                   for h in sorted(occ.placed) for person, slot in occ.placed[h]]
    left = [hh for hh in inv.households if hh.index not in occ.placed]
    unplaced_people = sum(hh.size for hh in left)
    cache: SiteCache = {}
    unassigned = []
    for hh in left:
        reason = explain(occ, hh, unplaced_people, cache) if with_reasons else None
        for person in hh.members:
            unassigned.append(Unassigned(person.id, reason.text if reason else "not placed",
                                         reason.suggested_sites if reason else ()))
    return Plan(tuple(assignments), tuple(unassigned), stats)


def _progress(best: _Best, clock: _Clock, bound: float | None, phase: str) -> Progress:
    return Progress(best.metrics.placed, best.metrics.total, float(best.metrics.objective), bound,
                    clock.elapsed, phase)


def _status(choice: FloorChoice | None, metrics: PlanMetrics) -> str:
    """OPTIMAL when the plan reaches the floor model's proven optimum (idle beds are not part of it)."""
    rounding = len(metrics.key) + metrics.batches * 10
    if choice is not None and choice.status == "OPTIMAL" and choice.objective is not None \
            and metrics.objective - metrics.idle_beds - choice.objective <= rounding:
        return "OPTIMAL"
    return "FEASIBLE"


def _result(inv: Inventory, best: _Best, choice: FloorChoice | None, clock: _Clock,
            first_seconds: float) -> SolveResult:
    m = best.metrics
    objective = m.objective
    bound = choice.bound if choice is not None and choice.bound is not None else None
    if bound is not None:
        bound = min(bound, objective)
    status = _status(choice, m)
    stats = Stats(solve_seconds=round(clock.elapsed, 3), status=status, objective=objective,
                  bound=None if bound is None else round(bound),
                  placed=m.placed, first_plan_seconds=round(first_seconds, 3),
                  backup_sites_activated=m.backup_sites_activated, sites_per_batch=round(m.sites_per_batch, 3),
                  person_km=round(m.person_km, 1), idle_beds=m.idle_beds)
    plan = to_plan(inv, best.occ, stats, with_reasons=True)
    return SolveResult(plan, status, objective, stats.bound, m, clock.elapsed)
