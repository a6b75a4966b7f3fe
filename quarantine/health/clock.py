"""The quarantine clock: day 1, PCR test days and the release date of each resident (releases: stays.release).

A resident's clock follows the policy in force on their arrival day (people.services.
apply_release_date sets `release_date` and `policy`). A positive case nearby restarts it (see pcr.py,
which stores the policy it restarted with on a resident who had none), so the
clock's day 1 is derived from the release date rather than from the arrival: day 1 is
`release_date - quarantine_days`, the arrival day at first and the restart day afterwards.
"""
from __future__ import annotations

from datetime import date, timedelta

from quarantine.health.residents import Resident, residents
from quarantine.models import Person, Policy, Site

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
