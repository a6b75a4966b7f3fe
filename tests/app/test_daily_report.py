"""The daily report (日报告): every figure from known records, for today and a past day, other
sites left out, the printable page and the XLSX export read back with openpyxl."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from quarantine.health import pcr, report, routine
from quarantine.localtime import local_today
from quarantine.stays import lifecycle, release
from tests.app.health_helpers import (  # noqa: F401  (fixtures)
    admin,
    days_ago,
    local_at,
    policy14,
    room,
    settle,
    text,
    tower,
)


@pytest.fixture(autouse=True)
def staff_records(db, tower, make_site):
    """Seven staff on duty at the site today (the site's doctor and nurse, and five others); others who
    must not count: one in post-duty quarantine, one starting tomorrow, one at another site."""
    from quarantine.models import StaffMember
    today = local_today()

    def member(site, name, work_group="logistics", medical_role="none", **dates):
        db.session.add(StaffMember(site_id=site.id, name=name, work_group=work_group, medical_role=medical_role,
                                   **dates))
    for i in range(5):
        member(tower, f"在岗{i}", on_duty_from=today - timedelta(days=3))
    member(tower, "隔离中", on_duty_from=today - timedelta(days=20), on_duty_to=today - timedelta(days=2),
           quarantine_until=today + timedelta(days=5))
    member(tower, "明天上岗", on_duty_from=today + timedelta(days=1))
    member(make_site("Elsewhere"), "别处", on_duty_from=today - timedelta(days=3))
    db.session.commit()


@pytest.fixture
def day_of_records(db, tower, admin, make_person, make_site):
    """A known day at the site, and some records at another site that must not count."""
    today = local_today()
    people = {label: settle(make_person, tower, label, admin, arrived=days_ago(14), name=f"住{label}")
              for label in ("A-101", "A-102", "A-103")}
    people["A-301"] = settle(make_person, tower, "A-301", admin, arrived=days_ago(5), name="住A-301")
    people["A-201"] = settle(make_person, tower, "A-201", admin, arrived=today, name="住A-201")
    people["A-202"] = settle(make_person, tower, "A-202", admin, arrived=today, name="住A-202")
    building = tower.buildings[0]

    release.release(people["A-101"], admin)  # due today
    pcr.record_results(tower, building, 2, [pcr.PcrEntry(people["A-201"].id, "negative"),
                                            pcr.PcrEntry(people["A-202"].id, "negative")], local_at(today, 0, 5),
                       "", admin)
    pcr.record_results(tower, building, 3, [pcr.PcrEntry(people["A-301"].id, "positive")], local_at(today, 0, 5),
                       "县人民医院", admin)
    routine.record_temperatures(tower, building, 1, today, "morning",
                                [routine.TemperatureEntry(people["A-102"].id, 36.5),
                                 routine.TemperatureEntry(people["A-103"].id, 37.5)], admin)
    routine.record_temperatures(tower, building, 1, today, "evening",
                                [routine.TemperatureEntry(people["A-102"].id, 38.0)], admin)
    zones = tower.zones
    for zone, times in ((zones[0], 3), (zones[1], 1)):
        for _ in range(times):
            routine.record_disinfection(tower, zone.id, local_at(today, 0, 1), "李强", "", admin)
    routine.record_health_round(tower, today, "breakfast", True, "张医生", "", admin)
    routine.record_health_round(tower, today, "lunch", False, "", "医生外出转运", admin)

    other = make_site("Other hotel", ready=True)
    stranger = make_person("别处", site_id=other.id)
    lifecycle.check_in(stranger, other.buildings[0].rooms[0].id, admin, when=local_at(today, 0))
    other_building = other.buildings[0]
    routine.record_temperatures(other, other_building, stranger.current_stay.room.floor, today, "morning",
                                [routine.TemperatureEntry(stranger.id, 39.0)], admin)
    return people


EXPECTED_TODAY = {
    "Residents at end of day": 4,        # 6 checked in, 1 released, 1 transferred out
    "Arrivals": 2,
    "Releases": 1,
    "Transfers out": 1,
    "PCR tests done": 3,
    "PCR tests positive": 1,
    "Temperature readings (morning / evening)": "2 / 1",
    "People with fever (≥ 37.3 °C)": 2,  # A-103 in the morning, A-102 in the evening
    "Disinfection rounds done / required": "3 / 6",  # a third round of one zone does not cover another
    "Health rounds done / required": "1 / 3",
    "Staff on duty": 7,
}


def as_dict(figures) -> dict:
    return {label: int(value) if value.isdigit() else value for label, value in figures}


def test_report_figures_from_the_records(db, tower, day_of_records):
    daily = report.daily_report(tower, local_today())
    assert as_dict(daily.figures()) == EXPECTED_TODAY
    assert [(f.room_label, f.period, f.celsius) for f in daily.fevers] == [
        ("A-102", "evening", 38.0), ("A-103", "morning", 37.5)]
    assert [c.room_label for c in daily.positive_cases] == ["A-301"]


def test_report_of_a_past_day_counts_who_was_there_then(db, tower, day_of_records):
    yesterday = report.daily_report(tower, local_today() - timedelta(days=1))
    figures = as_dict(yesterday.figures())
    assert figures["Residents at end of day"] == 4  # A-101..A-103 and A-301; A-20x came today
    assert figures["Arrivals"] == figures["Releases"] == figures["Transfers out"] == 0
    assert figures["PCR tests done"] == 0 and figures["Disinfection rounds done / required"] == "0 / 6"


def test_a_move_within_the_site_is_neither_an_arrival_nor_a_release(db, tower, admin, make_person):
    person = settle(make_person, tower, "A-401", admin, arrived=local_today())
    lifecycle.move(person, room(tower, "A-402").id, admin)
    figures = as_dict(report.daily_report(tower, local_today()).figures())
    assert (figures["Residents at end of day"], figures["Arrivals"], figures["Releases"]) == (1, 1, 0)


def test_report_page_shows_the_figures_and_lists(db, tower, day_of_records, signed_in):
    client = signed_in("site_manager", sites=[tower])
    page = text(client.get(f"/health/sites/{tower.id}/report"))
    figures = page.split('id="report-figures"')[1].split("</table>")[0]
    for label, value in EXPECTED_TODAY.items():
        assert f"<th>{label}</th><td class=\"num\">{value}</td>" in figures.replace("&gt;", ">"), label
    assert "住A-103" in page and "37.5" in page and "县人民医院" in page and "医生外出转运" in page
    assert "别处" not in page
    assert f"/health/sites/{tower.id}/report.xlsx?day={local_today().isoformat()}" in page


def test_report_for_a_bad_or_future_day_is_a_bad_request(db, tower, signed_in):
    client = signed_in("hq")
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    assert client.get(f"/health/sites/{tower.id}/report?day={tomorrow}").status_code == 400
    assert client.get(f"/health/sites/{tower.id}/report?day=2022-13-01").status_code == 400
    assert client.get(f"/health/sites/{tower.id}/report?day=2022-11-23").status_code == 200


def test_xlsx_export_reads_back_with_the_same_figures(db, tower, day_of_records, signed_in):
    client = signed_in("site_manager", sites=[tower])
    response = client.get(f"/health/sites/{tower.id}/report.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"daily-report-site-{tower.id}-{local_today().isoformat()}.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Daily report", "Fevers", "Disinfection", "Health rounds", "Positive cases"]
    sheet = book["Daily report"]
    assert [c.value for c in sheet[1]] == ["Daily report", "Yinghe Hotel", local_today().isoformat()]
    figures = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert figures == EXPECTED_TODAY
    assert isinstance(figures["Residents at end of day"], int)  # numbers stay numbers for the county's sums
    fevers = list(book["Fevers"].iter_rows(values_only=True))
    assert fevers == [("Room", "Name", "Time", "°C"), ("A-102", "住A-102", "Evening", 38.0),
                      ("A-103", "住A-103", "Morning", 37.5)]
    disinfection = list(book["Disinfection"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[2]) for row in disinfection] == [(3, 2), (1, 2), (0, 2)]
    # Empty cells read back as None.
    rounds = [tuple(v or "" for v in row) for row in book["Health rounds"].iter_rows(min_row=2, values_only=True)]
    assert rounds == [("Breakfast", "yes", "张医生", ""), ("Lunch", "no", "", "医生外出转运"), ("Dinner", "no", "", "")]
    positives = list(book["Positive cases"].iter_rows(min_row=2, values_only=True))
    assert positives == [("A-301", "住A-301", "县人民医院", 2)]  # downstairs


def test_xlsx_export_in_chinese(db, tower, day_of_records, signed_in):
    client = signed_in("site_manager", sites=[tower])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    response = client.get(f"/health/sites/{tower.id}/report.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    summary = [row for row in book.worksheets[0].iter_rows(values_only=True) if row and row[0]]
    labels = {row[0]: row[1] for row in summary if len(row) > 1}
    assert labels.get("在岗工作人员") == 7 or labels.get("在岗工作人员") == "7", labels


def test_site_day_page_summarises_today(db, tower, day_of_records, signed_in):
    page = text(signed_in("site_manager", sites=[tower]).get(f"/health/sites/{tower.id}"))
    stats = page.split('id="today-stats"')[1].split("</div>\n<h2>")[0]
    assert "<b>4</b>" in stats and "<b>3 / 6</b>" in stats and "<b>7</b>" in stats
