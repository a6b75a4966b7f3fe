"""A person's stay from the bed reserved for them to check-out: arrival, check-in, moves, check-out.

Every change goes through quarantine.stays.beds (the counter) and quarantine.stays.placement
(the planner's rules), under row locks on the rooms involved, taken in id order so two
concurrent changes cannot deadlock. Each public function is one user action and commits.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import status_label
from quarantine.localtime import as_utc
from quarantine.models import CURRENT_STATUSES, Person, Reservation, Room, Site, Stay, User
from quarantine.occupancy import lock_room
from quarantine.people.services import apply_release_date
from quarantine.selfreport.links import revoke_for
from quarantine.stays import beds
from quarantine.stays.placement import Newcomer, left_behind_problems, placement_problems, site_state

STAY_ENDINGS = ("released", "transferred_out")


def lock_rooms(*room_ids: int) -> dict[int, Room]:
    return {room_id: lock_room(room_id) for room_id in sorted(set(room_ids))}


def refuse(problems: list[str]) -> None:
    if problems:
        db.session.rollback()
        raise DomainError(" ".join(dict.fromkeys(problems)))  # one line per distinct problem


def live_reservation(person: Person) -> Reservation | None:
    return db.session.scalar(select(Reservation).where(Reservation.person_id == person.id,
                                                       Reservation.status == "reserved"))


def start_stay(person: Person, room_id: int, user: User, when: datetime, *, arriving: bool) -> Stay:
    """Open a stay; an arrival (or a first check-in) starts the quarantine clock."""
    stay = Stay(person=person, room_id=room_id, check_in_at=when, checked_in_by_id=user.id)
    db.session.add(stay)
    person.status = "in_quarantine"
    if arriving or person.arrival_at is None:
        person.arrival_at = when
        apply_release_date(person)
    return stay


# --- arrival and check-in ------------------------------------------------------------------------

def check_in(person: Person, room_id: int, user: User, when: datetime | None = None) -> Stay:
    """Check a person in by hand. Someone with a reserved bed arrives through their reservation."""
    reservation = live_reservation(person)
    if reservation is not None:
        room = db.session.get(Room, room_id)
        site = db.session.get(Site, room.site_id) if room else None
        if site is None:
            raise DomainError(_("No such room."))
        arrived_in_other_room(site, reservation.id, room_id, user, when)
        return person.current_stay
    if person.current_stay is not None:
        raise DomainError(_("%(name)s is already in room %(room)s; use move instead.",
                            name=person.name, room=person.current_stay.room.label))
    if person.status not in CURRENT_STATUSES:
        raise DomainError(_("%(name)s is no longer in quarantine.", name=person.name))
    room = lock_rooms(room_id)[room_id]
    refuse(placement_problems([person], room))
    stay = start_stay(person, room.id, user, when or datetime.now(timezone.utc), arriving=False)
    beds.occupy(room)
    person.site_id = room.site_id
    db.session.commit()
    return stay


def _live(reservation_id: int, site: Site) -> Reservation:
    reservation = db.session.get(Reservation, reservation_id)
    if reservation is None or reservation.room.site_id != site.id:
        raise DomainError(_("No such expected arrival at this site."))
    if reservation.status != "reserved":
        raise DomainError(handled_message(reservation))
    return reservation


def handled_message(reservation: Reservation) -> str:
    """Why a reservation can no longer be acted on (someone at the door was quicker)."""
    name = reservation.person.name
    if reservation.status == "checked_in":
        return _("%(name)s has already been checked in.", name=name)
    if reservation.status == "no_show":
        return _("%(name)s has already been recorded as not arrived.", name=name)
    return _("%(name)s has already been handled.", name=name)


def _live_locked(reservation_id: int, site: Site, *other_rooms: int) -> tuple[Reservation, dict[int, Room]]:
    """The live reservation and its rooms under row locks, the reservation read again after the
    locks: a second person at the door acting on the same reservation waits, then is told."""
    reservation = _live(reservation_id, site)
    rooms = lock_rooms(reservation.room_id, *other_rooms)
    db.session.refresh(reservation)
    if reservation.status != "reserved":
        message = handled_message(reservation)
        db.session.rollback()
        raise DomainError(message)
    return reservation, rooms


def arrived(site: Site, reservation_id: int, user: User, when: datetime | None = None) -> Person:
    """The person is in the reserved room: the reservation becomes a stay."""
    reservation, rooms = _live_locked(reservation_id, site)
    room = rooms[reservation.room_id]
    start_stay(reservation.person, room.id, user, when or datetime.now(timezone.utc), arriving=True)
    beds.occupy_reserved(room)
    reservation.status = "checked_in"
    db.session.commit()
    return reservation.person


def arrived_in_other_room(site: Site, reservation_id: int, room_id: int, user: User,
                          when: datetime | None = None) -> Person:
    """Check in to another room of the site than the one reserved, with the placement rules checked."""
    reservation = _live(reservation_id, site)
    if room_id == reservation.room_id:
        return arrived(site, reservation_id, user, when)
    reservation, rooms = _live_locked(reservation_id, site, room_id)
    target = rooms[room_id]
    if target.site_id != site.id:
        db.session.rollback()
        raise DomainError(_("Choose a room of this site."))
    person = reservation.person
    refuse(placement_problems([person], target))
    beds.give_back_reserved(rooms[reservation.room_id], user, _("checked in elsewhere: %(name)s", name=person.name))
    beds.occupy(target)
    start_stay(person, target.id, user, when or datetime.now(timezone.utc), arriving=True)
    reservation.status = "checked_in"
    db.session.commit()
    return person


def did_not_arrive(site: Site, reservation_id: int, user: User) -> Person:
    """Free the reserved bed; nobody slept there, so the room needs no terminal disinfection."""
    reservation, rooms = _live_locked(reservation_id, site)
    room = rooms[reservation.room_id]
    person = reservation.person
    beds.give_back_reserved(room, user, _("did not arrive: %(name)s", name=person.name))
    reservation.status = "no_show"
    person.status, person.site_id = "no_show", None
    db.session.commit()
    return person


# --- moves and check-out -------------------------------------------------------------------------

def move(person: Person, room_id: int, user: User, note: str = "") -> Stay:
    """Move a checked-in person to another room; the rules are checked for both rooms."""
    current = person.current_stay
    if current is None:
        raise DomainError(_("%(name)s has no room to move from; check them in instead.", name=person.name))
    if current.room_id == room_id:
        raise DomainError(_("%(name)s is already in that room.", name=person.name))
    rooms = lock_rooms(room_id, current.room_id)
    room, old = rooms[room_id], rooms[current.room_id]
    problems = placement_problems([person], room)
    left = site_state(db.session.get(Site, old.site_id), [(old.building_id, old.floor)], [])
    problems += left_behind_problems(left, [Newcomer.of(person, left.today)], old.id, old.label)
    refuse(problems)
    now = datetime.now(timezone.utc)
    current.check_out_at, current.end_reason, current.note = now, "moved", note
    beds.vacate(old, user, _("moved out: %(name)s", name=person.name))
    stay = Stay(person=person, room_id=room.id, check_in_at=now, checked_in_by_id=user.id)
    db.session.add(stay)
    beds.occupy(room)
    person.site_id = room.site_id
    db.session.commit()
    return stay


def end_stay(person: Person, reason: str, note: str = "", when: datetime | None = None,
             user: User | None = None, *, revoke_link: bool = True) -> None:
    """End the current stay (released or transferred out) without committing, for actions that end
    several stays in one transaction (a floor released together, a positive case and its neighbours).
    ``revoke_link=False``: the caller revokes the self-report links of all it ends in one statement."""
    if reason not in STAY_ENDINGS:
        raise DomainError(_("Choose released or transferred out."))
    current = person.current_stay
    if current is None:
        raise DomainError(_("%(name)s is not checked in.", name=person.name))
    when = when or datetime.now(timezone.utc)
    if when < as_utc(current.check_in_at):
        raise DomainError(_("Check-out cannot be before check-in (%(at)s).", at=current.check_in_at))
    current.check_out_at, current.end_reason, current.note = when, reason, note
    beds.vacate(lock_room(current.room_id), user, f"{status_label(reason)}: {person.name}")
    person.status = reason
    if revoke_link:
        revoke_for([person.id])  # the self-report link on the door card ends with the stay


def check_out(person: Person, reason: str, user: User, note: str = "", when: datetime | None = None) -> None:
    """End the stay; an emptied room goes to terminal disinfection."""
    end_stay(person, reason, note, when, user)
    db.session.commit()
