"""``solve``: a fast constructive plan; when beds run short the exact max-placement phase; then the other tiers.

The first plan is the better of a floor-by-floor construction and a batch site
cover. If it leaves people out, the max-placement phase (``planner.placement``)
finds how many can be placed at most and a plan placing them, then improves the
other tiers with the people placed held. Local search vacates floors a cohort holds
lightly for the people waiting (what places more on a short night too big for the
count model), rebuilds batches and pulls households nearer; on full placements the
CP-SAT floor model runs with what time is left (on small scenarios it proves
optimality). The best valid plan is kept at every step, so a time limit or a cancel
always returns something usable, and a final ``validate`` guards the answer. Plans are compared lexicographically
(placed, backups activated, batch-site pairs, person-km, idle beds), so no step
ever trades placed people for the other tiers.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

from planner.baseline import greedy_plan
from planner.bound import relaxation_bound
from planner.construct import Occupancy, construct, default_floor_order, place_unit
from planner.cover import construct_cover
from planner.improve import pull_nearer, rebuild_batches
from planner.inventory import Inventory, Unit, build_inventory
from planner.metrics import WEIGHT_UNPLACED, PlanMetrics
from planner.model import Scenario, Stats
from planner.outcome import Best, as_best, to_plan
from planner.reasons import Reason
from planner.result import BEST_KNOWN, PROVEN, Progress, SolveResult, gap
from planner.vacate import vacate_floors
from planner.validate import validate

if TYPE_CHECKING:
    from planner.floor_model import FloorChoice
    from planner.placement import Tiers

__all__ = ["Progress", "SolveResult", "gap", "solve"]

# The improvement phases stop at this share of the time limit, leaving the rest for writing the plan.
IMPROVE_SHARE = 0.9
# When people are left out: shares of the limit for the max-placement phase and the tier phase after it.
PLACEMENT_SHARE = 0.8
TIERS_SHARE = 0.06
# Part of the CP-SAT phase's own duration kept back for turning its choice into rooms.
MODEL_SHARE_RESERVED = 0.5
# Rooms × households the greedy safety net gets through per second (it scans every room per household;
# 6 million measured): it runs only when that fits in the time left before the limit.
GREEDY_WORK_PER_SECOND = 5_000_000
# Share of the limit by which the safety net must be done (the rest is for checking and writing the plan).
SAFETY_NET_SHARE = 0.97
# Below this many seconds left, the CP-SAT floor model is not worth building.
MIN_MODEL_SECONDS = 0.3


@dataclass(frozen=True)
class PlacedBound:
    """At most how many people any valid plan places, and whether the plan is proven to reach it."""

    value: int
    proven: bool


class _Clock:
    def __init__(self, limit: float) -> None:
        self.start = time.perf_counter()
        self.limit = limit

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def until(self, share: float) -> float:
        return max(0.0, self.start + share * self.limit - time.perf_counter())


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
    total = best.metrics.total
    short = best.metrics.placed < total
    limit = _loose_limit(inv, best) if short else PlacedBound(total, True)
    tiers: Tiers | None = None
    if short and not _cancelled(cancel):
        try:
            best, limit, tiers = _place_most(inv, best, clock, workers, seed, cancel, report)
        except Exception:  # noqa: BLE001 - a bug in the exact phase must not cost the plan already found
            pass
    choice: FloorChoice | None = None
    settled = limit.proven and tiers is not None and tiers.optimal  # every tier but idle beds proven
    if total > 0 and not settled and not _cancelled(cancel) and time.perf_counter() < deadline:
        best = _local_search(inv, best, deadline, seed, cancel, clock, bound, report)
    if not short and total > 0 and not _cancelled(cancel) and deadline - time.perf_counter() > MIN_MODEL_SECONDS \
            and not _proven(best.metrics, bound):
        choice = _optimise(inv, best, deadline, workers, seed, cancel, report)
        if choice.floors:
            candidate = as_best(inv, construct(inv, _guided_order(choice)))
            if candidate.metrics.key < best.metrics.key:
                best = candidate
                report(_progress(best, clock, bound, "optimised"))
        if choice.bound is not None:
            bound = max(bound, choice.bound)
    if best.metrics.placed < total and not _cancelled(cancel):
        before = best
        best = _fill_up(inv, _safety_net(inv, best, clock.until(SAFETY_NET_SHARE)))
        if best is not before:
            report(_progress(best, clock, bound, "filled up"))
    if short:
        bound = _short_bound(best.metrics, limit, tiers)
    return _result(inv, best, choice, tiers, bound, limit, clock, first_seconds)


def _first_plan(inv: Inventory) -> Best:
    """The better of the floor-by-floor construction and the batch site cover."""
    plain = as_best(inv, construct(inv))
    covered = as_best(inv, construct(inv, default_floor_order, construct_cover(inv)))
    return covered if covered.metrics.key < plain.metrics.key else plain


def _loose_limit(inv: Inventory, best: Best) -> PlacedBound:
    """Before (or without) the max-placement phase: placeable people capped by beds and limits per site."""
    from planner.placement import capacity_bound

    value = max(capacity_bound(inv), best.metrics.placed)
    return PlacedBound(value, best.metrics.placed >= value)


def _place_most(inv: Inventory, best: Best, clock: _Clock, workers: int, seed: int,
                cancel: threading.Event | None,
                report: Callable[[Progress], None]) -> tuple[Best, PlacedBound, Tiers | None]:
    """The exact max-placement phase, then the tiers with the people placed held."""
    from planner.placement import improve_tiers, maximise_placement

    placement, search = maximise_placement(inv, time_limit=clock.until(PLACEMENT_SHARE), workers=workers, seed=seed,
                                           cancel=cancel, start=best.occ)
    if placement.occ is not None:
        best = _better(inv, best, placement.occ)
        report(_progress(best, clock, None, "most placed"))
    tiers = None
    if search is not None and search.placed == best.metrics.placed and not _cancelled(cancel) \
            and clock.until(PLACEMENT_SHARE + TIERS_SHARE) > 0.1:
        tiers = improve_tiers(search, time_limit=clock.until(PLACEMENT_SHARE + TIERS_SHARE), workers=workers,
                              seed=seed, cancel=cancel)
        if tiers.occ is not None:
            before = best
            best = _better(inv, best, tiers.occ)
            if best is not before:
                report(_progress(best, clock, None, "tiers"))
    value = max(placement.bound, best.metrics.placed)
    return best, PlacedBound(value, best.metrics.placed >= placement.bound), tiers


def _better(inv: Inventory, best: Best, occ: Occupancy) -> Best:
    candidate = as_best(inv, occ)
    return candidate if candidate.metrics.key < best.metrics.key else best


def _local_search(inv: Inventory, best: Best, deadline: float, seed: int, cancel: threading.Event | None,
                  clock: _Clock, bound: float | None, report: Callable[[Progress], None]) -> Best:
    """Vacate lightly held floors for the people waiting, rebuild batches (and vacate again: a rebuild
    leaves new part-used floors), then pull households nearer; any failure keeps the plan we had."""
    occ = best.occ.copy()
    try:
        vacate_floors(occ, deadline, cancel)
        rebuild_batches(occ, deadline, seed, cancel=cancel)
        vacate_floors(occ, deadline, cancel)
        pull_nearer(occ, deadline)
    except Exception:  # noqa: BLE001 - a bug in a move must not cost the plan already found
        return best
    candidate = as_best(inv, occ)
    if candidate.metrics.key < best.metrics.key:
        best = candidate
        report(_progress(best, clock, bound, "local search"))
    return best


def _safety_net(inv: Inventory, best: Best, seconds: float) -> Best:
    """Fall back to the hand-style greedy when it happens to place more people.

    The greedy rescans every room for every household, so it is tried only where it is done within
    ``seconds``: on a short night at city scale (10.6 million rooms × households) it takes 1.7 s,
    at province scale (170,000 rooms, 10,000 households) it would take minutes.
    """
    if len(inv.slots) * len(inv.households) > GREEDY_WORK_PER_SECOND * seconds:
        return best
    plan = greedy_plan(inv.scenario)
    if len(plan.assignments) <= best.metrics.placed:
        return best
    occ = Occupancy.empty(inv)
    slot_of = {slot.room_id: slot.index for slot in inv.slots}
    room_of = {a.person: slot_of[a.room] for a in plan.assignments}
    for hh in inv.households:
        if hh.members[0].id in room_of:
            occ.put(hh, [(p, room_of[p.id]) for p in hh.members])
    return as_best(inv, occ)


def _fill_up(inv: Inventory, best: Best) -> Best:
    """Place whoever still fits in the rooms left free, so everyone left out has a binding reason."""
    occ = best.occ.copy()
    for unit in inv.units:
        if any(h not in occ.placed for h in unit.households):
            place_unit(occ, unit, default_floor_order(occ, unit))
    return _better(inv, best, occ)


def _guard(inv: Inventory, best: Best) -> Best:
    """The last line of defence: a plan failing ``validate`` is replaced by the plain construction's."""
    if not validate(inv.scenario, best.plan):
        return best
    for fallback in (lambda: construct(inv), lambda: Occupancy.empty(inv)):
        candidate = as_best(inv, fallback())
        if not validate(inv.scenario, candidate.plan):
            return candidate
    return as_best(inv, Occupancy.empty(inv))


def _cancelled(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()


def _optimise(inv: Inventory, best: Best, deadline: float, workers: int, seed: int,
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


def _progress(best: Best, clock: _Clock, bound: float | None, phase: str) -> Progress:
    return Progress(best.metrics.placed, best.metrics.total, float(best.metrics.objective), bound,
                    clock.elapsed, phase)


def _rounding(metrics: PlanMetrics) -> int:
    return len(metrics.key) + metrics.batches * 10


def _proven(metrics: PlanMetrics, bound: float | None) -> bool:
    """The plan meets the relaxation bound in every tier but idle beds."""
    return bound is not None and metrics.placed == metrics.total \
        and metrics.objective - metrics.idle_beds - bound <= _rounding(metrics)


def _short_bound(metrics: PlanMetrics, limit: PlacedBound, tiers: Tiers | None) -> float:
    """A bound on the scalar objective when people are left out: the unplaced people's weight at the
    people bound, plus the tier phase's bound when it held a proven maximum."""
    out = float(WEIGHT_UNPLACED * (metrics.total - limit.value))
    if limit.proven and tiers is not None and tiers.bound is not None and metrics.placed == limit.value:
        out += max(0.0, tiers.bound - _rounding(metrics))
    return out


def _status(choice: FloorChoice | None, tiers: Tiers | None, limit: PlacedBound, metrics: PlanMetrics,
            bound: float | None) -> str:
    """OPTIMAL when the plan reaches a proven optimum (idle beds are not part of it)."""
    if _proven(metrics, bound):
        return "OPTIMAL"
    rest = metrics.objective - metrics.idle_beds - WEIGHT_UNPLACED * (metrics.total - metrics.placed)
    if limit.proven and tiers is not None and tiers.optimal and tiers.objective is not None \
            and metrics.placed == limit.value and rest - tiers.objective <= _rounding(metrics):
        return "OPTIMAL"
    if choice is not None and choice.status == "OPTIMAL" and choice.objective is not None \
            and metrics.objective - metrics.idle_beds - choice.objective <= _rounding(metrics):
        return "OPTIMAL"
    return "FEASIBLE"


def _result(inv: Inventory, best: Best, choice: FloorChoice | None, tiers: Tiers | None, bound: float | None,
            limit: PlacedBound, clock: _Clock, first_seconds: float) -> SolveResult:
    best = _guard(inv, best)
    m = best.metrics
    limit = PlacedBound(max(limit.value, m.placed), m.placed >= limit.value)  # the limit holds whoever met it
    objective = m.objective
    status = _status(choice, tiers, limit, m, bound)
    if bound is not None:
        bound = min(bound, objective)
    stats = Stats(solve_seconds=round(clock.elapsed, 3), status=status, objective=objective,
                  bound=None if bound is None else round(bound),
                  placed=m.placed, first_plan_seconds=round(first_seconds, 3),
                  backup_sites_activated=m.backup_sites_activated, sites_per_batch=round(m.sites_per_batch, 3),
                  person_km=round(m.person_km, 1), idle_beds=m.idle_beds,
                  placed_bound=limit.value, placed_bound_status=PROVEN if limit.proven else BEST_KNOWN)
    reasons: dict[str, Reason] = {}
    plan = to_plan(inv, best.occ, stats, reasons)
    return SolveResult(plan, status, objective, stats.bound, m, clock.elapsed, limit.value, stats.placed_bound_status,
                       reasons)
