"""Release reminders: once a day per site from 07:00 local time, counting who is due and who is overdue."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from quarantine.jobs import schedule
from quarantine.jobs.queue import huey
from quarantine.localtime import local_to_utc, local_today
from quarantine.models import ReleaseReminder
from quarantine.stays import reminders
from tests.app.test_stays import reserve


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
    assert reminders.releases_due(local_today()) == {one.id: (2, 1, 1)}
    assert reminders.releases_due(local_today() + timedelta(days=3)) == {one.id: (0, 4, 0), two.id: (1, 0, 0)}


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


def test_a_site_with_a_webhook_gets_its_reminder_as_json_and_a_refusal_is_tried_again(db, make_site, make_person):
    from tests.app.test_arrival_notices import Receiver, later
    site, quiet = make_site("Hooked", ready=True), make_site("Quiet", ready=True)
    resident(make_person, site, "甲", 0)
    resident(make_person, quiet, "乙", 0)
    huey.flush()
    with Receiver([503, 200]) as receiver:
        site.webhook_url = receiver.url
        db.session.commit()
        reminders.remind_sites(at_local(local_today(), 7))
        mine = db.session.scalar(select(ReleaseReminder).where(ReleaseReminder.site_id == site.id))
        assert mine.webhook_status == "pending" and "503" in mine.webhook_error
        due = huey.read_schedule(later())
        assert len(due) == 1
        huey.execute(due[0], later())
    db.session.refresh(mine)
    assert mine.webhook_status == "delivered" and mine.webhook_attempts == 2
    content_type, body = receiver.received[-1]
    assert content_type.startswith("application/json")
    assert body == {"type": "releases_due", "reminder": mine.id, "site": {"id": site.id, "name": "Hooked"},
                    "day": local_today().isoformat(), "due": 1, "overdue": 0}
    other = db.session.scalar(select(ReleaseReminder).where(ReleaseReminder.site_id == quiet.id))
    assert other.webhook_status == "" and len(receiver.received) == 2


def test_the_managers_home_page_says_who_arrives_and_who_is_due_today(db, make_site, make_person, signed_in):
    from tests.app.transfer_helpers import make_batch
    site, elsewhere = make_site("Mine", ready=True, floors=(1, 1), rooms_per_floor=4), make_site("Not mine", ready=True)
    resident(make_person, site, "甲", 0)
    resident(make_person, site, "乙", -1)
    resident(make_person, elsewhere, "丙", 0)
    batch = make_batch(db)
    batch.expected_arrival = at_local(local_today(), 23)
    coming = make_person("丁", batch_id=batch.id)
    db.session.commit()
    reserve(db, coming, site.buildings[0].rooms[0])
    reminders.remind_sites(at_local(local_today(), 7))
    page = signed_in("site_manager", sites=[site]).get("/").get_data(as_text=True)
    assert 'id="today-at-sites"' in page and "Not mine" not in page.split('id="today-at-sites"')[1].split("</section>")[0]
    row = page.split('id="today-at-sites"')[1].split(f'<tr data-site="{site.id}">')[1].split("</tr>")[0]
    cells = {kind: row.split(f'class="num {kind}')[1].split("</td>")[0] for kind in ("arriving", "due", "overdue")}
    assert [c.rsplit(">", 2)[-2].split("<")[0] for c in cells.values()] == ["1", "1", "1"] and "reminded" in row
    # Headquarters sees releases per site in the county table instead.
    assert 'id="today-at-sites"' not in signed_in("hq").get("/").get_data(as_text=True)
