"""The counting view of a scenario that the exact max-placement model works on.

With one household per room, who can be placed depends only on counts: per floor
the number of free rooms of each kind (beds, accessible), per household its
cohort, size and whether it needs an accessible room, and for households too big
for any room the room patterns (``planner.splits``) that fit them on a floor.
Identical floors of a site are merged into one floor group with a count, unless a
split household could go there (the rooms of such a floor are shared out among
split households one floor at a time). Households that only differ by identity
are merged into classes.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from planner.construct import Occupancy
from planner.inventory import Group, Household, Inventory
from planner.splits import (
    Composition,
    Kind,
    Pattern,
    composition_of,
    minimal_patterns,
    pattern_within,
    patterns_on_floor,
)


@dataclass
class FloorGroup:
    """Floors of one site with the same free rooms, open to the same cohorts."""

    index: int
    site: int
    floors: list[int]
    rooms: dict[Kind, int]
    cohorts: list[Group]

    @property
    def count(self) -> int:
        return len(self.floors)

    @property
    def beds(self) -> int:
        """Free beds on one of its floors."""
        return sum(beds * n for (beds, _), n in self.rooms.items())


@dataclass
class HouseholdClass:
    """Households that take one room whole and are interchangeable for placement."""

    index: int
    batch: int
    group: Group
    size: int
    access: bool
    households: list[int]


@dataclass
class SplitClass:
    """Households of one batch and composition that must spread over several rooms of a floor."""

    index: int
    batch: int
    group: Group
    comp: Composition
    households: list[int]
    patterns: dict[int, list[Pattern]] = field(default_factory=dict)  # floor group -> patterns
    reserved: dict[int, dict[Kind, int]] = field(default_factory=dict)  # floor group -> own rooms there

    @property
    def size(self) -> int:
        return self.comp.size


@dataclass(frozen=True)
class Join:
    """A household moving whole into a room its own members already hold."""

    household: int
    slot: int
    site: int


@dataclass
class PlacementData:
    inv: Inventory
    groups: list[FloorGroup]
    classes: list[HouseholdClass]
    splits: list[SplitClass]
    joins: list[Join]
    group_of_floor: dict[int, int]
    cohorts: list[Group]

    @property
    def placeable_people(self) -> int:
        """People in households that some room pattern could take at all (a first, loose bound)."""
        single = sum(c.size * len(c.households) for c in self.classes)
        split = sum(s.size * len(s.households) for s in self.splits if s.patterns)
        return single + split


def kind_of(inv: Inventory, slot: int) -> Kind:
    return inv.slots[slot].free, inv.slots[slot].accessible


def build_placement_data(inv: Inventory, plan: Occupancy | None = None,
                         only: Mapping[int, Collection[Group]] | None = None) -> PlacementData:
    """The counting view; with ``plan``, the rooms it gives each split household are one of the
    patterns (fewest rooms), so the plan is a solution of the model, split households and all.
    ``only``: the cohorts each of these floors may go to (a smaller model, not a relaxation: its
    plans are valid, its bounds are not bounds of the whole scenario)."""
    cohorts = sorted({hh.group for hh in inv.households if _placeable(hh)})
    classes, splits = _classes(inv)
    joins = _joins(inv)
    beds = tuple(sorted({s.free for s in inv.slots}))
    floor_rooms = {f.index: Counter(kind_of(inv, s) for s in f.slots) for f in inv.floors}
    split_floors = _split_patterns(inv, splits, floor_rooms, beds, only or {})
    if plan is not None:
        split_floors |= _plan_patterns(inv, splits, plan)
    groups, group_of_floor = _floor_groups(inv, floor_rooms, split_floors, set(cohorts), only or {})
    for sc in splits:
        sc.patterns = {group_of_floor[f]: p for f, p in sc.patterns.items() if f in group_of_floor}
        sc.reserved = {group_of_floor[f]: r for f, r in sc.reserved.items() if f in group_of_floor}
    return PlacementData(inv, groups, classes, splits, joins, group_of_floor, cohorts)


def _placeable(hh: Household) -> bool:
    """Mixed-category households have no floor; children without an adult have no room."""
    return hh.group is not None and not (hh.children and not hh.adults)


def _classes(inv: Inventory) -> tuple[list[HouseholdClass], list[SplitClass]]:
    singles: dict[tuple, list[int]] = defaultdict(list)
    split: dict[tuple, list[int]] = defaultdict(list)
    for hh in inv.households:
        if not _placeable(hh):
            continue
        alone = (hh.index,) if hh.reserved else ()  # a household with rooms of its own is its own class
        if hh.must_split:
            split[(hh.batch, hh.group, composition_of(hh), alone)].append(hh.index)
        elif _largest_room(inv, hh) >= hh.size:
            singles[(hh.batch, hh.group, hh.size, hh.needs_access, alone)].append(hh.index)
    classes = [HouseholdClass(i, b, g, n, a, hs) for i, ((b, g, n, a, _), hs) in enumerate(sorted(singles.items()))]
    splits = [SplitClass(i, b, g, c, hs) for i, ((b, g, c, _), hs) in enumerate(sorted(split.items()))]
    return classes, splits


def _largest_room(inv: Inventory, hh: Household) -> int:
    own = [inv.slots[s].free for s in hh.reserved if inv.slots[s].accessible or not hh.needs_access]
    return max([inv.largest_room[hh.needs_access]] + own)


def _joins(inv: Inventory) -> list[Join]:
    """Rooms a household's own members hold, on a floor its cohort may use, big enough for it whole."""
    out = []
    for hh in inv.households:
        if not _placeable(hh) or hh.must_split:
            continue
        for s in hh.reserved:
            slot = inv.slots[s]
            if slot.free >= hh.size and (slot.accessible or not hh.needs_access) \
                    and inv.floors[slot.floor].allows(hh.group):
                out.append(Join(hh.index, s, slot.site))
    return out


def _split_patterns(inv: Inventory, splits: list[SplitClass], floor_rooms: dict[int, Counter],
                    beds: tuple[int, ...], only: Mapping[int, Collection[Group]]) -> set[int]:
    """Patterns per split class and floor; returns the floors where any split household fits."""
    cache: dict[tuple, list[Pattern]] = {}
    used: set[int] = set()
    for sc in splits:
        own = _own_rooms(inv, sc)
        minimal_patterns(sc.comp, beds)  # warm the cache once per composition
        for floor in inv.floors:
            if not floor.allows(sc.group) or not (floor.slots or floor.index in own) \
                    or (floor.index in only and sc.group not in only[floor.index]):
                continue
            rooms = floor_rooms[floor.index]
            if floor.index in own:
                found = _with_own_rooms(sc, rooms, own[floor.index], beds)
                sc.reserved[floor.index] = own[floor.index]
            else:
                key = (sc.comp, tuple(sorted(rooms.items())))
                if key not in cache:
                    cache[key] = patterns_on_floor(sc.comp, dict(rooms), beds)
                found = cache[key]
            if found:
                sc.patterns[floor.index] = found
                used.add(floor.index)
    return used


def plan_pattern(inv: Inventory, plan: Occupancy, h: int) -> tuple[int, Pattern] | None:
    """The floor and pattern (fewest rooms) of a split household as the plan places it; None for one
    with rooms of its own (those patterns count its own rooms apart)."""
    hh = inv.households[h]
    rooms = plan.placed.get(h)
    if rooms is None or hh.reserved:
        return None
    slots = sorted({s for _, s in rooms})
    pattern = pattern_within(hh, [kind_of(inv, s) for s in slots])
    return None if pattern is None else (inv.slots[slots[0]].floor, pattern)


def _plan_patterns(inv: Inventory, splits: list[SplitClass], plan: Occupancy) -> set[int]:
    """Adds the plan's patterns that pruning left out; returns the floors they are on."""
    floors: set[int] = set()
    for sc in splits:
        for h in sc.households:
            found = plan_pattern(inv, plan, h)
            if found is None:
                continue
            floor, pattern = found
            known = sc.patterns.get(floor, [])
            if pattern not in known:
                sc.patterns[floor] = [*known, pattern]  # a new list: the cached ones are shared between classes
            floors.add(floor)
    return floors


def _own_rooms(inv: Inventory, sc: SplitClass) -> dict[int, dict[Kind, int]]:
    if len(sc.households) != 1:
        return {}
    out: dict[int, Counter] = defaultdict(Counter)
    for s in inv.households[sc.households[0]].reserved:
        out[inv.slots[s].floor][kind_of(inv, s)] += 1
    return {f: dict(c) for f, c in out.items()}


def _with_own_rooms(sc: SplitClass, rooms: Counter, own: dict[Kind, int], beds: tuple[int, ...]) -> list[Pattern]:
    """Patterns over the floor's free rooms and the household's own; its own rooms cost nobody anything."""
    total = Counter(rooms) + Counter(own)
    beds = tuple(sorted(set(beds) | {k[0] for k in own}))
    return patterns_on_floor(sc.comp, dict(total), beds, prune=False)


def _floor_groups(inv: Inventory, floor_rooms: dict[int, Counter], split_floors: set[int],
                  cohorts: set[Group], only: Mapping[int, Collection[Group]]) -> tuple[list[FloorGroup], dict[int, int]]:
    keyed: dict[tuple, list[int]] = defaultdict(list)
    for floor in inv.floors:
        if floor.blocked or not (floor.slots or floor.index in split_floors):
            continue
        allowed = [floor.locked] if floor.locked is not None else sorted(cohorts)
        allowed = [g for g in allowed if g in cohorts and (floor.index not in only or g in only[floor.index])]
        if not allowed:
            continue
        rooms = tuple(sorted(floor_rooms[floor.index].items()))
        alone = floor.index if floor.index in split_floors else None
        keyed[(floor.site, rooms, tuple(allowed), alone)].append(floor.index)
    groups: list[FloorGroup] = []
    group_of_floor: dict[int, int] = {}
    for (site, rooms, allowed, _), floors in sorted(keyed.items(), key=lambda kv: kv[1][0]):
        group = FloorGroup(len(groups), site, floors, dict(rooms), list(allowed))
        groups.append(group)
        for f in floors:
            group_of_floor[f] = group.index
    return groups, group_of_floor
