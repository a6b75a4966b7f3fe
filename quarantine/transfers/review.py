"""A plan laid out for review: per site, then building and floor, then room."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

import planner
from quarantine.extensions import db
from quarantine.models import Person, PlanRun, Room, Site
from quarantine.transfers.planning import plan_of, scenario_of
from quarantine.transfers.reasons import explain_violation, translate_reason
from quarantine.transfers.scenario import key_id


@dataclass
class ReviewRoom:
    key: str
    label: str
    beds: int
    people: list[Person]


@dataclass
class ReviewFloor:
    building: str
    floor: int
    rooms: list[ReviewRoom] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(len(r.people) for r in self.rooms)


@dataclass
class ReviewSite:
    site: Site
    floors: list[ReviewFloor]
    by_batch: Counter

    @property
    def people(self) -> int:
        return sum(f.people for f in self.floors)

    @property
    def rooms(self) -> int:
        return sum(len(f.rooms) for f in self.floors)


@dataclass
class ReviewUnassigned:
    person: Person
    reason: str
    suggested: list[Site]


@dataclass
class PlanReview:
    run: PlanRun
    sites: list[ReviewSite]
    unassigned: list[ReviewUnassigned]
    batch_totals: dict[str, Counter]  # batch code -> site name -> people
    violations: list[str]
    room_choices: list[tuple[str, str]]


def build_review(run: PlanRun) -> PlanReview:
    scenario, plan = scenario_of(run), plan_of(run)
    rooms = {r.id: (s, r) for s in scenario.sites for r in s.rooms}
    batch_of = {p.id: b.id for b in scenario.batches for p in b.people}
    person_ids = [key_id(a.person) for a in plan.assignments] + [key_id(u.person) for u in plan.unassigned]
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    site_ids = {key_id(s.id) for s in scenario.sites}
    sites = {s.id: s for s in db.session.scalars(select(Site).where(Site.id.in_(site_ids)))}

    numbers = _room_numbers(site_ids)
    tree: dict[str, dict[tuple[str, int], dict[str, list[Person]]]] = defaultdict(lambda: defaultdict(dict))
    batch_totals: dict[str, Counter] = defaultdict(Counter)
    site_batches: dict[str, Counter] = defaultdict(Counter)
    for a in plan.assignments:
        site, room = rooms[a.room]
        person = people.get(key_id(a.person))
        if person is None:
            continue
        tree[a.site][(room.building, room.floor)].setdefault(a.room, []).append(person)
        batch = batch_of.get(a.person, "")
        batch_totals[batch][sites[key_id(a.site)].name] += 1
        site_batches[a.site][batch] += 1

    review_sites = []
    for site_key_, floors in sorted(tree.items(), key=lambda kv: sites[key_id(kv[0])].name):
        review_floors = []
        for (building, floor), room_people in sorted(floors.items()):
            review_floors.append(ReviewFloor(building, floor, [
                ReviewRoom(key, f"{building}-{numbers.get(key, key)}", rooms[key][1].beds, ps)
                for key, ps in sorted(room_people.items(), key=lambda kv: numbers.get(kv[0], kv[0]))]))
        review_sites.append(ReviewSite(sites[key_id(site_key_)], review_floors, site_batches[site_key_]))

    unassigned = [ReviewUnassigned(people[key_id(u.person)], translate_reason(u.reason),
                                   [sites[key_id(s)] for s in u.suggested_sites if key_id(s) in sites])
                  for u in plan.unassigned if key_id(u.person) in people]
    violations = [explain_violation(v) for v in planner.validate(scenario, plan)]
    return PlanReview(run, review_sites, unassigned, dict(batch_totals), violations,
                      _room_choices(scenario, sites, numbers, set(tree)))


MAX_ROOM_CHOICES = 3000


def _room_numbers(site_ids: set[int]) -> dict[str, str]:
    rows = db.session.execute(select(Room.id, Room.number).where(Room.site_id.in_(site_ids))).all()
    return {f"R{room_id}": number for room_id, number in rows}


def _room_choices(scenario: planner.Scenario, sites: dict[int, Site], numbers: dict[str, str],
                  used_sites: set[str]) -> list[tuple[str, str]]:
    """Rooms a person may be moved to by hand: available rooms at receiving sites, the plan's sites first."""
    ordered = sorted((s for s in scenario.sites if s.ready), key=lambda s: (s.id not in used_sites, s.name))
    choices = [(r.id, f"{sites[key_id(s.id)].name} · {r.building}-{numbers.get(r.id, r.id)} ({r.beds})")
               for s in ordered for r in s.rooms if r.status == "available"]
    return choices[:MAX_ROOM_CHOICES]
