"""Local search on a complete placement: fewer sites per batch, then less travel.

``rebuild_batches`` (used by ``solve``) takes one or two batches sharing sites out and
re-covers them in a random order with randomly drawn cover parameters, keeping the
result only when those batches' (unplaced, backups, pairs, person-km) improve.
Two smaller moves, each kept only when every household it touches lands validly:

- *empty a site for a batch*: move all of a batch's households out of the site
  where it has the fewest people into rooms at the other sites it already uses
  (rooms on its own floors first, else a free floor), which removes a batch-site
  pair; otherwise everything goes back where it was;
- *pull nearer*: move a household from the batch's farthest sites into a free
  room at a nearer site the batch already uses.

Both go through ``Occupancy.put``/``remove``, so the rules the constructor
keeps hold after every move.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict

from planner.construct import Occupancy
from planner.cover import _best_on, _difficulty, pack_group
from planner.inventory import Household, Person

# Rebuilding stops after this many tries in a row without improvement (at least, or per batch).
STALL_ROUNDS = 30
STALL_PER_BATCH = 25


def _floors_at(occ: Occupancy) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for floor in occ.inv.floors:
        if floor.slots:
            out[floor.site].append(floor.index)
    return out


def _households_at(occ: Occupancy, b: int, s: int) -> list[Household]:
    inv = occ.inv
    return [inv.households[h] for h, rooms in occ.placed.items()
            if inv.households[h].batch == b and inv.slots[rooms[0][1]].site == s]


def _site_of(occ: Occupancy, hh: Household) -> int:
    return occ.inv.slots[occ.placed[hh.index][0][1]].site


def try_empty(occ: Occupancy, b: int, s: int, floors_at: dict[int, list[int]]) -> bool:
    """Move every household of batch ``b`` at site ``s`` to its other sites, or change nothing."""
    inv = occ.inv
    hhs = sorted(_households_at(occ, b, s), key=_difficulty)
    targets = sorted((t for t in occ.batch_sites[b] if t != s), key=lambda t: inv.distance[b][t])
    if not hhs or not targets:
        return False
    old: dict[int, list[tuple[Person, int]]] = {hh.index: occ.remove(hh) for hh in hhs}
    moved: list[Household] = []
    ok = True
    for hh in hhs:
        if not any(pack_group(occ, [hh], floors_at[t]) for t in targets):
            ok = False
            break
        moved.append(hh)
    if ok:
        return True
    for hh in moved:
        occ.remove(hh)
    for hh in hhs:
        occ.put(hh, old[hh.index])
    return False


def empty_sites(occ: Occupancy, deadline: float) -> int:
    """Repeatedly empty the smallest share of each batch while it works; returns pairs removed."""
    floors_at = _floors_at(occ)
    removed = 0
    failed: set[tuple[int, int]] = set()
    progress = True
    while progress and time.perf_counter() < deadline:
        progress = False
        for b in sorted(occ.batch_sites):
            shares = sorted(((occ.batch_site_people[(b, s)], s) for s in occ.batch_sites[b]
                             if (b, s) not in failed))
            for _, s in shares[:3]:
                if time.perf_counter() >= deadline:
                    return removed
                if try_empty(occ, b, s, floors_at):
                    removed += 1
                    progress = True
                    failed.clear()
                    break
                failed.add((b, s))
    return removed


def pull_nearer(occ: Occupancy, deadline: float) -> int:
    """Move households into free rooms of nearer sites their batch already uses; returns moves."""
    inv = occ.inv
    floors_at = _floors_at(occ)
    moves = 0
    for b in sorted(occ.batch_sites):
        dist = inv.distance[b]
        for s in sorted(occ.batch_sites[b], key=lambda s: -dist[s]):
            nearer = sorted((t for t in occ.batch_sites[b] if dist[t] < dist[s]), key=lambda t: dist[t])
            if not nearer:
                continue
            for hh in sorted(_households_at(occ, b, s), key=_difficulty):
                if time.perf_counter() >= deadline:
                    return moves
                old = occ.remove(hh)
                if any(_own_floor_move(occ, hh, floors_at[t]) for t in nearer):
                    moves += 1
                else:
                    occ.put(hh, old)
    return moves


def _own_floor_move(occ: Occupancy, hh: Household, floors: list[int]) -> bool:
    """Into a room on a floor the cohort already holds (no new floor claimed)."""
    mine = [f for f in floors if occ.owner[f] == hh.group]
    site = occ.inv.floors[floors[0]].site if floors else None
    if site is None or occ.room_for[site] < hh.size or not mine:
        return False
    rooms = _best_on(occ, mine, hh)
    if rooms is None:
        return False
    occ.put(hh, rooms)
    return True


def improve(occ: Occupancy, deadline: float) -> Occupancy:
    empty_sites(occ, deadline)
    pull_nearer(occ, deadline)
    return occ


def occupancy_key(occ: Occupancy) -> tuple[int, int, int, float, int]:
    """``PlanMetrics.key`` computed straight from the placement state."""
    inv = occ.inv
    total = sum(hh.size for hh in inv.households)
    placed = sum(inv.households[h].size for h in occ.placed)
    backups = sum(1 for s, site in enumerate(inv.sites) if site.activation_needed and occ.at_site[s] > 0)
    pairs = sum(len(sites) for sites in occ.batch_sites.values())
    km = sum(n * inv.distance[b][s] for (b, s), n in occ.batch_site_people.items())
    idle = 0
    for rooms in occ.placed.values():
        used: dict[int, int] = defaultdict(int)
        for _, slot in rooms:
            used[slot] += 1
        idle += sum(inv.slots[slot].free - n for slot, n in used.items())
    return (total - placed, backups, pairs, round(km, 3), idle)


def _batch_cost(occ: Occupancy, batches: list[int]) -> tuple:
    """The part of the key these batches decide (plus backups, which are global)."""
    inv = occ.inv
    unplaced = sum(hh.size for hh in inv.households if hh.batch in batches and hh.index not in occ.placed)
    backups = sum(1 for s, site in enumerate(inv.sites) if site.activation_needed and occ.at_site[s] > 0)
    pairs = sum(len(occ.batch_sites[b]) for b in batches)
    km = sum(n * inv.distance[b][s] for (b, s), n in occ.batch_site_people.items() if b in batches)
    return (unplaced, backups, pairs, round(km, 3))


def rebuild_batches(occ: Occupancy, deadline: float, seed: int = 0, *, cancel: threading.Event | None = None,
                    patience: int | None = None) -> int:
    """Large neighbourhood search: take two batches out, re-cover them in a random order, keep if better."""
    import random

    from planner import cover
    from planner.construct import default_floor_order, place_unit

    inv = occ.inv
    rng = random.Random(seed)
    floors_at = _floors_at(occ)
    batches = sorted({hh.batch for hh in inv.households})
    if not batches:
        return 0
    members: dict[int, list[Household]] = defaultdict(list)
    for hh in inv.households:
        if hh.group is not None:
            members[hh.batch].append(hh)
    accepted, stale = 0, 0
    patience = patience if patience is not None else max(STALL_ROUNDS, STALL_PER_BATCH * len(batches))
    while time.perf_counter() < deadline and stale < patience and not (cancel is not None and cancel.is_set()):
        stale += 1
        b = rng.choice(batches)
        near = [c for c in batches if c != b and occ.batch_sites[c] & occ.batch_sites[b]]
        chosen = [b] + ([rng.choice(near)] if near and rng.random() < 0.8 else [])
        before = _batch_cost(occ, chosen)
        old = {hh.index: occ.remove(hh) for c in chosen for hh in members[c] if hh.index in occ.placed}
        rng.shuffle(chosen)
        safety, fraction = rng.choice(cover.PARAMETERS)
        for c in chosen:
            cover.cover_batch(occ, c, members[c], floors_at, safety=safety, fraction=fraction)
        for unit in inv.units:
            if unit.batch in chosen and any(h not in occ.placed for h in unit.households):
                place_unit(occ, unit, default_floor_order(occ, unit))
        if _batch_cost(occ, chosen) < before:
            accepted += 1
            stale = 0
            continue
        for c in chosen:
            for hh in members[c]:
                if hh.index in occ.placed:
                    occ.remove(hh)
        for h, rooms in old.items():
            occ.put(inv.households[h], rooms)
    return accepted
