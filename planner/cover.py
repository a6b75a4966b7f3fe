"""Batch-by-batch site cover: keep each batch at as few, as near sites as possible.

For one batch at a time the construction picks the site with the lowest cost
per person it can take (a batch-site pair and any backup activation spread
over the people it absorbs, plus travel), fills that site with the batch
cohort by cohort, and repeats until the batch is placed. How many people a
site can take is estimated from counts of free rooms by bed number on its open
floors matched against the batch's households largest first (a household of h
needs a room of at least h beds), so every site is scored cheaply; only the
chosen site is packed room by room.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

from planner.construct import Occupancy, rooms_on_floor, single_room, split_rooms
from planner.inventory import Floor, Group, Household, Inventory
from planner.metrics import WEIGHT_BACKUP, WEIGHT_KM, WEIGHT_SITE_PER_BATCH

CANDIDATES = 60
SAFETY = 1.0
FRACTION = 0.0
# (safety, fraction) pairs the search draws from; the first is the default.
PARAMETERS = ((1.0, 0.0), (0.8, 1.0), (1.0, 1.0), (1.0, 0.5), (0.9, 1.0))


def construct_cover(inv: Inventory, occ: Occupancy | None = None, *, safety: float = SAFETY,
                    fraction: float = FRACTION) -> Occupancy:
    occ = occ or Occupancy.empty(inv)
    floors_at: dict[int, list[int]] = defaultdict(list)
    for floor in inv.floors:
        if floor.slots:
            floors_at[floor.site].append(floor.index)
    by_batch: dict[int, list[Household]] = defaultdict(list)
    for hh in inv.households:
        if hh.group is not None and hh.index not in occ.placed:
            by_batch[hh.batch].append(hh)
    order = sorted(by_batch, key=lambda b: -sum(h.size for h in by_batch[b]))
    for b in order:
        cover_batch(occ, b, by_batch[b], floors_at, safety=safety, fraction=fraction)
    return occ


def cover_batch(occ: Occupancy, b: int, households: list[Household], floors_at: dict[int, list[int]], *,
                safety: float = SAFETY, fraction: float = FRACTION) -> None:
    inv = occ.inv
    left = sorted((h for h in households if h.index not in occ.placed), key=_difficulty)
    dist = inv.distance[b]
    groups = {hh.group for hh in left}
    sites = sorted(floors_at, key=lambda s: dist[s])
    tried: set[int] = set()
    while left:
        need = sum(h.size for h in left)
        sizes = Counter(h.size for h in left if not h.must_split)
        split_people = sum(h.size for h in left if h.must_split)
        looked = 0
        options = []
        for s in sites:
            if s in tried or occ.room_for[s] <= 0:
                continue
            looked += 1
            if looked > CANDIDATES and options:
                break
            take = min(need, occ.room_for[s], _estimate(occ, s, groups, floors_at[s], sizes, split_people))
            if take > 0:
                options.append((s, take))
        if not options:
            return
        typical = max(1, max(t for _, t in options) * safety)
        best, best_cost = None, None
        for s, take in options:
            fixed = WEIGHT_SITE_PER_BATCH * (s not in occ.batch_sites[b])
            if not occ.active[s]:
                fixed += WEIGHT_BACKUP
            cost = fixed / take + WEIGHT_KM * dist[s]
            rest = need - take * safety
            if 0 < rest < fraction * typical:
                cost += WEIGHT_SITE_PER_BATCH / need
            if best_cost is None or cost < best_cost:
                best, best_cost = s, cost
        if best is None:
            return
        tried.add(best)
        pack_at_site(occ, left, floors_at[best])
        left = [h for h in left if h.index not in occ.placed]


def _difficulty(hh: Household) -> tuple:
    return (not hh.must_split, not hh.needs_access, -hh.size, hh.index)


def _estimate(occ: Occupancy, s: int, groups: set[Group], floors: list[int], sizes: Counter,
              split_people: int) -> int:
    """People of the batch the site's open floors could take with one household per room."""
    inv = occ.inv
    rooms: Counter = Counter()
    beds = 0
    for f in floors:
        owner = occ.owner[f]
        floor = inv.floors[f]
        if owner is not None and owner not in groups:
            continue
        if owner is None and (floor.blocked or (floor.locked is not None and floor.locked not in groups)):
            continue
        if occ.open_rooms[f] <= 0:
            continue
        for i in floor.slots:
            free = occ.free[i]
            if free:
                rooms[free] += 1
                beds += free
    if not rooms:
        return 0
    room_sizes = sorted(rooms)
    taken = 0
    for size in sorted(sizes, reverse=True):
        want = sizes[size]
        for r in room_sizes:
            if r < size or not want:
                continue
            n = min(want, rooms[r])
            if n:
                rooms[r] -= n
                want -= n
                taken += n * size
                beds -= n * r
    return taken + min(split_people, max(0, beds))


def pack_at_site(occ: Occupancy, households: list[Household], floors: list[int]) -> None:
    """Fill one site with the batch, one cohort at a time (largest left first), best-fitting rooms."""
    units: dict[Group, list[Household]] = defaultdict(list)
    for hh in households:
        if hh.index not in occ.placed and hh.group is not None:
            units[hh.group].append(hh)
    for group in sorted(units, key=lambda g: -sum(h.size for h in units[g])):
        pack_group(occ, units[group], floors)


def pack_group(occ: Occupancy, households: Iterable[Household], floors: list[int]) -> list[Household]:
    """Place what fits of one cohort's households on ``floors``; returns those placed."""
    inv = occ.inv
    hhs = sorted(households, key=_difficulty)
    if not hhs:
        return []
    group = hhs[0].group
    site = inv.floors[floors[0]].site if floors else None
    mine = [f for f in floors if occ.owner[f] == group]
    remaining = sum(h.size for h in hhs)
    done: list[Household] = []
    for hh in hhs:
        if site is None or occ.room_for[site] < hh.size:
            continue
        rooms = _best_on(occ, mine, hh)
        if rooms is None:
            f = _claim(occ, floors, hh, group, remaining)
            if f is not None:
                rooms = rooms_on_floor(occ, inv.floors[f], hh)
                mine.append(f)
        if rooms is not None:
            occ.put(hh, rooms)
            remaining -= hh.size
            done.append(hh)
    return done


def _best_on(occ: Occupancy, floors: list[int], hh: Household):
    best, best_free = None, None
    for f in floors:
        if occ.open_rooms[f] <= 0:
            continue
        slots = occ.inv.floors[f].slots
        rooms = split_rooms(occ, slots, hh) if hh.must_split else single_room(occ, slots, hh)
        if rooms is None:
            continue
        if hh.must_split:
            return rooms
        free = occ.free[rooms[0][1]]
        if best_free is None or free < best_free:
            best, best_free = rooms, free
            if free == hh.size:
                break
    return best


def floor_capacity(occ: Occupancy, floor: Floor) -> int:
    return sum(occ.free[i] for i in floor.slots)


def _claim(occ: Occupancy, floors: list[int], hh: Household, group: Group, remaining: int) -> int | None:
    """A free floor that fits the household: the smallest holding all the cohort still needs, else the largest."""
    inv = occ.inv
    best, best_key = None, None
    for f in floors:
        floor = inv.floors[f]
        if occ.owner[f] is not None or occ.open_rooms[f] <= 0 or not floor.allows(group):
            continue
        if rooms_on_floor(occ, floor, hh) is None:
            continue
        cap = floor_capacity(occ, floor)
        key = (0, cap) if cap >= remaining else (1, -cap)
        if best_key is None or key < best_key:
            best, best_key = f, key
    return best
