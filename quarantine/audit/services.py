"""Reading the audit trail: the events matching the administrators' filters, newest first."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, or_, select

from quarantine.localtime import local_to_utc
from quarantine.models import AuditEvent, Person


@dataclass
class AuditFilter:
    person: str = ""   # a person's record number, name or ID number
    user: str = ""     # an account's user name
    site_id: int | None = None
    day_from: date | None = None
    day_to: date | None = None


def events_query(f: AuditFilter) -> Select:
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if f.person:
        people = select(Person.id).where(or_(Person.name == f.person, Person.id_number == f.person.upper()))
        if f.person.isdigit() and len(f.person) <= 9:
            people = people.union(select(Person.id).where(Person.id == int(f.person)))
        query = query.where(AuditEvent.person_id.in_(people))
    if f.user:
        query = query.where(AuditEvent.username == f.user)
    if f.site_id:
        query = query.where(AuditEvent.site_id == f.site_id)
    if f.day_from:
        query = query.where(AuditEvent.at >= local_to_utc(datetime.combine(f.day_from, time.min)))
    if f.day_to:
        query = query.where(AuditEvent.at < local_to_utc(datetime.combine(f.day_to + timedelta(days=1), time.min)))
    return query
