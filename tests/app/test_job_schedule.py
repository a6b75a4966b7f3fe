"""Housekeeping on the job queue: which periodic tasks the workers' scheduler runs, and what they do."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from quarantine.jobs import schedule
from quarantine.jobs.queue import huey
from quarantine.models import RosterUpload
from tests.app.transfer_helpers import make_batch


def test_the_scheduler_knows_every_housekeeping_task():
    names = {task.name for task in huey._registry.periodic_tasks}
    assert names == {"sweep_dead_runs_task", "purge_uploads_task", "release_reminders_task",
                     "purge_personal_data_task"}


def test_the_hourly_purge_deletes_uploads_left_for_more_than_a_day(db):
    batch = make_batch(db)
    now = datetime.now(timezone.utc)
    for name, age in (("old.xlsx", timedelta(hours=25)), ("new.xlsx", timedelta(hours=1))):
        db.session.add(RosterUpload(token=name[:3], batch_id=batch.id, filename=name, size=1, data=b"x",
                                    created_at=now - age))
    db.session.commit()
    schedule.purge_uploads_task.call_local()
    assert db.session.scalars(select(RosterUpload.filename)).all() == ["new.xlsx"]
    schedule.purge_uploads_task.call_local()
    assert db.session.scalar(select(func.count(RosterUpload.id))) == 1


def test_the_nightly_retention_task_anonymises_people_gone_past_the_policys_days(db, make_person):
    from quarantine.models import Person
    now = datetime.now(timezone.utc)
    long_gone = make_person("王五", status="released", created_at=now - timedelta(days=400))
    recent = make_person("赵六", status="released", created_at=now - timedelta(days=10))
    db.session.commit()
    schedule.purge_personal_data_task.call_local()
    db.session.expire_all()
    old, new = db.session.get(Person, long_gone.id), db.session.get(Person, recent.id)
    assert old.anonymised_at is not None and old.name != "王五"
    assert new.anonymised_at is None and new.name == "赵六"
