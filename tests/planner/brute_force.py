"""The most people any valid plan places, found by trying plans, with ``planner.validate`` as the judge.

Households are given rooms one at a time (each member a room, or the household left
out); a partial plan that ``validate`` rejects is never extended, since placing more
people never mends a broken rule. Only for tiny scenarios (a handful of rooms).
"""
from __future__ import annotations

import itertools
from collections import defaultdict

from planner import Assignment, Plan, Scenario, Unassigned, validate


def most_placed(scenario: Scenario) -> int:
    households: dict[tuple[str, str], list] = defaultdict(list)
    for batch in scenario.batches:
        for person in batch.people:
            households[(batch.id, person.household)].append(person)
    groups = sorted(([*sorted(m, key=_looks)] for m in households.values()), key=len, reverse=True)
    rooms = [(site.id, room.id) for site in scenario.sites for room in site.rooms]
    best = [0]

    def extend(i: int, placed: list[Assignment], people: int) -> None:
        best[0] = max(best[0], people)
        if i == len(groups) or people + sum(len(g) for g in groups[i:]) <= best[0]:
            return
        members = groups[i]
        for choice in _room_choices(members, rooms):
            trial = placed + [Assignment(person=p.id, site=s, room=r) for p, (s, r) in zip(members, choice)]
            if _valid(scenario, trial):
                extend(i + 1, trial, people + len(members))
        extend(i + 1, placed, people)

    extend(0, [], 0)
    return best[0]


def _room_choices(members, rooms):
    """Each member a room; members alike take rooms in order, so the same plan is not tried twice."""
    for choice in itertools.product(range(len(rooms)), repeat=len(members)):
        if all(choice[k] <= choice[k + 1] for k in range(len(members) - 1)
               if _alike(members[k], members[k + 1])):
            yield [rooms[c] for c in choice]


def _looks(person) -> tuple:
    return (person.age is None, person.age or 0, person.needs, person.category)


def _alike(a, b) -> bool:
    return _looks(a) == _looks(b)


def _valid(scenario: Scenario, assignments: list[Assignment]) -> bool:
    done = {a.person for a in assignments}
    left = [Unassigned(person=p.id, reason="left out") for p in scenario.people if p.id not in done]
    return not validate(scenario, Plan(assignments=tuple(assignments), unassigned=tuple(left)))
