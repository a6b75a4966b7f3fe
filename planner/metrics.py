"""Plan quality in the order of the format: placed, backups/sites, travel, idle beds.

Computed from a Plan and its Scenario only, so the benchmark can score the
greedy baseline and the planner the same way.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from planner.inventory import great_circle_km
from planner.model import Plan, Scenario

# Weights of the scalar objective reported in plan stats. Each tier outweighs
# the next in realistic scenarios; the planner itself compares plans
# lexicographically with ``PlanMetrics.key``.
WEIGHT_UNPLACED = 1_000_000_000
WEIGHT_BACKUP = 10_000_000
WEIGHT_SITE_PER_BATCH = 100_000
WEIGHT_KM = 10
WEIGHT_IDLE_BED = 1


@dataclass(frozen=True)
class PlanMetrics:
    placed: int
    total: int
    backup_sites_activated: int
    batch_site_pairs: int
    batches: int
    person_km: float
    idle_beds: int

    @property
    def sites_per_batch(self) -> float:
        return self.batch_site_pairs / self.batches if self.batches else 0.0

    @property
    def key(self) -> tuple[int, int, int, float, int]:
        """Smaller is better, tier by tier."""
        return (self.total - self.placed, self.backup_sites_activated, self.batch_site_pairs,
                round(self.person_km, 3), self.idle_beds)

    @property
    def objective(self) -> int:
        return scalar_objective(self.total - self.placed, self.backup_sites_activated, self.batch_site_pairs,
                                self.person_km, self.idle_beds)


def scalar_objective(unplaced: int, backups: int, pairs: int, person_km: float, idle: int) -> int:
    return (WEIGHT_UNPLACED * unplaced + WEIGHT_BACKUP * backups + WEIGHT_SITE_PER_BATCH * pairs
            + round(WEIGHT_KM * person_km) + WEIGHT_IDLE_BED * idle)


def plan_metrics(scenario: Scenario, plan: Plan) -> PlanMetrics:
    site = {s.id: s for s in scenario.sites}
    room_beds = {r.id: r.beds - len(r.occupants) for s in scenario.sites for r in s.rooms}
    batch_of = {p.id: b for b in scenario.batches for p in b.people}
    new_in_room: dict[str, int] = defaultdict(int)
    pairs: set[tuple[str, str]] = set()
    km = 0.0
    for a in plan.assignments:
        batch = batch_of[a.person]
        s = site[a.site]
        new_in_room[a.room] += 1
        pairs.add((batch.id, a.site))
        km += great_circle_km(batch.location.lat, batch.location.lon, s.location.lat, s.location.lon)
    used_sites = {a.site for a in plan.assignments}
    backups = sum(1 for sid in used_sites if site[sid].kind == "backup" and site[sid].occupant_count == 0)
    idle = sum(max(0, room_beds[r] - n) for r, n in new_in_room.items())
    return PlanMetrics(len(plan.assignments), len(batch_of), backups, len(pairs), len(scenario.batches),
                       km, idle)
