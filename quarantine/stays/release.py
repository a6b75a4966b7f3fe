"""Releases: one resident, or a whole floor in one step, under the quarantine clock's rule.

Before the release date only with a stated reason; never before arrival or in the future.
"""
from __future__ import annotations

from datetime import datetime, timezone

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.health.clock import CLOCK_TOLERANCE
from quarantine.health.residents import residents
from quarantine.i18n import _
from quarantine.localtime import as_utc, local_datetime, local_day
from quarantine.models import Building, Person, Site, User
from quarantine.selfreport.links import revoke_for
from quarantine.stays.lifecycle import end_stay


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
        end_stay(resident.person, "released", early_reason.strip(), when, user, revoke_link=False)
    revoke_for(r.person.id for r in cohort)  # one statement for the floor's door-card links
    db.session.commit()
    return [r.person for r in cohort]

