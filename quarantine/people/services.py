"""People and their stays: record, check in, move, check out, with the placement rules."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import func, select

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.idnumbers import age_on, classify
from quarantine.labels import status_label
from quarantine.localtime import as_utc, local_day
from quarantine.models import CURRENT_STATUSES, AffectedResident, Need, Person, Room, RoomEvent, Site, Stay, User
from quarantine.occupancy import holders_by_room, lock_room
from quarantine.policies.services import policy_in_force, release_date

CHILD_AGE = 14


def apply_identity(person: Person, id_number: str, sex: str | None, birth_date) -> None:
    """Store the ID; for resident IDs, birth date and sex come from the number itself."""
    kind, parsed = classify(id_number)
    person.id_kind = kind
    if parsed is not None:
        person.id_number, person.birth_date, person.sex = parsed.number, parsed.birth_date, parsed.sex
    else:
        person.id_number = id_number.strip().upper()
        person.sex = sex or None
        person.birth_date = birth_date


def apply_release_date(person: Person) -> None:
    """Release date from the policy in force on the arrival day (kept if no policy applies)."""
    if person.arrival_at is None:
        person.policy_id = None
        person.release_date = None
        return
    arrival_day = local_day(person.arrival_at)
    policy = policy_in_force(arrival_day)
    if policy is not None:
        person.policy_id = policy.id
        person.release_date = release_date(arrival_day, policy)
    restarted = _restarted_release_date(person)
    if restarted is not None and (person.release_date is None or restarted > person.release_date):
        person.release_date = restarted  # editing a person must not undo a restart after a positive case


def _restarted_release_date(person: Person) -> date | None:
    """The latest release date a positive case nearby set for this person, if any."""
    if person.id is None:
        return None
    return db.session.scalar(select(func.max(AffectedResident.new_release_date))
                             .where(AffectedResident.person_id == person.id))


def set_needs(person: Person, codes: list[str]) -> None:
    person.needs = list(db.session.scalars(select(Need).where(Need.code.in_(codes))).all()) if codes else []


def id_number_in_use(id_number: str, exclude_person_id: int | None = None) -> bool:
    query = select(func.count(Person.id)).where(Person.id_number == id_number, Person.status.in_(CURRENT_STATUSES))
    if exclude_person_id:
        query = query.where(Person.id != exclude_person_id)
    return bool(db.session.scalar(query))


def is_child(person: Person, on: datetime | None = None) -> bool:
    if person.birth_date is None:
        return False
    return age_on(person.birth_date, (on or datetime.now(timezone.utc)).date()) < CHILD_AGE


def placement_problems(person: Person, room: Room) -> list[str]:
    """The planner's hard rules, checked for one person going into one room.

    Counts everyone holding a bed: people checked in and people with a live reservation.
    """
    problems: list[str] = []
    site = db.session.get(Site, room.site_id)
    if not site.receiving:
        problems.append(_("Site %(site)s is not ready to receive people.", site=site.name))
    on_floor = holders_by_room((Room.building_id == room.building_id) & (Room.floor == room.floor))
    room_people = [p for p in on_floor.get(room.id, []) if p.id != person.id]
    if room.status not in ("available", "occupied"):
        problems.append(_("Room %(room)s is %(status)s.", room=room.label, status=status_label(room.status)))
    elif len(room_people) >= room.beds:
        problems.append(_("Room %(room)s has no free bed.", room=room.label))
    if room_people and (not person.household or any(p.household != person.household for p in room_people)):
        problems.append(_("Room %(room)s holds another household; one household per room.", room=room.label))
    if "mobility" in person.need_codes and not room.accessible:
        problems.append(_("%(name)s needs an accessible room; %(room)s is not.", name=person.name, room=room.label))
    floor_people = [p for people in on_floor.values() for p in people if p.id != person.id]
    if any(p.category_code != person.category_code for p in floor_people):
        problems.append(_("Floor %(floor)s of building %(b)s holds another category of people.",
                          floor=room.floor, b=room.building.code))
    if any(p.batch_id != person.batch_id for p in floor_people):
        problems.append(_("Floor %(floor)s of building %(b)s holds another transfer batch.",
                          floor=room.floor, b=room.building.code))
    return problems


def take_bed(room: Room) -> None:
    room.occupants += 1
    room.status = "occupied"


def _free_bed(room: Room, user: User | None = None, reason: str = "") -> None:
    room.occupants -= 1
    if room.occupants == 0:
        room.status = "cleaning"  # terminal disinfection before anyone else moves in
        # Kept in the room's history like every other status change, with who and why.
        db.session.add(RoomEvent(room_id=room.id, user_id=user.id if user else None, field="status",
                                 old_value="occupied", new_value="cleaning", reason=reason))


def check_in(person: Person, room_id: int, user: User, when: datetime | None = None) -> Stay:
    if person.current_stay is not None:
        raise DomainError(_("%(name)s is already in room %(room)s; use move instead.",
                            name=person.name, room=person.current_stay.room.label))
    if person.status not in CURRENT_STATUSES:
        raise DomainError(_("%(name)s is no longer in quarantine.", name=person.name))
    room = lock_room(room_id)
    problems = placement_problems(person, room)
    if problems:
        db.session.rollback()
        raise DomainError(" ".join(problems))
    when = when or datetime.now(timezone.utc)
    stay = Stay(person=person, room_id=room.id, check_in_at=when, checked_in_by_id=user.id)
    db.session.add(stay)
    take_bed(room)
    person.status = "in_quarantine"
    person.site_id = room.site_id
    if person.arrival_at is None:
        person.arrival_at = when
        apply_release_date(person)
    db.session.commit()
    return stay


def move(person: Person, room_id: int, user: User, note: str = "") -> Stay:
    current = person.current_stay
    if current is None:
        raise DomainError(_("%(name)s has no room to move from; check them in instead.", name=person.name))
    if current.room_id == room_id:
        raise DomainError(_("%(name)s is already in that room.", name=person.name))
    room = lock_room(room_id)
    problems = placement_problems(person, room)
    if problems:
        db.session.rollback()
        raise DomainError(" ".join(problems))
    now = datetime.now(timezone.utc)
    current.check_out_at, current.end_reason, current.note = now, "moved", note
    _free_bed(lock_room(current.room_id), user, _("moved out: %(name)s", name=person.name))
    stay = Stay(person=person, room_id=room.id, check_in_at=now, checked_in_by_id=user.id)
    db.session.add(stay)
    take_bed(room)
    person.site_id = room.site_id
    db.session.commit()
    return stay


def check_out(person: Person, reason: str, user: User, note: str = "", when: datetime | None = None) -> None:
    """End the stay (released or transferred out); an emptied room goes to terminal disinfection."""
    end_stay(person, reason, note, when, user)
    db.session.commit()


def end_stay(person: Person, reason: str, note: str = "", when: datetime | None = None,
             user: User | None = None) -> None:
    """check_out without the commit, for callers that end several stays in one transaction
    (a floor released together, a positive case with its neighbours' clocks)."""
    if reason not in ("released", "transferred_out"):
        raise DomainError(_("Choose released or transferred out."))
    current = person.current_stay
    if current is None:
        raise DomainError(_("%(name)s is not checked in.", name=person.name))
    when = when or datetime.now(timezone.utc)
    if when < as_utc(current.check_in_at):
        raise DomainError(_("Check-out cannot be before check-in (%(at)s).", at=current.check_in_at))
    current.check_out_at, current.end_reason, current.note = when, reason, note
    _free_bed(lock_room(current.room_id), user, f"{status_label(reason)}: {person.name}")
    person.status = reason


def rooms_for_check_in(person: Person, site_id: int) -> list[Room]:
    """Rooms at a site where this person could go now, rules checked."""
    candidates = db.session.scalars(select(Room).where(Room.site_id == site_id,
                                                       Room.status.in_(("available", "occupied")),
                                                       Room.occupants < Room.beds)
                                    .order_by(Room.building_id, Room.floor, Room.number)).all()
    return [room for room in candidates if not placement_problems(person, room)]
