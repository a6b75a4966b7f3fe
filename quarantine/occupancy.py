"""Who holds a bed where: people checked in (open stays) and people expected (live reservations).

Placement rules, the planner's input and the floor grid all need the same answer.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import func, select, union_all

from quarantine.extensions import db
from quarantine.models import CURRENT_STATUSES, Person, Reservation, Room, Stay


def holders_query():
    """(room_id, person_id) of every bed held: open stays and live reservations."""
    stays = select(Stay.room_id.label("room_id"), Stay.person_id.label("person_id")).where(Stay.check_out_at.is_(None))
    reserved = select(Reservation.room_id.label("room_id"), Reservation.person_id.label("person_id")).where(
        Reservation.status == "reserved")
    return union_all(stays, reserved).subquery()


def holders_by_room(room_filter) -> dict[int, list[Person]]:
    """People holding beds in the rooms selected by `room_filter` (a WHERE clause on Room)."""
    holders = holders_query()
    rows = db.session.execute(
        select(holders.c.room_id, Person).join(Person, Person.id == holders.c.person_id)
        .join(Room, Room.id == holders.c.room_id).where(room_filter)).all()
    result: dict[int, list[Person]] = defaultdict(list)
    for room_id, person in rows:
        result[room_id].append(person)
    return result


def lock_room(room_id: int) -> Room:
    """The room re-read under a row lock (PostgreSQL), so a concurrent check-in, commit or status
    change cannot slip in between; populate_existing refreshes a copy the session already holds."""
    return db.session.scalars(select(Room).where(Room.id == room_id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def holders_in_rooms(room_ids: Iterable[int]) -> dict[int, list[Person]]:
    ids = list(room_ids)
    return holders_by_room(Room.id.in_(ids)) if ids else {}


def expected_arrival_count(site) -> int:
    """Live reservations at a site: people on their way who have not been checked in."""
    return db.session.scalar(select(func.count(Reservation.id)).join(Room, Room.id == Reservation.room_id)
                             .where(Room.site_id == site.id, Reservation.status == "reserved")) or 0


def current_residents(site_id: int) -> int:
    """People at the site now or on their way (expected with a reserved bed, or checked in)."""
    return db.session.scalar(select(func.count(Person.id)).where(
        Person.site_id == site_id, Person.status.in_(CURRENT_STATUSES))) or 0
