"""``solve``: a fast constructive plan, local search, then a CP-SAT floor model with what time is left.

The first plan is the better of a floor-by-floor construction and a batch site
cover (each batch at the fewest, nearest sites). Local search rebuilds pairs of
batches and pulls households to nearer sites; the CP-SAT floor model runs only
if time is left before ``IMPROVE_SHARE`` of the limit (on small scenarios it
proves optimality). The best valid plan is kept at every step, so a time limit
or a cancel always returns something usable, and a final ``validate`` guards
the answer. Plans are compared lexicographically (placed, backups activated,
batch-site pairs, person-km, idle beds).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

from planner.baseline import greedy_plan
from planner.bound import relaxation_bound
from planner.construct import Occupancy, construct, default_floor_order
from planner.cover import construct_cover
from planner.improve import pull_nearer, rebuild_batches
from planner.inventory import Inventory, Unit, build_inventory
from planner.metrics import PlanMetrics, plan_metrics
from planner.model import Assignment, Plan, Scenario, Stats, Unassigned
from planner.reasons import NOT_PLACED, SiteCache, explain
from planner.validate import validate

if TYPE_CHECKING:
    from planner.floor_model import FloorChoice

# The improvement phases stop at this share of the time limit, leaving the rest for writing the plan.
IMPROVE_SHARE = 0.9
# Part of the CP-SAT phase's own duration kept back for turning its choice into rooms.
MODEL_SHARE_RESERVED = 0.5
# Below this many seconds left, the CP-SAT floor model is not worth building.
MIN_MODEL_SECONDS = 0.3


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
    deadline = clock.start + IMPROVE_SHARE * time_limit
    report = progress or (lambda _p: None)
    inv = build_inventory(scenario)
    bound: float | None = relaxation_bound(inv)
    best = _first_plan(inv)
    first_seconds = clock.elapsed
    report(_progress(best, clock, bound, "constructive"))
    choice: FloorChoice | None = None
    if best.metrics.total > 0 and not _cancelled(cancel) and time.perf_counter() < deadline:
        best = _local_search(inv, best, deadline, seed, cancel, clock, bound, report)
    if best.metrics.total > 0 and not _cancelled(cancel) and deadline - time.perf_counter() > MIN_MODEL_SECONDS \
            and not _proven(best.metrics, bound):
        choice = _optimise(inv, best, deadline, workers, seed, cancel, report)
        if choice.floors:
            candidate = _as_best(inv, construct(inv, _guided_order(choice)))
            if candidate.metrics.key < best.metrics.key:
                best = candidate
                report(_progress(best, clock, bound, "optimised"))
        if choice.bound is not None:
            bound = max(bound, choice.bound)
    if best.metrics.placed < best.metrics.total and not _cancelled(cancel):
        best = _safety_net(inv, best)
    return _result(inv, best, choice, bound, clock, first_seconds)


def _first_plan(inv: Inventory) -> _Best:
    """The better of the floor-by-floor construction and the batch site cover."""
    plain = _as_best(inv, construct(inv))
    covered = _as_best(inv, construct(inv, default_floor_order, construct_cover(inv)))
    return covered if covered.metrics.key < plain.metrics.key else plain


def _local_search(inv: Inventory, best: _Best, deadline: float, seed: int, cancel: threading.Event | None,
                  clock: _Clock, bound: float | None, report: Callable[[Progress], None]) -> _Best:
    """Rebuild batches, then pull households nearer; any failure keeps the plan we had."""
    occ = best.occ.copy()
    try:
        rebuild_batches(occ, deadline, seed, cancel=cancel)
        pull_nearer(occ, deadline)
    except Exception:  # noqa: BLE001 - a bug in a move must not cost the plan already found
        return best
    candidate = _as_best(inv, occ)
    if candidate.metrics.key < best.metrics.key:
        best = candidate
        report(_progress(best, clock, bound, "local search"))
    return best


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


def _guard(inv: Inventory, best: _Best) -> _Best:
    """The last line of defence: a plan failing ``validate`` is replaced by the plain construction's."""
    if not validate(inv.scenario, best.plan):
        return best
    for fallback in (lambda: construct(inv), lambda: Occupancy.empty(inv)):
        candidate = _as_best(inv, fallback())
        if not validate(inv.scenario, candidate.plan):
            return candidate
    return _as_best(inv, Occupancy.empty(inv))


def _cancelled(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()


def _optimise(inv: Inventory, best: _Best, deadline: float, workers: int, seed: int,
              cancel: threading.Event | None, report: Callable[[Progress], None]) -> FloorChoice:
    """CP-SAT over floors for what time is left: a proven bound on small scenarios, sometimes a better plan."""
    from planner.floor_model import build_floor_model, solve_floor_model  # OR-Tools loads only when used

    started = time.perf_counter()
    fm = build_floor_model(inv, best.occ)
    budget = deadline - time.perf_counter() - MODEL_SHARE_RESERVED * (time.perf_counter() - started + 0.5)

    def on_solution(objective: float, bound: float) -> None:
        report(Progress(best.metrics.placed, best.metrics.total, objective, bound,
                        time.perf_counter() - started, "floor model"))

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
            unassigned.append(Unassigned(person.id, reason.text if reason else NOT_PLACED,
                                         reason.suggested_sites if reason else ()))
    return Plan(tuple(assignments), tuple(unassigned), stats)


def _progress(best: _Best, clock: _Clock, bound: float | None, phase: str) -> Progress:
    return Progress(best.metrics.placed, best.metrics.total, float(best.metrics.objective), bound,
                    clock.elapsed, phase)


def _proven(metrics: PlanMetrics, bound: float | None) -> bool:
    """The plan meets the relaxation bound in every tier but idle beds."""
    rounding = len(metrics.key) + metrics.batches * 10
    return bound is not None and metrics.placed == metrics.total \
        and metrics.objective - metrics.idle_beds - bound <= rounding


def _status(choice: FloorChoice | None, metrics: PlanMetrics, bound: float | None = None) -> str:
    """OPTIMAL when the plan reaches a proven optimum (idle beds are not part of it)."""
    if _proven(metrics, bound):
        return "OPTIMAL"
    rounding = len(metrics.key) + metrics.batches * 10
    if choice is not None and choice.status == "OPTIMAL" and choice.objective is not None \
            and metrics.objective - metrics.idle_beds - choice.objective <= rounding:
        return "OPTIMAL"
    return "FEASIBLE"


def _result(inv: Inventory, best: _Best, choice: FloorChoice | None, bound: float | None, clock: _Clock,
            first_seconds: float) -> SolveResult:
    best = _guard(inv, best)
    m = best.metrics
    objective = m.objective
    status = _status(choice, m, bound)
    if bound is not None:
        bound = min(bound, objective)
    stats = Stats(solve_seconds=round(clock.elapsed, 3), status=status, objective=objective,
                  bound=None if bound is None else round(bound),
                  placed=m.placed, first_plan_seconds=round(first_seconds, 3),
                  backup_sites_activated=m.backup_sites_activated, sites_per_batch=round(m.sites_per_batch, 3),
                  person_km=round(m.person_km, 1), idle_beds=m.idle_beds)
    plan = to_plan(inv, best.occ, stats, with_reasons=True)
    return SolveResult(plan, status, objective, stats.bound, m, clock.elapsed)
