"""Release reminders: from 07:00 local time, each site with residents due for release that day (or
overdue) gets one reminder for the day, shown on its pages and, with a webhook, sent to its gateway.

The job that calls `remind_sites` runs every hour on the job queue; the unique (site, day) row makes
a second scheduler, or a second run in the same day, remind nobody twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from quarantine.extensions import db
from quarantine.localtime import local_zone
from quarantine.models import Person, ReleaseReminder, Site

REMINDER_HOUR = 7  # local time: before the morning round, after the night's arrivals


class ReleasesDue(NamedTuple):
    due: int  # release date today
    overdue: int  # past it, still in quarantine
    tomorrow: int


NONE_DUE = ReleasesDue(0, 0, 0)


def releases_due(day: date, site_ids: list[int] | None = None) -> dict[int, ReleasesDue]:
    """Per site with anyone due by tomorrow: due on `day`, overdue, due the day after; one query."""
    tomorrow = day + timedelta(days=1)
    query = (select(Person.site_id, func.sum(case((Person.release_date == day, 1), else_=0)),
                    func.sum(case((Person.release_date < day, 1), else_=0)),
                    func.sum(case((Person.release_date == tomorrow, 1), else_=0)))
             .where(Person.status == "in_quarantine", Person.release_date <= tomorrow, Person.site_id.is_not(None))
             .group_by(Person.site_id))
    if site_ids is not None:
        query = query.where(Person.site_id.in_(site_ids))
    return {site_id: ReleasesDue(int(due or 0), int(late or 0), int(later or 0))
            for site_id, due, late, later in db.session.execute(query)}


def remind_sites(now: datetime | None = None) -> list[ReleaseReminder]:
    """Write today's reminders of the sites not yet reminded (none before REMINDER_HOUR), then hand
    those of sites with a webhook to the job queue."""
    local = (now or datetime.now(timezone.utc)).astimezone(local_zone())
    if local.hour < REMINDER_HOUR:
        return []
    day = local.date()
    due = {site_id: r for site_id, r in releases_due(day).items() if r.due or r.overdue}
    done = set(db.session.scalars(select(ReleaseReminder.site_id).where(ReleaseReminder.day == day)))
    webhooks = _webhooks([s for s in due if s not in done])
    reminders = [ReleaseReminder(site_id=site_id, day=day, due=r.due, overdue=r.overdue,
                                 webhook_status="pending" if webhooks.get(site_id) else "")
                 for site_id, r in sorted(due.items()) if site_id not in done]
    db.session.add_all(reminders)
    try:
        db.session.commit()
    except IntegrityError:  # another scheduler wrote them at the same moment
        db.session.rollback()
        return []
    from quarantine.jobs.tasks import deliver_reminder_task
    for reminder in reminders:
        if reminder.webhook_status == "pending":
            deliver_reminder_task(reminder.id)
    return reminders


def message(reminder: ReleaseReminder) -> dict:
    """The JSON a site's gateway receives."""
    return {"type": "releases_due", "reminder": reminder.id,
            "site": {"id": reminder.site_id, "name": reminder.site.name},
            "day": reminder.day.isoformat(), "due": reminder.due, "overdue": reminder.overdue}


def deliver(reminder_id: int, final_attempt: bool = False) -> bool:
    """POST the reminder to its site's webhook (the same gateway and retries as arrival notices)."""
    from quarantine.county.notices import post_json, record_attempt
    reminder = db.session.get(ReleaseReminder, reminder_id)
    if reminder is None or reminder.webhook_status != "pending" or not reminder.site.webhook_url:
        return False
    return record_attempt(reminder, post_json(reminder.site.webhook_url, message(reminder),
                                              reminder.site.webhook_secret), final_attempt)


@dataclass(frozen=True)
class SiteToday:
    """What a site's staff should know first thing: who arrives and who leaves today."""

    site: Site
    arriving: int
    due: int
    overdue: int
    reminded: bool


def today_at_sites(sites: list[Site], day: date) -> list[SiteToday]:
    """For the site staff's home page: their sites with someone arriving or due for release today."""
    from quarantine.stays.expected import arrivals_due
    ids = [s.id for s in sites]
    arriving, leaving = arrivals_due(ids, day), releases_due(day, ids)
    reminded = set(db.session.scalars(select(ReleaseReminder.site_id).where(
        ReleaseReminder.site_id.in_(ids), ReleaseReminder.day == day)))
    today_out = {sid: r for sid, r in leaving.items() if r.due or r.overdue}
    return [SiteToday(s, arriving.get(s.id, 0), today_out.get(s.id, NONE_DUE).due,
                      today_out.get(s.id, NONE_DUE).overdue, s.id in reminded)
            for s in sites if arriving.get(s.id) or s.id in today_out]


def _webhooks(site_ids: list[int]) -> dict[int, str]:
    if not site_ids:
        return {}
    return {s: u for s, u in db.session.execute(select(Site.id, Site.webhook_url).where(Site.id.in_(site_ids))) if u}
