"""Person records: identity from the ID number, needs, the release date their policy gives.

Stays (check-in, moves, check-out) live in quarantine.stays."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from quarantine.extensions import db
from quarantine.idnumbers import classify
from quarantine.localtime import local_day
from quarantine.models import CURRENT_STATUSES, AffectedResident, Need, Person, Policy
from quarantine.policies.services import current_version, policy_in_force, release_date


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
    if policy is not None and person.policy_id not in (None, policy.id):
        mine = db.session.get(Policy, person.policy_id)
        if mine is not None and mine.superseded_at is not None and current_version(mine).id == policy.id:
            policy = mine  # a later edit of the policy they arrived under does not move their days
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
