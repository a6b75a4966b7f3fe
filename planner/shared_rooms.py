"""The most people placed when households may share rooms (``household_rooms: false``): a room-level model.

Without one household per room the count model's matching argument does not hold
(a room holds several households), so this policy gets CP-SAT on rooms directly: a
household taking one room has a boolean per room it fits, a household allowed to
split (no usable room anywhere is big enough) a boolean per member and room, all on
one floor, each child beside an adult of the household. Exact, and fine for a
county; larger scenarios keep the heuristic plan and the capacity bound.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner.construct import Occupancy
from planner.inventory import Group, Household, Inventory

# Beyond this many household-room pairs the model is not built.
MAX_PAIRS = 60_000


@dataclass
class SharedRoomsModel:
    inv: Inventory
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    whole: dict[int, list[tuple[int, cp_model.IntVar]]] = field(default_factory=lambda: defaultdict(list))
    seats: dict[int, list[tuple[int, int, cp_model.IntVar]]] = field(default_factory=lambda: defaultdict(list))
    placed: dict[int, cp_model.IntVar] = field(default_factory=dict)
    people_in: dict[int, list] = field(default_factory=lambda: defaultdict(list))  # slot -> (var, people)
    on_floor: dict[tuple[int, Group], list] = field(default_factory=lambda: defaultdict(list))


def build_shared_rooms_model(inv: Inventory) -> SharedRoomsModel | None:
    rooms = [s for s in inv.slots if inv.floors[s.floor].slots and s.free > 0]
    if sum(len(rooms) for _ in inv.households) > MAX_PAIRS:
        return None
    sm = SharedRoomsModel(inv)
    for hh in inv.households:
        if hh.group is None or (hh.children and not hh.adults):
            continue
        sm.placed[hh.index] = sm.model.new_bool_var(f"placed_{hh.index}")
        (_add_split if hh.must_split else _add_whole)(sm, hh, rooms)
    _add_beds(sm)
    _add_floor_cohorts(sm)
    _add_site_limits(sm)
    sm.model.maximize(sum(hh.size * sm.placed[hh.index] for hh in inv.households if hh.index in sm.placed))
    return sm


def _add_whole(sm: SharedRoomsModel, hh: Household, rooms) -> None:
    options = []
    for slot in rooms:
        if slot.free >= hh.size and (slot.accessible or not hh.needs_access) \
                and sm.inv.floors[slot.floor].allows(hh.group):
            var = sm.model.new_bool_var(f"in_{hh.index}_{slot.index}")
            sm.whole[hh.index].append((slot.index, var))
            sm.people_in[slot.index].append((var, hh.size))
            sm.on_floor[(slot.floor, hh.group)].append(var)
            options.append(var)
    sm.model.add(sum(options) == sm.placed[hh.index])


def _add_split(sm: SharedRoomsModel, hh: Household, rooms) -> None:
    """Rule 4 on one floor, rule 6 per member, rule 7 per room."""
    floors: dict[int, cp_model.IntVar] = {}
    seat: dict[tuple[int, int], cp_model.IntVar] = {}
    for m, person in enumerate(hh.members):
        options = []
        for slot in rooms:
            if (person.needs_accessible and not slot.accessible) or not sm.inv.floors[slot.floor].allows(hh.group):
                continue
            var = sm.model.new_bool_var(f"seat_{hh.index}_{m}_{slot.index}")
            seat[(m, slot.index)] = var
            sm.seats[hh.index].append((m, slot.index, var))
            if slot.floor not in floors:
                floors[slot.floor] = sm.model.new_bool_var(f"floor_{hh.index}_{slot.floor}")
            sm.model.add_implication(var, floors[slot.floor])
            sm.people_in[slot.index].append((var, 1))
            sm.on_floor[(slot.floor, hh.group)].append(var)
            options.append(var)
        sm.model.add(sum(options) == sm.placed[hh.index])
    sm.model.add_at_most_one(floors.values())
    adults = [m for m, p in enumerate(hh.members) if p in hh.adults]
    for (m, slot), var in seat.items():
        if hh.members[m] in hh.children:
            sm.model.add(sum(seat[(a, slot)] for a in adults if (a, slot) in seat) >= var)


def _add_beds(sm: SharedRoomsModel) -> None:
    for slot, terms in sm.people_in.items():
        sm.model.add(sum(n * v for v, n in terms) <= sm.inv.slots[slot].free)


def _add_floor_cohorts(sm: SharedRoomsModel) -> None:
    """Rule 5: a floor holds one cohort (the floor's occupants already narrowed who may use it)."""
    if not sm.inv.scenario.policy.floor_separation:
        return
    by_floor: dict[int, list] = defaultdict(list)
    for (floor, group), variables in sm.on_floor.items():
        flag = sm.model.new_bool_var(f"cohort_{floor}_{'/'.join(group)}")
        for var in variables:
            sm.model.add_implication(var, flag)
        by_floor[floor].append(flag)
    for flags in by_floor.values():
        sm.model.add_at_most_one(flags)


def _add_site_limits(sm: SharedRoomsModel) -> None:
    at_site: dict[int, list] = defaultdict(list)
    for slot, terms in sm.people_in.items():
        at_site[sm.inv.slots[slot].site].extend(terms)
    for s, terms in at_site.items():
        if sm.inv.sites[s].room_for < sum(n for _, n in terms):
            sm.model.add(sum(n * v for v, n in terms) <= sm.inv.sites[s].room_for)


@dataclass(frozen=True)
class SharedAnswer:
    occ: Occupancy | None
    placed: int
    bound: int


def solve_shared_rooms(inv: Inventory, *, time_limit: float, workers: int, seed: int,
                       cancel: threading.Event | None) -> SharedAnswer | None:
    from planner.placement import solve_model

    sm = build_shared_rooms_model(inv)
    if sm is None:
        return None
    solver, status = solve_model(sm.model, time_limit, workers, seed, cancel)
    if status not in ("OPTIMAL", "FEASIBLE"):
        return None
    occ = Occupancy.empty(inv)
    for hh in inv.households:
        if hh.index in sm.placed and solver.value(sm.placed[hh.index]):
            occ.put(hh, _rooms_of(sm, solver, hh))
    return SharedAnswer(occ, round(solver.objective_value), int(solver.best_objective_bound + 1e-6))


def _rooms_of(sm: SharedRoomsModel, solver, hh: Household) -> list:
    if not hh.must_split:
        slot = next(s for s, var in sm.whole[hh.index] if solver.value(var))
        return [(p, slot) for p in hh.members]
    return [(hh.members[m], s) for m, s, var in sm.seats[hh.index] if solver.value(var)]
