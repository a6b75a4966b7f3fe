"""Bad input never gives a 500: NUL bytes in any text field, numbers out of range, a form without its
file, two people saving the same record at once; and nobody's personal data in the logs."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from quarantine.errors import DomainError
from quarantine.health import routine
from quarantine.localtime import local_today
from quarantine.models import Person, PlanRun, Site, TemperatureReading
from tests.app.health_helpers import admin, policy14, room, settle, tower  # noqa: F401  (fixtures)
from tests.app.test_people import person_data
from tests.app.test_sites import GOOD_SITE
from tests.app.transfer_helpers import add_people, make_batch

NUL_MESSAGE = "a character that is not allowed (NUL)"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["name", "phone", "household", "origin", "notes"])
def test_nul_in_a_person_field_is_refused_with_a_message(db, make_site, signed_in, field):
    site = make_site("Yinghe", ready=True)
    client = signed_in("hq")
    response = client.post("/people/new", data=person_data(site.id, **{field: "李\x00明"}))
    assert response.status_code == 200
    assert NUL_MESSAGE in text(response)
    assert db.session.scalar(select(func.count(Person.id))) == 0


@pytest.mark.parametrize("field", ["name", "address", "responsible_unit", "notes"])
def test_nul_in_a_site_field_is_refused_with_a_message(db, signed_in, field):
    response = signed_in("hq").post("/sites/new", data={**GOOD_SITE, field: "城关\x00"})
    assert response.status_code == 200 and NUL_MESSAGE in text(response)
    assert db.session.scalar(select(func.count(Site.id))) == 0


def test_nul_in_the_sign_in_form_is_refused(client):
    response = client.post("/login", data={"username": "ad\x00min", "password": "x"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 200 and NUL_MESSAGE in text(response)


@pytest.mark.parametrize("query", ["?q=%00", "?page=99999999999999999999", "?site=99999999999999999999",
                                   "?batch=-99999999999999999999", "?site_name=%00"])
def test_odd_query_strings_on_the_people_list_never_give_a_500(signed_in, query):
    response = signed_in("hq").get("/people/" + query)
    assert response.status_code in (200, 400), text(response)[:500]
    assert "Quarantine sites" in text(response)  # inside the layout
    if "%00" in query:
        assert response.status_code == 400 and "not allowed (NUL)" in text(response)


def test_too_large_a_number_in_a_form_is_refused(db, signed_in):
    response = signed_in("hq").post("/sites/new", data={**GOOD_SITE, "capacity_limit": "99999999999999999999"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Site.id))) == 0


def test_loading_a_plan_without_a_file_says_so(db, make_site, signed_in):
    make_site("Fixed", ready=True)
    batch = make_batch(db)
    add_people(db, batch, 2)
    client = signed_in("hq")
    client.post("/transfers/plan", data={"batches": [batch.id], "time_limit": 5})
    run = db.session.scalar(select(PlanRun))
    response = client.post(f"/transfers/plans/{run.id}/load", data={}, follow_redirects=True)
    assert response.status_code == 200 and "Choose a file to upload." in text(response)


def test_first_temperatures_saved_at_the_same_moment_answer_with_a_message(db, tower, admin, make_person,
                                                                          monkeypatch):
    person = settle(make_person, tower, "A-101", admin, arrived=local_today())
    building = tower.buildings[0]
    # Another staff member's reading lands between this save's read and its write.
    db.session.add(TemperatureReading(person_id=person.id, site_id=tower.id, day=local_today(), period="morning",
                                      celsius=36.6, recorded_by_id=admin.id))
    db.session.commit()
    monkeypatch.setattr(routine, "readings_on", lambda *_args: {})
    with pytest.raises(DomainError, match="at the same moment"):
        routine.record_temperatures(tower, building, 1, local_today(), "morning",
                                    [routine.TemperatureEntry(person.id, 37.2)], admin)
    assert db.session.scalars(select(TemperatureReading.celsius)).all() == [36.6]


def test_a_refused_statement_is_logged_without_its_values(app, db, make_site, signed_in, caplog, monkeypatch):
    """The database refusing a write (here a forced unique clash) gives a page, and the log names no value."""
    from sqlalchemy.exc import IntegrityError
    site = make_site("Yinghe", ready=True)
    client = signed_in("hq")
    captured = {}

    def clash(*_args, **_kwargs):
        try:
            db.session.execute(Person.__table__.insert(), [{"id": 1, "name": "秘密名字", "id_kind": "resident_id",
                                                            "id_number": "SECRET-ID-1", "category_code": "nope"}])
            db.session.flush()
        except IntegrityError as exc:
            captured["error"] = str(exc)
            raise
    monkeypatch.setattr("quarantine.people.services.set_needs", clash)
    with caplog.at_level(logging.DEBUG):
        response = client.post("/people/new", data=person_data(site.id))
    assert response.status_code == 409 and "at the same moment" in text(response)
    assert "SECRET-ID-1" not in captured["error"] and "秘密名字" not in captured["error"]
    assert "SECRET-ID-1" not in caplog.text and "秘密名字" not in caplog.text


@pytest.mark.parametrize("path", ["/people/99999999999999999999", "/sites/99999999999999999999",
                                  "/transfers/plans/99999999999999999999/manifests"])
def test_huge_ids_in_addresses_are_not_found(signed_in, path):
    response = signed_in("hq").get(path)
    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_every_form_of_the_app_has_the_nul_and_range_checks():
    """Forms are AppForm (or AppSubForm): a form made straight from FlaskForm would skip the checks."""
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "quarantine"
    plain = [str(path.relative_to(root)) for path in root.rglob("*.py")
             if path.name != "form_fields.py" and "(FlaskForm)" in path.read_text(encoding="utf-8")]
    assert plain == []
