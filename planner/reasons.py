"""Why a household is left out, phrased so headquarters staff know what to do next.

Each reason names the binding constraint (adult missing, accessible rooms,
room sizes, floor cohorts, capacity limits) and, where a site that is not yet
ready would take the household, names those sites as suggestions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from planner.construct import Occupancy
from planner.inventory import Household, Inventory, group_of

MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class Reason:
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
TEMPLATES = (MIXED_CATEGORIES, NO_ADULT, TOO_FEW_ADULTS, SPLIT_NEEDS_ROOMS, SPLIT_NEEDS_ACCESSIBLE_ROOMS,
             NO_ACCESSIBLE_ROOM, NO_ROOM, FLOORS_TAKEN, CAPACITY_LIMITS, NOT_PLACED)

SiteCache = dict[tuple[int, bool, tuple[str, ...], bool], list[int]]


def explain(occ: Occupancy, hh: Household, unplaced_people: int, cache: SiteCache | None = None) -> Reason:
    """The first binding constraint for this household, plus not-ready sites that would take it."""
    inv = occ.inv
    text = (_mixed_categories(inv, hh) or _no_adult(inv, hh) or _too_few_adults(inv, hh) or _room_shortage(occ, hh)
            or _floor_cohorts(occ, hh) or _capacity_limits(occ, hh, unplaced_people))
    suggestions = _not_ready_sites(inv, hh, {} if cache is None else cache)
    if suggestions:
        names = [f"{inv.sites[s].id} ({inv.sites[s].name})" if inv.sites[s].name else inv.sites[s].id
                 for s in suggestions]
        text += SITES_NOT_READY % {"sites": ", ".join(names)}
    return Reason(text, tuple(inv.sites[s].id for s in suggestions))


def _mixed_categories(inv: Inventory, hh: Household) -> str | None:
    if hh.group is not None:
        return None
    kinds = sorted({p.category for p in hh.members})
    return MIXED_CATEGORIES % {"household": hh.id, "categories": ", ".join(kinds)}


def _no_adult(inv: Inventory, hh: Household) -> str | None:
    if not hh.children or hh.adults:
        return None
    policy = inv.scenario.policy
    return NO_ADULT % {"household": hh.id, "child_age": policy.child_age_below, "adult_age": policy.adult_age}


def _too_few_adults(inv: Inventory, hh: Household) -> str | None:
    needed = _rooms_needed(inv, hh)
    if not hh.must_split or not hh.children or len(hh.adults) >= needed:
        return None
    return TOO_FEW_ADULTS % {"size": hh.size, "rooms": needed, "adults": len(hh.adults)}


def _rooms_needed(inv: Inventory, hh: Household) -> int:
    largest = max(1, inv.largest_room[hh.needs_access])
    return math.ceil(hh.size / largest)


def _fits(occ: Occupancy, hh: Household, slots: list[int]) -> bool:
    """Could the household go into these rooms, ignoring cohorts and capacity limits?"""
    ok = [s for s in slots if occ.free[s] > 0 and (occ.inv.slots[s].accessible or not hh.needs_access)]
    if hh.must_split:
        return sum(occ.free[s] for s in ok) >= hh.size and len(hh.adults) >= 1
    return any(occ.free[s] >= hh.size for s in ok)


def _room_shortage(occ: Occupancy, hh: Household) -> str | None:
    if any(_fits(occ, hh, f.slots) for f in occ.inv.floors):
        return None
    if hh.must_split:
        template = SPLIT_NEEDS_ACCESSIBLE_ROOMS if hh.needs_access else SPLIT_NEEDS_ROOMS
        return template % {"size": hh.size, "rooms": _rooms_needed(occ.inv, hh)}
    if hh.needs_access:
        return NO_ACCESSIBLE_ROOM % {"size": hh.size}
    return NO_ROOM % {"size": hh.size}


def _floor_cohorts(occ: Occupancy, hh: Household) -> str | None:
    if any(occ.floor_open_to(f, hh.group) and _fits(occ, hh, f.slots) for f in occ.inv.floors):
        return None
    return FLOORS_TAKEN


def _capacity_limits(occ: Occupancy, hh: Household, unplaced_people: int) -> str:
    sites = {f.site for f in occ.inv.floors if occ.floor_open_to(f, hh.group) and _fits(occ, hh, f.slots)}
    room_for = sum(occ.room_for[s] for s in sites)
    short = max(hh.size - room_for, unplaced_people - room_for, 1)
    return CAPACITY_LIMITS % {"short": short}


def _not_ready_sites(inv: Inventory, hh: Household, cache: SiteCache) -> list[int]:
    """Not-ready sites with a free floor that would take this household, nearest first."""
    group = group_of(inv.scenario, hh.members[0].category, inv.scenario.batches[hh.batch].id)
    key = (hh.size, hh.needs_access, group, hh.must_split)
    if key not in cache:
        cache[key] = _scan_sites(inv, *key)
    return sorted(cache[key], key=lambda s: inv.distance[hh.batch][s])[:MAX_SUGGESTIONS]


def _scan_sites(inv: Inventory, size: int, needs_access: bool, group: tuple[str, ...], split: bool) -> list[int]:
    scenario = inv.scenario
    out: list[int] = []
    for s, site in enumerate(scenario.sites):
        if site.ready:
            continue
        floors: dict[tuple[str, int], list[int]] = {}
        locked: dict[tuple[str, int], set] = {}
        for room in site.rooms:
            key = (room.building, room.floor)
            for o in room.occupants:
                locked.setdefault(key, set()).add(group_of(scenario, o.category, o.batch))
            free = room.beds - len(room.occupants)
            if room.status == "available" and free > 0 and (room.accessible or not needs_access) \
                    and not (scenario.policy.household_rooms and room.occupants):
                floors.setdefault(key, []).append(free)
        for key, frees in floors.items():
            if locked.get(key, {group}) != {group}:
                continue
            if (split and sum(frees) >= size) or (not split and max(frees) >= size):
                out.append(s)
                break
    return out
