"""An independent check of a plan against the hard rules of the exchange format.

Deliberately shares no code with the solver: the tests and the benchmark use it
to catch solver bugs, so it re-derives everything from the scenario itself. Each
rule's test is a function of ``planner.rules``, which the web app applies too.
Rule numbers follow docs/scenario-format.md; ``"format"`` covers the contract
"every person exactly once, no unknown ids".
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from planner import rules
from planner.model import Person, Plan, Room, Scenario, Site

FloorKey = tuple[str, str, int]


@dataclass(frozen=True)
class Violation:
    rule: int | str
    message: str

    def __str__(self) -> str:
        return f"rule {self.rule}: {self.message}"


@dataclass
class _Placed:
    """Where the plan puts people, indexed the ways the rules need."""

    room_of: dict[str, str]
    people_in_room: dict[str, list[Person]]


class _Index:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.person = {p.id: p for p in scenario.people}
        self.batch_of = {p.id: b.id for b in scenario.batches for p in b.people}
        self.site = {s.id: s for s in scenario.sites}
        self.room: dict[str, Room] = {}
        self.site_of_room: dict[str, Site] = {}
        for site in scenario.sites:
            for room in site.rooms:
                self.room[room.id] = room
                self.site_of_room[room.id] = site
        self._largest: dict[tuple[bool, str | None], int] = {}
        self._rooms: list[tuple[int, bool, frozenset[str]]] | None = None
        self._rooms_of_household: dict[str, list[tuple[int, bool, frozenset[str]]]] = {}

    def _usable_rooms(self) -> list[tuple[int, bool, frozenset[str]]]:
        """(free beds, accessible, occupant households) of every available room at a ready site, built once."""
        if self._rooms is None:
            self._rooms = []
            for site in self.scenario.sites:
                if not site.ready:
                    continue
                for room in site.rooms:
                    if room.status == "available":
                        households = frozenset(o.household for o in room.occupants)
                        entry = (room.beds - len(room.occupants), room.accessible, households)
                        self._rooms.append(entry)
                        if len(households) == 1:
                            self._rooms_of_household.setdefault(next(iter(households)), []).append(entry)
        return self._rooms

    def largest_free_room(self, needs_access: bool, household: str | None) -> int:
        """Biggest free bed count of an available room at a ready site.

        With ``household`` only rooms already holding that very household count
        (under household rooms they are the only occupied rooms it may join).
        """
        key = (needs_access, household)
        if key not in self._largest:
            everything = self._usable_rooms()
            rooms = everything if household is None else self._rooms_of_household.get(household, [])
            best = 0
            for free, accessible, households in rooms:
                if needs_access and not accessible:
                    continue
                if household is None and households and self.scenario.policy.household_rooms:
                    continue
                best = max(best, free)
            self._largest[key] = best
        return self._largest[key]

    def floor(self, room_id: str) -> FloorKey:
        room = self.room[room_id]
        return (self.site_of_room[room_id].id, room.building, room.floor)


def validate(scenario: Scenario, plan: Plan) -> list[Violation]:
    """Every broken hard rule of ``plan`` for ``scenario``; empty means valid."""
    index = _Index(scenario)
    out = _check_contract(index, plan)
    placed = _placements(index, plan)
    for check in (_rule1_rooms_usable, _rule2_beds, _rule3_household_rooms, _rule4_household_together,
                  _rule5_floor_separation, _rule6_mobility, _rule7_children, _rule8_capacity_limit):
        out.extend(check(index, placed))
    out.extend(_rule4_partial_households(index, plan))
    return out


def _check_contract(index: _Index, plan: Plan) -> list[Violation]:
    out: list[Violation] = []
    seen: dict[str, int] = defaultdict(int)
    for a in plan.assignments:
        seen[a.person] += 1
        if a.person not in index.person:
            out.append(Violation("format", f"assignment of unknown person {a.person}"))
        if a.room not in index.room:
            out.append(Violation("format", f"{a.person} assigned to unknown room {a.room}"))
        elif index.site_of_room[a.room].id != a.site:
            out.append(Violation("format", f"{a.person}: room {a.room} is not at site {a.site}"))
    for u in plan.unassigned:
        seen[u.person] += 1
        if u.person not in index.person:
            out.append(Violation("format", f"unassigned entry for unknown person {u.person}"))
        if not u.reason.strip():
            out.append(Violation("format", f"{u.person} is unassigned without a reason"))
    for pid in index.person:
        if seen.get(pid, 0) == 0:
            out.append(Violation("format", f"person {pid} appears neither assigned nor unassigned"))
        elif seen[pid] > 1:
            out.append(Violation("format", f"person {pid} appears {seen[pid]} times"))
    return out


def _placements(index: _Index, plan: Plan) -> _Placed:
    room_of: dict[str, str] = {}
    people: dict[str, list[Person]] = defaultdict(list)
    for a in plan.assignments:
        if a.person in index.person and a.room in index.room and a.person not in room_of:
            room_of[a.person] = a.room
            people[a.room].append(index.person[a.person])
    return _Placed(room_of, people)


def _rule1_rooms_usable(index: _Index, placed: _Placed) -> list[Violation]:
    out = []
    for room_id, people in placed.people_in_room.items():
        room, site = index.room[room_id], index.site_of_room[room_id]
        if not rules.room_takes_people(True, room.status):
            out.append(Violation(1, f"room {room_id} is {room.status} but holds {_names(people)}"))
        if not rules.room_takes_people(site.ready, "available"):
            out.append(Violation(1, f"site {site.id} is not ready but room {room_id} holds {_names(people)}"))
    return out


def _rule2_beds(index: _Index, placed: _Placed) -> list[Violation]:
    out = []
    for room_id, people in placed.people_in_room.items():
        room = index.room[room_id]
        total = len(room.occupants) + len(people)
        if not rules.beds_enough(room.beds, total):
            out.append(Violation(2, f"room {room_id} has {room.beds} beds but {total} people ({_names(people)} new)"))
    return out


def _rule3_household_rooms(index: _Index, placed: _Placed) -> list[Violation]:
    policy = index.scenario.policy
    if not policy.household_rooms:
        return []
    out = []
    for room_id, people in placed.people_in_room.items():
        households = {p.household for p in people} | {o.household for o in index.room[room_id].occupants}
        if not rules.one_household_per_room(households, policy):
            out.append(Violation(3, f"room {room_id} mixes households {', '.join(sorted(households))}"))
    return out


def _largest_single_room(index: _Index, members: list[Person]) -> int:
    """Free beds of the biggest usable room this household could take whole (ignores the plan)."""
    needs_access = any(p.needs_accessible for p in members)
    best = index.largest_free_room(needs_access, None)
    if index.scenario.policy.household_rooms:
        best = max(best, index.largest_free_room(needs_access, members[0].household))
    return best


def _rule4_household_together(index: _Index, placed: _Placed) -> list[Violation]:
    rooms_of: dict[str, set[str]] = defaultdict(set)
    members: dict[str, list[Person]] = defaultdict(list)
    for pid, room_id in placed.room_of.items():
        person = index.person[pid]
        key = f"{index.batch_of[pid]}/{person.household}"
        rooms_of[key].add(room_id)
        members[key].append(person)
    out = []
    for key, rooms in rooms_of.items():
        if len(rooms) == 1:
            continue
        household = members[key][0].household
        floors = {index.floor(r) for r in rooms}
        if not rules.household_on_one_floor(floors):
            out.append(Violation(4, f"household {household} is spread over {len(floors)} floors "
                                    f"({', '.join(sorted(rooms))})"))
        elif not rules.split_allowed(len(members[key]), _largest_single_room(index, members[key])):
            out.append(Violation(4, f"household {household} of {len(members[key])} is split over "
                                    f"{', '.join(sorted(rooms))} though a room big enough exists"))
    return out


def _rule4_partial_households(index: _Index, plan: Plan) -> list[Violation]:
    placed: dict[str, int] = defaultdict(int)
    left: dict[str, int] = defaultdict(int)
    for a in plan.assignments:
        if a.person in index.person:
            placed[f"{index.batch_of[a.person]}/{index.person[a.person].household}"] += 1
    for u in plan.unassigned:
        if u.person in index.person:
            left[f"{index.batch_of[u.person]}/{index.person[u.person].household}"] += 1
    return [Violation(4, f"household {key.split('/', 1)[1]} is torn apart: {placed[key]} placed, {left[key]} unassigned")
            for key in sorted(placed) if left.get(key)]


def _rule5_floor_separation(index: _Index, placed: _Placed) -> list[Violation]:
    policy = index.scenario.policy
    if not policy.floor_separation:
        return []
    cohorts: dict[FloorKey, set[tuple[str, ...]]] = defaultdict(set)
    touched: set[FloorKey] = set()
    for pid, room_id in placed.room_of.items():
        person = index.person[pid]
        floor = index.floor(room_id)
        cohorts[floor].add(rules.cohort(person.category, index.batch_of[pid], policy))
        touched.add(floor)
    for site in index.scenario.sites:
        for room in site.rooms:
            floor = (site.id, room.building, room.floor)
            if floor in touched:
                for o in room.occupants:
                    cohorts[floor].add(rules.cohort(o.category, o.batch, policy))
    return [Violation(5, f"floor {floor[1]}{floor[2]} of site {floor[0]} mixes "
                         + "; ".join("/".join(c) for c in sorted(found)))
            for floor, found in sorted(cohorts.items())
            if floor in touched and not rules.one_cohort_per_floor(found, policy)]


def _rule6_mobility(index: _Index, placed: _Placed) -> list[Violation]:
    return [Violation(6, f"{pid} needs an accessible room but {room_id} is not accessible")
            for pid, room_id in placed.room_of.items()
            if not rules.accessible_enough(index.person[pid].needs_accessible, index.room[room_id].accessible)]


def _rule7_children(index: _Index, placed: _Placed) -> list[Violation]:
    policy = index.scenario.policy
    out = []
    for room_id, people in placed.people_in_room.items():
        for child in people:
            if not rules.is_child(child.age, policy):
                continue
            family = [p.age for p in people
                      if p.household == child.household and index.batch_of[p.id] == index.batch_of[child.id]]
            if not rules.child_has_adult(family, policy):
                out.append(Violation(7, f"child {child.id} (age {child.age}) is in {room_id} "
                                        "without an adult of the household"))
    return out


def _rule8_capacity_limit(index: _Index, placed: _Placed) -> list[Violation]:
    new_at: dict[str, int] = defaultdict(int)
    for room_id, people in placed.people_in_room.items():
        new_at[index.site_of_room[room_id].id] += len(people)
    out = []
    for site_id, new in sorted(new_at.items()):
        site = index.site[site_id]
        if site.capacity_limit is None:
            continue
        existing = sum(len(r.occupants) for r in site.rooms)
        if not rules.within_capacity(existing + new, site.capacity_limit):
            out.append(Violation(8, f"site {site_id} would hold {existing + new} people, "
                                    f"limit {site.capacity_limit}"))
    return out


def _names(people: list[Person], limit: int = 4) -> str:
    ids = [p.id for p in people]
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
