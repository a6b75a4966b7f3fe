"""A placement state as a plan: assignments, the people left out with their reasons, and its quality."""
from __future__ import annotations

from dataclasses import dataclass

from planner.construct import Occupancy
from planner.inventory import Inventory
from planner.metrics import PlanMetrics, plan_metrics
from planner.model import Assignment, Plan, Stats, Unassigned
from planner.reasons import ExplainCache, Reason, explain, not_worked_out


@dataclass
class Best:
    """A candidate plan with the state it came from; compared by ``metrics.key``."""

    occ: Occupancy
    metrics: PlanMetrics
    plan: Plan


def as_best(inv: Inventory, occ: Occupancy) -> Best:
    plan = to_plan(inv, occ, Stats())
    return Best(occ, plan_metrics(inv.scenario, plan), plan)


def to_plan(inv: Inventory, occ: Occupancy, stats: Stats, reasons: dict[str, Reason] | None = None) -> Plan:
    """The plan of ``occ``; with ``reasons`` (a dict to fill) every person left out gets worked-out reasons."""
    assignments = [Assignment(person.id, inv.sites[inv.slots[slot].site].id, inv.slots[slot].room_id)
                   for h in sorted(occ.placed) for person, slot in occ.placed[h]]
    left = [hh for hh in inv.households if hh.index not in occ.placed]
    unplaced_people = sum(hh.size for hh in left)
    cache = ExplainCache()
    unassigned = []
    for hh in left:
        reason = explain(occ, hh, unplaced_people, cache) if reasons is not None else not_worked_out()
        for person in hh.members:
            unassigned.append(Unassigned(person.id, reason.text, reason.suggested_sites))
            if reasons is not None:
                reasons[person.id] = reason
    return Plan(tuple(assignments), tuple(unassigned), stats)
