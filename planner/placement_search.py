"""Large neighbourhood search on the count model: let a few sites or cohorts change floors, keep the rest.

CP-SAT on the whole model is slow to find good plans, but with the floors fixed as
the best plan has them everywhere except at a few sites (or for a few cohorts) its
presolve removes most of the model and it re-balances the households in a blink.
Each step starts from the best plan and keeps the answer when more people are placed.
"""
from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

from planner.construct import Occupancy
from planner.placement_model import PlacementModel
from planner.placement_rooms import Counts

STEP_SECONDS = 0.3
SITES_PER_STEP = 3
COHORTS_PER_STEP = 3


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
    form one of the model's patterns): a feasible start when the LP dive runs out of time."""
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
    return {var.index: solver.value(var) for var in pm.variables()}


def hint(model, pm: PlacementModel, values: dict[int, int]) -> None:
    """Start the search of ``model`` (``pm``'s model or a clone) from these values."""
    model.clear_hints()
    for index, value in values.items():
        model.add_hint(model.get_int_var_from_proto_index(index), value)


def improve(pm: PlacementModel, best: Incumbent, bound: int, *, deadline: float, workers: int, seed: int,
            cancel: threading.Event | None = None) -> Incumbent:
    """Neighbourhood steps until the bound is met, time is up or the run is cancelled."""
    from planner.placement import solve_model

    rng = random.Random(seed)
    base = pm.model.clone()
    base.add(pm.placed() <= bound)
    step = 0
    while best.placed < bound and deadline - time.perf_counter() > 0.05 and not (cancel and cancel.is_set()):
        step += 1
        model = base.clone()
        free = _neighbourhood(pm, rng)
        for key, var in pm.take.items():
            if key not in free:
                domain = model.proto.variables[var.index].domain
                domain.clear()
                domain.extend([best.values.get(var.index, 0)] * 2)
        hint(model, pm, best.values)
        solver, status = solve_model(model, min(STEP_SECONDS, deadline - time.perf_counter()), workers,
                                     seed + step, cancel)
        if status in ("OPTIMAL", "FEASIBLE") and round(solver.objective_value) > best.placed:
            best = Incumbent(values_of(pm, solver), round(solver.objective_value))
    return best


def search_whole(pm: PlacementModel, best: Incumbent, bound: int, *, time_limit: float, workers: int, seed: int,
                 cancel: threading.Event | None = None) -> tuple[Incumbent, int]:
    """CP-SAT on the whole model: on small scenarios it proves the optimum outright. Returns the best
    solution and the bound, lowered to what the search proved."""
    from planner.placement import solve_model

    model = pm.model.clone()
    model.add(pm.placed() <= bound)
    hint(model, pm, best.values)
    # CP-SAT's presolve rewrites the floor links in a way that loosens its own relaxation of this
    # model; searched as written, small models are proven in a fraction of the time.
    solver, status = solve_model(model, time_limit, workers, seed, cancel, presolve=False)
    if status not in ("OPTIMAL", "FEASIBLE"):
        return best, bound
    bound = min(bound, int(solver.best_objective_bound + 1e-6))
    if round(solver.objective_value) > best.placed:
        best = Incumbent(values_of(pm, solver), round(solver.objective_value))
    return best, bound


def _neighbourhood(pm: PlacementModel, rng: random.Random) -> set:
    """The floor choices left free: those at a few sites, or those of a few cohorts."""
    data = pm.data
    if rng.random() < 0.5:
        sites = sorted({g.site for g in data.groups if g.count})
        chosen = set(rng.sample(sites, min(len(sites), SITES_PER_STEP)))
        return {key for key in pm.take if data.groups[key[0]].site in chosen}
    cohorts = set(rng.sample(data.cohorts, min(len(data.cohorts), COHORTS_PER_STEP)))
    return {key for key in pm.take if key[1] in cohorts}
