"""Large neighbourhood search on the count model: a few cohorts trade floors and households, the rest stays.

CP-SAT on the whole model is slow to find good plans, but with everything fixed as the
best plan has it except the floors and households of one, two or three cohorts, it
re-balances those in a blink. Each step starts from the best plan and keeps the answer
unless fewer people are placed.
"""
from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import combinations
from typing import Callable

from planner.construct import Occupancy
from planner.inventory import Group
from planner.placement_model import PlacementModel
from planner.placement_rooms import Counts

# A step is usually solved exactly in a few tenths of a second; this caps the rare hard one.
STEP_SECONDS = 1.0


@dataclass(frozen=True)
class Incumbent:
    """The best solution so far, as values of the model's variables, and the people it places."""

    values: dict[int, int]
    placed: int


def counts_of(pm: PlacementModel, values: dict[int, int]) -> Counts:
    def positive(variables: dict) -> dict:
        return {key: values[var.index] for key, var in variables.items() if values.get(var.index, 0) > 0}

    return Counts(positive(pm.take), positive(pm.pool), positive(pm.split),
                  {j for j, var in pm.join.items() if values.get(var.index, 0) > 0})


def incumbent_from(pm: PlacementModel, occ: Occupancy) -> Incumbent:
    """A plan in hand as a solution of the model, less its split households (their rooms may not
    form one of the model's patterns): where the search starts while the LP is solved."""
    data = pm.data
    values: dict[int, int] = defaultdict(int)
    class_of = {h: c.index for c in data.classes for h in c.households}
    for f, owner in enumerate(occ.owner):
        g = data.group_of_floor.get(f)
        if owner is not None and g is not None and (g, owner) in pm.take:
            values[pm.take[(g, owner)].index] += 1
    placed = 0
    for h, rooms in occ.placed.items():
        var = pm.pool.get((data.group_of_floor.get(data.inv.slots[rooms[0][1]].floor, -1), class_of.get(h, -1)))
        if var is not None and len({slot for _, slot in rooms}) == 1:
            values[var.index] += 1
            placed += data.inv.households[h].size
    return Incumbent(dict(values), placed)


def values_of(pm: PlacementModel, solver) -> dict[int, int]:
    solution = list(solver.response_proto.solution)  # one copy: reading values one by one is slow
    return {var.index: solution[var.index] for var in pm.variables()}


def hint(model, values: dict[int, int]) -> None:
    """Start the search of ``model`` (a placement model or a clone of it) from these values."""
    model.clear_hints()
    model.proto.solution_hint.vars.extend(list(values))
    model.proto.solution_hint.values.extend(list(values.values()))


def improve(pm: PlacementModel, best: Incumbent, bound: int, *, deadline: float, workers: int, seed: int,
            cancel: threading.Event | None = None, stop: Callable[[], bool] | None = None) -> Incumbent:
    """Neighbourhood steps until the bound is met, time is up, ``stop`` says so or the run is cancelled.

    A step frees a few cohorts: the floors they hold or nobody holds may change hands among
    them, and all their households may move; everything else stays as in the best plan. The
    first round frees each cohort alone (it fills the floors it was given); then pairs, since
    beds are lost where a cohort's households do not fit the rooms of its floors, and trading
    floors with one other cohort is what mends that. After a round without a gain, steps free
    one cohort more. Each freed part is small enough to be solved exactly in a fraction of a
    second. Equal answers are kept too, so the search drifts instead of repeating itself.
    """
    from planner.placement import solve_model

    rng = random.Random(seed)
    base = pm.model.clone()
    base.add(pm.placed() <= bound)
    owners = _owners(pm)
    sets: list[tuple[Group, ...]] = []
    size, stuck_at = 1, best.placed
    step = 0

    def attempt(cohorts: set[Group], start: Incumbent, step_seed: int) -> Incumbent | None:
        model = base.clone()
        free = _free_variables(pm, owners, start.values, cohorts)
        fixed = [i for i in owners if i not in free]
        model.proto.solution_hint.vars.extend(fixed)
        model.proto.solution_hint.values.extend([start.values.get(i, 0) for i in fixed])
        solver, status = solve_model(model, min(STEP_SECONDS, deadline - time.perf_counter()), 1, step_seed, cancel,
                                     presolve=False, cuts=False, fix_hinted=True)
        if status not in ("OPTIMAL", "FEASIBLE"):
            return None
        return Incumbent(values_of(pm, solver), round(solver.objective_value))

    # CP-SAT lets go of the interpreter while it searches, so steps on different cohorts run side by side.
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        while best.placed < bound and deadline - time.perf_counter() > 0.05 and not (cancel and cancel.is_set()) \
                and not (stop and stop()):
            batch, taken = [], set()
            for _ in range(max(1, workers)):
                if not sets:
                    if step and best.placed == stuck_at:
                        size = min(size + 1, len(pm.data.cohorts))
                    stuck_at = best.placed
                    sets = _cohort_sets(pm, size, rng)
                cohorts = _pick(sets, taken)
                taken |= cohorts
                step += 1
                batch.append((cohorts, pool.submit(attempt, cohorts, best, seed + step)))
            best = _merged(pm, best, [(c, f.result()) for c, f in batch])
    return best


def _pick(sets: list[tuple[Group, ...]], taken: set[Group]) -> set[Group]:
    """The next cohort set, one apart from those already in the batch where there is one."""
    for k in range(len(sets) - 1, -1, -1):
        if not taken & set(sets[k]):
            return set(sets.pop(k))
    return set(sets.pop())


def _merged(pm: PlacementModel, best: Incumbent, answers: list[tuple[set[Group], Incumbent | None]]) -> Incumbent:
    """The answers of side-by-side steps, the best first, combined where they freed different cohorts
    and together keep the limits that tie cohorts together (floors of a group, a site's limit).

    An equal answer replaces the best, so the search drifts instead of repeating itself.
    """
    ranked = sorted(((c, a) for c, a in answers if a is not None), key=lambda ca: ca[1].placed, reverse=True)
    if not ranked:
        return best
    cohorts, first = ranked[0]
    if first.placed < best.placed:
        return best
    merged, used = first, set(cohorts)
    for cohorts, answer in ranked[1:]:
        if cohorts & used or answer.placed <= best.placed:
            continue
        delta = {i: v for i, v in answer.values.items() if v != best.values.get(i, 0)}
        candidate = {**merged.values, **delta}
        if _shared_limits_hold(pm, candidate):
            merged = Incumbent(candidate, merged.placed + answer.placed - best.placed)
            used |= cohorts
    return merged


def _shared_limits_hold(pm: PlacementModel, values: dict[int, int]) -> bool:
    """The constraints that tie cohorts together: each floor to one cohort, a site's capacity limit."""
    taken: dict[int, int] = defaultdict(int)
    for (g, _), var in pm.take.items():
        taken[g] += values.get(var.index, 0)
    if any(n > pm.data.groups[g].count for g, n in taken.items()):
        return False
    at_site: dict[int, int] = defaultdict(int)
    for (_, site), terms in pm.people_at.items():
        at_site[site] += sum(c * values.get(v.index, 0) for v, c in terms)
    return all(n <= pm.data.inv.sites[site].room_for for site, n in at_site.items())


def _owners(pm: PlacementModel) -> dict[int, tuple[int | None, Group]]:
    """Each variable's floor group (None for joins) and cohort, for choosing what a step frees."""
    data = pm.data
    of: dict[int, tuple[int | None, Group]] = {}
    for (g, cohort), var in pm.take.items():
        of[var.index] = (g, cohort)
    for (g, c), var in pm.pool.items():
        of[var.index] = (g, data.classes[c].group)
    for (g, sc, _), var in pm.split.items():
        of[var.index] = (g, data.splits[sc].group)
    for (g, cohort, _), var in pm.used.items():
        of[var.index] = (g, cohort)
    for j, var in pm.join.items():
        of[var.index] = (None, data.inv.households[data.joins[j].household].group)
    return of


def _free_variables(pm: PlacementModel, owners: dict[int, tuple[int | None, Group]], values: dict[int, int],
                    cohorts: set[Group]) -> set[int]:
    """The variables of these cohorts on the floor groups they hold or nobody holds."""
    held: dict[int, set[Group]] = defaultdict(set)
    taken: dict[int, int] = defaultdict(int)
    for (g, cohort), var in pm.take.items():
        if values.get(var.index, 0):
            held[g].add(cohort)
            taken[g] += values[var.index]
    return {index for index, (g, cohort) in owners.items()
            if cohort in cohorts and (g is None or held[g] & cohorts or taken[g] < pm.data.groups[g].count)}


def _cohort_sets(pm: PlacementModel, size: int, rng: random.Random) -> list[tuple[Group, ...]]:
    """Every set of this many cohorts once, in a random order (all of them when there are fewer)."""
    cohorts = pm.data.cohorts
    sets = list(combinations(cohorts, size)) or [tuple(cohorts)]
    rng.shuffle(sets)
    return sets


def search_whole(pm: PlacementModel, best: Incumbent, bound: int, *, time_limit: float, workers: int, seed: int,
                 cancel: threading.Event | None = None) -> tuple[Incumbent, int]:
    """CP-SAT on the whole model: on small scenarios it proves the optimum outright. Returns the best
    solution and the bound, lowered to what the search proved."""
    from planner.placement import solve_model

    model = pm.model.clone()
    model.add(pm.placed() <= bound)
    hint(model, best.values)
    # CP-SAT's presolve rewrites the floor links in a way that loosens its own relaxation of this
    # model; searched as written, small models are proven in a fraction of the time.
    solver, status = solve_model(model, time_limit, workers, seed, cancel, presolve=False)
    if status not in ("OPTIMAL", "FEASIBLE"):
        return best, bound
    bound = min(bound, int(solver.best_objective_bound + 1e-6))
    if round(solver.objective_value) > best.placed:
        best = Incumbent(values_of(pm, solver), round(solver.objective_value))
    return best, bound
