"""Data retention: people released longer ago than the policy's retention days lose their personal data.

What identifies a person (name, ID number, phone, household, exact birth date, notes, what they wrote
from their phone) is replaced or blanked; what the reports count stays (site, batch, category, sex, birth
year, diet, needs, stays, tests and temperatures). Their audit rows keep who did what and when, with the
values blanked. Run daily by the job queue (quarantine.jobs.schedule) and by `flask data purge`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import String, and_, bindparam, cast, exists, func, or_, select, update

from quarantine.audit import trail
from quarantine.extensions import db
from quarantine.localtime import local_today
from quarantine.models import Person, ResidentRequest, SelfReport, Stay
from quarantine.models.common import utcnow
from quarantine.policies.services import policy_in_force

GONE_STATUSES = ("released", "transferred_out", "no_show")


@dataclass(frozen=True)
class Due:
    person_id: int
    site_id: int | None
    status: str
    left_on: date | None


def retention_days(today: date | None = None) -> int | None:
    """The retention days of the policy in force today; None before any policy (nothing is purged)."""
    policy = policy_in_force(today or local_today())
    return policy.retention_days if policy is not None else None


def due(now: datetime | None = None) -> tuple[int | None, list[Due]]:
    """(retention days, the people whose data goes): left (released, transferred out, never arrived)
    more than the retention days ago, not anonymised yet."""
    now = now or utcnow()
    days = retention_days()
    if days is None:
        return None, []
    cutoff = now - timedelta(days=days)
    left_at = (select(func.max(Stay.check_out_at)).where(Stay.person_id == Person.id)
               .correlate(Person).scalar_subquery())
    still_in = exists().where(Stay.person_id == Person.id, Stay.check_out_at.is_(None))
    query = (select(Person.id, Person.site_id, Person.status, left_at.label("left_at"), Person.created_at)
             .where(Person.status.in_(GONE_STATUSES), Person.anonymised_at.is_(None), ~still_in)
             .where(or_(left_at < cutoff, and_(left_at.is_(None), Person.created_at < cutoff)))
             .order_by(Person.id))
    return days, [Due(row.id, row.site_id, row.status, (row.left_at or row.created_at).date())
                  for row in db.session.execute(query)]


def anonymise(people: list[Due]) -> int:
    """Blank the personal data of `people` (one transaction); one audit event for the lot."""
    ids = [p.person_id for p in people]
    if not ids:
        return 0
    now = utcnow()
    table = Person.__table__
    # Core statements, so the audit trail does not copy the very values it is asked to forget.
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        db.session.execute(update(table).where(table.c.id.in_(chunk)).values(
            name="#" + cast(table.c.id, String), id_number="ANON" + cast(table.c.id, String),
            phone="", household="", notes="", diet_note="", anonymised_at=now))
        db.session.execute(update(Stay.__table__).where(Stay.__table__.c.person_id.in_(chunk)).values(note=""))
        db.session.execute(update(SelfReport.__table__).where(SelfReport.__table__.c.person_id.in_(chunk))
                           .values(note=""))
        db.session.execute(update(ResidentRequest.__table__)
                           .where(ResidentRequest.__table__.c.person_id.in_(chunk)).values(text="", handled_note=""))
        born = [{"person_id": person_id, "year_only": date(birth_date.year, 1, 1)}  # the year stays for ages
                for person_id, birth_date in db.session.execute(
                    select(table.c.id, table.c.birth_date).where(table.c.id.in_(chunk),
                                                                 table.c.birth_date.is_not(None)))]
        if born:
            db.session.execute(update(table).where(table.c.id == bindparam("person_id"))
                               .values(birth_date=bindparam("year_only")), born)
        trail.redact_people(chunk)
    trail.record("people.anonymise", entity="people", detail=f"{len(ids)} people")
    db.session.commit()
    db.session.expire_all()
    return len(ids)


def purge(dry_run: bool = False) -> tuple[int | None, list[Due]]:
    """What is due, anonymised unless `dry_run`."""
    days, people = due()
    if not dry_run:
        anonymise(people)
    return days, people
