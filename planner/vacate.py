"""Vacate floors: move a cohort off a floor it holds lightly, and give the floor to people waiting.

Each cohort's last floors are often only partly used: its households are spread over
more floors than they need, while another cohort waits for a floor of its own (rule 5
keeps cohorts apart). Where the count model is too big to build (a short night at city
or province scale) this move does what its floor trades do: the households a cohort
has on one floor move into free rooms on its other floors, and the floor, now empty,
goes to the waiting cohort that it places the most of. Where those households have
nowhere else to go, the cohort trades the floor for a smaller one a waiting cohort
holds, which then takes the bigger floor. A move is kept only when it places more people; otherwise every household goes back where it was. Everything goes
through ``Occupancy.put``/``remove``, so the rules the constructor keeps hold after
every move.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict

from planner.construct import Occupancy, _on_floors
from planner.cover import _difficulty, pack_group
from planner.inventory import Group, Household, Person

# Floors of waiting cohorts tried in exchange for each part-used floor, the smallest that could hold
# its households first: the floor a cohort gives up should be as small as will do. (4, 8 and 12
# were measured: 12 places the most at province scale and takes 8 s there, 1 s at city scale.)
EXCHANGES_PER_FLOOR = 12
# Waiting cohorts tried for each vacated floor, those with the most people waiting first: each try
# packs the floor, so this bounds the work per floor at province scale (60 cohorts).
COHORTS_PER_FLOOR = 12


class _Floors:
    """Which households are on which floor and which floors each cohort holds, kept up to date."""

    def __init__(self, occ: Occupancy) -> None:
        self.occ = occ
        self.households: dict[int, set[int]] = defaultdict(set)
        self.held: dict[Group, set[int]] = defaultdict(set)
        inv = occ.inv
        self._beds = [sum(inv.slots[s].free for s in floor.slots) for floor in inv.floors]
        for h, rooms in occ.placed.items():
            self._note(h, rooms)

    def _note(self, h: int, rooms: list[tuple[Person, int]]) -> None:
        inv = self.occ.inv
        floor = inv.slots[rooms[0][1]].floor
        self.households[floor].add(h)
        self.held[inv.households[h].group].add(floor)

    def put(self, hh: Household, rooms: list[tuple[Person, int]]) -> None:
        self.occ.put(hh, rooms)
        self._note(hh.index, rooms)

    def remove(self, hh: Household) -> list[tuple[Person, int]]:
        rooms = self.occ.remove(hh)
        floor = self.occ.inv.slots[rooms[0][1]].floor
        self.households[floor].discard(hh.index)
        if not self.households[floor]:
            self.held[hh.group].discard(floor)
        return rooms

    def placed_since(self, hhs: list[Household]) -> None:
        """Record households ``pack_group`` put straight into the occupancy."""
        for hh in hhs:
            self._note(hh.index, self.occ.placed[hh.index])

    def people_on(self, floor: int) -> int:
        return sum(self.occ.inv.households[h].size for h in self.households[floor])

    def beds(self, floor: int) -> int:
        """Free beds on the floor before this plan."""
        return self._beds[floor]


class _Waiting:
    """Households still without a bed, per cohort, with the people of each cohort kept counted."""

    def __init__(self, occ: Occupancy) -> None:
        self.occ = occ
        self.households: dict[Group, list[Household]] = defaultdict(list)
        for hh in occ.inv.households:
            if hh.index not in occ.placed and hh.group is not None and not (hh.children and not hh.adults):
                self.households[hh.group].append(hh)
        self.people = {g: sum(hh.size for hh in hhs) for g, hhs in self.households.items()}

    def cohorts(self) -> list[Group]:
        """Cohorts with anyone waiting, the most people first."""
        return sorted((g for g, n in self.people.items() if n), key=lambda g: (-self.people[g], g))

    def refresh(self, group: Group, extra: list[Household] = ()) -> None:
        """Drop those of ``group`` now placed and add ``extra`` (households that lost their bed)."""
        placed = self.occ.placed
        self.households[group] = [hh for hh in self.households[group] if hh.index not in placed] + \
            [hh for hh in extra if hh.index not in placed]
        self.people[group] = sum(hh.size for hh in self.households[group])


def vacate_floors(occ: Occupancy, deadline: float, cancel: threading.Event | None = None) -> int:
    """Vacate floors for waiting cohorts while it places more people; returns the people placed more."""
    inv = occ.inv
    waiting = _Waiting(occ)
    if not any(waiting.people.values()):
        return 0
    floors = _Floors(occ)
    gained = 0
    progress = True
    while progress:
        progress = False
        # Floors with occupants of their own (locked) can only take that cohort: nobody else to give them to.
        held = [f.index for f in inv.floors if occ.owner[f.index] is not None and f.locked is None]
        for f in sorted(held, key=lambda f: (floors.people_on(f), f)):
            if time.perf_counter() >= deadline or (cancel is not None and cancel.is_set()):
                return gained
            if occ.owner[f] is None or not any(waiting.people.values()):
                continue
            more = _vacate(floors, f, waiting) or _exchange_any(floors, f, waiting)
            if more:
                gained += more
                progress = True
    return gained


def _vacate(floors: _Floors, f: int, waiting: _Waiting) -> int:
    """Move the floor's cohort to its other floors and give the floor to the waiting cohort it places
    most of; returns the people placed more (0: nothing changed)."""
    occ = floors.occ
    inv = occ.inv
    owner = occ.owner[f]
    candidates = [g for g in waiting.cohorts() if g != owner and inv.floors[f].allows(g)][:COHORTS_PER_FLOOR]
    if not candidates:
        return 0
    moved = [inv.households[h] for h in floors.households[f]]
    old = {hh.index: floors.remove(hh) for hh in moved}
    others = sorted(floors.held[owner] - {f})
    for hh in sorted(moved, key=_difficulty):
        rooms = _on_floors(occ, list(others), hh)
        if rooms is None:
            _undo(floors, moved, old)
            return 0
        floors.put(hh, rooms)
    best, most = None, 0
    for g in candidates:
        done = pack_group(occ, waiting.households[g], [f])
        people = sum(hh.size for hh in done)
        for hh in done:
            occ.remove(hh)
        if people > most:
            best, most = g, people
    if best is None:
        _undo(floors, moved, old)
        return 0
    done = pack_group(occ, waiting.households[best], [f])
    floors.placed_since(done)
    waiting.refresh(best)
    return sum(hh.size for hh in done)


def _exchange_any(floors: _Floors, f: int, waiting: _Waiting) -> int:
    """Trade the part-used floor ``f`` for a smaller one a waiting cohort holds, if that places more."""
    occ = floors.occ
    inv = occ.inv
    owner = occ.owner[f]
    people, beds = floors.people_on(f), floors.beds(f)
    smaller = [g for g in set().union(*(floors.held[c] for c in waiting.cohorts() if c != owner))
               if inv.floors[g].locked is None and people <= floors.beds(g) < beds
               and inv.floors[f].allows(occ.owner[g])]
    for g in sorted(smaller, key=lambda g: (floors.beds(g), g))[:EXCHANGES_PER_FLOOR]:
        more = _exchange(floors, f, g, waiting)
        if more:
            return more
    return 0


def _exchange(floors: _Floors, f: int, g: int, waiting: _Waiting) -> int:
    """The cohort on ``f`` moves to ``g`` (or its other floors), the waiting cohort on ``g`` takes ``f``
    with more of its people; kept only when more people are placed (0: nothing changed)."""
    occ = floors.occ
    inv = occ.inv
    mover, taker = occ.owner[f], occ.owner[g]
    moved = [inv.households[h] for h in floors.households[f] | floors.households[g]]
    old = {hh.index: floors.remove(hh) for hh in moved}
    going = [hh for hh in moved if hh.group == mover]
    others = sorted(floors.held[mover])
    for hh in sorted(going, key=_difficulty):
        rooms = _on_floors(occ, list(others), hh)
        if rooms is None:
            done = pack_group(occ, [hh], [g])
            floors.placed_since(done)
            if not done:
                _undo(floors, moved, old)
                return 0
            others = sorted(floors.held[mover])
        else:
            floors.put(hh, rooms)
    coming = [hh for hh in moved if hh.group == taker]
    done = pack_group(occ, coming + waiting.households[taker], [f])
    floors.placed_since(done)
    placed = {hh.index for hh in done}
    for hh in sorted((hh for hh in coming if hh.index not in placed), key=_difficulty):
        rooms = _on_floors(occ, sorted(floors.held[taker]), hh)
        if rooms is not None:
            floors.put(hh, rooms)
    touched = moved + waiting.households[taker]
    more = sum(hh.size for hh in touched if hh.index in occ.placed) - sum(hh.size for hh in moved)
    if more <= 0:
        _undo(floors, touched, old)
        return 0
    waiting.refresh(taker, coming)
    return more


def _undo(floors: _Floors, touched: list[Household], old: dict[int, list[tuple[Person, int]]]) -> None:
    """Every household touched back where it was (those not in ``old`` were waiting: back to waiting)."""
    for hh in touched:
        if hh.index in floors.occ.placed:
            floors.remove(hh)
    for hh in touched:
        if hh.index in old:
            floors.put(hh, old[hh.index])
