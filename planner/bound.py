"""A quick lower bound on the scalar objective (without idle beds) from a relaxation.

Each batch is bounded on its own, as if no other batch competed for beds:
placing it needs at least as many sites as it takes of the largest site
capacities to hold it, and its travel is at least that of filling the nearest
sites' beds first. Backup activations are bounded by how many of the largest
standby sites it takes to cover what the sites already in use cannot hold. The
bound assumes everyone is placed; any plan leaving people out costs more than
it anyway (``WEIGHT_UNPLACED`` dwarfs the rest).
"""
from __future__ import annotations

from collections import defaultdict

from planner.inventory import Inventory
from planner.metrics import WEIGHT_BACKUP, WEIGHT_KM, WEIGHT_SITE_PER_BATCH


def site_capacities(inv: Inventory) -> list[int]:
    beds: dict[int, int] = defaultdict(int)
    for slot in inv.slots:
        beds[slot.site] += slot.free
    return [min(beds[s], site.room_for) for s, site in enumerate(inv.sites)]


def relaxation_bound(inv: Inventory) -> float:
    cap = site_capacities(inv)
    sizes: dict[int, int] = defaultdict(int)
    for hh in inv.households:
        sizes[hh.batch] += hh.size
    largest_first = sorted(cap, reverse=True)
    total = 0.0
    for b, need in sizes.items():
        sites, covered = 0, 0
        for c in largest_first:
            if covered >= need or c <= 0:
                break
            covered += c
            sites += 1
        km, left = 0.0, need
        for s in sorted(range(len(cap)), key=lambda s: inv.distance[b][s]):
            if left <= 0:
                break
            n = min(left, cap[s])
            km += n * inv.distance[b][s]
            left -= n
        total += WEIGHT_SITE_PER_BATCH * sites + WEIGHT_KM * km
    everyone = sum(sizes.values())
    in_use = sum(c for s, c in enumerate(cap) if not inv.sites[s].activation_needed)
    standby = sorted((c for s, c in enumerate(cap) if inv.sites[s].activation_needed), reverse=True)
    short, activations = everyone - in_use, 0
    for c in standby:
        if short <= 0:
            break
        short -= c
        activations += 1
    return total + WEIGHT_BACKUP * activations
