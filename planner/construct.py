"""Constructive placement: give floors to cohorts and pack households into rooms.

This is the planner's fast first plan and also how an optimised floor choice
is turned into room assignments. Floors are claimed one at a time in a
preference order (sites already used by the batch, no backup activation,
short travel); households go largest first into the smallest room that fits,
so large rooms stay free for large households and idle beds stay low.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Sequence

from planner.inventory import Floor, Group, Household, Inventory, Slot, Unit
from planner.model import Person

FloorOrder = Callable[["Occupancy", Unit], Sequence[int]]


@dataclass
class Occupancy:
    """Mutable placement state; every change goes through ``put`` so rules hold."""

    inv: Inventory
    free: list[int] = field(default_factory=list)
    owner: list[Group | None] = field(default_factory=list)
    room_for: list[int] = field(default_factory=list)
    active: list[bool] = field(default_factory=list)
    open_rooms: list[int] = field(default_factory=list)
    batch_sites: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    placed: dict[int, list[tuple[Person, int]]] = field(default_factory=dict)
    on_floor: list[int] = field(default_factory=list)
    at_site: list[int] = field(default_factory=list)
    batch_site_people: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def empty(cls, inv: Inventory) -> "Occupancy":
        return cls(inv, [s.free for s in inv.slots], [None] * len(inv.floors),
                   [s.room_for for s in inv.sites], [not s.activation_needed for s in inv.sites],
                   [len(f.slots) for f in inv.floors], on_floor=[0] * len(inv.floors),
                   at_site=[0] * len(inv.sites))

    def copy(self) -> "Occupancy":
        return Occupancy(self.inv, list(self.free), list(self.owner), list(self.room_for), list(self.active),
                         list(self.open_rooms), defaultdict(set, {b: set(s) for b, s in self.batch_sites.items()}),
                         {h: list(r) for h, r in self.placed.items()}, list(self.on_floor), list(self.at_site),
                         defaultdict(int, self.batch_site_people))

    def put(self, hh: Household, rooms: list[tuple[Person, int]]) -> None:
        """Record a household's rooms; closes each room to others when households get own rooms."""
        used: dict[int, int] = defaultdict(int)
        for _, slot in rooms:
            used[slot] += 1
        floor = self.inv.slots[rooms[0][1]].floor
        site = self.inv.floors[floor].site
        for slot, count in used.items():
            self.free[slot] = 0 if self.inv.scenario.policy.household_rooms else self.free[slot] - count
            if self.free[slot] == 0 and self.inv.slots[slot].reserved_for is None:
                self.open_rooms[floor] -= 1
        self.owner[floor] = hh.group
        self.room_for[site] -= hh.size
        self.active[site] = True
        self.batch_sites[hh.batch].add(site)
        self.placed[hh.index] = rooms
        self.on_floor[floor] += 1
        self.at_site[site] += hh.size
        self.batch_site_people[(hh.batch, site)] += hh.size

    def remove(self, hh: Household) -> list[tuple[Person, int]]:
        """Undo ``put`` for a placed household; returns the rooms it had."""
        rooms = self.placed.pop(hh.index)
        used: dict[int, int] = defaultdict(int)
        for _, slot in rooms:
            used[slot] += 1
        floor = self.inv.slots[rooms[0][1]].floor
        site = self.inv.floors[floor].site
        for slot, count in used.items():
            if self.free[slot] == 0 and self.inv.slots[slot].reserved_for is None:
                self.open_rooms[floor] += 1
            self.free[slot] = self.inv.slots[slot].free if self.inv.scenario.policy.household_rooms \
                else self.free[slot] + count
        self.on_floor[floor] -= 1
        if self.on_floor[floor] == 0:
            self.owner[floor] = None
        self.room_for[site] += hh.size
        self.at_site[site] -= hh.size
        if self.at_site[site] == 0 and self.inv.sites[site].activation_needed:
            self.active[site] = False
        key = (hh.batch, site)
        self.batch_site_people[key] -= hh.size
        if self.batch_site_people[key] == 0:
            del self.batch_site_people[key]
            self.batch_sites[hh.batch].discard(site)
        return rooms

    def floor_open_to(self, floor: Floor, group: Group | None) -> bool:
        owner = self.owner[floor.index]
        return group is not None and floor.allows(group) and (owner is None or owner == group)


# --------------------------------------------------------------------------- room choice

def smallest_fitting_slot(occ: Occupancy, slots: Sequence[int], hh: Household) -> int | None:
    """Smallest free room taking the whole household; plain rooms before accessible ones when not needed."""
    best: tuple[int, bool, int] | None = None
    for s in slots:
        slot: Slot = occ.inv.slots[s]
        free = occ.free[s]
        if free < hh.size or (hh.needs_access and not slot.accessible):
            continue
        key = (free, slot.accessible and not hh.needs_access, s)
        if best is None or key < best:
            best = key
            if free == hh.size and not key[1]:
                break
    return None if best is None else best[2]


def single_room(occ: Occupancy, slots: Sequence[int], hh: Household) -> list[tuple[Person, int]] | None:
    if hh.children and not hh.adults:
        return None
    slot = smallest_fitting_slot(occ, slots, hh)
    return None if slot is None else [(p, slot) for p in hh.members]


def split_rooms(occ: Occupancy, slots: Sequence[int], hh: Household) -> list[tuple[Person, int]] | None:
    """Fewest rooms of one floor for a household no single room can take; every child beside an adult."""
    usable = sorted((s for s in slots if occ.free[s] > 0 and (occ.inv.slots[s].accessible or not hh.needs_access)),
                    key=lambda s: -occ.free[s])
    chosen, total = [], 0
    for s in usable:
        if total >= hh.size:
            break
        chosen.append(s)
        total += occ.free[s]
    if total < hh.size:
        return None
    return distribute_members(hh, chosen, [occ.free[s] for s in chosen])


def distribute_members(hh: Household, rooms: list[int], capacity: list[int]) -> list[tuple[Person, int]] | None:
    """One adult per room first, children only where an adult is, then everyone else."""
    left = list(capacity)
    out: list[tuple[Person, int]] = []
    adults, children, others = list(hh.adults), list(hh.children), list(hh.others)
    with_adult = [False] * len(rooms)
    for i in range(len(rooms)):
        if adults:
            out.append((adults.pop(), rooms[i]))
            left[i] -= 1
            with_adult[i] = True
    for i in range(len(rooms)):
        while children and with_adult[i] and left[i] > 0:
            out.append((children.pop(), rooms[i]))
            left[i] -= 1
    if children:
        return None
    for person in others + adults:
        i = max(range(len(rooms)), key=lambda k: left[k])
        out.append((person, rooms[i]))
        left[i] -= 1
    return out


def rooms_on_floor(occ: Occupancy, floor: Floor, hh: Household) -> list[tuple[Person, int]] | None:
    if occ.room_for[floor.site] < hh.size:
        return None
    return split_rooms(occ, floor.slots, hh) if hh.must_split else single_room(occ, floor.slots, hh)


# --------------------------------------------------------------------------- floor order

def default_floor_order(occ: Occupancy, unit: Unit) -> list[int]:
    """Sites this batch already uses, then sites needing no activation, then nearest."""
    inv = occ.inv
    used = occ.batch_sites[unit.batch]
    dist = inv.distance[unit.batch]
    candidates = [f.index for f in inv.floors if f.slots and occ.floor_open_to(f, unit.group)]
    return sorted(candidates, key=lambda f: _floor_key(occ, inv.floors[f], used, dist))


def _floor_key(occ: Occupancy, floor: Floor, used: set[int], dist: list[float]) -> tuple:
    owned = occ.owner[floor.index] is not None
    return (floor.site not in used, not occ.active[floor.site], round(dist[floor.site], 3), floor.site,
            not owned, floor.building, floor.level)


def household_order(inv: Inventory, unit: Unit) -> list[Household]:
    """Split households, then those needing access, then largest first: scarce rooms go to who needs them."""
    hhs = [inv.households[h] for h in unit.households]
    return sorted(hhs, key=lambda h: (not h.must_split, not h.needs_access, -h.size, h.index))


# --------------------------------------------------------------------------- construction

def place_unit(occ: Occupancy, unit: Unit, order: Sequence[int]) -> None:
    """Pack the unit's households, reusing its floors before claiming the next in ``order``."""
    if unit.group is None:
        return
    inv = occ.inv
    mine = [f for f in order if occ.owner[f] == unit.group]
    for hh in household_order(inv, unit):
        if hh.group is None or hh.index in occ.placed:
            continue
        rooms = _on_floors(occ, mine, hh)
        if rooms is None:
            for f in order:
                floor = inv.floors[f]
                if occ.owner[f] is None and occ.open_rooms[f] > 0 and occ.floor_open_to(floor, unit.group):
                    rooms = rooms_on_floor(occ, floor, hh)
                    if rooms is not None:
                        mine.append(f)
                        break
        if rooms is not None:
            occ.put(hh, rooms)


def _on_floors(occ: Occupancy, floors: list[int], hh: Household) -> list[tuple[Person, int]] | None:
    best: list[tuple[Person, int]] | None = None
    best_free = 10**9
    floors[:] = [f for f in floors if occ.open_rooms[f] > 0]
    for f in floors:
        rooms = rooms_on_floor(occ, occ.inv.floors[f], hh)
        if rooms is None:
            continue
        if hh.must_split:
            return rooms
        free = occ.free[rooms[0][1]]
        if free < best_free:
            best, best_free = rooms, free
            if free == hh.size:
                break
    return best


def construct(inv: Inventory, order: FloorOrder = default_floor_order,
              occ: Occupancy | None = None) -> Occupancy:
    """A complete plan (possibly with people left out) in one pass over the cohorts."""
    occ = occ or Occupancy.empty(inv)
    for unit in inv.units:
        place_unit(occ, unit, order(occ, unit))
    return occ
