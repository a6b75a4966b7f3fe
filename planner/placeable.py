"""How many people the sites can take, before a roster exists: the max-placement phase alone.

Headquarters asks this for the ready sites and again with each backup site made
ready, on a synthetic batch. The constructive plan answers at once when everyone
fits (placing everyone is its own proof); only a shortfall runs the exact phase.
"""
from __future__ import annotations

from dataclasses import dataclass

from planner.construct import construct, default_floor_order
from planner.cover import construct_cover
from planner.improve import occupancy_key
from planner.inventory import build_inventory
from planner.model import Scenario
from planner.placement import maximise_placement


@dataclass(frozen=True)
class Placeable:
    """``placed`` people of a plan, at most ``bound`` in any plan (``proven`` when they meet), by site id."""

    placed: int
    bound: int
    proven: bool
    per_site: dict[str, int]


def most_placeable(scenario: Scenario, *, time_limit: float, workers: int = 2, seed: int = 0) -> Placeable:
    inv = build_inventory(scenario)
    plans = [construct(inv), construct(inv, default_floor_order, construct_cover(inv))]
    occ = min(plans, key=occupancy_key)
    placed = sum(inv.households[h].size for h in occ.placed)
    total = sum(hh.size for hh in inv.households)
    bound, proven = total, placed == total
    if not proven:
        placement, _ = maximise_placement(inv, time_limit=time_limit, workers=workers, seed=seed, start=occ)
        if placement.occ is not None:
            occ, placed = placement.occ, placement.placed
        bound, proven = placement.bound, placement.proven
    per_site = {inv.sites[s].id: n for s, n in enumerate(occ.at_site) if n}
    return Placeable(placed, max(bound, placed), proven, per_site)
