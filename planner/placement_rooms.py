"""Turn a solution of the count model into rooms, exactly.

Floors of each group go to the cohorts as counted; households joining their own
rooms go first, split households then take their patterns on their floors, and
what is left of each floor group's floors a cohort holds is matched to the households
taking one room with a min-cost transport (fewest idle beds). Hall's condition in
the model guarantees the matching exists, so every counted household is placed.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from planner.construct import Occupancy
from planner.flow import min_cost_transport
from planner.inventory import Group, Household
from planner.placement_data import PlacementData, kind_of
from planner.splits import Kind, seat_people


@dataclass(frozen=True)
class Counts:
    """The values a model solution gives; keys as in ``PlacementModel``."""

    take: dict[tuple[int, Group], int]
    pool: dict[tuple[int, int], int]  # (floor group, class)
    split: dict[tuple[int, int, int], int]
    join: set[int]


class RealisationError(RuntimeError):
    """The counts do not fit the rooms; the model and this module disagree (a bug)."""


def realise(data: PlacementData, counts: Counts) -> Occupancy:
    inv = data.inv
    occ = Occupancy.empty(inv)
    floors_of = _share_floors(data, counts)
    placed: set[int] = set()
    for j in sorted(counts.join):
        join = data.joins[j]
        hh = inv.households[join.household]
        occ.put(hh, [(p, join.slot) for p in hh.members])
        placed.add(hh.index)
    for (g, sc, p), n in sorted(counts.split.items()):
        for _ in range(n):
            _place_split(data, occ, g, sc, p, placed)
    for (g, cohort), floors in sorted(floors_of.items()):
        _fill_pool(data, occ, g, cohort, floors, counts, placed)
    return occ


def _share_floors(data: PlacementData, counts: Counts) -> dict[tuple[int, Group], list[int]]:
    """The floors of each group each cohort gets."""
    out: dict[tuple[int, Group], list[int]] = {}
    for group in data.groups:
        floors = list(group.floors)
        for cohort in group.cohorts:
            n = counts.take.get((group.index, cohort), 0)
            if n:
                out[(group.index, cohort)] = floors[:n]
                del floors[:n]
    return out


def _next_household(data: PlacementData, members: list[int], placed: set[int]) -> Household:
    for h in members:
        if h not in placed:
            placed.add(h)
            return data.inv.households[h]
    raise RealisationError("more households counted than the class has")


def _place_split(data: PlacementData, occ: Occupancy, g: int, sc: int, p: int, placed: set[int]) -> None:
    inv = data.inv
    split = data.splits[sc]
    hh = _next_household(data, split.households, placed)
    floor = inv.floors[data.groups[g].floors[0]]
    candidates = [s for s in hh.reserved if inv.slots[s].floor == floor.index] + list(floor.slots)
    chosen: list[int] = []
    for kind in split.patterns[g][p]:
        slot = next((s for s in candidates if s not in chosen and occ.free[s] > 0 and kind_of(inv, s) == kind), None)
        if slot is None:
            raise RealisationError(f"no free room of kind {kind} on floor {floor.index}")
        chosen.append(slot)
    rooms = seat_people(hh, [kind_of(inv, s) for s in chosen])
    if rooms is None:
        raise RealisationError(f"household {hh.id} does not fit its pattern")
    occ.put(hh, [(person, slot) for slot, people in zip(chosen, rooms) for person in people])


def _fill_pool(data: PlacementData, occ: Occupancy, g: int, cohort: Group, floors: list[int], counts: Counts,
               placed: set[int]) -> None:
    inv = data.inv
    households: dict[tuple[int, bool], list[Household]] = defaultdict(list)
    for c in data.classes:
        if c.group == cohort:
            for _ in range(counts.pool.get((g, c.index), 0)):
                households[(c.size, c.access)].append(_next_household(data, c.households, placed))
    if not households:
        return
    rooms: dict[Kind, list[int]] = defaultdict(list)
    for f in floors:
        for slot in inv.floors[f].slots:
            if occ.free[slot] > 0:
                rooms[kind_of(inv, slot)].append(slot)
    flows = min_cost_transport({k: len(v) for k, v in households.items()}, {k: len(v) for k, v in rooms.items()},
                               lambda h, r: r[0] >= h[0] and (r[1] or not h[1]),
                               lambda h, r: 2 * (r[0] - h[0]) + (r[1] and not h[1]))
    if sum(flows.values()) < sum(len(v) for v in households.values()):
        raise RealisationError(f"rooms of floor group {g} do not hold the households counted for {cohort}")
    for (need, kind), n in sorted(flows.items()):
        for _ in range(n):
            hh, slot = households[need].pop(), rooms[kind].pop()
            occ.put(hh, [(p, slot) for p in hh.members])
