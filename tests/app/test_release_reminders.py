"""Release reminders: once a day per site from 07:00 local time, counting who is due and who is overdue."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from quarantine.jobs import schedule
from quarantine.jobs.queue import huey
from quarantine.localtime import local_to_utc, local_today
from quarantine.models import ReleaseReminder
from quarantine.stays import reminders


def at_local(day, hour: int) -> datetime:
    return local_to_utc(datetime.combine(day, time(hour, 0)))


def resident(make_person, site, name: str, release_in_days: int):
    person = make_person(name, site_id=site.id)
    person.status, person.release_date = "in_quarantine", local_today() + timedelta(days=release_in_days)
    return person


def test_due_and_overdue_are_counted_per_site(db, make_site, make_person):
    one, two = make_site("One", ready=True), make_site("Two", ready=True)
    for name, site, days in (("甲", one, 0), ("乙", one, 0), ("丙", one, -2), ("丁", one, 1), ("戊", two, 3)):
        resident(make_person, site, name, days)
    released = resident(make_person, two, "己", 0)
    released.status = "released"
    db.session.commit()
    assert reminders.releases_due(local_today()) == {one.id: (2, 1)}
    assert reminders.releases_due(local_today() + timedelta(days=3)) == {one.id: (0, 4), two.id: (1, 0)}


def test_a_site_is_reminded_once_a_day_and_not_before_seven(db, make_site, make_person):
    site = make_site("One", ready=True)
    resident(make_person, site, "甲", 0)
    db.session.commit()
    today = local_today()
    assert reminders.remind_sites(at_local(today, 6)) == []
    sent = reminders.remind_sites(at_local(today, 7))
    assert [(r.site_id, r.day, r.due, r.overdue) for r in sent] == [(site.id, today, 1, 0)]
    assert reminders.remind_sites(at_local(today, 8)) == []  # the next hourly run reminds nobody twice
    assert len(db.session.scalars(select(ReleaseReminder)).all()) == 1


def test_the_hourly_job_is_scheduled_and_writes_the_reminders(db, make_site, make_person, monkeypatch):
    assert "release_reminders_task" in {t.name for t in huey._registry.periodic_tasks}
    site = make_site("One", ready=True)
    resident(make_person, site, "甲", -1)
    db.session.commit()
    monkeypatch.setattr(reminders, "REMINDER_HOUR", 0)
    schedule.release_reminders_task.call_local()
    reminder = db.session.scalar(select(ReleaseReminder))
    assert (reminder.site_id, reminder.due, reminder.overdue) == (site.id, 0, 1)
