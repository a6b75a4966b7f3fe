"""Headquarters' county view: the home page's per-site figures, stale confirmations, batches on the
way, the county's daily-report totals, the 7-day forecast and the big screen."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from quarantine.county.figures import site_figures, stale_cutoff
from quarantine.county.forecast import forecast
from quarantine.localtime import local_today
from quarantine.models import PcrTest, Policy, Room, TemperatureReading
from tests.app.health_helpers import admin, days_ago, local_at, policy14, reload, room, settle, text, tower  # noqa: F401
from tests.app.transfer_helpers import add_people, make_batch


def cell(page: str, site_id: int, css: str) -> str:
    row = page.split(f'data-site="{site_id}"')[1].split("</tr>")[0]
    return re.search(rf'class="[^"]*{css}[^"]*">([^<]*)', row).group(1).strip()


@pytest.fixture
def resident_due(db, tower, make_person, admin):
    """Three residents in the tower: due out today, tomorrow and in three days (14-day policy)."""
    people = [settle(make_person, tower, label, admin, arrived=days_ago(ago), name=f"住户{i}")
              for i, (label, ago) in enumerate((("A-101", 14), ("A-102", 13), ("A-103", 11)))]
    return tower, people


def test_home_page_shows_each_sites_figures_and_releases_due(db, resident_due, signed_in):
    site, _ = resident_due
    page = text(signed_in("hq").get("/"))
    assert cell(page, site.id, "releases-today") == "1"
    assert cell(page, site.id, "releases-tomorrow") == "1"
    assert cell(page, site.id, "residents") == "3"
    assert cell(page, site.id, "free") == str(32 - 3)
    # The fixture's doctor and nurse support 50 residents.
    assert cell(page, site.id, "staff-limit") == "50"
    assert cell(page, site.id, "takes") == str(32 - 3)


def test_figures_never_confirmed_are_stale_until_the_site_confirms(db, tower, signed_in):
    manager = signed_in("site_manager", sites=[tower])
    hq = signed_in("hq")
    page = text(hq.get("/"))
    assert 'id="stale-sites">1<' in page and "stale-flag" in page.split(f'data-site="{tower.id}"')[1]
    response = manager.post(f"/county/sites/{tower.id}/confirm", data={"kinds": ["rooms", "staff", "report"]})
    assert response.status_code == 302
    page = text(hq.get("/"))
    assert 'id="stale-sites">0<' in page
    assert "never" not in cell(page, tower.id, "confirmed-rooms")
    assert text(hq.get("/?stale=1")).count("data-site=") == 0


def test_the_stale_threshold_is_a_policy_field(db, tower, policy14):
    tower.rooms_confirmed_at = tower.staff_confirmed_at = tower.report_confirmed_at = \
        datetime.now(timezone.utc) - timedelta(hours=30)
    db.session.commit()
    today = local_today()
    assert site_figures([tower], today, stale_cutoff(today))[0].stale == ["rooms", "staff", "report"]
    policy14.figures_stale_hours = 48
    db.session.commit()
    assert site_figures([tower], today, stale_cutoff(today))[0].stale == []


def test_standby_sites_are_not_flagged_stale(db, make_site):
    backup = make_site("Standby hotel", kind="backup")
    today = local_today()
    assert site_figures([backup], today, stale_cutoff(today))[0].stale == []


def test_a_manager_cannot_confirm_another_sites_figures(db, tower, make_site, signed_in):
    other = make_site("Other")
    manager = signed_in("site_manager", sites=[other])
    assert manager.post(f"/county/sites/{tower.id}/confirm", data={"kinds": ["rooms"]}).status_code == 404
    assert reload(db, tower).rooms_confirmed_at is None


def test_batches_on_the_way_with_people_and_buses(db, signed_in):
    batch = make_batch(db, "TK-9", origin="太康县")
    batch.expected_arrival = datetime.now(timezone.utc) + timedelta(hours=5)
    db.session.commit()
    add_people(db, batch, 30)
    page = text(signed_in("hq").get("/")).split('id="batches-on-the-way"')[1].split("</section>")[0]
    row = page.split('data-batch="TK-9"')[1].split("</tr>")[0]
    assert "太康县" in row and ">30<" in row
    assert ">2<" in row  # 45 seats at 50 %: 22 a bus


def test_county_totals_of_the_daily_reports(db, resident_due, admin, signed_in):
    site, people = resident_due
    today = local_today()
    db.session.add_all([
        PcrTest(person_id=people[0].id, site_id=site.id, sampled_at=local_at(today), sample_day=today, result="negative"),
        PcrTest(person_id=people[1].id, site_id=site.id, sampled_at=local_at(today), sample_day=today, result="positive"),
        TemperatureReading(person_id=people[2].id, site_id=site.id, day=today, period="morning", celsius=38.1),
    ])
    db.session.commit()
    page = text(signed_in("hq").get("/")).split('id="report-totals"')[1].split("</section>")[0]
    assert 'data-figure="residents">3<' in page
    assert 'data-figure="tests">2<' in page and 'data-figure="positives">1<' in page
    assert 'data-figure="fevers">1<' in page


def test_the_home_page_pages_and_searches_sites(db, make_site, signed_in):
    for i in range(55):
        make_site(f"隔离点 {i:03d}")
    hq = signed_in("hq")
    assert text(hq.get("/")).count("data-site=") == 50
    assert text(hq.get("/?page=2")).count("data-site=") == 5
    assert text(hq.get("/?q=隔离点 007")).count("data-site=") == 1


# --- the forecast -------------------------------------------------------------------------------

def test_forecast_counts_releases_and_rooms_coming_back(db, resident_due):
    site, _ = resident_due
    today = local_today()
    cleaning = room(site, "B-101")
    cleaning.status = "cleaning"
    oos = room(site, "B-102")
    oos.status, oos.expected_return = "out_of_service", today + timedelta(days=4)
    db.session.commit()
    days = forecast([site], today, 7).sites[site.id]
    free = [d.free_beds for d in days]
    # 32 rooms: 3 held, 2 not usable → 27 free today; the cleaned room tomorrow, plus the room of the
    # resident due out today (disinfected today, back tomorrow); the one due tomorrow back the day after;
    # the room out of service on day 4; the third resident (out on day 3) back on day 4.
    assert free == [27, 29, 30, 30, 32, 32, 32]
    assert [d.releases for d in days] == [1, 1, 0, 1, 0, 0, 0]


def test_forecast_respects_the_staffing_limit_and_people_waiting(db, make_site):
    site = make_site("Small staff", ready=True, staffed=False, floors=(1, 1), rooms_per_floor=10)
    from tests.conftest import staff_for_beds
    staff_for_beds(db, site, 10)  # 1 doctor + 1 nurse: 50 residents
    site.capacity_limit = 6
    db.session.commit()
    batch = make_batch(db, "TK-2")
    batch.expected_arrival = local_at(local_today() + timedelta(days=2), 20)
    db.session.commit()
    add_people(db, batch, 4)
    result = forecast([site], local_today(), 7)
    assert [d.takes for d in result.sites[site.id]] == [6] * 7
    assert [d.waiting for d in result.county] == [0, 0, 4, 4, 4, 4, 4]
    assert [d.after_waiting for d in result.county] == [6, 6, 2, 2, 2, 2, 2]


def test_the_countys_free_beds_are_those_of_receiving_sites_as_on_the_home_page(db, make_site):
    from sqlalchemy import select

    from quarantine.models import Site
    from quarantine.sites.services import totals
    ready = make_site("Ready", ready=True, floors=(1, 1), rooms_per_floor=4)
    backup = make_site("Backup", kind="backup", floors=(1, 1), rooms_per_floor=6)
    result = forecast([ready, backup], local_today(), 3)
    assert [d.free_beds for d in result.sites[backup.id]] == [6, 6, 6]  # its own row still shows them
    assert [d.figure.free_beds for d in result.county] == [4, 4, 4] == [totals(select(Site))["free_beds"]] * 3


def test_forecast_page_has_a_chart_and_tables_and_prints(db, resident_due, signed_in):
    site, _ = resident_due
    page = text(signed_in("hq").get("/county/forecast?days=7"))
    assert page.count("<rect class=\"takes\"") == 7
    assert 'id="county-forecast"' in page and f'data-site="{site.id}"' in page
    assert "data-print" in page and "<script>" not in page
    assert signed_in("hq").get("/county/forecast?days=99").status_code == 200


def test_forecast_for_a_site_manager_covers_only_their_sites(db, tower, make_site, signed_in):
    other = make_site("Other ready", ready=True)
    page = text(signed_in("site_manager", sites=[tower]).get("/county/forecast"))
    assert f'data-site="{tower.id}"' in page and f'data-site="{other.id}"' not in page


# --- the big screen -----------------------------------------------------------------------------

def test_big_screen_refreshes_itself_and_has_no_controls(db, resident_due, signed_in):
    page = text(signed_in("hq").get("/county/big-screen"))
    assert '<meta http-equiv="refresh" content="60">' in page
    assert "<form" not in page and "<button" not in page and "<nav" not in page
    assert 'id="bs-takes">29<' in page


def test_big_screen_is_for_headquarters(db, tower, signed_in):
    assert signed_in("site_manager", sites=[tower]).get("/county/big-screen").status_code == 403


def test_policy_form_has_the_stale_threshold(db, signed_in):
    page = text(signed_in("admin").get("/policy/new"))
    assert 'name="figures_stale_hours"' in page
    assert Policy.__table__.c.figures_stale_hours.server_default is not None
    assert Room  # imported for the fixtures' rooms


@pytest.mark.parametrize("hours, saved", [("", 24), ("48", 48)])
def test_the_policy_form_saves_the_stale_threshold(db, signed_in, hours, saved):
    from datetime import date

    from sqlalchemy import select
    data = {"name": "9th edition", "effective_from": "2023-01-08", "quarantine_days": "7", "home_days": "3",
            "pcr_test_days": "1,2,3,5,7", "residents_per_doctor": "50", "residents_per_nurse": "50",
            "other_staff_min": "3", "other_staff_max": "4", "bus_seats": "45", "bus_load_factor": "0.5",
            "waste_collection_days": "2", "supply_warning_days": "3", "figures_stale_hours": hours}
    assert signed_in("admin").post("/policy/new", data=data).status_code == 302
    policy = db.session.scalar(select(Policy).where(Policy.effective_from == date(2023, 1, 8)))
    assert policy.figures_stale_hours == saved


def test_the_home_page_shows_the_first_supply_flags_and_counts_the_rest(db, app, signed_in, monkeypatch):
    from quarantine import main
    from quarantine.supplies.flags import Flag
    flags = [Flag("low_stock", f"site {i}", "short", "supplies.index") for i in range(35)]
    monkeypatch.setattr(main, "supplies_and_waste_flags", lambda *a, **k: flags)
    page = text(signed_in("hq").get("/"))
    assert page.count('class="flag low_stock"') == 30 and "5 more on the supplies page" in page


def test_long_id_lists_select_the_same_rows(db, make_site):
    """in_ids sends a province's 1,500 ids as one array on PostgreSQL; it must select what IN does."""
    from sqlalchemy import select

    from quarantine.many import in_ids
    from quarantine.models import Site
    sites = [make_site(f"site {i}") for i in range(3)]
    ids = [sites[0].id, sites[2].id] + list(range(10_000, 10_300))
    assert sorted(db.session.scalars(select(Site.id).where(in_ids(Site.id, ids)))) == [sites[0].id, sites[2].id]
    assert list(db.session.scalars(select(Site.id).where(in_ids(Site.id, [])))) == []
