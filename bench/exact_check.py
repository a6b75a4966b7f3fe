"""A second, independent answer to "how many people can be placed at most": a room-level CP-SAT model.

Usage: ``python -m bench.exact_check SCENARIO [--plan PLAN] [--time-limit 600]``.

Shares no code with the planner's count model: it reads the scenario and states the
hard rules of docs/scenario-format.md directly on rooms, the way ``planner.validate``
checks them. A household that fits one room gets a boolean per room it fits; a
household allowed to split (no usable room anywhere is big enough) gets a boolean per
person and room, all on one floor, each child beside an adult of the household. With
a long time limit it proves the maximum on small scenarios, which checks the
planner's ``placed_bound``.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.model import Person, Room, Scenario, Site, load_scenario


@dataclass(frozen=True)
class Answer:
    status: str
    placed: int
    bound: int
    seconds: float


@dataclass(frozen=True)
class _Room:
    room: Room
    site: Site
    free: int
    floor: tuple[str, str, int]
    owner: str | None  # with household rooms, the household already in it


def _usable_rooms(scenario: Scenario) -> list[_Room]:
    out = []
    for site in scenario.sites:
        if not site.ready:
            continue
        for room in site.rooms:
            free = room.beds - len(room.occupants)
            owners = {o.household for o in room.occupants}
            if room.status != "available" or free <= 0:
                continue
            if scenario.policy.household_rooms and len(owners) > 1:
                continue
            owner = next(iter(owners)) if owners and scenario.policy.household_rooms else None
            out.append(_Room(room, site, free, (site.id, room.building, room.floor), owner))
    return out


def _cohort(scenario: Scenario, category: str, batch: str) -> tuple[str, ...]:
    values = {"category": category, "batch": batch}
    return tuple(values[k] for k in scenario.policy.floor_separation)


def _floor_cohorts(scenario: Scenario) -> dict[tuple[str, str, int], set[tuple[str, ...]]]:
    out: dict[tuple[str, str, int], set[tuple[str, ...]]] = defaultdict(set)
    for site in scenario.sites:
        for room in site.rooms:
            for o in room.occupants:
                out[(site.id, room.building, room.floor)].add(_cohort(scenario, o.category, o.batch))
    return out


def exact_maximum(scenario: Scenario, *, time_limit: float, workers: int = 2) -> Answer:
    policy = scenario.policy
    rooms = _usable_rooms(scenario)
    present = _floor_cohorts(scenario)
    model = cp_model.CpModel()
    households: dict[tuple[str, str], list[Person]] = defaultdict(list)
    for batch in scenario.batches:
        for person in batch.people:
            households[(batch.id, person.household)].append(person)

    def adult(p: Person) -> bool:
        return p.age is None or p.age >= policy.adult_age

    def child(p: Person) -> bool:
        return p.age is not None and p.age < policy.child_age_below

    def allowed(r: _Room, hid: str) -> bool:
        return r.owner is None or r.owner == hid

    def largest(members: list[Person], hid: str) -> int:
        """As the validator's rule 4: the biggest usable room this household could take whole."""
        needs = any(p.needs_accessible for p in members)
        best = 0
        for r in rooms:
            if needs and not r.room.accessible:
                continue
            if r.owner is None or (policy.household_rooms and r.owner == hid):
                best = max(best, r.free)
        return best

    in_room: dict[int, list] = defaultdict(list)  # room index -> (var, people)
    household_in_room: dict[tuple[str, int], list] = defaultdict(list)  # (household id, room) -> vars
    cohort_on_floor: dict[tuple[tuple[str, str, int], tuple[str, ...]], list] = defaultdict(list)
    at_site: dict[str, list] = defaultdict(list)
    objective = []
    for (bid, hid), members in households.items():
        cohorts = {_cohort(scenario, p.category, bid) for p in members}
        if len(cohorts) > 1:
            continue
        cohort = cohorts.pop()
        placed = model.new_bool_var(f"placed_{bid}_{hid}")
        objective.append(len(members) * placed)
        if largest(members, hid) >= len(members):
            _whole_household(model, rooms, members, hid, placed, allowed, child, adult, in_room, household_in_room,
                             cohort_on_floor, cohort, at_site)
        else:
            _split_household(model, rooms, members, hid, placed, allowed, child, adult, in_room, household_in_room,
                             cohort_on_floor, cohort, at_site)
    for r, terms in in_room.items():
        model.add(sum(n * v for v, n in terms) <= rooms[r].free)
    if policy.household_rooms:
        by_room: dict[int, list] = defaultdict(list)
        for (hid, r), variables in household_in_room.items():
            flag = model.new_bool_var(f"holds_{hid}_{r}")
            for v in variables:
                model.add_implication(v, flag)
            by_room[r].append(flag)
        for flags in by_room.values():
            model.add_at_most_one(flags)
    floors: dict[tuple[str, str, int], dict[tuple[str, ...], cp_model.IntVar]] = defaultdict(dict)
    for (floor, cohort), variables in cohort_on_floor.items():
        flag = model.new_bool_var(f"floor_{floor}_{cohort}")
        floors[floor][cohort] = flag
        for v in variables:
            model.add_implication(v, flag)
        if policy.floor_separation and present.get(floor) and present[floor] != {cohort}:
            model.add(flag == 0)
    for flags in floors.values():
        if policy.floor_separation:
            model.add_at_most_one(flags.values())
    for site in scenario.sites:
        if site.capacity_limit is not None and at_site.get(site.id):
            model.add(sum(n * v for v, n in at_site[site.id]) <= max(0, site.capacity_limit - site.occupant_count))
    model.maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Answer(name, 0, int(solver.best_objective_bound), solver.wall_time)
    return Answer(name, round(solver.objective_value), int(solver.best_objective_bound + 1e-6), solver.wall_time)


def _whole_household(model, rooms, members, hid, placed, allowed, child, adult, in_room, household_in_room,
                     cohort_on_floor, cohort, at_site) -> None:
    """Everyone in one room with enough free beds (accessible if anyone needs it); rule 7 then holds
    when the household has an adult at all."""
    if any(child(p) for p in members) and not any(adult(p) for p in members):
        model.add(placed == 0)
        return
    needs = any(p.needs_accessible for p in members)
    options = []
    for r, room in enumerate(rooms):
        if room.free >= len(members) and (room.room.accessible or not needs) and allowed(room, hid):
            v = model.new_bool_var(f"in_{hid}_{r}")
            options.append(v)
            in_room[r].append((v, len(members)))
            household_in_room[(hid, r)].append(v)
            cohort_on_floor[(room.floor, cohort)].append(v)
            at_site[room.site.id].append((v, len(members)))
    model.add(sum(options) == placed)


def _split_household(model, rooms, members, hid, placed, allowed, child, adult, in_room, household_in_room,
                     cohort_on_floor, cohort, at_site) -> None:
    """Each member in a room (accessible for mobility needs), all on one floor, children beside an adult."""
    on_floor: dict[tuple[str, str, int], cp_model.IntVar] = {}
    seat: dict[tuple[int, int], cp_model.IntVar] = {}
    for i, person in enumerate(members):
        options = []
        for r, room in enumerate(rooms):
            if (person.needs_accessible and not room.room.accessible) or not allowed(room, hid):
                continue
            v = model.new_bool_var(f"seat_{hid}_{i}_{r}")
            seat[(i, r)] = v
            options.append(v)
            if room.floor not in on_floor:
                on_floor[room.floor] = model.new_bool_var(f"on_{hid}_{room.floor}")
            model.add_implication(v, on_floor[room.floor])
            in_room[r].append((v, 1))
            household_in_room[(hid, r)].append(v)
            cohort_on_floor[(room.floor, cohort)].append(v)
            at_site[room.site.id].append((v, 1))
        model.add(sum(options) == placed)
    model.add_at_most_one(on_floor.values())
    for (i, r), v in seat.items():
        if child(members[i]):
            adults = [seat[(k, r)] for k, p in enumerate(members) if adult(p) and (k, r) in seat]
            model.add(sum(adults) >= v)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.exact_check", description=__doc__)
    parser.add_argument("scenario")
    parser.add_argument("--plan", help="a planner plan whose stats.placed_bound to check")
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    answer = exact_maximum(load_scenario(args.scenario), time_limit=args.time_limit, workers=args.workers)
    print(f"room-level model: {answer.status}, best plan places {answer.placed}, at most {answer.bound} "
          f"({answer.seconds:.1f} s)")
    if args.plan:
        stats = json.load(open(args.plan, encoding="utf-8"))["stats"]
        claimed, status = stats.get("placed_bound"), stats.get("placed_bound_status")
        print(f"planner: placed {stats.get('placed')}, placed_bound {claimed} ({status})")
        if claimed is not None and answer.placed > claimed:
            print("MISMATCH: the room-level model places more than the planner's bound", file=sys.stderr)
            sys.exit(1)
        if status == "proven" and answer.status == "OPTIMAL" and answer.placed != claimed:
            print("MISMATCH: proven maxima differ", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
