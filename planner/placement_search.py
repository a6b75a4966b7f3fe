"""Large neighbourhood search on the count model: a few cohorts trade floors and households, the rest stays.

CP-SAT on the whole model is slow to find good plans, but with everything fixed as the
best plan has it except the floors and households of one, two or three cohorts, it
re-balances those in a blink (each step on a model of its own, ``planner.placement_steps``).
Two steps run side by side; each answer is taken in as it comes unless fewer people are
placed or it clashes with what the other step changed meanwhile.
"""
from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from itertools import combinations
from typing import Callable

from planner.construct import Occupancy
from planner.inventory import Group
from planner.placement_model import PlacementModel
from planner.placement_rooms import Counts
from planner.placement_steps import StepAnswer, StepModels

# A step is usually solved exactly in hundredths of a second; this caps the rare hard one.
STEP_SECONDS = 1.0
# How often the search looks up from the steps running to see whether it should stop (a cancel,
# the LP done): the steps still running are then stopped rather than waited for.
HALT_POLL_SECONDS = 0.05


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


def incumbent_from(pm: PlacementModel, occ: Occupancy, *, splits: bool = False) -> Incumbent:
    """A plan in hand as a solution of the model: where the search starts while the LP is solved.

    Split households are left out (the search places them again, from a plan with room to move:
    what measured best), unless ``splits``: then they count where their rooms hold one of the
    model's patterns (always, when the data was built with this plan), as a pattern of fewest rooms."""
    from planner.placement_data import plan_pattern

    data = pm.data
    inv = data.inv
    values: dict[int, int] = defaultdict(int)
    class_of = {h: c.index for c in data.classes for h in c.households}
    split_of = {h: sc for sc in data.splits for h in sc.households}
    for f, owner in enumerate(occ.owner):
        g = data.group_of_floor.get(f)
        if owner is not None and g is not None and (g, owner) in pm.take:
            values[pm.take[(g, owner)].index] += 1
    placed = 0
    for h, rooms in occ.placed.items():
        g = data.group_of_floor.get(inv.slots[rooms[0][1]].floor, -1)
        var = pm.pool.get((g, class_of.get(h, -1)))
        if var is None and splits and h in split_of:
            var = _split_variable(pm, split_of[h], g, plan_pattern(inv, occ, h))
        elif len({slot for _, slot in rooms}) != 1:
            var = None
        if var is not None:
            values[var.index] += 1
            placed += inv.households[h].size
    return Incumbent(pm.completed(dict(values)), placed)


def _split_variable(pm: PlacementModel, sc, g: int, found):
    """The model's variable for a split household of class ``sc`` taking this pattern on group ``g``."""
    if found is None or found[1] not in sc.patterns.get(g, ()):
        return None
    return pm.split.get((g, sc.index, sc.patterns[g].index(found[1])))


def values_of(pm: PlacementModel, solver) -> dict[int, int]:
    solution = list(solver.response_proto.solution)  # one copy: reading values one by one is slow
    return {var.index: solution[var.index] for var in pm.variables()}


def hint(model, values: dict[int, int]) -> None:
    """Start the search of ``model`` (a placement model or a clone of it) from these values."""
    model.clear_hints()
    model.proto.solution_hint.vars.extend(list(values))
    model.proto.solution_hint.values.extend(list(values.values()))


def improve(pm: PlacementModel, best: Incumbent, bound: int, *, deadline: float, workers: int, seed: int,
            cancel: threading.Event | None = None, stop: Callable[[], bool] | None = None,
            steps: StepModels | None = None) -> Incumbent:
    """Neighbourhood steps until the bound is met, time is up, ``stop`` says so or the run is cancelled.

    A step frees a few cohorts: the floors they hold or nobody holds may change hands among
    them, and all their households may move; everything else stays as in the best plan. The
    first round frees each cohort alone (it fills the floors it was given); then pairs, since
    beds are lost where a cohort's households do not fit the rooms of its floors, and trading
    floors with one other cohort is what mends that (a second round of single cohorts rarely
    gains). After a round of pairs without a gain, steps free one cohort more. Each freed part is
    cut out as a model of its own (``steps``, built here if not given) and solved exactly in
    hundredths of a second. Equal answers are kept too, so the search drifts instead of repeating itself.
    """
    rng = random.Random(seed)
    steps = steps or StepModels(pm)
    owners = _owners(pm)
    sets: list[tuple[Group, ...]] = []
    size, stuck_at = 1, best.placed
    step = 0

    def attempt(cohorts: set[Group], start: Incumbent, step_seed: int) -> StepAnswer | None:
        free = _free_variables(pm, owners, start.values, cohorts)
        return steps.solve(free, start.values, start.placed, bound, seed=step_seed, cancel=halt,
                           time_limit=min(STEP_SECONDS, deadline - time.perf_counter()))

    # CP-SAT lets go of the interpreter while it searches, so steps on different cohorts run side by
    # side; each answer is taken in as soon as it comes, and the next step starts from the best plan then.
    running: dict[Future, tuple[set[Group], Incumbent, int]] = {}
    merges = 0
    changed: dict[Group, int] = {}  # the merge that last changed each cohort's variables

    halt = threading.Event()

    def going_on() -> bool:
        return best.placed < bound and deadline - time.perf_counter() > 0.05 \
            and not (cancel and cancel.is_set()) and not (stop and stop())

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        while True:
            if not going_on():
                halt.set()  # the steps still running stop at once (their answers so far are still taken in)
            while going_on() and len(running) < max(1, workers):
                if not sets:
                    if step and (size == 1 or best.placed == stuck_at):
                        size = min(size + 1, len(pm.data.cohorts))
                    stuck_at = best.placed
                    sets = _cohort_sets(pm, size, rng, best.values)
                    while not sets and size < len(pm.data.cohorts):  # no set this size could place more
                        size += 1
                        sets = _cohort_sets(pm, size, rng, best.values)
                    if not sets:
                        break
                cohorts = _pick(sets, {c for busy, _, _ in running.values() for c in busy})
                step += 1
                running[pool.submit(attempt, cohorts, best, seed + step)] = (cohorts, best, merges)
            if not running:
                break
            finished, _ = wait(list(running), timeout=HALT_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in finished:
                cohorts, start, at = running.pop(future)
                stale = any(changed.get(c, -1) > at for c in cohorts)
                taken = None if stale else _taken_in(pm, best, start, future.result())
                if taken is not None:
                    if taken.values is not best.values:
                        merges += 1
                        changed.update({c: merges for c in cohorts})
                    best = taken
                elif future.result() is not None and future.result().placed > start.placed:
                    sets.append(tuple(sorted(cohorts)))  # a gain the plan moved away from: tried again at once
    return best


def _taken_in(pm: PlacementModel, best: Incumbent, start: Incumbent, answer: StepAnswer | None) -> Incumbent | None:
    """The best plan with a step's answer taken in: the step changed only its own cohorts' variables
    (still as it found them in ``best``), so its changes carry over where the limits that tie
    cohorts together (floors of a group, a site's limit) still hold. None when they do not; ``best``
    itself when the answer places fewer. An equal answer is taken in, so the search drifts."""
    if answer is None or answer.placed < start.placed or not answer.changes:
        return best
    candidate = {**best.values, **answer.changes}
    if start is not best and not _shared_limits_hold(pm, candidate):
        return None
    return Incumbent(candidate, best.placed + answer.placed - start.placed)


def _pick(sets: list[tuple[Group, ...]], taken: set[Group]) -> set[Group]:
    """The next cohort set, one apart from those already in the batch where there is one."""
    for k in range(len(sets) - 1, -1, -1):
        if not taken & set(sets[k]):
            return set(sets.pop(k))
    return set(sets.pop())


def _floors_taken(pm: PlacementModel, values: dict[int, int]) -> dict[int, int]:
    """Per floor group, how many of its floors some cohort holds."""
    taken: dict[int, int] = defaultdict(int)
    for (g, _), var in pm.take.items():
        taken[g] += values.get(var.index, 0)
    return taken


def _shared_limits_hold(pm: PlacementModel, values: dict[int, int]) -> bool:
    """The constraints that tie cohorts together: each floor to one cohort, a site's capacity limit."""
    if any(n > pm.data.groups[g].count for g, n in _floors_taken(pm, values).items()):
        return False
    at_site: dict[int, int] = defaultdict(int)
    for (_, site), terms in pm.people_at.items():
        at_site[site] += sum(c * values.get(v.index, 0) for v, c in terms)
    return all(n <= pm.data.inv.sites[site].room_for for site, n in at_site.items())


def _owners(pm: PlacementModel) -> dict[Group, list[tuple[int, int | None]]]:
    """Each cohort's variables with their floor group (None for joins), for choosing what a step frees."""
    data = pm.data
    of: dict[Group, list[tuple[int, int | None]]] = defaultdict(list)
    for (g, cohort), var in pm.take.items():
        of[cohort].append((var.index, g))
    for (g, c), var in pm.pool.items():
        of[data.classes[c].group].append((var.index, g))
    for (g, sc, _), var in pm.split.items():
        of[data.splits[sc].group].append((var.index, g))
    for (g, cohort, _), var in pm.used.items():
        of[cohort].append((var.index, g))
    for j, var in pm.join.items():
        of[data.inv.households[data.joins[j].household].group].append((var.index, None))
    return of


def _free_variables(pm: PlacementModel, owners: dict[Group, list[tuple[int, int | None]]], values: dict[int, int],
                    cohorts: set[Group]) -> set[int]:
    """The variables of these cohorts on the floor groups they hold or nobody holds."""
    held: dict[int, set[Group]] = defaultdict(set)
    for (g, cohort), var in pm.take.items():
        if values.get(var.index, 0):
            held[g].add(cohort)
    taken = _floors_taken(pm, values)
    return {index for cohort in cohorts for index, g in owners.get(cohort, ())
            if g is None or held[g] & cohorts or taken[g] < pm.data.groups[g].count}


def _cohort_sets(pm: PlacementModel, size: int, rng: random.Random, values: dict[int, int]) -> list[tuple[Group, ...]]:
    """Every set of this many cohorts once (all of them when there are fewer) that could place more:
    some of its people wait and some beds are idle on its floors or free on floors nobody holds (a
    set whose floors are full, or whose people all have a bed, can place nobody more). The sets that
    could place the most come last, which is where ``_pick`` takes from; ties in a random order."""
    idle, waiting = _slack(pm, values)
    free = _free_beds(pm, values)
    cohorts = pm.data.cohorts

    def room_for(s: tuple[Group, ...]) -> int:
        beds = sum(n for allowed, n in free if any(c in allowed for c in s))
        return min(sum(waiting[c] for c in s), sum(idle[c] for c in s) + beds)

    sets = [(room_for(s), s) for s in combinations(cohorts, size) or [tuple(cohorts)]]
    rng.shuffle(sets)
    sets.sort(key=lambda ns: ns[0])
    return [s for n, s in sets if n > 0]


def _free_beds(pm: PlacementModel, values: dict[int, int]) -> list[tuple[set[Group], int]]:
    """Beds on the floors nobody holds, per floor group, with the cohorts that may take them."""
    taken = _floors_taken(pm, values)
    return [(set(group.cohorts), (group.count - taken[group.index]) * group.beds)
            for group in pm.data.groups if taken[group.index] < group.count]


def _slack(pm: PlacementModel, values: dict[int, int]) -> tuple[dict[Group, int], dict[Group, int]]:
    """Per cohort, the beds on its floors nobody uses and its people without a bed."""
    data = pm.data
    idle: dict[Group, int] = defaultdict(int)
    waiting: dict[Group, int] = defaultdict(int)
    for (g, cohort), var in pm.take.items():
        idle[cohort] += values.get(var.index, 0) * data.groups[g].beds
    for c in data.classes:
        waiting[c.group] += c.size * len(c.households)
    for sc in data.splits:
        waiting[sc.group] += sc.size * len(sc.households)
    for (g, c), var in pm.pool.items():
        people = data.classes[c].size * values.get(var.index, 0)
        idle[data.classes[c].group] -= people
        waiting[data.classes[c].group] -= people
    for (g, sc, _), var in pm.split.items():
        people = data.splits[sc].size * values.get(var.index, 0)
        idle[data.splits[sc].group] -= people
        waiting[data.splits[sc].group] -= people
    for j, var in pm.join.items():
        hh = data.inv.households[data.joins[j].household]
        waiting[hh.group] -= hh.size * values.get(var.index, 0)
    return idle, waiting


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
