"""Overnight transfers: roster import, planning from the live database, review and hand moves,
commit (and refused commits), manifests, check-in at the site, and the command-line checks."""
from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

import planner
from quarantine.models import Person, PlanRun, Reservation, Room, Stay, TransferBatch
from quarantine.transfers import plan_store, planning
from quarantine.transfers.commit import PlanIsStale, commit_plan
from quarantine.transfers.scenario import build_scenario, key_id
from tests.app.transfer_helpers import add_people, counts, csv_file, make_batch, roster_rows, xlsx_file


def text(response) -> str:
    return response.get_data(as_text=True)


def upload(client, batch, data: bytes, filename: str):
    """Upload a roster and land on its preview (the upload redirects there when the file can be read)."""
    return client.post(f"/transfers/{batch.id}/roster", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", follow_redirects=True)


def token_of(page: str) -> str:
    import re
    return re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page).group(1)


def people_in(db, batch) -> int:
    return db.session.scalar(select(func.count(Person.id)).where(Person.batch_id == batch.id))


# --- roster import ---------------------------------------------------------------------------

@pytest.mark.parametrize("encoding,fmt,title", [
    ("utf-8", "csv", None), ("utf-8-sig", "csv", "太康县转运名单"), ("gbk", "csv", "太康县转运名单"),
    (None, "xlsx", "太康县密切接触者名单（第一批）"),
])
def test_clean_roster_imports_in_every_encoding(db, signed_in, encoding, fmt, title):
    batch = make_batch(db)
    client = signed_in("hq")
    rows = roster_rows(6)
    data = xlsx_file(rows, title=title) if fmt == "xlsx" else csv_file(rows, encoding=encoding, title=title)
    page = upload(client, batch, data, f"roster.{fmt}")
    assert page.status_code == 200
    assert "The file is clean" in text(page)
    assert people_in(db, batch) == 0  # the preview imports nothing
    response = client.post(f"/transfers/{batch.id}/roster/import", data={"token": token_of(text(page))})
    assert response.status_code == 302
    assert people_in(db, batch) == 6
    person = db.session.scalar(select(Person).where(Person.batch_id == batch.id, Person.name == "测试001"))
    assert person.sex == "F" and person.household == "H000" and person.category_code == "close_contact"
    assert person.status == "expected"


BAD_ROWS = [
    pytest.param(lambda r: r.__setitem__(0, ""), "name", id="missing-name"),
    pytest.param(lambda r: r.__setitem__(2, r[2][:17] + ("0" if r[2][17] != "0" else "1")), "check digit",
                 id="bad-check-digit"),
    pytest.param(lambda r: r.__setitem__(1, "女"), "female", id="sex-disagrees-with-id"),
    pytest.param(lambda r: r.__setitem__(3, "1234567"), "is not a phone number", id="short-phone"),
]


@pytest.mark.parametrize("spoil,fragment", BAD_ROWS)
def test_row_errors_are_listed_by_row_and_block_the_import(db, signed_in, spoil, fragment):
    batch = make_batch(db)
    client = signed_in("hq")
    rows = roster_rows(4)
    spoil(rows[2])  # sheet row 5: title row, header row, then data from row 3
    page = upload(client, batch, csv_file(rows, title="名单"), "roster.csv")
    body = text(page)
    assert fragment in body.lower()
    assert '<td class="row">5</td>' in body
    token = token_of(body)
    refused = client.post(f"/transfers/{batch.id}/roster/import", data={"token": token}, follow_redirects=True)
    assert "still has 1 problem" in text(refused)
    assert people_in(db, batch) == 0
    # The user explicitly leaves the bad row out.
    client.post(f"/transfers/{batch.id}/roster/import", data={"token": token, "drop_bad_rows": "y"})
    assert people_in(db, batch) == 3


def test_duplicate_ids_in_file_and_against_residents(db, signed_in, make_site):
    site = make_site(ready=True)
    batch = make_batch(db)
    rows = roster_rows(3)
    resident = Person(name="在住", id_kind="resident_id", id_number=rows[0][2], sex="M", category_code="close_contact",
                      diet_code="regular", status="in_quarantine", site_id=site.id)
    db.session.add(resident)
    db.session.commit()
    rows.append(list(rows[1]))
    body = text(upload(signed_in("hq"), batch, csv_file(rows), "r.csv"))
    assert "current resident" in body
    assert "also on row" in body or "duplicate" in body.lower()


@pytest.mark.parametrize("data,filename,fragment", [
    (b"", "empty.csv", "empty"),
    (b"\x00\x01\x02PK not really", "roster.xlsx", "XLSX"),
    ("说明\n这里没有表头\n".encode("gbk"), "notes.csv", "header"),
    (b"%PDF-1.4 binary", "roster.pdf", "(.xlsx or .xls) or a CSV file"),
])
def test_unreadable_files_are_refused_with_the_reason(db, signed_in, data, filename, fragment):
    batch = make_batch(db)
    response = upload(signed_in("hq"), batch, data, filename)
    assert fragment.lower() in text(response).lower()
    assert people_in(db, batch) == 0


def test_suggested_households_from_shared_phones_need_confirmation(db, signed_in):
    batch = make_batch(db)
    client = signed_in("hq")
    rows = roster_rows(4, household_size=2)
    for row in rows:
        row[4] = ""  # no household column values: the phones pair them up
    page = text(upload(client, batch, csv_file(rows), "r.csv"))
    assert "share phone" in page
    keys = [line.split('value="')[1].split('"')[0] for line in page.splitlines() if 'name="households"' in line]
    assert len(keys) == 2
    client.post(f"/transfers/{batch.id}/roster/import", data={"token": token_of(page), "households": keys[0]})
    households = [p.household for p in db.session.scalars(select(Person).where(Person.batch_id == batch.id)
                                                          .order_by(Person.name))]
    assert households[0] == households[1] != ""  # confirmed: one household
    assert households[2] != households[3]  # not confirmed: each alone


def test_expired_upload_token_is_refused(db, signed_in):
    batch = make_batch(db)
    response = signed_in("hq").post(f"/transfers/{batch.id}/roster/import", data={"token": "0" * 32},
                                    follow_redirects=True)
    assert "upload the file again" in text(response)
    assert people_in(db, batch) == 0


# --- planning from the live database ---------------------------------------------------------

@pytest.fixture
def county(db, make_site):
    """A ready fixed site of 2 floors × 4 single rooms, a backup site not yet ready, a batch of 6."""
    fixed = make_site("Fixed", ready=True)
    backup = make_site("Backup hotel", kind="backup", lat=33.6, lon=114.7)
    batch = make_batch(db)
    add_people(db, batch, 6)
    return fixed, backup, batch


def plan(db, user, batches) -> PlanRun:
    run = planning.queue_plan(batches, user, time_limit=5)
    db.session.refresh(run)
    return run


def test_scenario_from_database_round_trips_and_validates(db, county, make_user):
    fixed, backup, batch = county
    scenario = build_scenario([batch])
    assert planner.scenario_from_dict(planner.scenario_to_dict(scenario)) == scenario
    sites = {s.name: s for s in scenario.sites}
    assert sites["Fixed"].ready and not sites["Backup hotel"].ready
    assert len(scenario.batches[0].people) == 6


def test_small_batch_is_planned_at_once_and_the_plan_keeps_every_rule(db, county, signed_in):
    fixed, backup, batch = county
    client = signed_in("hq")
    response = client.post("/transfers/plan", data={"batches": [batch.id], "time_limit": 5})
    assert response.status_code == 302
    run = db.session.scalar(select(PlanRun))
    assert run.status == "done" and run.placed == 6
    assert planner.validate(plan_store.scenario_of(run), plan_store.plan_of(run)) == []
    page = text(client.get(response.headers["Location"]))
    assert "Fixed" in page and "Commit" in page and "TK-1-0" not in page  # people load per site, on demand
    site_part = text(client.get(f"/transfers/plans/{run.id}/sites/S{fixed.id}?part=1"))
    assert "TK-1-0" in site_part and "<html" not in site_part
    assert "TK-1-0" in text(client.get(f"/transfers/plans/{run.id}/sites/S{fixed.id}"))


def test_a_plan_is_queued_for_a_worker_and_its_progress_is_readable(db, county, make_user, app):
    fixed, backup, batch = county
    user = make_user("hq")
    run = planning.queue_plan([batch], user, time_limit=5)  # the test queue runs it at once
    run = db.session.get(PlanRun, run.id)
    assert run.status == "done" and run.placed == 6 and run.attempts == 1 and run.worker
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": "correct-horse-battery"})
    progress = client.get(f"/transfers/plans/{run.id}/progress.json").get_json()
    assert progress["status"] == "done" and progress["percent"] == 100 and progress["position"] is None


def test_a_run_stored_without_a_review_summary_gets_one_from_its_plan(db, county, make_user, signed_in):
    """Runs stored before the summary carried the reasons (or before there was one) still show them."""
    fixed, backup, batch = county
    add_people(db, batch, 6, start=100)  # 12 people, 8 beds
    run = plan(db, make_user("hq"), [batch])
    expected = plan_store.review_summary(run)
    run.review_json = ""
    db.session.commit()
    page = text(signed_in("hq").get(f"/transfers/plans/{run.id}"))
    assert "Not placed (4)" in page and "Fixed" in page
    db.session.refresh(run)
    assert json.loads(run.review_json) == expected


def test_unplaced_people_get_reasons_and_a_backup_site_to_activate(db, county, make_user, signed_in):
    fixed, backup, batch = county
    from tests.app.transfer_helpers import add_people as more
    more(db, batch, 6, start=100)  # 12 people, 8 beds
    from quarantine.demo import _lay_out
    _lay_out(backup)  # the backup site's layout is complete but it is still on standby
    db.session.commit()
    client = signed_in("hq")
    client.post("/transfers/plan", data={"batches": [batch.id], "time_limit": 5})
    run = db.session.scalar(select(PlanRun))
    assert run.placed == 8
    page = text(client.get(f"/transfers/plans/{run.id}"))
    assert "Not placed (4)" in page and "Backup hotel" in page
    # One line for the reason, with the site that would help and what it still lacks, linked.
    assert page.count('class="reason-group"') == 1
    assert f"/sites/{backup.id}/prepare" in page and "Still missing:" in page
    assert "Staff on duty who support at least one resident" in page
    assert f"/transfers/plans/{run.id}/activate/{backup.id}" not in page  # nothing to activate yet
    # Laid out but nobody on duty there: activating it is refused, saying what is missing.
    refused = client.post(f"/transfers/plans/{run.id}/activate/{backup.id}", follow_redirects=True)
    assert "Staff on duty who support at least one resident" in text(refused)
    db.session.refresh(backup)
    assert backup.status == "standby"
    from tests.conftest import staff_for_beds
    staff_for_beds(db, backup, 8)
    db.session.commit()
    assert f"/transfers/plans/{run.id}/activate/{backup.id}" in text(client.get(f"/transfers/plans/{run.id}"))
    response = client.post(f"/transfers/plans/{run.id}/activate/{backup.id}")
    assert response.status_code == 302
    db.session.refresh(backup)
    assert backup.status == "ready"
    client.post(f"/transfers/plans/{run.id}/replan")
    latest = db.session.scalar(select(PlanRun).order_by(PlanRun.id.desc()).limit(1))
    assert latest.placed == 12


def test_hand_move_is_checked_against_the_rules(db, county, make_user, make_person, signed_in):
    fixed, backup, batch = county
    client = signed_in("hq")
    client.post("/transfers/plan", data={"batches": [batch.id], "time_limit": 5})
    run = db.session.scalar(select(PlanRun))
    plan_ = plan_store.plan_of(run)
    moving = plan_.assignments[0].person
    used = {a.room for a in plan_.assignments}
    rooms = db.session.scalars(select(Room).where(Room.site_id == fixed.id).order_by(Room.id)).all()
    free = next(r for r in rooms if f"R{r.id}" not in used)
    # Into a room that is already taken in the plan by another household: refused with the reason.
    taken = next(a.room for a in plan_.assignments if a.person != moving)
    refused = client.post(f"/transfers/plans/{run.id}/move", data={"person": moving, "room": taken},
                          follow_redirects=True)
    assert "Move refused" in text(refused)
    db.session.refresh(run)
    assert plan_store.plan_of(run) == plan_
    # Into a free room on a floor the batch uses: accepted.
    same_floor = [r for r in rooms if f"R{r.id}" not in used and any(
        f"R{o.id}" in used and o.floor == r.floor for o in rooms)]
    target = (same_floor or [free])[0]
    accepted = client.post(f"/transfers/plans/{run.id}/move", data={"person": moving, "room": f"R{target.id}"},
                           follow_redirects=True)
    assert "Moved" in text(accepted)
    db.session.refresh(run)
    assert any(a.person == moving and a.room == f"R{target.id}" for a in plan_store.plan_of(run).assignments)


# --- commit -------------------------------------------------------------------------------

def test_commit_reserves_rooms_and_printouts_follow(db, county, signed_in):
    fixed, backup, batch = county
    client = signed_in("hq")
    client.post("/transfers/plan", data={"batches": [batch.id], "time_limit": 5})
    run = db.session.scalar(select(PlanRun))
    response = client.post(f"/transfers/plans/{run.id}/commit")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanRun, run.id).status == "committed"
    assert db.session.scalar(select(func.count(Reservation.id)).where(Reservation.status == "reserved")) == 6
    assert db.session.get(TransferBatch, batch.id).status == "committed"
    reserved_rooms = db.session.scalars(select(Room).where(Room.reserved > 0)).all()
    assert sum(room.reserved for room in reserved_rooms) == 6
    for room in reserved_rooms:
        assert room.status == "occupied" and room.occupants == 0 and room.reserved <= room.beds

    manifest = text(client.get(f"/transfers/plans/{run.id}/manifests"))
    assert "Bus 1" in manifest and "Fixed" in manifest and "6 / 22" in manifest
    csv_body = client.get(f"/transfers/plans/{run.id}/manifests.csv").data.decode("utf-8-sig")
    assert len(csv_body.strip().splitlines()) == 7
    book = load_workbook(io.BytesIO(client.get(f"/transfers/plans/{run.id}/manifests.xlsx").data))
    assert book.active.max_row == 7
    rooms_page = text(client.get(f"/transfers/plans/{run.id}/room-lists"))
    assert "TK-1-0" in rooms_page and "Expected arrivals" in rooms_page
    assert "TK-1-5" in text(client.get(f"/transfers/plans/{run.id}/door-cards"))
    # Committing twice is refused.
    again = client.post(f"/transfers/plans/{run.id}/commit", follow_redirects=True)
    assert "Only a finished, uncommitted plan" in text(again)


def test_households_share_a_bus(db, make_site, make_user):
    from quarantine.transfers.manifests import plan_buses
    make_site("Big", ready=True, floors=(1, 6), rooms_per_floor=10, beds=3)
    batch = make_batch(db)
    add_people(db, batch, 60, household_size=3)
    user = make_user("hq")
    run = plan(db, user, [batch])
    commit_plan(run, user)
    buses = plan_buses(run)
    assert sum(b.seats_used for b in buses) == 60
    assert all(b.seats_used <= b.capacity == 22 for b in buses)
    seen: dict[str, int] = {}
    for bus in buses:
        for household in bus.households:
            codes = {p.person.household for p in household}
            assert len(codes) == 1
            code = codes.pop()
            assert code not in seen, "a household was split over buses"
            seen[code] = bus.number


def test_refused_commit_leaves_the_database_unchanged(db, county, make_user):
    fixed, backup, batch = county
    user = make_user("hq")
    run = plan(db, user, [batch])
    used_room = key_id(plan_store.plan_of(run).assignments[0].room)
    room = db.session.get(Room, used_room)
    room.status, room.status_reason = "out_of_service", "leak"
    db.session.commit()
    before = counts(db)
    with pytest.raises(PlanIsStale) as refused:
        commit_plan(run, user)
    assert any("Out of service" in c or "out_of_service" in c for c in refused.value.changes)
    db.session.rollback()
    db.session.expire_all()
    assert counts(db) == before


def test_stale_commit_page_offers_a_replan(db, county, signed_in):
    fixed, backup, batch = county
    client = signed_in("hq")
    client.post("/transfers/plan", data={"batches": [batch.id], "time_limit": 5})
    run = db.session.scalar(select(PlanRun))
    room = db.session.get(Room, key_id(plan_store.plan_of(run).assignments[0].room))
    room.status = "cleaning"
    db.session.commit()
    response = client.post(f"/transfers/plans/{run.id}/commit")
    assert response.status_code == 409
    assert "Re-plan now" in text(response) and room.label in text(response)


def test_two_plans_for_the_same_rooms_cannot_both_commit(db, county, make_user):
    """Sequential version of the race: both plans were made from the same state."""
    fixed, backup, batch = county
    second = make_batch(db, "TK-2")
    add_people(db, second, 6, start=200)
    user = make_user("hq")
    first_run, second_run = plan(db, user, [batch]), plan(db, user, [second])
    commit_plan(first_run, user)
    with pytest.raises(PlanIsStale):
        commit_plan(second_run, user)
    db.session.rollback()
    for room in db.session.scalars(select(Room)):
        assert room.held <= room.beds


# --- receiving at the site ------------------------------------------------------------------------

@pytest.fixture
def committed(db, county, make_user):
    fixed, backup, batch = county
    user = make_user("hq")
    run = plan(db, user, [batch])
    commit_plan(run, user)
    return fixed, run


def reservations(db) -> list[Reservation]:
    return list(db.session.scalars(select(Reservation).order_by(Reservation.id)))


def test_site_manager_checks_people_in(db, committed, signed_in):
    site, run = committed
    client = signed_in("site_manager", sites=[site])
    page = text(client.get(f"/transfers/arrivals/{site.id}"))
    assert "6 still expected" in page
    first, second, third = reservations(db)[:3]
    client.post(f"/transfers/arrivals/{site.id}/check-in", data={"reservations": [first.id]})
    db.session.expire_all()
    stay = db.session.scalar(select(Stay).where(Stay.person_id == first.person_id))
    assert stay.room_id == first.room_id and stay.check_out_at is None
    assert first.status == "checked_in" and first.person.status == "in_quarantine"
    assert first.person.release_date is not None

    room_before = db.session.get(Room, second.room_id).reserved
    client.post(f"/transfers/arrivals/{site.id}/{second.id}/no-show")
    db.session.expire_all()
    assert second.status == "no_show" and second.person.status == "no_show" and second.person.site_id is None
    assert db.session.get(Room, second.room_id).reserved == room_before - 1

    # Another room on a floor that holds nobody else: accepted, rules re-checked.
    used = {r.room_id for r in reservations(db) if r.status in ("reserved", "checked_in")}
    free = db.session.scalar(select(Room).where(Room.site_id == site.id, Room.id.not_in(used),
                                                Room.status == "available").order_by(Room.id))
    response = client.post(f"/transfers/arrivals/{site.id}/{third.id}/rooms", data={"room": free.id},
                           follow_redirects=True)
    assert "checked in to another room" in text(response)
    db.session.expire_all()
    assert db.session.scalar(select(Stay.room_id).where(Stay.person_id == third.person_id)) == free.id


def test_check_in_to_a_full_room_is_refused(db, committed, signed_in):
    site, run = committed
    client = signed_in("site_manager", sites=[site])
    first, second = reservations(db)[:2]
    before = counts(db)
    response = client.post(f"/transfers/arrivals/{site.id}/{first.id}/rooms", data={"room": second.room_id})
    assert response.status_code == 400 and "alert" in text(response)
    db.session.expire_all()
    assert counts(db) == before


def test_other_sites_manager_cannot_see_arrivals(db, committed, signed_in, make_site):
    site, run = committed
    elsewhere = make_site("Elsewhere")
    client = signed_in("site_manager", sites=[elsewhere])
    assert client.get(f"/transfers/arrivals/{site.id}").status_code == 404
    catering = signed_in("catering", sites=[site]).get(f"/transfers/arrivals/{site.id}")
    assert catering.status_code == 403, text(catering)[-1500:]


# --- plan files and the command line --------------------------------------------------------------

def test_plan_file_is_checked_before_it_is_loaded(db, county, signed_in):
    fixed, backup, batch = county
    client = signed_in("hq")
    client.post("/transfers/plan", data={"batches": [batch.id], "time_limit": 5})
    run = db.session.scalar(select(PlanRun))
    good = client.get(f"/transfers/plans/{run.id}/plan.json").data
    scenario = client.get(f"/transfers/plans/{run.id}/scenario.json").get_json()
    assert scenario["format"] == "quarantine-plan-scenario/1"
    crowded = json.loads(good)
    crowded["assignments"] = [dict(a, room=crowded["assignments"][0]["room"]) for a in crowded["assignments"]]
    bad = client.post(f"/transfers/plans/{run.id}/load", data={"file": (io.BytesIO(json.dumps(crowded).encode()), "p.json")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "breaks" in text(bad)
    assert db.session.scalar(select(func.count(PlanRun.id))) == 1
    ok = client.post(f"/transfers/plans/{run.id}/load", data={"file": (io.BytesIO(good), "p.json")},
                     content_type="multipart/form-data", follow_redirects=True)
    assert "keeps every rule" in text(ok)
    assert db.session.scalar(select(func.count(PlanRun.id))) == 2


def test_cli_roster_check_and_scenario_export(db, app, county, tmp_path):
    fixed, backup, batch = county
    runner = app.test_cli_runner()
    clean = tmp_path / "clean.xlsx"
    clean.write_bytes(xlsx_file(roster_rows(5, start=300), title="名单"))
    result = runner.invoke(args=["roster", "check", str(clean)])
    assert result.exit_code == 0 and "people it would import: 5" in result.output
    rows = roster_rows(3, start=300)
    rows[1][0] = ""
    dirty = tmp_path / "dirty.csv"
    dirty.write_bytes(csv_file(rows, encoding="gbk"))
    result = runner.invoke(args=["roster", "check", str(dirty)])
    assert result.exit_code == 1 and "row 3" in result.output

    out = tmp_path / "scenario.json"
    result = runner.invoke(args=["plan", "export-scenario", "--batch", batch.code, "-o", str(out)])
    assert result.exit_code == 0, result.output
    scenario = planner.scenario_from_dict(json.loads(out.read_text()))
    assert len(scenario.batches[0].people) == 6
    result = runner.invoke(args=["plan", "export-scenario", "--batch", "NOPE"])
    assert result.exit_code == 1 and "NOPE" in result.output


def test_staffing_limit_caps_what_the_planner_may_place(db, county, make_user):
    """Staff on duty decide how many residents a site can take: the planner and the commit use it."""
    from datetime import timedelta

    from quarantine.localtime import local_today
    from quarantine.models import StaffMember
    fixed, backup, batch = county
    today = local_today()
    for role in ("doctor", "nurse"):
        db.session.add(StaffMember(site_id=fixed.id, name=role, work_group="health_observation", medical_role=role,
                                   on_duty_from=today - timedelta(days=1)))
    db.session.commit()
    from quarantine.staff.services import effective_capacity_limit
    limit = effective_capacity_limit(fixed, today)
    assert limit is not None and limit >= 6  # one doctor and one nurse care for dozens
    site = next(s for s in build_scenario([batch]).sites if s.name == "Fixed")
    assert site.capacity_limit == limit
    # With the staff gone off duty, the site takes nobody new.
    for member in db.session.scalars(select(StaffMember)):
        member.on_duty_to = today - timedelta(days=1)
    db.session.commit()
    assert next(s for s in build_scenario([batch]).sites if s.name == "Fixed").capacity_limit == 0
    run = plan(db, make_user("hq"), [batch])
    assert run.placed == 0


def test_needs_and_diets_are_imported(db, signed_in):
    batch = make_batch(db)
    client = signed_in("hq")
    rows = roster_rows(3)
    rows[0][6], rows[0][7] = "行动不便、孕妇", "清真"
    page = text(upload(client, batch, xlsx_file(rows), "r.xlsx"))
    client.post(f"/transfers/{batch.id}/roster/import", data={"token": token_of(page)})
    people = {p.name: p for p in db.session.scalars(select(Person).where(Person.batch_id == batch.id))}
    assert sorted(people["测试000"].need_codes) == ["mobility", "pregnant"]
    assert people["测试000"].diet_code == "halal" and people["测试001"].need_codes == []


def test_commit_refused_when_the_site_limit_was_lowered_since_planning(db, county, make_user):
    fixed, backup, batch = county
    user = make_user("hq")
    run = plan(db, user, [batch])
    fixed.capacity_limit = 4
    db.session.commit()
    with pytest.raises(PlanIsStale) as refused:
        commit_plan(run, user)
    assert any("above its limit of 4" in c for c in refused.value.changes)


def test_a_partial_commit_keeps_the_rest_waiting_and_says_so(db, county, signed_in):
    fixed, backup, batch = county
    add_people(db, batch, 6, start=100)  # 12 people, 8 beds
    client = signed_in("hq")
    client.post("/transfers/plan", data={"batches": [batch.id], "time_limit": 5})
    run = db.session.scalar(select(PlanRun))
    client.post(f"/transfers/plans/{run.id}/commit")
    db.session.expire_all()
    assert db.session.get(TransferBatch, batch.id).status == "planned"  # not "committed": people still wait
    listing = text(client.get("/transfers/"))
    assert "4 of 12 waiting for a bed" in listing and "8 reserved" in listing
    page = text(client.get(f"/transfers/{batch.id}"))
    assert "4 of 12 waiting for a bed" in page and "Plan the waiting people" in page
    # Everyone else placed later: the batch is committed.
    from quarantine.demo import _lay_out
    from tests.conftest import staff_for_beds
    _lay_out(backup)
    staff_for_beds(db, backup, 8)
    backup.status = "ready"
    db.session.commit()
    client.post("/transfers/plan", data={"batches": [batch.id], "time_limit": 5})
    second = db.session.scalar(select(PlanRun).order_by(PlanRun.id.desc()).limit(1))
    assert second.people_total == 4 and second.placed == 4  # only the waiting people are planned
    client.post(f"/transfers/plans/{second.id}/commit")
    db.session.expire_all()
    assert db.session.get(TransferBatch, batch.id).status == "committed"
    assert "Everyone has a bed" in text(client.get("/transfers/"))
