"""Short nights too big for the whole count model: vacate floors, then the count model on the floors as planned.

At city scale the whole model would have over half a million variables. Here the plan
in hand first vacates floors (``planner.vacate``); then each floor it gives a cohort may
go, in a smaller count model, only to that cohort or to another cohort holding a floor
of the same site (free floors stay open to all). That model is about a twentieth of the
whole (30,000 variables at city scale), its plans are valid plans, and it still lets
cohorts of one site trade floors and re-pack their households and split households; the
neighbourhood search (``planner.placement_search``) improves the plan on it. Its LP is
not solved: it would bound the smaller model only, not the scenario, whose limit stays
the usable free beds.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict

from planner.construct import Occupancy
from planner.inventory import Group, Inventory
from planner.placement import PATTERNS_PER_FLOOR
from planner.splits import composition_of

# Beyond this many variables (estimated before it is built, an over-estimate: identical floors merge)
# the smaller model is not built either. At province scale (50,000 people, 1,500 sites) the estimate
# is 410,000, the model has 230,000 and takes 18 s to build, which the 55 s run has time for; at city
# scale 39,000 and 30,000 (2 s). Beyond the cap the vacated plan is kept.
MAX_PLANNED_VARIABLES = 450_000
# Seconds its build takes per estimated variable (data, model and step models: 18 s for the province
# estimate of 410,000, 2 s for the city's 39,000, on 2 cores). It is built only when that takes at most
# this share of the time left, so a slower machine keeps to the limit by keeping the vacated plan.
BUILD_SECONDS_PER_VARIABLE = 4.5e-5
BUILD_SHARE = 0.8


def floors_as_planned(occ: Occupancy) -> dict[int, set[Group]]:
    """Each floor the plan gives a cohort: the cohorts it may go to in the smaller model (its own,
    and those holding another floor of the same site). Floors nobody holds are not restricted."""
    inv = occ.inv
    at_site: dict[int, set[Group]] = defaultdict(set)
    for floor in inv.floors:
        if occ.owner[floor.index] is not None:
            at_site[floor.site].add(occ.owner[floor.index])
    return {f.index: at_site[f.site] for f in inv.floors if occ.owner[f.index] is not None}


def estimated_planned_variables(inv: Inventory, only: dict[int, set[Group]]) -> int:
    """The smaller model's size from the inventory: per floor and cohort it may go to, a take, a count
    for each kind of household taking one room and patterns for each kind that must split."""
    per_cohort: dict[Group, int] = defaultdict(lambda: 1)
    kinds: set[tuple] = set()
    for hh in inv.households:
        if hh.group is None:
            continue
        key = (hh.batch, hh.group, composition_of(hh)) if hh.must_split else \
            (hh.batch, hh.group, hh.size, hh.needs_access)
        if key not in kinds:
            kinds.add(key)
            per_cohort[hh.group] += PATTERNS_PER_FLOOR if hh.must_split else 1
    every = sum(per_cohort.values())
    out = 0
    for floor in inv.floors:
        if not floor.slots or floor.blocked:
            continue
        if floor.index in only:
            out += sum(per_cohort[g] for g in only[floor.index])
        elif floor.locked is not None:
            out += per_cohort[floor.locked] if floor.locked in per_cohort else 0
        else:
            out += every
    return out


def improve_large(inv: Inventory, start: Occupancy, bound: int, *, deadline: float, workers: int, seed: int,
                  cancel: threading.Event | None = None) -> Occupancy:
    """The plan in hand with floors vacated, improved on the count model of the floors as planned."""
    from planner.vacate import vacate_floors

    occ = start.copy()
    vacate_floors(occ, deadline, cancel)
    only = floors_as_planned(occ)
    size = estimated_planned_variables(inv, only)
    left = deadline - time.perf_counter()
    if size > MAX_PLANNED_VARIABLES or size * BUILD_SECONDS_PER_VARIABLE > BUILD_SHARE * left \
            or (cancel is not None and cancel.is_set()):
        return occ
    from planner.placement_data import build_placement_data
    from planner.placement_model import build_placement_model
    from planner.placement_rooms import realise
    from planner.placement_search import counts_of, improve, incumbent_from
    from planner.placement_steps import StepModels

    data = build_placement_data(inv, occ, only)
    pm = build_placement_model(data)
    pm.model.maximize(pm.placed())
    best = improve(pm, incumbent_from(pm, occ, splits=True), bound, deadline=deadline, workers=workers, seed=seed,
                   cancel=cancel, steps=StepModels(pm))
    placed = sum(inv.households[h].size for h in occ.placed)
    return realise(data, counts_of(pm, best.values)) if best.placed > placed else occ
