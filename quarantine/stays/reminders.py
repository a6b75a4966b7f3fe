"""Release reminders: from 07:00 local time, each site with residents due for release that day (or
overdue) gets one reminder for the day, shown on its pages and, with a webhook, sent to its gateway.

The job that calls `remind_sites` runs every hour on the job queue; the unique (site, day) row makes
a second scheduler, or a second run in the same day, remind nobody twice.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from quarantine.extensions import db
from quarantine.localtime import local_zone
from quarantine.models import Person, ReleaseReminder, Site

REMINDER_HOUR = 7  # local time: before the morning round, after the night's arrivals


def releases_due(day: date, site_ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
    """Per site, residents due for release on `day` and those past their release date, in one query."""
    query = (select(Person.site_id, func.sum(case((Person.release_date == day, 1), else_=0)),
                    func.sum(case((Person.release_date < day, 1), else_=0)))
             .where(Person.status == "in_quarantine", Person.release_date <= day, Person.site_id.is_not(None))
             .group_by(Person.site_id))
    if site_ids is not None:
        query = query.where(Person.site_id.in_(site_ids))
    return {site_id: (int(due), int(overdue)) for site_id, due, overdue in db.session.execute(query)}


def remind_sites(now: datetime | None = None) -> list[ReleaseReminder]:
    """Write today's reminders of the sites not yet reminded; none before REMINDER_HOUR."""
    local = (now or datetime.now(timezone.utc)).astimezone(local_zone())
    if local.hour < REMINDER_HOUR:
        return []
    day = local.date()
    due = releases_due(day)
    done = set(db.session.scalars(select(ReleaseReminder.site_id).where(ReleaseReminder.day == day)))
    webhooks = _webhooks([s for s in due if s not in done])
    reminders = [ReleaseReminder(site_id=site_id, day=day, due=n, overdue=late,
                                 webhook_status="pending" if webhooks.get(site_id) else "")
                 for site_id, (n, late) in sorted(due.items()) if site_id not in done]
    db.session.add_all(reminders)
    try:
        db.session.commit()
    except IntegrityError:  # another scheduler wrote them at the same moment
        db.session.rollback()
        return []
    return reminders


def todays_reminders(site_ids_query, day: date) -> list[ReleaseReminder]:
    """The reminders of the user's sites for `day`, for their home page."""
    return list(db.session.scalars(select(ReleaseReminder).where(
        ReleaseReminder.site_id.in_(site_ids_query), ReleaseReminder.day == day).order_by(ReleaseReminder.site_id)))


def _webhooks(site_ids: list[int]) -> dict[int, str]:
    url = getattr(Site, "webhook_url", None)
    if url is None or not site_ids:
        return {}
    return {s: u for s, u in db.session.execute(select(Site.id, url).where(Site.id.in_(site_ids))) if u}
