"""The live database as a planner scenario, and planner ids back to database rows.

Ids in the exchange format: sites "S<id>", rooms "R<id>", people "P<id>", batches by
their code. Everything is read in a handful of set-based queries so that a city with
45,000 rooms loads in about a second.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import planner
from quarantine.extensions import db
from quarantine.idnumbers import age_on
from quarantine.localtime import local_today
from quarantine.models import Building, Person, Reservation, Room, Site, Stay, TransferBatch, person_needs
from quarantine.occupancy import holders_query, household_key
from quarantine.staff.services import effective_capacity_limits

NO_BATCH = "none"


def site_key(site_id: int) -> str:
    return f"S{site_id}"


def room_key(room_id: int) -> str:
    return f"R{room_id}"


def person_key(person_id: int) -> str:
    return f"P{person_id}"


def key_id(key: str) -> int:
    """'R123' -> 123."""
    return int(key[1:])


def household_of(person: Person) -> str:
    """The planner's household id: the sheet's household code within its batch (any row with id,
    batch_id and household will do)."""
    return household_key(person.id, person.batch_id, person.household)


def _fallback_location(sites: list[Site]) -> planner.Location:
    located = [s for s in sites if s.lat is not None]
    if not located:
        return planner.Location(0.0, 0.0)
    return planner.Location(sum(s.lat for s in located) / len(located), sum(s.lon for s in located) / len(located))


def _pending_filter(batch_ids: list[int]):
    reserved = select(Reservation.person_id).where(Reservation.status == "reserved")
    staying = select(Stay.person_id).where(Stay.check_out_at.is_(None))
    return (Person.batch_id.in_(batch_ids), Person.status == "expected",
            Person.id.not_in(reserved), Person.id.not_in(staying))


def pending_count(batch_ids: list[int]) -> int:
    return db.session.scalar(select(func.count(Person.id)).where(*_pending_filter(batch_ids))) or 0


def waiting_by_batch(batch_ids: list[int]) -> dict[int, int]:
    """People still without a bed, per batch, in one query."""
    if not batch_ids:
        return {}
    return dict(db.session.execute(select(Person.batch_id, func.count(Person.id)).where(*_pending_filter(batch_ids))
                                   .group_by(Person.batch_id)).all())


@dataclass(frozen=True)
class BatchProgress:
    """Where a batch's people stand: still waiting for a bed, a bed reserved, checked in, or gone."""

    total: int = 0
    waiting: int = 0
    reserved: int = 0
    checked_in: int = 0

    @property
    def left(self) -> int:
        """Released, transferred out or did not arrive."""
        return self.total - self.waiting - self.reserved - self.checked_in


def batch_progress(batch_ids: list[int]) -> dict[int, BatchProgress]:
    """For many batches in three grouped queries (the batch list, the home page)."""
    if not batch_ids:
        return {}
    totals = dict(db.session.execute(select(Person.batch_id, func.count(Person.id))
                                     .where(Person.batch_id.in_(batch_ids)).group_by(Person.batch_id)).all())
    waiting = waiting_by_batch(batch_ids)
    reserved = dict(db.session.execute(
        select(Person.batch_id, func.count(Reservation.id)).join(Reservation, Reservation.person_id == Person.id)
        .where(Person.batch_id.in_(batch_ids), Reservation.status == "reserved").group_by(Person.batch_id)).all())
    checked_in = dict(db.session.execute(
        select(Person.batch_id, func.count(Stay.id)).join(Stay, Stay.person_id == Person.id)
        .where(Person.batch_id.in_(batch_ids), Stay.check_out_at.is_(None)).group_by(Person.batch_id)).all())
    return {b: BatchProgress(totals.get(b, 0), waiting.get(b, 0), reserved.get(b, 0), checked_in.get(b, 0))
            for b in batch_ids}


def pending_people(batch_ids: list[int]) -> list[Person]:
    """People of the batches who are expected and hold no bed yet."""
    return list(db.session.scalars(
        select(Person).where(*_pending_filter(batch_ids))
        .options(selectinload(Person.needs)).order_by(Person.batch_id, Person.household, Person.id)))


def _pending_rows(batch_ids: list[int]) -> tuple[list, dict[int, list[str]]]:
    """The same people as plain rows, and their needs: 10,000 ORM objects would cost most of a second."""
    rows = db.session.execute(
        select(Person.id, Person.batch_id, Person.household, Person.category_code, Person.sex, Person.birth_date,
               Person.diet_code).where(*_pending_filter(batch_ids))
        .order_by(Person.batch_id, Person.household, Person.id)).all()
    needs: dict[int, list[str]] = defaultdict(list)
    for person_id, code in db.session.execute(
            select(person_needs.c.person_id, person_needs.c.need_code)
            .join(Person, Person.id == person_needs.c.person_id).where(*_pending_filter(batch_ids))):
        needs[person_id].append(code)
    return rows, needs


@dataclass(frozen=True)
class LiveSites:
    """The sites as the planner sees them now, with the database rows they came from."""

    sites: tuple[planner.Site, ...]
    rows: dict[str, Site]
    fallback: planner.Location


def live_sites() -> LiveSites:
    """Every site not closed, with its rooms, the people holding beds and its capacity limit."""
    sites = list(db.session.scalars(select(Site).where(Site.status != "closed").order_by(Site.id)))
    fallback = _fallback_location(sites)
    buildings = {b.id: b.code for b in db.session.scalars(select(Building))}
    # Plain rows, not ORM objects: a city has ~45,000 rooms and building objects for them costs seconds.
    rooms_by_site: dict[int, list] = defaultdict(list)
    for room in db.session.execute(
            select(Room.id, Room.site_id, Room.building_id, Room.floor, Room.beds, Room.accessible, Room.status)
            .order_by(Room.site_id, Room.building_id, Room.floor, Room.number)):
        rooms_by_site[room.site_id].append(room)
    batch_codes = dict(db.session.execute(select(TransferBatch.id, TransferBatch.code)).all())
    occupants = _occupants_by_room(batch_codes)
    # The limit the planner respects: the manual limit, lowered to what the staff on duty can care for.
    limits = effective_capacity_limits(sites, local_today())
    planner_sites = []
    for site in sites:
        rooms = tuple(planner.Room(id=room_key(room.id), building=buildings[room.building_id], floor=room.floor,
                                   beds=room.beds, accessible=room.accessible, status=room.status,
                                   occupants=occupants.get(room.id, ()))
                      for room in rooms_by_site.get(site.id, []))
        location = planner.Location(site.lat, site.lon) if site.lat is not None else fallback
        planner_sites.append(planner.Site(id=site_key(site.id), name=site.name, kind=site.kind,
                                          ready=site.receiving, location=location,
                                          capacity_limit=limits[site.id], rooms=rooms))
    return LiveSites(tuple(planner_sites), {site_key(s.id): s for s in sites}, fallback)


def build_scenario(batches: list[TransferBatch], name: str = "live") -> planner.Scenario:
    live = live_sites()
    people, needs = _pending_rows([b.id for b in batches])
    by_batch: dict[int, list] = defaultdict(list)
    for person in people:
        by_batch[person.batch_id].append(person)
    planner_batches = []
    for batch in batches:
        arrival = (batch.expected_arrival or datetime.now(timezone.utc)).date()
        location = (planner.Location(batch.origin_lat, batch.origin_lon) if batch.origin_lat is not None
                    else live.fallback)
        planner_batches.append(planner.Batch(id=batch.code, origin=batch.origin, location=location, people=tuple(
            planner.Person(id=person_key(p.id), household=household_of(p), category=p.category_code,
                           sex=p.sex or "", age=_age(p.birth_date, arrival), needs=tuple(sorted(needs.get(p.id, ()))),
                           diet=p.diet_code)
            for p in by_batch.get(batch.id, []))))
    return planner.Scenario(name=name, sites=live.sites, batches=tuple(planner_batches))


def _occupants_by_room(batch_codes: dict[int, str]) -> dict[int, tuple[planner.Occupant, ...]]:
    """Who holds beds in occupied rooms (checked in or reserved), as the planner sees them."""
    holders = holders_query()
    rows = db.session.execute(
        select(holders.c.room_id, Person.id, Person.category_code, Person.batch_id, Person.household)
        .join(Person, Person.id == holders.c.person_id).join(Room, Room.id == holders.c.room_id)
        .where(Room.status == "occupied"))
    result: dict[int, list[planner.Occupant]] = defaultdict(list)
    for row in rows:
        result[row.room_id].append(planner.Occupant(category=row.category_code,
                                                    batch=batch_codes.get(row.batch_id, NO_BATCH),
                                                    household=household_of(row)))
    return {room_id: tuple(occ) for room_id, occ in result.items()}


def _age(birth: date | None, on: date) -> int | None:
    return age_on(birth, on) if birth else None


def pending_batches() -> list[TransferBatch]:
    """Batches with people still waiting for a room."""
    return list(db.session.scalars(select(TransferBatch).where(
        TransferBatch.status.in_(("announced", "planned", "committed"))).order_by(TransferBatch.created_at)))
