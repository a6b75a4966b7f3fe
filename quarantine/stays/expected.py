"""Who is expected at a site: live reservations with their people, batches and rooms, read in a few
queries, and the list the door works from (households, with today's arrivals and no-shows in place)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from quarantine.extensions import db
from quarantine.idnumbers import age_on, mask_id, normalize
from quarantine.localtime import as_utc, local_to_utc, local_today
from quarantine.models import Building, Person, Reservation, Room, Site, Stay, TransferBatch
from quarantine.occupancy import household_key, household_members


def reservation_at(site: Site, reservation_id: int) -> Reservation | None:
    """A live reservation of this site (None for another site's or a handled one)."""
    return db.session.scalar(select(Reservation).join(Room, Room.id == Reservation.room_id)
                             .where(Reservation.id == reservation_id, Room.site_id == site.id,
                                    Reservation.status == "reserved")
                             .options(joinedload(Reservation.person)))


def _day_start(day: date) -> datetime:
    return local_to_utc(datetime.combine(day, time.min))


def arrivals_due(site_ids: Iterable[int], day: date | None = None) -> dict[int, int]:
    """People expected at each site by the end of `day` (today): live reservations of batches due
    that day, late ones, and those whose batch has no expected time. One query for any number of sites."""
    ids = list(site_ids)
    if not ids:
        return {}
    end = _day_start((day or local_today()) + timedelta(days=1))
    rows = db.session.execute(
        select(Room.site_id, func.count(Reservation.id)).join(Room, Room.id == Reservation.room_id)
        .join(Person, Person.id == Reservation.person_id).outerjoin(TransferBatch, TransferBatch.id == Person.batch_id)
        .where(Room.site_id.in_(ids), Reservation.status == "reserved",
               or_(TransferBatch.expected_arrival.is_(None), TransferBatch.expected_arrival < end))
        .group_by(Room.site_id)).all()
    return {site_id: n for site_id, n in rows}


# --- the list at the door -------------------------------------------------------------------------

@dataclass(frozen=True)
class DoorRow:
    """One person at the door, as plain values (a busload is listed without loading ORM objects)."""

    reservation_id: int
    status: str  # reserved, checked_in, no_show
    handled_at: datetime | None
    person_id: int
    name: str
    id_number: str
    sex: str | None
    age: int | None
    room_id: int
    room_label: str
    batch_code: str
    expected_at: datetime | None
    stay_room: str | None  # where they were checked in, when it is not the reserved room

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)

    @property
    def id_tail(self) -> str:
        return self.id_number[-4:]

    @property
    def live(self) -> bool:
        return self.status == "reserved"


@dataclass
class DoorHousehold:
    key: str
    code: str
    rows: list[DoorRow] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "hh-" + "".join(c if c.isalnum() else "-" for c in self.key)

    @property
    def live(self) -> list[DoorRow]:
        return [r for r in self.rows if r.live]

    @property
    def rooms(self) -> list[str]:
        return list(dict.fromkeys(r.room_label for r in self.rows))


@dataclass
class DoorList:
    households: list[DoorHousehold]
    expected: int  # still to come (all of them, not only those the search shows)
    checked_in_today: int
    no_show_today: int
    query: str = ""

    @property
    def shown(self) -> int:
        return sum(len(h.rows) for h in self.households)


def door_list(site: Site, query: str = "", today: date | None = None) -> DoorList:
    """Everyone still expected at the site and everyone checked in or recorded as not arrived
    today, by household, in order of the batch's expected arrival and then room; `query` (a whole ID
    number, its last digits or part of a name) keeps the households with someone matching."""
    today = today or local_today()
    since = _day_start(today)
    stay_room = (select(Building.code + "-" + Room.number).select_from(Stay)
                 .join(Room, Room.id == Stay.room_id).join(Building, Building.id == Room.building_id)
                 .where(Stay.person_id == Person.id, Stay.check_out_at.is_(None)).limit(1).scalar_subquery())
    rows = db.session.execute(
        select(Reservation.id, Reservation.status, Reservation.updated_at, Person.id.label("person_id"), Person.name,
               Person.id_number, Person.sex, Person.birth_date, Person.batch_id, Person.household, Room.id.label("room_id"),
               Building.code, Room.number, TransferBatch.code.label("batch_code"), TransferBatch.expected_arrival,
               stay_room.label("stay_room"))
        .join(Room, Room.id == Reservation.room_id).join(Building, Building.id == Room.building_id)
        .join(Person, Person.id == Reservation.person_id).outerjoin(TransferBatch, TransferBatch.id == Person.batch_id)
        .where(Room.site_id == site.id,
               or_(Reservation.status == "reserved", Reservation.updated_at >= since))
        .order_by(TransferBatch.expected_arrival.is_(None), TransferBatch.expected_arrival, Building.code, Room.floor, Room.number, Person.birth_date,
                  Person.id)).all()
    households: dict[str, DoorHousehold] = {}
    counts = {"reserved": 0, "checked_in": 0, "no_show": 0}
    for r in rows:
        label = f"{r.code}-{r.number}"
        row = DoorRow(r.id, r.status, r.updated_at if r.status != "reserved" else None, r.person_id, r.name,
                      r.id_number, r.sex, age_on(r.birth_date, today) if r.birth_date else None, r.room_id, label,
                      r.batch_code or "", as_utc(r.expected_arrival) if r.expected_arrival else None,
                      r.stay_room if r.stay_room and r.stay_room != label else None)
        counts[r.status] = counts.get(r.status, 0) + 1
        key = household_key(r.person_id, r.batch_id, r.household)
        households.setdefault(key, DoorHousehold(key, r.household)).rows.append(row)
    found = list(households.values())
    wanted = normalize(query)[:40] if query.strip() else ""
    if wanted:
        found = [h for h in found if any(_matches(row, wanted, query.strip()) for row in h.rows)]
    return DoorList(found, counts["reserved"], counts["checked_in"], counts["no_show"], query.strip())


def _matches(row: DoorRow, wanted: str, typed: str) -> bool:
    """A whole ID number or its last digits (at least 4), or part of the name."""
    if len(wanted) >= 4 and wanted.isalnum() and (row.id_number == wanted or row.id_number.endswith(wanted)):
        return True
    return typed in row.name


def household_reservations(site: Site, key: str) -> list[int]:
    """The live reservations at this site of one household (its key as on the door list,
    ``occupancy.household_key``), in the list's order: one query, not the whole door list."""
    members = household_members(key)
    if members is None:
        return []
    query = (select(Reservation.id).join(Room, Room.id == Reservation.room_id)
             .join(Building, Building.id == Room.building_id).join(Person, Person.id == Reservation.person_id)
             .where(Room.site_id == site.id, Reservation.status == "reserved", members))
    return list(db.session.scalars(query.order_by(Building.code, Room.floor, Room.number, Person.birth_date,
                                                  Person.id)))
