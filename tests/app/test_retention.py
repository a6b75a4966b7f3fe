"""Data retention: people who left more than the policy's retention days ago are anonymised by the nightly
job and by `flask data purge`; the counts reports need stay; `--dry-run` lists and changes nothing."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from quarantine.models import AuditEvent, Person, Policy, Stay
from quarantine.people import retention


@pytest.fixture
def people(db, make_site, make_person, make_user):
    """One resident released 200 days ago, one 10 days ago, one still in, one who never came 300 days ago."""
    site = make_site("Yinghe", ready=True)
    room = site.buildings[0].rooms[0]
    now = datetime.now(timezone.utc)
    made = {}
    for label, left_days in (("old", 200), ("recent", 10)):
        person = make_person(f"张{label}", site_id=site.id, status="released", phone="13800001111",
                             notes="HIV+", diet_note="花生过敏", birth_date=date(1980, 5, 17))
        db.session.add(Stay(person_id=person.id, room_id=room.id, check_in_at=now - timedelta(days=left_days + 14),
                            check_out_at=now - timedelta(days=left_days), end_reason="released"))
        made[label] = person
    made["in"] = make_person("张in", site_id=site.id, status="in_quarantine")
    db.session.add(Stay(person_id=made["in"].id, room_id=site.buildings[0].rooms[1].id,
                        check_in_at=now - timedelta(days=400)))
    made["no_show"] = make_person("张no", site_id=site.id, status="no_show", created_at=now - timedelta(days=300))
    for policy in db.session.scalars(select(Policy)):
        policy.retention_days = 180
    db.session.commit()
    # An edit of the old resident's phone, recorded with its values in the audit trail.
    made["old"].phone = "13900002222"
    db.session.commit()
    return site, made


def test_dry_run_lists_and_changes_nothing(app, db, people):
    site, made = people
    result = app.test_cli_runner().invoke(args=["data", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"person #{made['old'].id}\tsite {site.id}\treleased" in result.output
    assert f"person #{made['no_show'].id}" in result.output
    assert f"#{made['recent'].id}\t" not in result.output and f"#{made['in'].id}\t" not in result.output
    assert "2 people would be anonymised (left more than 180 days ago)." in result.output
    db.session.expire_all()
    assert db.session.get(Person, made["old"].id).name == "张old"


def test_purge_anonymises_only_those_past_retention_and_keeps_the_counts(app, db, people):
    site, made = people
    stays_before = db.session.scalar(select(func.count(Stay.id)))
    result = app.test_cli_runner().invoke(args=["data", "purge"])
    assert "2 people anonymised" in result.output
    db.session.expire_all()
    old = db.session.get(Person, made["old"].id)
    assert (old.name, old.id_number, old.phone, old.notes, old.diet_note) == (f"#{old.id}", f"ANON{old.id}", "", "",
                                                                               "")
    assert old.anonymised_at is not None and old.birth_date == date(1980, 1, 1)
    assert (old.site_id, old.status, old.sex, old.category_code) == (site.id, "released", "M", "close_contact")
    assert db.session.get(Person, made["recent"].id).name == "张recent"
    assert db.session.get(Person, made["in"].id).name == "张in"
    assert db.session.scalar(select(func.count(Person.id))) == 4
    assert db.session.scalar(select(func.count(Stay.id))) == stays_before
    # The audit trail keeps who and when, with the values blanked, and says what the job did.
    trail = db.session.scalars(select(AuditEvent).where(AuditEvent.person_id == old.id)).all()
    assert trail and "13800001111" not in str([e.changes for e in trail])
    assert "13900002222" not in str([e.changes for e in trail]) and "张old" not in str([e.changes for e in trail])
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "people.anonymise")) == "2 people"
    # Nothing is due twice.
    assert retention.due()[1] == []


def test_the_nightly_job_runs_the_purge(app, db, people):
    from quarantine.jobs import schedule
    _site, made = people
    schedule.purge_personal_data_task.call_local()
    db.session.expire_all()
    assert db.session.get(Person, made["old"].id).anonymised_at is not None


def test_retention_days_is_a_policy_field(db, signed_in):
    policy = db.session.scalar(select(Policy).order_by(Policy.effective_from.desc()).limit(1))
    page = signed_in("admin").get(f"/policy/{policy.id}").get_data(as_text=True)
    assert 'name="retention_days"' in page


def test_a_large_purge_takes_a_few_statements_not_a_few_per_person(app, db, make_site, make_person):
    """300 people due: their birth dates and audit rows are blanked in batches, each person's birth
    year still kept and no one's edited values left in the trail."""
    from sqlalchemy import event

    site = make_site("Yinghe", ready=True)
    room = site.buildings[0].rooms[0]
    now = datetime.now(timezone.utc)
    due = []
    for i in range(300):
        person = make_person(f"李{i}", site_id=site.id, status="released", phone=f"1380000{i:04d}",
                             birth_date=date(1950 + i % 50, 3, 9))
        db.session.add(Stay(person_id=person.id, room_id=room.id, check_in_at=now - timedelta(days=220),
                            check_out_at=now - timedelta(days=200), end_reason="released"))
        due.append(person)
    for policy in db.session.scalars(select(Policy)):
        policy.retention_days = 180
    db.session.commit()
    for person in due[:20]:  # edits recorded with their values in the audit trail
        person.phone = "13999999999"
    db.session.commit()
    statements = []
    engine = db.session.get_bind()

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert retention.purge()[1] and len(retention.due()[1]) == 0
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) < 30
    db.session.expire_all()
    years = {p.id: 1950 + i % 50 for i, p in enumerate(due)}
    for person in db.session.scalars(select(Person).where(Person.id.in_(years))):
        assert person.birth_date == date(years[person.id], 1, 1) and person.anonymised_at is not None
    changes = db.session.scalars(select(AuditEvent.changes).where(AuditEvent.person_id.in_(years))).all()
    assert changes and "13999999999" not in str(changes) and "1380000" not in str(changes)
