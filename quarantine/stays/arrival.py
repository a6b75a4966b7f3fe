"""Arrivals at the door: many people (a household, a busload) checked in with one confirmation,
and a no-show undone the same day while the bed is still free.

Both are all-or-nothing: every room involved is locked (in id order, as everywhere in
quarantine.stays), the reservations are read again under those locks, and one refusal names
every problem. Two staff checking in the same household at once: the second waits for the
first, then is told who has already been checked in.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from planner import rules
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.idnumbers import age_on
from quarantine.localtime import local_day, local_today
from quarantine.models import CURRENT_STATUSES, Person, Reservation, Room, Site, Stay, User
from quarantine.occupancy import household_key
from quarantine.stays import beds
from quarantine.stays.lifecycle import handled_message, lock_rooms, refuse, start_stay
from quarantine.stays.placement import PLACEMENT_POLICY, placement_problems


def _locked_reservations(site: Site, reservation_ids: Sequence[int]) -> tuple[list[Reservation], dict[int, Room]]:
    """The reservations of this site and their rooms, the reservations read again after the rooms are locked."""
    ids = sorted(set(reservation_ids))
    room_ids = dict(db.session.execute(select(Reservation.id, Reservation.room_id).join(Room, Room.id == Reservation.room_id)
                                       .where(Reservation.id.in_(ids), Room.site_id == site.id)).all())
    if len(room_ids) != len(ids):
        db.session.rollback()
        raise DomainError(_("No such expected arrival at this site."))
    rooms = lock_rooms(*room_ids.values())
    reservations = list(db.session.scalars(
        select(Reservation).where(Reservation.id.in_(ids)).order_by(Reservation.id)
        .options(selectinload(Reservation.person)).execution_options(populate_existing=True)))
    return reservations, rooms


def _ages_checked_in(room_ids: set[int]) -> dict[tuple[int, str], list[int | None]]:
    """(room, household) -> ages of that household's members checked in there now."""
    if not room_ids:
        return {}
    today = local_today()
    found: dict[tuple[int, str], list[int | None]] = defaultdict(list)
    for room_id, person_id, batch_id, household, born in db.session.execute(
            select(Stay.room_id, Person.id, Person.batch_id, Person.household, Person.birth_date)
            .join(Person, Person.id == Stay.person_id)
            .where(Stay.room_id.in_(room_ids), Stay.check_out_at.is_(None))):
        found[(room_id, household_key(person_id, batch_id, household))].append(age_on(born, today) if born else None)
    return found


def _children_alone(reservations: list[Reservation]) -> list[str]:
    """Rule 7 at the door: a child comes in with an adult of their household, or joins one in the room."""
    today = local_today()

    def age(person: Person) -> int | None:
        return age_on(person.birth_date, today) if person.birth_date else None

    ages = _ages_checked_in({r.room_id for r in reservations})
    for r in reservations:
        ages[(r.room_id, household_key(r.person.id, r.person.batch_id, r.person.household))].append(age(r.person))
    return [_("%(name)s is under %(age)d: check them in together with an adult of their household.",
              name=r.person.name, age=PLACEMENT_POLICY.child_age_below)
            for r in reservations
            if rules.is_child(age(r.person), PLACEMENT_POLICY) and not rules.child_has_adult(
                ages[(r.room_id, household_key(r.person.id, r.person.batch_id, r.person.household))], PLACEMENT_POLICY)]


def arrive_together(site: Site, reservation_ids: Sequence[int], user: User,
                    when: datetime | None = None) -> list[Person]:
    """Everyone named is in their reserved room: each reservation becomes a stay, in one transaction.

    Refused whole when anyone has already been handled (checked in, or recorded as not arrived,
    by someone else a moment ago) or when a child would be checked in without an adult of the
    household in the room.
    """
    if not reservation_ids:
        raise DomainError(_("Tick the people who have arrived."))
    reservations, rooms = _locked_reservations(site, reservation_ids)
    refuse([handled_message(r) for r in reservations if r.status != "reserved"])
    refuse(_children_alone(reservations))
    when = when or datetime.now(timezone.utc)
    for reservation in reservations:
        start_stay(reservation.person, reservation.room_id, user, when, arriving=True)
        beds.occupy_reserved(rooms[reservation.room_id])
        reservation.status = "checked_in"
    db.session.commit()
    return [r.person for r in reservations]


def undo_no_show(site: Site, reservation_id: int, user: User, today=None) -> Person:
    """A person recorded as not arrived turns up after all: their bed is held for them again.

    Only on the local day the no-show was recorded, and only while the bed is still free (nobody
    else placed in the room, the room not gone to cleaning, the site's limits kept).
    """
    today = today or local_today()
    room_id = db.session.scalar(select(Reservation.room_id).join(Room, Room.id == Reservation.room_id)
                                .where(Reservation.id == reservation_id, Room.site_id == site.id))
    if room_id is None:
        raise DomainError(_("No such arrival at this site."))
    room = lock_rooms(room_id)[room_id]
    reservation = db.session.scalars(select(Reservation).where(Reservation.id == reservation_id)
                                     .execution_options(populate_existing=True)).one()
    person = reservation.person
    if reservation.status != "no_show":
        refuse([_("%(name)s is not recorded as not arrived; there is nothing to undo.", name=person.name)])
    recorded = local_day(reservation.updated_at)
    if recorded != today:
        refuse([_("%(name)s was recorded as not arrived on %(day)s; a no-show can only be undone the same day. "
                   "Check them in by hand from their person page.", name=person.name, day=recorded.isoformat())])
    if person.status != "no_show" or _holds_a_bed(person):
        refuse([_("%(name)s has been placed again since; there is nothing to undo.", name=person.name)])
    if _id_in_use(person):
        refuse([_("Another current resident has the ID number of %(name)s; check the person records.",
                   name=person.name)])
    problems = placement_problems([person], room, today)
    if problems:
        refuse([_("The bed in room %(room)s is no longer free for %(name)s:", room=room.label, name=person.name)]
                + problems)
    beds.take_back_reserved(room)
    reservation.status = "reserved"
    person.status, person.site_id = "expected", site.id
    db.session.commit()
    return person


def _holds_a_bed(person: Person) -> bool:
    live = select(func.count(Reservation.id)).where(Reservation.person_id == person.id, Reservation.status == "reserved")
    staying = select(func.count(Stay.id)).where(Stay.person_id == person.id, Stay.check_out_at.is_(None))
    return bool(db.session.scalar(live) or db.session.scalar(staying))


def _id_in_use(person: Person) -> bool:
    return bool(db.session.scalar(select(func.count(Person.id)).where(
        Person.id_number == person.id_number, Person.id != person.id, Person.status.in_(CURRENT_STATUSES))))
