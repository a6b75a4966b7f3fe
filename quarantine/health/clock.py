"""The quarantine clock: day 1, PCR test days and the release date of each resident, and releases.

A resident's clock follows the policy in force on their arrival day (people.services.
apply_release_date sets `release_date` and `policy`). A positive case nearby restarts it (see pcr.py,
which stores the policy it restarted with on a resident who had none), so the
clock's day 1 is derived from the release date rather than from the arrival: day 1 is
`release_date - quarantine_days`, the arrival day at first and the restart day afterwards.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.health.residents import Resident, residents
from quarantine.i18n import _
from quarantine.localtime import as_utc, local_datetime, local_day
from quarantine.models import Building, Person, Policy, Site, User
from quarantine.people.services import end_stay

# A release typed a little ahead of the server's clock (a phone a minute fast) is still "now".
CLOCK_TOLERANCE = timedelta(minutes=5)


def clock_policy(person: Person) -> Policy | None:
    """The policy the resident's clock runs on: the one in force when they arrived, or the one a
    restart used (both stored on the person)."""
    return person.policy


def quarantine_start(person: Person) -> date | None:
    """Day 1 of the resident's current quarantine (arrival day, or the restart day)."""
    policy = clock_policy(person)
    if policy is None or person.release_date is None:
        return None
    return person.release_date - timedelta(days=policy.quarantine_days)


def quarantine_day(person: Person, day: date) -> int | None:
    """Which day of quarantine `day` is for the resident; the start day is day 1."""
    start = quarantine_start(person)
    return None if start is None else (day - start).days + 1


def pcr_dates(person: Person) -> list[date]:
    """The days a PCR test is due, from the policy's test days counted with day 1 = start."""
    policy, start = clock_policy(person), quarantine_start(person)
    if policy is None or start is None:
        return []
    return [start + timedelta(days=n - 1) for n in policy.test_days]


def pcr_due(person: Person, day: date) -> bool:
    return day in pcr_dates(person)


def releases_due(site: Site, today: date, people: list[Resident] | None = None) -> list[Resident]:
    """Residents whose release date is tomorrow or earlier (overdue ones included), earliest first
    (`people`: the site's residents, when the caller has them loaded already)."""
    tomorrow = today + timedelta(days=1)
    people = residents(site) if people is None else people
    due = [r for r in people if r.person.release_date is not None and r.person.release_date <= tomorrow]
    return sorted(due, key=lambda r: (r.person.release_date, r.building.code, r.room.floor, r.room.number))


def release_problem(person: Person, when: datetime, early_reason: str = "") -> str | None:
    """Why this release may not happen, or None. One rule: never before arrival or in the future;
    before the release date only with an explicit early-release reason."""
    label = _("%(name)s (%(room)s)", name=person.name,
              room=person.current_stay.room.label if person.current_stay else "—")
    if person.current_stay is None or person.status != "in_quarantine":
        return _("%(who)s is not checked in at this site.", who=label)
    if when > datetime.now(timezone.utc) + CLOCK_TOLERANCE:
        return _("%(who)s: the release time %(at)s is in the future.", who=label, at=local_datetime(when))
    arrived = person.arrival_at or person.current_stay.check_in_at
    if when < as_utc(arrived) or when < as_utc(person.current_stay.check_in_at):
        return _("%(who)s arrived on %(arrived)s; a release cannot be before arrival.",
                 who=label, arrived=local_datetime(arrived))
    if early_reason.strip():
        return None
    if person.release_date is None:
        return _("%(who)s has no release date; give the reason for releasing them.", who=label)
    if local_day(when) < person.release_date:
        return _("%(who)s is due for release on %(date)s; give the reason for an early release.",
                 who=label, date=person.release_date.isoformat())
    return None


def release(person: Person, user: User, when: datetime | None = None, early_reason: str = "") -> None:
    """Release one resident: the stay ends with reason "released" and an emptied room goes to cleaning."""
    when = when or datetime.now(timezone.utc)
    problem = release_problem(person, when, early_reason)
    if problem:
        raise DomainError(problem)
    end_stay(person, "released", early_reason.strip(), when, user)
    db.session.commit()


def release_floor(site: Site, building: Building, floor: int, user: User, when: datetime | None = None,
                  early_reason: str = "") -> list[Person]:
    """Release everyone on one floor in one step, or nobody: one refusal names every problem."""
    when = when or datetime.now(timezone.utc)
    cohort = residents(site, building.id, [floor])
    if not cohort:
        raise DomainError(_("Nobody is checked in on floor %(floor)s of building %(b)s.", floor=floor, b=building.code))
    problems = [p for r in cohort if (p := release_problem(r.person, when, early_reason))]
    if problems:
        raise DomainError(" ".join(problems))
    for resident in cohort:
        end_stay(resident.person, "released", early_reason.strip(), when, user)
    db.session.commit()
    return [r.person for r in cohort]

