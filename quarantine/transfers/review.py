"""A plan laid out for review: a summary per site (stored with the plan), one site's floors and rooms on
demand, and the people left out grouped by reason with what would help.

Nothing here re-reads the whole scenario or re-checks the whole plan: a plan is checked when the
worker stores it, when a file is loaded and at every hand move.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from quarantine.extensions import db
from quarantine.models import Person, PlanRun, Room, Site
from quarantine.sites.services import Gap, readiness_gaps
from quarantine.transfers.plan_store import StoredReason, plan_of, reasons_of, review_summary, scenario_dict
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


@dataclass
class ReasonGroup:
    """People left out for the same reason: one line, its households and the sites that would help."""

    text: str
    people: int = 0
    households: list[list[Person]] = field(default_factory=list)
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
    groups = reason_groups(reasons_of(run))
    return PlanOverview(run, sites, dict(totals), groups, sum(g.people for g in groups))


def reason_groups(reasons: dict[str, StoredReason]) -> list[ReasonGroup]:
    if not reasons:
        return []
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(
        [key_id(k) for k in reasons])))}
    suggested_ids = {key_id(s) for r in reasons.values() for s in r.suggested_sites}
    sites = {s.id: s for s in db.session.scalars(select(Site).where(Site.id.in_(suggested_ids)))} \
        if suggested_ids else {}
    gaps = {site_id: readiness_gaps(site) for site_id, site in sites.items()}
    groups: dict[tuple, ReasonGroup] = {}
    households: dict[tuple, dict[str, list[Person]]] = defaultdict(lambda: defaultdict(list))
    for person_key, reason in reasons.items():
        person = people.get(key_id(person_key))
        if person is None:
            continue
        key = (reason.code, tuple(sorted(reason.params.items())), reason.suggested_sites)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ReasonGroup(render_reason(reason), suggested=[
                Helper(sites[key_id(s)], gaps[key_id(s)]) for s in reason.suggested_sites if key_id(s) in sites])
        group.people += 1
        households[key][f"{person.batch_id}:{person.household or person.id}"].append(person)
    for key, group in groups.items():
        group.households = sorted(households[key].values(), key=lambda members: members[0].name)
    return sorted(groups.values(), key=lambda g: -g.people)


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
    plan = plan_of(run)
    here = [a for a in plan.assignments if a.site == site]
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
