"""Who holds a bed where: people checked in (open stays) and people expected (live reservations).

The read side of beds: placement rules, the planner's input, room grids and commit checks all
ask the same question. The room filter is applied inside both halves of the union, so a query
about one floor or one site reads only that floor's or site's stays and reservations (through
the partial indexes on open stays and live reservations), never all of them.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Integer,
    Subquery,
    and_,
    column,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
    values,
)

from quarantine.extensions import db
from quarantine.models import CURRENT_STATUSES, Person, Reservation, Room, Stay


def on_floors(floors: Iterable[tuple[int, int]]) -> ColumnElement[bool]:
    """Rooms on these (building id, floor) pairs.

    PostgreSQL checks a long list of row values pair by pair against every room (6 s for 4,000
    floors among 170,000 rooms); a VALUES list it joins with a hash instead. SQLite takes the
    plain list well and cannot name the columns of a VALUES list.
    """
    pairs = sorted(set(floors))
    target = tuple_(Room.building_id, Room.floor)
    if db.engine.dialect.name != "postgresql" or not pairs:
        return target.in_(pairs)
    wanted = values(column("building_id", Integer), column("floor", Integer), name="wanted_floors").data(pairs)
    return target.in_(select(wanted.c.building_id, wanted.c.floor))


def holders_query(room_filter: ColumnElement[bool] | None = None) -> Subquery:
    """(room_id, person_id, reserved) of every bed held in the rooms `room_filter` selects (all rooms if None)."""
    stays = (select(Stay.room_id.label("room_id"), Stay.person_id.label("person_id"),
                    literal(False).label("reserved"))
             .where(Stay.check_out_at.is_(None)))
    reservations = (select(Reservation.room_id.label("room_id"), Reservation.person_id.label("person_id"),
                           literal(True).label("reserved"))
                    .where(Reservation.status == "reserved"))
    if room_filter is not None:
        stays = stays.join(Room, Room.id == Stay.room_id).where(room_filter)
        reservations = reservations.join(Room, Room.id == Reservation.room_id).where(room_filter)
    return union_all(stays, reservations).subquery()


@dataclass(frozen=True)
class Holder:
    """One person holding a bed, with what the placement rules compare."""

    person_id: int
    name: str
    room_id: int
    site_id: int
    building_id: int
    floor: int
    reserved: bool
    household: str
    category: str
    batch_id: int | None
    birth_date: date | None

    @property
    def floor_key(self) -> tuple[int, int, int]:
        return (self.site_id, self.building_id, self.floor)


def household_key(person_id: int, batch_id: int | None, household: str) -> str:
    """Household codes come from each sending county's sheet, so they are only unique within a batch;
    someone without one is a household of their own."""
    if not household:
        return f"single-{person_id}"
    return f"{batch_id or 0}:{household}"


def household_members(key: str) -> ColumnElement[bool] | None:
    """The people a ``household_key`` names, as a filter on Person; None for a key it cannot make."""
    if key.startswith("single-"):
        person_id = key.removeprefix("single-")
        if not person_id.isdigit():
            return None
        return and_(Person.id == int(person_id), or_(Person.household.is_(None), Person.household == ""))
    batch, colon, household = key.partition(":")
    if not colon or not batch.isdigit() or not household:
        return None
    return and_(Person.batch_id.is_(None) if batch == "0" else Person.batch_id == int(batch),
                Person.household == household)


def holders(room_filter: ColumnElement[bool] | None = None,
            person_filter: ColumnElement[bool] | None = None) -> list[Holder]:
    """Everyone holding a bed in the selected rooms (and, optionally, only the selected people)."""
    held = holders_query(room_filter)
    query = (select(held.c.room_id, held.c.reserved, Room.site_id, Room.building_id, Room.floor, Person.id,
                    Person.name, Person.household, Person.category_code, Person.batch_id, Person.birth_date)
             .join(Person, Person.id == held.c.person_id).join(Room, Room.id == held.c.room_id))
    if person_filter is not None:
        query = query.where(person_filter)
    return [Holder(person_id=r.id, name=r.name, room_id=r.room_id, site_id=r.site_id, building_id=r.building_id,
                   floor=r.floor, reserved=bool(r.reserved), household=household_key(r.id, r.batch_id, r.household),
                   category=r.category_code, batch_id=r.batch_id, birth_date=r.birth_date)
            for r in db.session.execute(query)]


def holders_by_room(room_filter: ColumnElement[bool]) -> dict[int, list[Person]]:
    """People (ORM objects) holding beds in the rooms selected by `room_filter`."""
    held = holders_query(room_filter)
    rows = db.session.execute(select(held.c.room_id, Person).join(Person, Person.id == held.c.person_id)).all()
    result: dict[int, list[Person]] = defaultdict(list)
    for room_id, person in rows:
        result[room_id].append(person)
    return result


def holders_in_rooms(room_ids: Iterable[int]) -> dict[int, list[Person]]:
    ids = list(room_ids)
    return holders_by_room(Room.id.in_(ids)) if ids else {}


def lock_room(room_id: int) -> Room:
    """The room re-read under a row lock (PostgreSQL), so a concurrent check-in, commit or status
    change cannot slip in between; populate_existing refreshes a copy the session already holds."""
    return db.session.scalars(select(Room).where(Room.id == room_id).with_for_update(of=Room)
                              .execution_options(populate_existing=True)).one()


def held_at_site(site_id: int) -> int:
    """Beds held at a site (checked in and reserved), from the rooms' counters."""
    return db.session.scalar(select(func.coalesce(func.sum(Room.occupants + Room.reserved), 0))
                             .where(Room.site_id == site_id)) or 0


def expected_arrival_count(site) -> int:
    """Live reservations at a site: people on their way who have not been checked in."""
    return db.session.scalar(select(func.coalesce(func.sum(Room.reserved), 0)).where(Room.site_id == site.id)) or 0


def current_residents(site_id: int) -> int:
    """People at the site now or on their way (expected with a reserved bed, or checked in)."""
    return db.session.scalar(select(func.count(Person.id)).where(
        Person.site_id == site_id, Person.status.in_(CURRENT_STATUSES))) or 0
