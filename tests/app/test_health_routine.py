"""The daily routine: temperatures morning and evening in bulk per floor (fever at 37.3 °C, impossible
values refused naming the row, nothing half-written), disinfection twice a day per zone, and
health rounds at the three meals."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quarantine.health import routine
from quarantine.localtime import local_today, utc_to_local
from quarantine.models import DisinfectionRound, HealthRound, TemperatureReading
from quarantine.stays import lifecycle
from tests.app.health_helpers import (  # noqa: F401  (fixtures)
    admin,
    days_ago,
    policy14,
    settle,
    text,
    tower,
)


def count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def floor_one(db, tower, admin, make_person):
    """Three residents on A floor 1 (arrived three days ago) and one at another site."""
    people = [settle(make_person, tower, f"A-10{i}", admin, arrived=days_ago(3), name=f"住户{i}") for i in (1, 2, 3)]
    return people


def temperature_url(site, floor=1, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/health/sites/{site.id}/floors/{site.buildings[0].id}/{floor}/temperatures" + (f"?{query}" if query else "")


def temperature_form(rows) -> dict:
    data = {}
    for i, (person_id, value) in enumerate(rows):
        data[f"rows-{i}-person_id"] = str(person_id)
        data[f"rows-{i}-celsius"] = value
    return data


# --- temperatures --------------------------------------------------------------------------------

def test_bulk_temperatures_for_a_floor_with_fever_flagged(db, tower, floor_one, signed_in):
    client = signed_in("site_manager", sites=[tower])
    rows = [(floor_one[0].id, "36.5"), (floor_one[1].id, "37.3"), (floor_one[2].id, "")]
    page = text(client.post(temperature_url(tower, period="morning"), data=temperature_form(rows),
                            follow_redirects=True))
    assert "2 temperatures saved." in page and "1 with fever (≥ 37.3 °C)" in page
    readings = db.session.scalars(select(TemperatureReading).order_by(TemperatureReading.person_id)).all()
    assert [(r.person_id, r.celsius, r.period, r.day) for r in readings] == [
        (floor_one[0].id, 36.5, "morning", local_today()), (floor_one[1].id, 37.3, "morning", local_today())]
    assert routine.is_fever(37.3) and not routine.is_fever(37.2)
    overview = text(client.get(f"/health/sites/{tower.id}/temperatures"))
    assert "2 / 3" in overview and "1 with fever" in overview


def test_entering_again_corrects_and_the_page_shows_what_was_entered(db, tower, floor_one, signed_in):
    client = signed_in("hq")
    client.post(temperature_url(tower, period="evening"), data=temperature_form([(floor_one[0].id, "38.1")]))
    page = text(client.get(temperature_url(tower, period="evening")))
    assert 'value="38.1"' in page and "fever" in page
    client.post(temperature_url(tower, period="evening"), data=temperature_form([(floor_one[0].id, "36,8℃")]))
    assert count(db, TemperatureReading) == 1
    assert db.session.scalar(select(TemperatureReading.celsius)) == 36.8


def test_one_input_per_resident_in_room_order_tab_goes_from_one_to_the_next(db, tower, floor_one, signed_in):
    page = text(signed_in("hq").get(temperature_url(tower, period="morning")))
    form = page.split('id="temperature-form"')[1].split("</form>")[0]
    # Everything a Tab stops on inside the form, in document order.
    focusable = re.findall(r'<(?:input(?![^>]*type="hidden")|select|textarea|button|a)\b[^>]*>', form)
    names = [re.search(r'name="([^"]+)"', f).group(1) if "name=" in f else f for f in focusable]
    assert names[:3] == ["rows-0-celsius", "rows-1-celsius", "rows-2-celsius"]
    assert focusable[3].startswith("<button")
    assert "autofocus" in focusable[0] and 'inputmode="decimal"' in focusable[0]
    rooms = re.findall(r"<td>(A-10\d)</td>", form)
    assert rooms == ["A-101", "A-102", "A-103"]


@pytest.mark.parametrize("value,message", [
    pytest.param("55", "A-102 住户2: 55 °C is outside 34.0–43.0 °C.", id="55-degrees"),
    pytest.param("3.65", "A-102 住户2: 3.6 °C is outside 34.0–43.0 °C.", id="decimal-point-slipped"),
    pytest.param("33.9", "A-102 住户2: 33.9 °C is outside", id="just-below"),
    pytest.param("43.1", "A-102 住户2: 43.1 °C is outside", id="just-above"),
    pytest.param("abc", "A-102 住户2: “abc” is not a temperature; type e.g. 36.5.", id="not-a-number"),
    pytest.param("36.5.1", "is not a temperature", id="two-points"),
    pytest.param("36.55555555555", "Field cannot be longer than 10 characters", id="too-long"),
])
def test_bad_temperatures_are_refused_naming_the_row_and_none_written(db, tower, floor_one, signed_in, value,
                                                                      message):
    rows = [(floor_one[0].id, "36.6"), (floor_one[1].id, value), (floor_one[2].id, "36.7")]
    response = signed_in("site_manager", sites=[tower]).post(temperature_url(tower, period="morning"),
                                                             data=temperature_form(rows))
    assert response.status_code == 400
    page = text(response)
    assert message in page and "Nothing was saved" in page
    assert count(db, TemperatureReading) == 0


@pytest.mark.parametrize("rows_of,message", [
    pytest.param(lambda people, other: [(people[0].id, "36.6"), (other.id, "36.6")],
                 "Row 2: that person is not checked in on floor 1 of building A at this site.",
                 id="person-of-another-site"),
    pytest.param(lambda people, other: [(people[0].id, "36.6"), ("x", "36.6")], "Not a person of this floor.",
                 id="person-id-not-a-number"),
    pytest.param(lambda people, other: [(people[0].id, "36.6"), (people[0].id, "36.9")], "A-101 住户1 appears twice.",
                 id="same-person-twice"),
])
def test_readings_for_people_not_on_the_floor_are_refused(db, tower, floor_one, admin, make_person, make_site,
                                                         signed_in, rows_of, message):
    other_site = make_site("Other hotel", ready=True)
    elsewhere = make_person("别处", site_id=other_site.id)
    lifecycle.check_in(elsewhere, other_site.buildings[0].rooms[0].id, admin)
    response = signed_in("hq").post(temperature_url(tower, period="morning"),
                                    data=temperature_form(rows_of(floor_one, elsewhere)))
    assert response.status_code == 400 and message in text(response)
    assert count(db, TemperatureReading) == 0
    assert "别处" not in text(response)  # another site's resident is never named


def test_readings_before_arrival_future_days_and_unknown_periods(db, tower, floor_one, signed_in):
    client = signed_in("hq")
    rows = temperature_form([(floor_one[0].id, "36.6")])
    response = client.post(temperature_url(tower, period="morning", day=days_ago(5).isoformat()), data=rows)
    assert response.status_code == 400 and "A-101 住户1 arrived on" in text(response)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    assert client.post(temperature_url(tower, period="morning", day=tomorrow), data=rows).status_code == 400
    assert client.post(temperature_url(tower, period="morning", day="23/11/2022"), data=rows).status_code == 400
    assert client.post(temperature_url(tower, period="noon"), data=rows).status_code == 404
    assert count(db, TemperatureReading) == 0


def test_the_database_refuses_an_impossible_temperature(db, tower, floor_one):
    db.session.add(TemperatureReading(person_id=floor_one[0].id, site_id=tower.id, day=local_today(),
                                      period="morning", celsius=55.0))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# --- disinfection --------------------------------------------------------------------------------

def now_local(delta: timedelta = timedelta()) -> str:
    return utc_to_local(datetime.now(timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M")


def test_disinfection_rounds_per_zone_done_against_required(db, tower, signed_in):
    client = signed_in("site_manager", sites=[tower])
    zones = tower.zones
    assert len(zones) == 3
    for _ in range(2):
        page = text(client.post(f"/health/sites/{tower.id}/disinfection",
                                data={"zone_id": zones[0].id, "done_at": now_local(), "done_by": "消杀组 李强",
                                      "notes": "含氯消毒液 500mg/L"}, follow_redirects=True))
        assert "Disinfection recorded." in page
    client.post(f"/health/sites/{tower.id}/disinfection",
                data={"zone_id": zones[1].id, "done_at": now_local(), "done_by": "王五"})
    by_zone = routine.disinfection_by_zone(tower, local_today())
    assert [len(z.rounds) for z in by_zone] == [2, 1, 0]
    assert sum(z.done for z in by_zone) == 3
    page = text(client.get(f"/health/sites/{tower.id}/disinfection"))
    assert "2 / 2" in page and "1 / 2" in page and "0 / 2" in page and "消杀组 李强" in page
    entry = db.session.scalar(select(DisinfectionRound))
    assert entry.recorded_by_id == client.user.id and entry.day == local_today()


@pytest.mark.parametrize("fields,message", [
    pytest.param({"zone_id": "OTHER"}, "Not a valid choice", id="zone-of-another-site"),
    pytest.param({"zone_id": "abc"}, "Invalid Choice: could not coerce", id="zone-not-a-number"),
    pytest.param({"done_at": "FUTURE"}, "is in the future", id="time-in-the-future"),
    pytest.param({"done_at": "this morning"}, "Not a valid datetime value", id="time-not-a-time"),
    pytest.param({"done_at": ""}, "This field is required.", id="no-time"),
    pytest.param({"done_by": ""}, "This field is required.", id="nobody-did-it"),
    pytest.param({"done_by": "x" * 61}, "Field cannot be longer than 60 characters", id="name-too-long"),
])
def test_bad_disinfection_records_are_refused(db, tower, make_site, signed_in, fields, message):
    other = make_site("Other hotel", ready=True)
    data = {"zone_id": tower.zones[0].id, "done_at": now_local(), "done_by": "李强", "notes": ""}
    data.update(fields)
    if data["zone_id"] == "OTHER":
        data["zone_id"] = other.zones[0].id
    if data["done_at"] == "FUTURE":
        data["done_at"] = now_local(timedelta(hours=3))
    response = signed_in("hq").post(f"/health/sites/{tower.id}/disinfection", data=data)
    assert response.status_code == 400 and message in text(response)
    assert count(db, DisinfectionRound) == 0


# --- health rounds -------------------------------------------------------------------------------

def test_health_rounds_recorded_and_corrected(db, tower, signed_in):
    client = signed_in("site_manager", sites=[tower])
    today = local_today().isoformat()
    page = text(client.post(f"/health/sites/{tower.id}/rounds",
                            data={"day": today, "meal": "lunch", "done": "y", "done_by": "张医生",
                                  "notes": "A-305 头痛，已告知医生"}, follow_redirects=True))
    assert "Health round recorded." in page and "A-305 头痛" in page
    client.post(f"/health/sites/{tower.id}/rounds",
                data={"day": today, "meal": "lunch", "done": "y", "done_by": "李护士", "notes": "无异常"})
    rounds = db.session.scalars(select(HealthRound)).all()
    assert [(r.meal, r.done_by, r.notes) for r in rounds] == [("lunch", "李护士", "无异常")]


@pytest.mark.parametrize("fields,message", [
    pytest.param({"done": ""}, "Say in the notes why the round was not done.", id="not-done-without-why"),
    pytest.param({"meal": "supper"}, "Not a valid choice", id="unknown-meal"),
    pytest.param({"day": "TOMORROW"}, "is in the future", id="future-day"),
    pytest.param({"day": "yesterday"}, "Not a valid date value", id="day-not-a-date"),
])
def test_bad_health_rounds_are_refused(db, tower, signed_in, fields, message):
    data = {"day": local_today().isoformat(), "meal": "breakfast", "done": "y", "done_by": "张医生", "notes": ""}
    data.update(fields)
    if data["day"] == "TOMORROW":
        data["day"] = (local_today() + timedelta(days=1)).isoformat()
    if not data["done"]:
        del data["done"]
    response = signed_in("hq").post(f"/health/sites/{tower.id}/rounds", data=data)
    assert response.status_code == 400 and message in text(response)
    assert count(db, HealthRound) == 0


def test_a_round_not_done_with_the_reason_is_recorded(db, tower, signed_in):
    signed_in("hq").post(f"/health/sites/{tower.id}/rounds",
                         data={"day": local_today().isoformat(), "meal": "dinner", "notes": "医生被调往转运"})
    entry = db.session.scalar(select(HealthRound))
    assert entry.done is False and entry.notes == "医生被调往转运"
