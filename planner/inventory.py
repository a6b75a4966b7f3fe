"""The solver's view of a scenario: usable rooms grouped by floor, households, distances.

Everything here is derived once per solve so the constructive and the
optimising phases work on small integer-indexed records instead of the
exchange-format objects.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from planner.model import Person, Scenario

Group = tuple[str, ...]
INFINITE = 10**9


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance; the format accepts great-circle km for travel."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class Slot:
    """A room that can take new people (available, at a ready site).

    ``reserved_for`` names the household already in the room: with household rooms
    only new members of that very household may join it, so such a slot is kept out
    of ``Floor.slots`` and offered to that household alone.
    """

    index: int
    room_id: str
    site: int
    floor: int
    free: int
    accessible: bool
    reserved_for: str | None = None


@dataclass
class Floor:
    """One floor of one building; ``locked`` is the cohort its current occupants impose."""

    index: int
    site: int
    building: str
    level: int
    slots: list[int] = field(default_factory=list)
    reserved: list[int] = field(default_factory=list)
    locked: Group | None = None
    blocked: bool = False

    def allows(self, group: Group) -> bool:
        return not self.blocked and (self.locked is None or self.locked == group)


@dataclass
class SiteInfo:
    index: int
    id: str
    name: str
    kind: str
    ready: bool
    room_for: int
    had_people: bool

    @property
    def activation_needed(self) -> bool:
        """A backup site nobody is in yet: using it means activating it."""
        return self.kind == "backup" and not self.had_people


@dataclass
class Household:
    index: int
    id: str
    batch: int
    group: Group | None
    members: list[Person]
    needs_access: bool
    adults: list[Person]
    children: list[Person]
    others: list[Person]
    must_split: bool = False
    reserved: list[int] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class Unit:
    """People of one batch and one category: the cohort that floors are given to."""

    batch: int
    category: str
    group: Group | None
    households: list[int]
    size: int


@dataclass
class Inventory:
    scenario: Scenario
    sites: list[SiteInfo]
    floors: list[Floor]
    slots: list[Slot]
    households: list[Household]
    units: list[Unit]
    distance: list[list[float]]
    largest_room: dict[bool, int]


def group_of(scenario: Scenario, category: str, batch: str) -> Group:
    values = {"category": category, "batch": batch}
    return tuple(values[key] for key in scenario.policy.floor_separation)


def build_inventory(scenario: Scenario) -> Inventory:
    sites = [_site_info(i, s) for i, s in enumerate(scenario.sites)]
    floors, slots = _floors_and_slots(scenario)
    largest = {need: max((s.free for s in slots if s.reserved_for is None and (s.accessible or not need)), default=0)
               for need in (False, True)}
    households = _households(scenario, largest, slots)
    units = _units(scenario, households)
    distance = [[great_circle_km(b.location.lat, b.location.lon, s.location.lat, s.location.lon)
                 for s in scenario.sites] for b in scenario.batches]
    return Inventory(scenario, sites, floors, slots, households, units, distance, largest)


def _site_info(index: int, site) -> SiteInfo:
    existing = site.occupant_count
    room_for = INFINITE if site.capacity_limit is None else max(0, site.capacity_limit - existing)
    return SiteInfo(index, site.id, site.name, site.kind, site.ready, room_for, existing > 0)


def _floors_and_slots(scenario: Scenario) -> tuple[list[Floor], list[Slot]]:
    floors: list[Floor] = []
    slots: list[Slot] = []
    policy = scenario.policy
    for s, site in enumerate(scenario.sites):
        by_key: dict[tuple[str, int], Floor] = {}
        present: dict[tuple[str, int], set[Group]] = defaultdict(set)
        for room in site.rooms:
            key = (room.building, room.floor)
            if key not in by_key:
                by_key[key] = Floor(len(floors), s, room.building, room.floor)
                floors.append(by_key[key])
            for o in room.occupants:
                present[key].add(group_of(scenario, o.category, o.batch))
            free = room.beds - len(room.occupants)
            usable = site.ready and room.status == "available" and free > 0
            owners = {o.household for o in room.occupants}
            if usable and not (policy.household_rooms and room.occupants):
                slot = Slot(len(slots), room.id, s, by_key[key].index, free, room.accessible)
                slots.append(slot)
                by_key[key].slots.append(slot.index)
            elif usable and len(owners) == 1:
                slot = Slot(len(slots), room.id, s, by_key[key].index, free, room.accessible, next(iter(owners)))
                slots.append(slot)
                by_key[key].reserved.append(slot.index)
        for key, groups in present.items():
            if policy.floor_separation:
                by_key[key].blocked = len(groups) > 1
                by_key[key].locked = next(iter(groups)) if len(groups) == 1 else None
    return floors, slots


def _households(scenario: Scenario, largest: dict[bool, int], slots: list[Slot]) -> list[Household]:
    policy = scenario.policy
    reserved: dict[str, list[int]] = defaultdict(list)
    for slot in slots:
        if slot.reserved_for is not None:
            reserved[slot.reserved_for].append(slot.index)
    out: list[Household] = []
    for b, batch in enumerate(scenario.batches):
        members: dict[str, list[Person]] = defaultdict(list)
        for person in batch.people:
            members[person.household].append(person)
        for hid, people in members.items():
            groups = {group_of(scenario, p.category, batch.id) for p in people}
            adults = [p for p in people if p.age is None or p.age >= policy.adult_age]
            children = [p for p in people if p.age is not None and p.age < policy.child_age_below]
            others = [p for p in people if p not in adults and p not in children]
            needs = any(p.needs_accessible for p in people)
            own = reserved.get(hid, [])
            hh = Household(len(out), hid, b, next(iter(groups)) if len(groups) == 1 else None, people, needs,
                           adults, children, others, reserved=list(own))
            biggest = max([largest[needs]] + [slots[i].free for i in own if slots[i].accessible or not needs])
            hh.must_split = 0 < biggest < hh.size
            out.append(hh)
    return out


def _units(scenario: Scenario, households: list[Household]) -> list[Unit]:
    by_key: dict[tuple[int, str], Unit] = {}
    for hh in households:
        category = hh.members[0].category
        key = (hh.batch, category)
        if key not in by_key:
            by_key[key] = Unit(hh.batch, category, hh.group, [], 0)
        by_key[key].households.append(hh.index)
        by_key[key].size += hh.size
    return sorted(by_key.values(), key=lambda u: (-u.size, u.batch, u.category))
