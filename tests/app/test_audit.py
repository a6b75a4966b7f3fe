"""The audit trail: who, when, what, before → after, for people, stays, rooms, sites, policies, users, sign-ins,
exports and full-ID views; temperature corrections keep the earlier value; rows are never changed; the
administrators' page filters by person, user, site and date. Catering sees diet notes, never health notes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from quarantine.health import routine
from quarantine.localtime import local_today
from quarantine.models import AuditEvent, Policy, User
from tests.app.health_helpers import admin, policy14, room, settle, tower  # noqa: F401  (fixtures)
from tests.app.test_people import person_data, stay_action
from tests.conftest import PASSWORD, valid_resident_id


def text(response) -> str:
    return response.get_data(as_text=True)


def events(db, action: str | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def test_changes_of_a_persons_name_id_and_phone_are_recorded_with_who(db, make_site, make_person, signed_in):
    site = make_site("Yinghe", ready=True)
    person = make_person("李明", site_id=site.id, phone="13800001111")
    old_id = person.id_number
    client = signed_in("site_manager", sites=[site])
    new_id = valid_resident_id("19900215", "555")
    response = client.post(f"/people/{person.id}/edit",
                           data=person_data(site.id, name="李敏", id_number=new_id, phone="13900002222",
                                            household=person.household))
    assert response.status_code == 302
    [change] = events(db, "people.update")
    assert change.username == client.user.username and change.user_id == client.user.id
    assert change.person_id == person.id and change.site_id == site.id
    assert change.changes["name"] == ["李明", "李敏"]
    assert change.changes["id_number"] == [old_id, new_id]
    assert change.changes["phone"] == ["13800001111", "13900002222"]


def test_health_notes_are_recorded_as_changed_never_by_value(db, make_site, make_person, signed_in):
    site = make_site("Yinghe", ready=True)
    person = make_person("李明", site_id=site.id)
    client = signed_in("hq")
    client.post(f"/people/{person.id}/edit", data=person_data(site.id, name="李明", id_number=person.id_number,
                                                                household=person.household, notes="HIV+ on ART"))
    [change] = events(db, "people.update")
    assert change.changes["notes"] == ["", "(changed)"]
    assert "HIV" not in str([e.changes for e in events(db)])


def test_stays_and_rooms_are_recorded(db, make_site, make_person, signed_in):
    site = make_site("Yinghe", ready=True, beds=2)
    person = make_person("李明", site_id=site.id)
    client = signed_in("site_manager", sites=[site])
    target = site.buildings[0].rooms[0]
    stay_action(client, person, "check_in", room_id=target.id)
    [stay] = events(db, "stays.create")
    assert stay.person_id == person.id and stay.site_id == site.id and stay.changes["room_id"] == [None, target.id]
    assert any(e.entity == "rooms" and e.entity_id == target.id for e in events(db, "rooms.update"))


def test_site_status_and_policy_edits_are_recorded(db, make_site, signed_in):
    site = make_site("Yinghe")
    client = signed_in("hq")
    client.post(f"/sites/{site.id}/status", data={"status": "preparing"})
    [change] = events(db, "sites.update")
    assert change.changes["status"] == ["standby", "preparing"] and change.site_id == site.id

    policy = db.session.scalar(select(Policy).order_by(Policy.effective_from.desc()).limit(1))
    form = {c: getattr(policy, c) for c in ("name", "quarantine_days", "home_days", "pcr_test_days",
                                            "residents_per_doctor", "residents_per_nurse", "other_staff_min",
                                            "other_staff_max", "bus_seats", "bus_load_factor",
                                            "waste_collection_days", "supply_warning_days")}
    form = {**form, "effective_from": policy.effective_from.isoformat(), "pcr_test_days": "1,3", "notes": ""}
    before = policy.pcr_test_days
    assert client.post(f"/policy/{policy.id}", data=form).status_code == 302
    [edit] = events(db, "policies.update")
    assert edit.changes["pcr_test_days"] == [before, "1,3"] and edit.username == client.user.username


def test_role_changes_password_resets_and_sign_ins_are_recorded(app, db, make_user, signed_in):
    user = make_user("hq")
    admin = signed_in("admin")
    assert admin.post(f"/users/{user.id}", data={"username": user.username, "role": "admin",
                                                 "active": "y"}).status_code == 302
    admin.post(f"/users/{user.id}/reset-password")
    role = [e for e in events(db, "users.update") if "role" in e.changes]
    assert role and role[0].changes["role"] == ["hq", "admin"] and role[0].username == admin.user.username
    [reset] = events(db, "users.password")
    assert reset.entity_id == user.id and reset.changes["password_hash"] == ["(changed)", "(changed)"]

    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": "wrong"})
    client.post("/login", data={"username": "nobody", "password": "wrong"})
    refused = events(db, "sign_in_refused")
    assert [(e.entity_id, e.detail) for e in refused] == [(user.id, f"as {user.username}"), (None, "unknown name")]
    assert all(e.address == "127.0.0.1" for e in refused)
    signed = [e for e in events(db, "sign_in") if e.entity_id == admin.user.id]
    assert signed and signed[0].username == admin.user.username


def test_exports_are_recorded(db, tower, signed_in):
    client = signed_in("site_manager", sites=[tower])
    assert client.get(f"/health/sites/{tower.id}/report.xlsx").status_code == 200
    [export] = events(db, "export")
    assert export.site_id == tower.id and export.detail.startswith("daily-report")
    assert export.username == client.user.username


def test_full_id_numbers_only_on_demand_and_each_view_is_recorded(db, make_site, make_person, signed_in):
    site = make_site("Yinghe", ready=True)
    person = make_person("李明", site_id=site.id)
    client = signed_in("site_manager", sites=[site])
    assert person.id_number not in text(client.get("/people/"))
    page = text(client.get(f"/people/{person.id}"))
    assert person.id_number not in page and person.id_number[-4:] in page
    assert events(db, "id_view") == []
    shown = text(client.post(f"/people/{person.id}/id-number"))
    assert person.id_number in shown
    [view] = events(db, "id_view")
    assert (view.person_id, view.username) == (person.id, client.user.username)


def test_catering_cannot_ask_for_a_full_id(db, make_site, make_person, signed_in):
    site = make_site("Yinghe", ready=True)
    person = make_person("李明", site_id=site.id)
    assert signed_in("catering", sites=[site]).post(f"/people/{person.id}/id-number").status_code == 403
    assert events(db, "id_view") == []


def test_a_temperature_correction_keeps_the_earlier_value_and_author(db, tower, admin, make_person, make_user):
    person = settle(make_person, tower, "A-101", admin, arrived=local_today())
    building = tower.buildings[0]
    nurse = make_user("site_manager", sites=[tower])
    routine.record_temperatures(tower, building, 1, local_today(), "morning",
                                [routine.TemperatureEntry(person.id, 37.9)], admin)
    routine.record_temperatures(tower, building, 1, local_today(), "morning",
                                [routine.TemperatureEntry(person.id, 36.6)], nurse)
    [correction] = events(db, "temperature_readings.update")
    assert correction.changes["celsius"] == [37.9, 36.6]
    assert correction.changes["recorded_by_id"] == [admin.id, nurse.id]
    assert correction.person_id == person.id and correction.site_id == tower.id


def test_audit_rows_are_never_changed_or_deleted(db, signed_in):
    signed_in("hq")
    event = events(db, "sign_in")[0]
    event.detail = "rewritten"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(events(db, "sign_in")[0])
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()


def test_the_audit_page_filters_by_person_user_site_and_date(db, make_site, make_person, signed_in):
    site, other = make_site("Yinghe", ready=True), make_site("Other", ready=True)
    li, wang = make_person("李明", site_id=site.id), make_person("王芳", site_id=other.id)
    manager = signed_in("hq")
    for person, site_ in ((li, site), (wang, other)):
        manager.post(f"/people/{person.id}/edit", data=person_data(site_.id, name=person.name + "改",
                                                                   id_number=person.id_number,
                                                                   household=person.household))
    admin = signed_in("admin")
    rows = lambda query: text(admin.get("/audit/" + query)).count('data-action="people.update"')  # noqa: E731
    assert rows("") == 2
    assert rows(f"?person={li.id}") == 1 and rows(f"?person={wang.id_number}") == 1
    assert rows("?person=%E7%8E%8B%E8%8A%B3%E6%94%B9") == 1  # by the name now
    assert rows(f"?user={manager.user.username}") == 2 and rows(f"?user={admin.user.username}") == 0
    assert rows(f"?site={other.id}") == 1
    today = local_today()
    assert rows(f"?from={today}&to={today}") == 2
    assert rows(f"?to={today - timedelta(days=1)}") == 0
    assert "王芳 → 王芳改" in text(admin.get(f"/audit/?person={wang.id}")).replace("<b>name</b>: ", "")
    assert signed_in("hq").get("/audit/").status_code == 403


def test_catering_rosters_show_the_diet_note_never_the_health_notes(db, make_site, make_person, make_user,
                                                                    signed_in):
    from quarantine.stays import lifecycle
    site = make_site("Yinghe", ready=True)
    person = make_person("李明", site_id=site.id, notes="HIV+ on ART; depression", diet_note="花生过敏 peanuts")
    lifecycle.check_in(person, site.buildings[0].rooms[0].id, make_user("admin"))
    for masked in ("", "&masked=1"):
        page = text(signed_in("catering", sites=[site]).get(f"/meals/sites/{site.id}/roster?meal=lunch{masked}"))
        assert "花生过敏 peanuts" in page
        assert "HIV" not in page and "depression" not in page


def test_sign_in_event_has_the_users_name(app, db, make_user):
    user = make_user("hq")
    app.test_client().post("/login", data={"username": user.username, "password": PASSWORD})
    assert [e.username for e in events(db, "sign_in")] == [user.username]
    assert db.session.get(User, user.id) is not None


def test_a_roster_import_is_one_event(db, signed_in):
    from quarantine.transfers import roster_import
    from tests.app.transfer_helpers import make_batch, roster_rows, xlsx_file
    batch = make_batch(db)
    client = signed_in("hq")
    upload = roster_import.store_upload(batch, xlsx_file(roster_rows(60)), "r.xlsx", client.user)
    db.session.commit()
    assert roster_import.import_upload(batch, upload.token, drop_bad_rows=False, confirmed_households=set(),
                                       default_category=None) == 60
    [event] = events(db, "people.import")
    assert event.entity_id == batch.id and event.detail.startswith("60 people")


@pytest.mark.postgres
def test_postgresql_itself_refuses_changes_to_the_trail(db, signed_in):
    from sqlalchemy import text as sql
    from sqlalchemy.exc import DBAPIError
    signed_in("hq")
    for statement in ("UPDATE audit_events SET detail = 'rewritten'", "DELETE FROM audit_events",
                      # The retention job's setting lets only the recorded values be blanked ...
                      "SET LOCAL quarantine.audit_redact = 'on'; UPDATE audit_events SET username = 'someone'",
                      # ... and an account's deletion only clears the user id.
                      "UPDATE audit_events SET user_id = NULL, username = 'someone'"):
        with pytest.raises(DBAPIError, match="append-only"):
            for part in statement.split("; "):
                db.session.execute(sql(part))
        db.session.rollback()
    assert len(events(db, "sign_in")) == 1
    db.session.execute(sql("SET LOCAL quarantine.audit_redact = 'on'"))
    db.session.execute(sql("""UPDATE audit_events SET changes = '{}'"""))  # what redaction does goes through
    db.session.rollback()


def test_the_sites_an_account_may_act_on_are_recorded_when_they_change(db, make_site, make_user):
    from quarantine.users import services as users
    one, two = make_site("One"), make_site("Two")
    user, _password = users.create_user("mgr-sites", "site_manager", site_ids=[one.id])
    users.save_account(user, "mgr-sites", "", "site_manager", True, [one.id, two.id])  # wider: no session ends
    users.save_account(user, "mgr-sites", "", "site_manager", True, [one.id, two.id])  # the same: nothing new
    assert [e.changes["sites"] for e in events(db, "users.sites")] == [
        [[], [one.id]], [[one.id], sorted([one.id, two.id])]]


def test_people_made_many_at_once_are_recorded_each_and_bulk_rooms_as_one_event(db, make_site):
    from quarantine.models import Person
    make_site("Bulk", floors=(1, 3), rooms_per_floor=20)  # 60 rooms in one go
    assert [e.detail for e in events(db, "rooms.create")] == ["60 rows"]
    people = [Person(name=f"住{i}", id_kind="passport", id_number=f"E{i:07d}", category_code="close_contact",
                     diet_code="regular", status="expected", household=f"H{i}") for i in range(60)]
    db.session.add_all(people)
    db.session.commit()
    # Each is found by the person filter of the audit page.
    assert sorted(e.person_id for e in events(db, "people.create")) == sorted(p.id for p in people)
