"""The exact max-placement phase: how many people can be placed at most, and a plan that does.

The count model (``planner.placement_model``) is relaxed to an LP whose value bounds
the people any plan can place. While it is solved a neighbourhood search improves the
plan in hand; then the search starts again from the LP's floors (a dive on a small
model, the floors as the LP leans on a large one), fills them, and lets two cohorts
at a time trade floors and households until the plan meets the bound (then it is
proven to place the most possible) or time is up (then the bound is the best known).
A model too big to build in time (a short night at city scale) is not built at all: the
plan vacates floors (``planner.vacate``) and is improved on the count model of the floors
as planned (``planner.placement_large``), against the usable free beds as the limit.
With the people placed held, the same model then minimises the other tiers. Every
answer is turned into rooms exactly (``planner.placement_rooms``). OR-Tools is
imported only here and below, so the constructive path never loads it.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from planner.construct import Occupancy
from planner.inventory import Inventory
from planner.placement_data import PlacementData, build_placement_data
from planner.placement_rooms import realise

# Beyond this many variables (as estimated before it is built) the count model is not built: its
# build and LP alone would take longer than a run may (a short night at city or province scale:
# 10,000 people at 400 sites make over half a million). The plan is improved on a smaller model
# instead (``planner.placement_large``) and the capacity bound (usable free beds) reported as best
# known. The 2,000-person, 20-site short night is 45,000 to 58,000.
MAX_MODEL_VARIABLES = 90_000
# Room patterns a household that must split has on a floor, on average (5 to 7 measured), for the estimate.
PATTERNS_PER_FLOOR = 5
# With less time than this left after the LP, the search goes on from the plan in hand rather than
# start again from the LP's floors (which, filled, usually place far more even in a second).
MIN_RESTART_SECONDS = 0.3
# Models up to this many variables are dived on (each re-solve takes tenths of a second at most),
# larger ones start from the floors as the LP leans, at once. The dive gets this share of the time
# left and rounds half the floor groups still open per round.
DIVE_VARIABLES = 12_000
DIVE_SHARE = 0.5
HALF = 0.5
# Models up to this many variables are first searched whole (for up to this share of the time left):
# on small scenarios that proves the optimum outright.
WHOLE_MODEL_VARIABLES = 1_500
WHOLE_MODEL_SHARE = 0.3
LP_EPSILON = 1e-6


@dataclass(frozen=True)
class Placement:
    """The best plan the phase found (None when it found none better than ``known``) and what it proved."""

    occ: Occupancy | None
    placed: int
    bound: int
    proven: bool


@dataclass(frozen=True)
class Tiers:
    """The tier phase's plan, with the model's objective and bound for the tiers below placement."""

    occ: Occupancy | None
    optimal: bool
    objective: float | None
    bound: float | None


@dataclass(frozen=True)
class Search:
    """What the tier phase starts from: the model and the values of the best plan."""

    data: PlacementData
    pm: object
    values: dict[int, int]
    placed: int


def capacity_bound(inv: Inventory) -> int:
    """People in households that could go anywhere at all, capped by the free beds they could use
    (none on a floor whose occupants' cohort is not arriving, or that holds two cohorts already)
    and the limit of each site."""
    placeable = [hh for hh in inv.households if hh.group is not None and not (hh.children and not hh.adults)]
    cohorts = {hh.group for hh in placeable}
    beds = [0] * len(inv.sites)
    for floor in inv.floors:
        if floor.blocked or (floor.locked is not None and floor.locked not in cohorts):
            continue
        beds[floor.site] += sum(inv.slots[s].free for s in (*floor.slots, *floor.reserved))
    capacity = sum(min(b, site.room_for) for b, site in zip(beds, inv.sites))
    return min(sum(hh.size for hh in placeable), capacity)


def estimated_variables(inv: Inventory) -> int:
    """The count model's size, from the inventory alone (building the model's data already takes
    seconds at city scale): per floor, a take for each cohort, a count for each kind of household
    taking one room, and patterns for each household that must split."""
    floors = len(inv.floors)
    cohorts = len({hh.group for hh in inv.households})
    kinds = len({(hh.batch, hh.group, hh.size, hh.needs_access) for hh in inv.households if not hh.must_split})
    splits = sum(1 for hh in inv.households if hh.must_split)
    return floors * (cohorts + kinds + PATTERNS_PER_FLOOR * splits)


def maximise_placement(inv: Inventory, *, time_limit: float, workers: int, seed: int,
                       cancel: threading.Event | None = None,
                       start: Occupancy | None = None) -> tuple[Placement, Search | None]:
    """The most people placed within ``time_limit``, starting from ``start``, a plan in hand."""
    start_occ = start or Occupancy.empty(inv)
    known = sum(inv.households[h].size for h in start_occ.placed)
    deadline = time.perf_counter() + time_limit
    bound = capacity_bound(inv)
    if known >= bound:
        return Placement(None, known, bound, True), None
    if not inv.scenario.policy.household_rooms:
        return _shared_rooms(inv, known, bound, time_limit, workers, seed, cancel), None
    if estimated_variables(inv) > MAX_MODEL_VARIABLES:
        return _large(inv, start_occ, known, bound, deadline, workers, seed, cancel), None
    from planner.placement_model import build_placement_model
    from planner.placement_search import improve, incumbent_from, search_whole
    from planner.placement_steps import StepModels

    data = build_placement_data(inv)
    pm = build_placement_model(data)
    pm.model.maximize(pm.placed())
    best = incumbent_from(pm, start_occ)
    made: list = []
    with ThreadPoolExecutor(max_workers=1) as background:
        # GLOP lets go of the interpreter: while the LP is copied and solved (seconds on a large
        # model), the search improves the plan in hand on the other core, so a slow LP costs no people.
        root = background.submit(_solve_relaxation, pm, deadline, made, cancel)
        steps = StepModels(pm)
        best = improve(pm, best, bound, deadline=deadline, workers=max(1, workers - 1), seed=seed, cancel=cancel,
                       stop=root.done, steps=steps)
        if cancel is not None and cancel.is_set() and made:
            made[0].interrupt()
        lp, solved = root.result()
        if solved:
            bound = min(bound, lp.bound)
    if max(known, best.placed) >= bound:
        return _answer(data, pm, best, known, bound)
    if len(pm.model.proto.variables) <= WHOLE_MODEL_VARIABLES:
        best, bound = search_whole(pm, best, bound, time_limit=WHOLE_MODEL_SHARE * _left(deadline), workers=workers,
                                   seed=seed, cancel=cancel)
    start = _lp_start(pm, lp, deadline) if lp.root is not None and best.placed < bound \
        and _left(deadline) > MIN_RESTART_SECONDS else None
    if start is not None:
        # The LP's floors usually beat those of the plan in hand (kept should they not); the
        # search's first round fills them, cohort by cohort.
        restarted = improve(pm, start, bound, deadline=deadline, workers=workers, seed=seed, cancel=cancel,
                            steps=steps)
        best = max(restarted, best, key=lambda i: i.placed)
    best = improve(pm, best, bound, deadline=deadline, workers=workers, seed=seed, cancel=cancel, steps=steps)
    return _answer(data, pm, best, known, bound)


def _large(inv: Inventory, start: Occupancy, known: int, bound: int, deadline: float, workers: int, seed: int,
           cancel: threading.Event | None) -> Placement:
    """A short night too big for the whole model (``planner.placement_large``); the limit stays the
    usable free beds."""
    from planner.placement_large import improve_large

    occ = improve_large(inv, start, bound, deadline=deadline, workers=workers, seed=seed, cancel=cancel)
    placed = sum(inv.households[h].size for h in occ.placed)
    if placed <= known:
        return Placement(None, known, bound, known >= bound)
    return Placement(occ, placed, bound, placed >= bound)


def _solve_relaxation(pm, deadline: float, made: list, cancel: threading.Event | None):
    """The LP of the count model, solved; ``made`` receives it first, so a cancel can interrupt it.

    A small model's LP keeps every constraint and its basis (for the dive); a large one leaves out
    the links of households to floors, which GLOP solves in a third of the time for the same bound
    on the scenarios measured (any value it gives still bounds the people placed)."""
    from planner.placement_lp import Relaxation

    small = len(pm.model.proto.variables) <= DIVE_VARIABLES
    lp = Relaxation(pm.model, dive=small, leave_out=() if small else pm.links)
    made.append(lp)
    if cancel is not None and cancel.is_set():
        return lp, False
    return lp, lp.solve(_left(deadline))


def _answer(data: PlacementData, pm, best, known: int, bound: int) -> tuple[Placement, Search]:
    """The phase's plan (None when it places no more than the plan in hand) and what it proved."""
    from planner.placement_search import counts_of

    search = Search(data, pm, best.values, best.placed)
    if best.placed <= known:
        return Placement(None, known, bound, known >= bound), search
    return Placement(realise(data, counts_of(pm, best.values)), best.placed, bound, best.placed >= bound), search


def _shared_rooms(inv: Inventory, known: int, bound: int, time_limit: float, workers: int, seed: int,
                  cancel: threading.Event | None) -> Placement:
    """Households may share rooms: the room-level model instead of the count model."""
    from planner.shared_rooms import solve_shared_rooms

    answer = solve_shared_rooms(inv, time_limit=time_limit, workers=workers, seed=seed, cancel=cancel)
    if answer is None:
        return Placement(None, known, bound, False)
    bound = min(bound, max(answer.bound, answer.placed))
    if answer.placed <= known:
        return Placement(None, known, bound, known >= bound)
    return Placement(answer.occ, answer.placed, bound, answer.placed >= bound)


def _take_groups(pm) -> list[tuple[int, list[int]]]:
    """Per floor group, its floors and the take columns that share them."""
    out: dict[int, list[int]] = {}
    for (g, _), var in pm.take.items():
        out.setdefault(g, []).append(var.index)
    return [(pm.data.groups[g].count, columns) for g, columns in out.items()]


def _lp_start(pm, lp, deadline: float):
    """Where the search starts again: the dive's plan on a small model, the floors as the LP leans on
    a large one (either a plan: the LP solution rounded down keeps every cap once floors are whole)."""
    from planner.placement_search import Incumbent

    groups = _take_groups(pm)
    if lp.dive_ready:
        _, finished = lp.dive([columns for _, columns in groups], time.perf_counter() + DIVE_SHARE * _left(deadline),
                              HALF)
        if not finished:
            return None
        values = lp.rounded_down([v.index for v in pm.decisions()])
    else:
        values = _households_as_lp_leans(pm, lp, lp.leaning(groups))
    values = pm.completed(values)
    return Incumbent(values, pm.placed_by(values))


def _households_as_lp_leans(pm, lp, takes: dict[int, int]) -> dict[int, int]:
    """With the floors as the LP leans, its households rounded down where their cohort got at least
    the LP's share of the floor group (the caps hold there: more rooms, fewer households), none where
    it got less. The search's first round then fills what the rounding left."""
    shares = lp.values(list(takes))
    short = {key for key, var in pm.take.items() if takes[var.index] < shares[var.index] - LP_EPSILON}
    households = lp.rounded_down([v.index for v in [*pm.pool.values(), *pm.split.values()]])
    cohort_of_class = {c.index: c.group for c in pm.data.classes}
    cohort_of_split = {sc.index: sc.group for sc in pm.data.splits}
    for (g, c), var in pm.pool.items():
        if (g, cohort_of_class[c]) in short:
            households[var.index] = 0
    for (g, sc, _), var in pm.split.items():
        if (g, cohort_of_split[sc]) in short:
            households[var.index] = 0
    return {**takes, **households}


def improve_tiers(search: Search, *, time_limit: float, workers: int, seed: int,
                  cancel: threading.Event | None = None) -> Tiers:
    """Fewer backups, sites per batch and person-km while placing as many as the search did."""
    from planner.placement_model import add_tier_objective
    from planner.placement_search import counts_of, hint, values_of

    started = time.perf_counter()
    pm = search.pm
    extra = add_tier_objective(pm, search.placed)
    hint(pm.model, {**search.values, **extra(search.values)})
    # building the objective takes a few tenths of a second on large models: it is part of the limit
    solver, status = solve_model(pm.model, time_limit - (time.perf_counter() - started), workers, seed, cancel)
    if status not in ("OPTIMAL", "FEASIBLE"):
        return Tiers(None, False, None, None)
    occ = realise(search.data, counts_of(pm, values_of(pm, solver)))
    return Tiers(occ, status == "OPTIMAL", solver.objective_value, solver.best_objective_bound)


def solve_model(model, time_limit: float, workers: int, seed: int, cancel: threading.Event | None, *,
                presolve: bool = True, lean: bool = False):
    """CP-SAT with an explicit time limit, workers and seed; a cancel stops the search.

    ``lean``: no cuts, symmetry detection or probing, which on a neighbourhood step (a small model
    solved in hundredths of a second) cost more than they save: the fastest of the settings tried."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.cp_model_presolve = presolve
    if lean:
        solver.parameters.cut_level = 0
        solver.parameters.symmetry_level = 0
        solver.parameters.cp_model_probing_level = 0
    done = threading.Event()
    if cancel is not None:
        threading.Thread(target=_stop_on_cancel, args=(solver, cancel, done), daemon=True).start()
    try:
        status = solver.solve(model)
    finally:
        done.set()
    return solver, solver.status_name(status)


def _stop_on_cancel(solver, cancel: threading.Event, done: threading.Event) -> None:
    while not done.is_set():
        if cancel.wait(0.05):
            solver.stop_search()
            return


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.perf_counter())
