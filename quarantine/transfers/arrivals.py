"""Receiving a committed plan at the site: arrived, did not arrive, or placed elsewhere."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import Person, Reservation, Room, Site, Stay, User
from quarantine.occupancy import lock_room
from quarantine.people.services import apply_release_date, placement_problems, take_bed


def expected_arrivals(site: Site) -> list[Reservation]:
    return list(db.session.scalars(
        select(Reservation).join(Room, Room.id == Reservation.room_id)
        .where(Room.site_id == site.id, Reservation.status == "reserved")
        .options(selectinload(Reservation.person).selectinload(Person.batch), selectinload(Reservation.room))
        .order_by(Room.building_id, Room.floor, Room.number)))


def _live(reservation_id: int, site: Site) -> Reservation:
    reservation = db.session.get(Reservation, reservation_id)
    if reservation is None or reservation.room.site_id != site.id:
        raise DomainError(_("No such expected arrival at this site."))
    if reservation.status != "reserved":
        raise DomainError(_("%(name)s has already been handled.", name=reservation.person.name))
    return reservation


def _give_back_reserved_bed(room_id: int) -> None:
    """Nobody slept in a reserved bed, so an emptied room is available at once (no terminal disinfection)."""
    room = lock_room(room_id)
    room.occupants -= 1
    if room.occupants == 0:
        room.status = "available"


def _start_stay(person: Person, room_id: int, user: User, when: datetime) -> None:
    db.session.add(Stay(person=person, room_id=room_id, check_in_at=when, checked_in_by_id=user.id))
    person.status = "in_quarantine"
    person.arrival_at = when
    apply_release_date(person)


def arrived(site: Site, reservation_id: int, user: User, when: datetime | None = None) -> Person:
    """The person is in the reserved room: the reservation becomes a stay."""
    reservation = _live(reservation_id, site)
    when = when or datetime.now(timezone.utc)
    _start_stay(reservation.person, reservation.room_id, user, when)
    reservation.status = "checked_in"
    db.session.commit()
    return reservation.person


def did_not_arrive(site: Site, reservation_id: int, user: User) -> Person:
    """Free the bed; nobody slept there, so the room needs no terminal disinfection."""
    reservation = _live(reservation_id, site)
    _give_back_reserved_bed(reservation.room_id)
    reservation.status = "no_show"
    person = reservation.person
    person.status, person.site_id = "no_show", None
    db.session.commit()
    return person


def arrived_in_other_room(site: Site, reservation_id: int, room_id: int, user: User,
                          when: datetime | None = None) -> Person:
    """Check in to another room of the site, with the placement rules checked again."""
    reservation = _live(reservation_id, site)
    target = lock_room(room_id)
    if target.site_id != site.id:
        raise DomainError(_("Choose a room of this site."))
    if target.id == reservation.room_id:
        return arrived(site, reservation_id, user, when)
    person = reservation.person
    problems = placement_problems(person, target)
    if problems:
        db.session.rollback()
        raise DomainError(" ".join(problems))
    _give_back_reserved_bed(reservation.room_id)
    take_bed(target)
    _start_stay(person, target.id, user, when or datetime.now(timezone.utc))
    reservation.status = "checked_in"
    db.session.commit()
    return person
