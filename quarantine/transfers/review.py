"""A plan laid out for review: a summary per site (stored with the plan), one site's floors and rooms on
demand, and the people left out grouped by reason with what would help.

Nothing here re-reads the whole scenario or re-checks the whole plan: a plan is checked when the
worker stores it, when a file is loaded and at every hand move.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

import planner
from quarantine.extensions import db
from quarantine.models import Person, PlanRun, Room, Site
from quarantine.sites.services import Gap, readiness_gaps
from quarantine.transfers.plan_store import StoredReason, review_summary, scenario_dict, site_assignments
from quarantine.transfers.reasons import render_reason
from quarantine.transfers.scenario import key_id


@dataclass
class SiteLine:
    key: str
    name: str
    people: int
    rooms: int
    by_batch: dict[str, int]


@dataclass
class Helper:
    """A site not ready that would take some of them, and what still stops it (with the page for each)."""

    site: Site
    gaps: list[Gap]


@dataclass(frozen=True)
class HouseholdLine:
    """A household left out, named by one of its members."""

    person: Person
    size: int


@dataclass
class ReasonGroup:
    """People left out for the same reason: one line, its households and the sites that would help."""

    text: str
    people: int
    households: list[HouseholdLine]
    household_count: int
    suggested: list[Helper] = field(default_factory=list)


@dataclass
class PlanOverview:
    run: PlanRun
    sites: list[SiteLine]
    batch_totals: dict[str, Counter]  # batch code -> site name -> people
    groups: list[ReasonGroup]
    unplaced: int


def overview(run: PlanRun) -> PlanOverview:
    summary = review_summary(run)
    sites = [SiteLine(s["key"], s["name"], s["people"], s["rooms"], s["by_batch"]) for s in summary["sites"]]
    totals: dict[str, Counter] = defaultdict(Counter)
    for s in sites:
        for code, n in s.by_batch.items():
            totals[code][s.name] += n
    groups = reason_groups(summary.get("reasons", []))
    return PlanOverview(run, sites, dict(totals), groups, sum(g.people for g in groups))


def reason_groups(stored: list[dict]) -> list[ReasonGroup]:
    """The stored groups of people left out, with names for the households shown and the gaps of the
    sites that would help: a handful of rows read, however many are left out."""
    if not stored:
        return []
    shown = {key_id(h["person"]) for g in stored for h in g["shown"]}
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(shown)))}
    suggested_ids = {key_id(s) for g in stored for s in g["suggested"]}
    sites = {s.id: s for s in db.session.scalars(select(Site).where(Site.id.in_(suggested_ids)))} \
        if suggested_ids else {}
    gaps = {site_id: readiness_gaps(site) for site_id, site in sites.items()}
    groups = []
    for g in stored:
        reason = StoredReason(g["code"], g["params"], tuple(g["suggested"]))
        households = [HouseholdLine(people[key_id(h["person"])], h["size"]) for h in g["shown"]
                      if key_id(h["person"]) in people]
        helpers = [Helper(sites[key_id(s)], gaps[key_id(s)]) for s in g["suggested"] if key_id(s) in sites]
        groups.append(ReasonGroup(render_reason(reason), g["people"], households, g["household_count"], helpers))
    return groups


# --- one site on demand -----------------------------------------------------------------------

@dataclass
class ReviewRoom:
    key: str
    label: str
    beds: int
    accessible: bool
    people: list[Person]


@dataclass
class ReviewFloor:
    building: str
    floor: int
    rooms: list[ReviewRoom]

    @property
    def people(self) -> int:
        return sum(len(r.people) for r in self.rooms)


def site_floors(run: PlanRun, site: str) -> list[ReviewFloor]:
    """The plan at one site: its floors, rooms and people, read from the plan and that site's rooms only."""
    here = [planner.Assignment(person, site, room) for person, room in site_assignments(run, site)]
    documents = scenario_dict(run, [site])["sites"]
    rooms = {r["id"]: r for d in documents for r in d["rooms"]}
    numbers = dict(db.session.execute(select(Room.id, Room.number).where(
        Room.id.in_({key_id(a.room) for a in here}))).all())
    people = {p.id: p for p in db.session.scalars(select(Person).where(
        Person.id.in_([key_id(a.person) for a in here])))}
    tree: dict[tuple[str, int], dict[str, list[Person]]] = defaultdict(lambda: defaultdict(list))
    for a in here:
        room = rooms[a.room]
        person = people.get(key_id(a.person))
        if person is not None:
            tree[(room["building"], room["floor"])][a.room].append(person)
    floors = []
    for (building, floor), by_room in sorted(tree.items()):
        floors.append(ReviewFloor(building, floor, [
            ReviewRoom(key, f"{building}-{numbers.get(key_id(key), key)}", rooms[key]["beds"],
                       rooms[key].get("accessible", False), sorted(ps, key=lambda p: p.id))
            for key, ps in sorted(by_room.items(), key=lambda kv: str(numbers.get(key_id(kv[0]), kv[0])))]))
    return floors
