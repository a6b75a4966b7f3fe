"""Why a household is left out, phrased so headquarters staff know what to do next.

Each reason names the binding constraint (adult missing, accessible rooms,
room sizes, floor cohorts, capacity limits) and, where a site that is not yet
ready would take the household, names those sites as suggestions. A reason is a
stable ``code`` with its ``params`` (what the app stores and shows in the user's
language) and the English ``text`` the plan file carries.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from planner.construct import Occupancy
from planner.inventory import Floor, Household, Inventory, group_of
from planner.splits import composition_of, fits

MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class Reason:
    """``text`` is ``TEMPLATES_BY_CODE[code] % params``, plus the not-ready sites when there are any."""

    code: str
    params: Mapping[str, object]
    text: str
    suggested_sites: tuple[str, ...] = ()


# Every reason is one of these templates, so the app can show it in the user's language
# (quarantine/transfers/reasons.py) while plans keep the plain English text.
MIXED_CATEGORIES = "household %(household)s mixes categories (%(categories)s) but floors keep categories apart"
NO_ADULT = "household %(household)s has children under %(child_age)s but no adult (%(adult_age)s+) to share their room"
TOO_FEW_ADULTS = ("household of %(size)s needs %(rooms)s rooms but has %(adults)s adult(s); "
                  "every room with a child needs an adult of the household")
SPLIT_NEEDS_ROOMS = "household of %(size)s needs %(rooms)s rooms on one floor, none free at ready sites"
SPLIT_NEEDS_ACCESSIBLE_ROOMS = ("household of %(size)s needs %(rooms)s accessible rooms on one floor, "
                                "none free at ready sites")
NO_ACCESSIBLE_ROOM = "no accessible room for %(size)s left at ready sites"
NO_ROOM = "no room for a household of %(size)s left at ready sites"
FLOORS_TAKEN = "every free floor already holds another category or batch"
CAPACITY_LIMITS = "site capacity limits reached: %(short)s beds short"
NOT_PLACED = "not placed"  # when reasons were not worked out (a cancelled run)
SITES_NOT_READY = "; sites not ready that would fit: %(sites)s"
TEMPLATES_BY_CODE = {
    "mixed_categories": MIXED_CATEGORIES,
    "no_adult": NO_ADULT,
    "too_few_adults": TOO_FEW_ADULTS,
    "split_needs_rooms": SPLIT_NEEDS_ROOMS,
    "split_needs_accessible_rooms": SPLIT_NEEDS_ACCESSIBLE_ROOMS,
    "no_accessible_room": NO_ACCESSIBLE_ROOM,
    "no_room": NO_ROOM,
    "floors_taken": FLOORS_TAKEN,
    "capacity_limits": CAPACITY_LIMITS,
    "not_placed": NOT_PLACED,
}
TEMPLATES = tuple(TEMPLATES_BY_CODE.values())

SiteCache = dict[tuple[int, bool, tuple[str, ...], bool], list[int]]


@dataclass
class ExplainCache:
    """What the reasons of many households share, worked out once per household shape.

    Households of the same size, access need, split and composition fit the same free floors; at
    province scale thousands of households are left out and each would otherwise scan every floor.
    """

    not_ready: SiteCache = field(default_factory=dict)
    not_ready_floors: list | None = None
    largest_free: list[tuple[int, int]] | None = None  # per floor: biggest free room, for anyone / accessible
    free_rooms: list[tuple[int, list[tuple[int, bool]]]] | None = None  # per floor: free beds, its free rooms
    fitting: dict[tuple, list[Floor]] = field(default_factory=dict)
    open_sites: dict[tuple, set[int]] = field(default_factory=dict)


def _shape(hh: Household) -> tuple | None:
    """The household's shape for the cache; None when it holds rooms of its own (no sharing then)."""
    if hh.reserved:
        return None
    return (hh.size, hh.needs_access, hh.must_split, composition_of(hh) if hh.must_split else None)


def _fitting_floors(occ: Occupancy, hh: Household, cache: ExplainCache) -> list[Floor]:
    shape = _shape(hh)
    if shape is None:
        return [f for f in occ.inv.floors if fits_free_rooms(occ, hh, f)]
    if shape not in cache.fitting:
        cache.fitting[shape] = _floors_for_shape(occ, hh, cache)
    return cache.fitting[shape]


def _floors_for_shape(occ: Occupancy, hh: Household, cache: ExplainCache) -> list[Floor]:
    """Floors whose free rooms take a household of this shape (the same answer as fits_free_rooms)."""
    inv = occ.inv
    if hh.must_split:
        composition = composition_of(hh)
        if cache.free_rooms is None:  # once for every split shape: there are dozens at city scale
            cache.free_rooms = []
            for f in inv.floors:
                rooms = [(occ.free[s], inv.slots[s].accessible) for s in f.slots if occ.free[s] > 0]
                cache.free_rooms.append((sum(n for n, _ in rooms), rooms))
        return [f for f in inv.floors if cache.free_rooms[f.index][0] >= hh.size
                and fits(composition, cache.free_rooms[f.index][1])]
    if cache.largest_free is None:
        cache.largest_free = [(max((occ.free[s] for s in f.slots), default=0),
                               max((occ.free[s] for s in f.slots if inv.slots[s].accessible), default=0))
                              for f in inv.floors]
    return [f for f in inv.floors if cache.largest_free[f.index][hh.needs_access] >= hh.size]


def _open_sites(occ: Occupancy, hh: Household, cache: ExplainCache) -> set[int]:
    """Sites with a free floor the household fits and its cohort may take."""
    shape = _shape(hh)
    key = None if shape is None else (shape, hh.group)
    if key is not None and key in cache.open_sites:
        return cache.open_sites[key]
    sites = {f.site for f in _fitting_floors(occ, hh, cache) if occ.floor_open_to(f, hh.group)}
    if key is not None:
        cache.open_sites[key] = sites
    return sites


Found = tuple[str, dict[str, object]]


def explain(occ: Occupancy, hh: Household, unplaced_people: int, cache: ExplainCache | None = None) -> Reason:
    """The first binding constraint for this household, plus not-ready sites that would take it."""
    inv = occ.inv
    cache = cache or ExplainCache()
    code, params = (_mixed_categories(inv, hh) or _no_adult(inv, hh) or _too_few_adults(inv, hh)
                    or _room_shortage(occ, hh, cache) or _floor_cohorts(occ, hh, cache)
                    or _capacity_limits(occ, hh, unplaced_people, cache))
    text = TEMPLATES_BY_CODE[code] % params
    suggestions = _not_ready_sites(inv, hh, cache)
    if suggestions:
        names = [f"{inv.sites[s].id} ({inv.sites[s].name})" if inv.sites[s].name else inv.sites[s].id
                 for s in suggestions]
        text += SITES_NOT_READY % {"sites": ", ".join(names)}
    return Reason(code, params, text, tuple(inv.sites[s].id for s in suggestions))


def not_worked_out() -> Reason:
    """For a run cancelled before reasons were worked out."""
    return Reason("not_placed", {}, NOT_PLACED)


def _mixed_categories(inv: Inventory, hh: Household) -> Found | None:
    if hh.group is not None:
        return None
    return "mixed_categories", {"household": hh.id, "categories": ", ".join(sorted({p.category for p in hh.members}))}


def _no_adult(inv: Inventory, hh: Household) -> Found | None:
    if not hh.children or hh.adults:
        return None
    policy = inv.scenario.policy
    return "no_adult", {"household": hh.id, "child_age": policy.child_age_below, "adult_age": policy.adult_age}


def _too_few_adults(inv: Inventory, hh: Household) -> Found | None:
    needed = _rooms_needed(inv, hh)
    if not hh.must_split or not hh.children or len(hh.adults) >= needed:
        return None
    return "too_few_adults", {"size": hh.size, "rooms": needed, "adults": len(hh.adults)}


def _rooms_needed(inv: Inventory, hh: Household) -> int:
    largest = max(1, inv.largest_room[hh.needs_access])
    return math.ceil(hh.size / largest)


def fits_free_rooms(occ: Occupancy, hh: Household, floor: Floor) -> bool:
    """Could the household go into this floor's free rooms (its own rooms there included), ignoring
    cohorts and capacity limits? Split households by the exact rules of ``planner.splits``."""
    inv = occ.inv
    own = [s for s in hh.reserved if inv.slots[s].floor == floor.index]
    free = [s for s in floor.slots + own if occ.free[s] > 0]
    if hh.must_split:
        return fits(composition_of(hh), [(occ.free[s], inv.slots[s].accessible) for s in free])
    return any(occ.free[s] >= hh.size and (inv.slots[s].accessible or not hh.needs_access) for s in free)


def _room_shortage(occ: Occupancy, hh: Household, cache: ExplainCache) -> Found | None:
    if _fitting_floors(occ, hh, cache):
        return None
    if hh.must_split:
        code = "split_needs_accessible_rooms" if hh.needs_access else "split_needs_rooms"
        return code, {"size": hh.size, "rooms": _rooms_needed(occ.inv, hh)}
    return ("no_accessible_room" if hh.needs_access else "no_room"), {"size": hh.size}


def _floor_cohorts(occ: Occupancy, hh: Household, cache: ExplainCache) -> Found | None:
    if _open_sites(occ, hh, cache):
        return None
    return "floors_taken", {}


def _capacity_limits(occ: Occupancy, hh: Household, unplaced_people: int, cache: ExplainCache) -> Found:
    sites = _open_sites(occ, hh, cache)
    room_for = sum(occ.room_for[s] for s in sites)
    return "capacity_limits", {"short": max(hh.size - room_for, unplaced_people - room_for, 1)}


def _not_ready_sites(inv: Inventory, hh: Household, cache: ExplainCache) -> list[int]:
    """Not-ready sites with a free floor that would take this household, nearest first."""
    group = group_of(inv.scenario, hh.members[0].category, inv.scenario.batches[hh.batch].id)
    key = (hh.size, hh.needs_access, group, hh.must_split)
    if key not in cache.not_ready:
        if cache.not_ready_floors is None:
            cache.not_ready_floors = _not_ready_floors(inv)
        cache.not_ready[key] = _scan_sites(cache.not_ready_floors, *key)
    return sorted(cache.not_ready[key], key=lambda s: inv.distance[hh.batch][s])[:MAX_SUGGESTIONS]


@dataclass(frozen=True)
class _SpareFloor:
    """A floor of a not-ready site: who locks it, and its free rooms (all / accessible) as max and sum."""

    site: int
    locked: frozenset
    largest: tuple[int, int]
    total: tuple[int, int]


def _not_ready_floors(inv: Inventory) -> list[_SpareFloor]:
    scenario = inv.scenario
    out: list[_SpareFloor] = []
    for s, site in enumerate(scenario.sites):
        if site.ready:
            continue
        floors: dict[tuple[str, int], list[list[int]]] = {}
        locked: dict[tuple[str, int], set] = {}
        for room in site.rooms:
            key = (room.building, room.floor)
            frees = floors.setdefault(key, [[], []])
            for o in room.occupants:
                locked.setdefault(key, set()).add(group_of(scenario, o.category, o.batch))
            free = room.beds - len(room.occupants)
            if room.status == "available" and free > 0 and not (scenario.policy.household_rooms and room.occupants):
                frees[0].append(free)
                if room.accessible:
                    frees[1].append(free)
        for key, (anyone, accessible) in floors.items():
            out.append(_SpareFloor(s, frozenset(locked.get(key, ())), (max(anyone, default=0), max(accessible, default=0)),
                                   (sum(anyone), sum(accessible))))
    return out


def _scan_sites(floors: list[_SpareFloor], size: int, needs_access: bool, group: tuple[str, ...],
                split: bool) -> list[int]:
    out: list[int] = []
    for floor in floors:
        if out and out[-1] == floor.site:
            continue
        if floor.locked and floor.locked != {group}:
            continue
        room = floor.total[needs_access] if split else floor.largest[needs_access]
        if room >= size:
            out.append(floor.site)
    return out
