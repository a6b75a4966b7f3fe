"""The simple greedy a person would follow by hand: fixed sites first, then nearest; floor by floor;
largest households first; smallest room that fits. The planner runs it as a safety net so it is
never worse on placement, and the benchmark uses it as the baseline.
"""
from __future__ import annotations

import time
from collections import defaultdict

from planner.inventory import great_circle_km
from planner.model import Assignment, Person, Plan, Scenario, Stats, Unassigned


def _floor_cohorts(scenario: Scenario) -> dict[tuple[str, str, int], set[tuple[str, ...]]]:
    keys = scenario.policy.floor_separation
    out: dict[tuple[str, str, int], set[tuple[str, ...]]] = defaultdict(set)
    for site in scenario.sites:
        for room in site.rooms:
            for o in room.occupants:
                values = {"category": o.category, "batch": o.batch}
                out[(site.id, room.building, room.floor)].add(tuple(values[k] for k in keys))
    return out


def greedy_plan(scenario: Scenario) -> Plan:
    start = time.perf_counter()
    cohorts = _floor_cohorts(scenario)
    free = {r.id: r.beds - len(r.occupants) for s in scenario.sites for r in s.rooms}
    room_for = {s.id: (10**9 if s.capacity_limit is None else s.capacity_limit - s.occupant_count)
                for s in scenario.sites}
    assignments: list[Assignment] = []
    unassigned: list[Unassigned] = []
    for batch in scenario.batches:
        households: dict[str, list[Person]] = defaultdict(list)
        for p in batch.people:
            households[p.household].append(p)
        sites = sorted((s for s in scenario.sites if s.ready),
                       key=lambda s: (s.kind != "fixed", great_circle_km(batch.location.lat, batch.location.lon,
                                                                          s.location.lat, s.location.lon)))
        for members in sorted(households.values(), key=lambda m: -len(m)):
            placed = _place(scenario, batch.id, members, sites, cohorts, free, room_for)
            if placed is None:
                unassigned += [Unassigned(p.id, "no single free room fits the household") for p in members]
            else:
                assignments += [Assignment(p.id, placed[0], placed[1]) for p in members]
    return Plan(tuple(assignments), tuple(unassigned),
                Stats(solve_seconds=round(time.perf_counter() - start, 3), status="FEASIBLE"))


def _place(scenario: Scenario, batch_id: str, members: list[Person], sites, cohorts, free, room_for):
    policy = scenario.policy
    values = {"category": members[0].category, "batch": batch_id}
    cohort = tuple(values[k] for k in policy.floor_separation)
    if any(p.category != members[0].category for p in members):
        return None
    has_child = any(p.age is not None and p.age < policy.child_age_below for p in members)
    if has_child and not any(p.age is None or p.age >= policy.adult_age for p in members):
        return None
    needs_access = any(p.needs_accessible for p in members)
    for site in sites:
        if room_for[site.id] < len(members):
            continue
        floors: dict[tuple[str, int], list] = defaultdict(list)
        for room in site.rooms:
            floors[(room.building, room.floor)].append(room)
        for (building, level), rooms in sorted(floors.items()):
            key = (site.id, building, level)
            if policy.floor_separation and cohorts[key] - {cohort}:
                continue
            fitting = [r for r in rooms if r.status == "available" and free[r.id] >= len(members)
                       and (r.accessible or not needs_access)
                       and not (policy.household_rooms and (r.occupants or free[r.id] < r.beds - len(r.occupants)))]
            if fitting:
                room = min(fitting, key=lambda r: free[r.id])
                free[room.id] = 0 if policy.household_rooms else free[room.id] - len(members)
                room_for[site.id] -= len(members)
                cohorts[key].add(cohort)
                return site.id, room.id
    return None


