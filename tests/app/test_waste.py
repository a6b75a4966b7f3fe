"""Medical waste: a day's entries typed per source (corrected, removed, refused when wrong), the
collection that empties the store, the overdue and over-capacity flags, the handover sheet, and
who may use the pages."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from quarantine.errors import DomainError
from quarantine.localtime import local_to_utc, local_today
from quarantine.models import Policy, WasteCollection, WasteEntry
from quarantine.waste import services
from tests.app.health_helpers import admin  # noqa: F401


def text(response) -> str:
    return response.get_data(as_text=True)


def days_ago(n: int):
    return local_today() - timedelta(days=n)


def entry_count(db) -> int:
    return db.session.scalar(select(func.count(WasteEntry.id)))


@pytest.fixture
def site(make_site, db):
    from tests.app.health_helpers import add_building
    site = make_site("Welfare centre", ready=True)
    add_building(db, site, "B")
    return site


def day_data(site, rows: dict) -> dict:
    """Form data for the day's rows: {source index: (bags, kg)}; sources are A, B, other areas."""
    keys = [str(b.id) for b in site.buildings] + ["other"]
    data = {}
    for i, key in enumerate(keys):
        bags, kg = rows.get(i, ("", ""))
        data.update({f"day-rows-{i}-source": key, f"day-rows-{i}-bags": str(bags), f"day-rows-{i}-weight_kg": str(kg)})
    return data


def collect(site, user, *, at=None, bags=10, kg=25.0, first="张三", second="李四", **fields):
    return services.record_collection(
        site, collected_at=at or datetime.now(timezone.utc) - timedelta(minutes=1), collector="周口医废处置中心",
        collector_person="刘师傅", vehicle="豫p·a1234", bags=bags, weight_kg=kg, seal_numbers="F0231–F0240",
        handed_over_by=first, handed_over_by_2=second, notes=fields.get("notes", ""), user=user)


# --- the day's entries --------------------------------------------------------------------------

def test_a_days_waste_is_typed_per_source_corrected_and_removed(db, site, signed_in):
    client = signed_in("site_manager", sites=[site])
    page = text(client.get(f"/waste/sites/{site.id}"))
    assert page.count('name="day-rows-') == 3 * 3 and "Other areas" in page and "autofocus" in page
    response = client.post(f"/waste/sites/{site.id}", data=day_data(site, {0: (4, "12.5"), 1: (3, "7,5"), 2: (1, "2")}))
    assert response.status_code == 302
    entries = db.session.scalars(select(WasteEntry).order_by(WasteEntry.id)).all()
    assert [(e.building_id, e.bags, e.weight_kg, e.day) for e in entries] == [
        (site.buildings[0].id, 4, 12.5, local_today()), (site.buildings[1].id, 3, 7.5, local_today()),
        (None, 1, 2.0, local_today())]
    # A second entry corrects building A, 0 and 0 removes the other areas, a blank row changes nothing.
    assert client.post(f"/waste/sites/{site.id}", data=day_data(site, {0: (5, "14"), 2: (0, "0")})).status_code == 302
    db.session.expire_all()
    assert db.session.execute(select(WasteEntry.building_id, WasteEntry.bags, WasteEntry.weight_kg)
                              .order_by(WasteEntry.id)).all() == [(site.buildings[0].id, 5, 14.0),
                                                                   (site.buildings[1].id, 3, 7.5)]
    held = services.held(site)
    assert (held.bags, held.weight_kg, held.oldest_day) == (8, 21.5, local_today())


def test_an_earlier_day_is_entered_through_its_page(db, site, signed_in):
    client = signed_in("site_manager", sites=[site])
    day = days_ago(2).isoformat()
    assert client.post(f"/waste/sites/{site.id}?day={day}", data=day_data(site, {0: (2, 5)})).status_code == 302
    assert db.session.scalar(select(WasteEntry.day)) == days_ago(2)
    assert client.get(f"/waste/sites/{site.id}?day={(local_today() + timedelta(days=1)).isoformat()}").status_code == 400


@pytest.mark.parametrize("rows,message", [
    pytest.param({0: (4, "")}, "Give both the number of bags and their weight", id="bags-without-weight"),
    pytest.param({0: ("", "12")}, "Give both the number of bags and their weight", id="weight-without-bags"),
    pytest.param({0: (1, "45")}, "45 kg in 1 bags is more than 30 kg a bag", id="too-heavy-for-a-bag"),
    pytest.param({0: (2, "heavy")}, "“heavy” is not a weight", id="weight-not-a-number"),
    pytest.param({0: ("two", "5")}, "Not a valid integer value.", id="bags-not-a-number"),
    pytest.param({0: (-1, "5")}, "Number must be between 0 and 1000.", id="negative-bags"),
    pytest.param({0: (3, "6"), 1: (2, "-4")}, "Bags and weight cannot be below zero.", id="second-row-negative"),
])
def test_wrong_rows_are_named_and_nothing_is_saved(db, site, signed_in, rows, message):
    client = signed_in("site_manager", sites=[site])
    response = client.post(f"/waste/sites/{site.id}", data=day_data(site, rows))
    assert response.status_code == 400
    errors = text(response).split('id="bulk-errors"')[1].split("</div>")[0]
    assert "Nothing was saved" in errors and message in errors
    assert "Building" in errors  # the row is named
    assert entry_count(db) == 0


def test_a_row_of_another_sites_building_is_refused(db, site, make_site, signed_in):
    other = make_site("Other hotel")
    client = signed_in("hq")
    data = day_data(site, {0: (2, 5)})
    data["day-rows-0-source"] = str(other.buildings[0].id)
    response = client.post(f"/waste/sites/{site.id}", data=data)
    assert response.status_code == 400 and "Choose a building of this site." in text(response)
    assert entry_count(db) == 0


def test_future_days_are_refused_by_the_service(db, site, admin):
    with pytest.raises(DomainError, match="is in the future"):
        services.record_day(site, local_today() + timedelta(days=1), [services.WasteRow(None, 1, 2.0)], admin)
    assert entry_count(db) == 0


# --- collections --------------------------------------------------------------------------------

def test_a_collection_takes_everything_held_up_to_its_day(db, site, admin):
    a, b = site.buildings[0].id, site.buildings[1].id
    services.record_day(site, days_ago(2), [services.WasteRow(a, 4, 10.0), services.WasteRow(b, 2, 5.0)], admin)
    services.record_day(site, days_ago(1), [services.WasteRow(a, 3, 8.0)], admin)
    yesterday_evening = local_to_utc(datetime.combine(days_ago(1), time(20, 0)))
    collection = collect(site, admin, at=yesterday_evening, bags=9, kg=23.5)
    assert collection.vehicle == "豫P·A1234"
    assert services.held(site).bags == 0 and services.held(site).oldest_day is None
    assert [d.bags for d in services.logged_by_day(collection)] == [6, 3]
    # Waste of today waits for the next collection; yesterday's entry is on the signed sheet now.
    services.record_day(site, local_today(), [services.WasteRow(a, 2, 5.0)], admin)
    assert services.held(site).bags == 2
    services.record_day(site, days_ago(1), [services.WasteRow(a, 1, 2.0)], admin)  # more found: a new entry
    assert sorted(e.bags for e in services.held(site).entries) == [1, 2]
    assert db.session.get(WasteEntry, collection.entries[-1].id).bags == 3


def test_collection_form_records_the_handover_and_shows_the_sheet(db, site, signed_in, admin):
    services.record_day(site, days_ago(1), [services.WasteRow(site.buildings[0].id, 6, 15.0)], admin)
    client = signed_in("site_manager", sites=[site])
    form = text(client.get(f"/waste/sites/{site.id}/collections/new"))
    assert 'value="6"' in form and 'value="15.0"' in form  # what the store holds, prefilled
    incomplete = client.post(f"/waste/sites/{site.id}/collections/new", data={"collector": "x"})
    assert incomplete.status_code == 400 and "This field is required." in text(incomplete)
    assert db.session.scalar(select(func.count(WasteCollection.id))) == 0
    good = {"collected_at": _local_now_minus(10), "collector": "周口市医疗废物集中处置中心", "collector_person": "刘师傅",
            "vehicle": "豫P A1234", "bags": "7", "weight_kg": "15.4", "seal_numbers": "F0231–F0237",
            "handed_over_by": "王五", "handed_over_by_2": "赵六", "notes": "一袋在清点时发现"}
    response = client.post(f"/waste/sites/{site.id}/collections/new", data=good, follow_redirects=True)
    page = text(response)
    assert "Collection recorded." in page
    assert "7 bags were handed over but the log holds 6" in page
    sheet = page.split('class="handover-sheet')[1]
    for shown in ("周口市医疗废物集中处置中心", "刘师傅", "豫P A1234", "F0231–F0237", "王五", "赵六", "15.4",
                  days_ago(1).isoformat()):
        assert shown in sheet, shown
    assert sheet.count('class="signature"') == 2
    assert services.held(site).bags == 0


def _local_now_minus(minutes: int) -> str:
    from quarantine.localtime import utc_to_local
    return (utc_to_local(datetime.now(timezone.utc)) - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("changes,message", [
    pytest.param({"handed_over_by_2": "王五"}, "Two different people hand the waste over", id="same-person-twice"),
    pytest.param({"handed_over_by_2": ""}, "This field is required.", id="second-person-missing"),
    pytest.param({"seal_numbers": ""}, "This field is required.", id="no-seal-numbers"),
    pytest.param({"vehicle": ""}, "This field is required.", id="no-vehicle"),
    pytest.param({"bags": "0"}, "Number must be between 1 and 10000.", id="no-bags"),
    pytest.param({"weight_kg": "0"}, "Number must be between 0.1 and 100000.", id="no-weight"),
    pytest.param({"collected_at": "tomorrow"}, "Not a valid datetime value.", id="unreadable-time"),
])
def test_collection_form_refuses_bad_input_and_writes_nothing(db, site, signed_in, admin, changes, message):
    services.record_day(site, days_ago(1), [services.WasteRow(None, 2, 4.0)], admin)
    good = {"collected_at": _local_now_minus(10), "collector": "医废中心", "vehicle": "豫P A1234", "bags": "2",
            "weight_kg": "4", "seal_numbers": "F1", "handed_over_by": "王五", "handed_over_by_2": "赵六"}
    response = signed_in("site_manager", sites=[site]).post(f"/waste/sites/{site.id}/collections/new",
                                                              data={**good, **changes})
    assert response.status_code == 400 and message in text(response)
    assert db.session.scalar(select(func.count(WasteCollection.id))) == 0
    assert services.held(site).bags == 2


def test_collection_times_must_be_past_and_after_the_last_one(db, site, admin):
    with pytest.raises(DomainError, match="is in the future"):
        collect(site, admin, at=datetime.now(timezone.utc) + timedelta(hours=2))
    first = collect(site, admin, at=datetime.now(timezone.utc) - timedelta(hours=3))
    with pytest.raises(DomainError, match="The last collection was at"):
        collect(site, admin, at=first.collected_at - timedelta(hours=1))
    db.session.rollback()
    assert db.session.scalar(select(func.count(WasteCollection.id))) == 1


# --- flags --------------------------------------------------------------------------------------

@pytest.mark.parametrize("waiting_days,interval,overdue", [
    (3, 2, True), (2, 2, False), (0, 2, False), (3, 3, False), (4, 3, True),
])
def test_store_is_overdue_when_its_oldest_waste_waited_longer_than_the_policy_allows(
        db, site, admin, waiting_days, interval, overdue):
    db.session.add(Policy(name="Local waste rule", effective_from=local_today() - timedelta(days=30),
                          quarantine_days=7, pcr_test_days="1,7", waste_collection_days=interval))
    db.session.commit()
    services.record_day(site, days_ago(waiting_days), [services.WasteRow(None, 2, 4.0)], admin)
    services.record_day(site, local_today(), [services.WasteRow(None, 1, 1.0)], admin)
    status = services.store_status(site)
    assert status.interval_days == interval
    assert status.due_on == days_ago(waiting_days) + timedelta(days=interval)
    assert status.overdue is overdue


def test_overdue_and_over_capacity_are_flagged_on_the_home_and_site_pages_until_collected(db, site, signed_in, admin):
    services.record_day(site, days_ago(3), [services.WasteRow(site.buildings[0].id, 20, 60.0)], admin)
    services.set_capacity(site, 50.0, admin)
    status = services.store_status(site)
    assert status.overdue and status.over_capacity  # default policy record: every 2 days
    hq = signed_in("hq")
    home = text(hq.get("/")).split('id="supply-flags"')[1].split("</section>")[0]
    assert "Welfare centre" in home
    assert f"Medical waste waiting since {days_ago(3).isoformat()}" in home
    assert "holds 60 kg, more than its 50 kg" in home
    site_page = text(signed_in("site_manager", sites=[site]).get(f"/sites/{site.id}"))
    assert "collection was due by" in site_page.split('id="supply-flags"')[1].split("</section>")[0]
    waste_page = text(hq.get(f"/waste/sites/{site.id}"))
    assert 'id="waste-overdue"' in waste_page and 'id="waste-over-capacity"' in waste_page

    collect(site, admin, bags=20, kg=61.0)
    home = text(hq.get("/"))
    assert "Medical waste waiting" not in home and "more than its 50 kg" not in home
    assert not services.store_status(site).overdue


def test_capacity_form(db, site, signed_in):
    client = signed_in("site_manager", sites=[site])
    assert client.post(f"/waste/sites/{site.id}/capacity", data={"cap-capacity_kg": "120"}).status_code == 302
    assert services.capacity_kg(site) == 120.0
    refused = client.post(f"/waste/sites/{site.id}/capacity", data={"cap-capacity_kg": "-5"})
    assert refused.status_code == 400 and "Number must be between 0.1 and 100000." in text(refused)
    assert services.capacity_kg(site) == 120.0
    assert client.post(f"/waste/sites/{site.id}/capacity", data={"cap-capacity_kg": ""}).status_code == 302
    assert services.capacity_kg(site) is None


# --- sheets and access ----------------------------------------------------------------------------

def test_sheets_page_prints_each_collection_of_the_days_asked(db, site, signed_in, admin):
    for n in (5, 3, 1):
        services.record_day(site, days_ago(n + 1), [services.WasteRow(None, n, n * 2.0)], admin)
        collect(site, admin, at=local_to_utc(datetime.combine(days_ago(n), time(9, 0))), bags=n, kg=n * 2.0)
    client = signed_in("site_manager", sites=[site])
    page = text(client.get(f"/waste/sites/{site.id}/sheets"))
    assert page.count('class="handover-sheet page"') == 3
    recent = text(client.get(f"/waste/sites/{site.id}/sheets?from={days_ago(3).isoformat()}"))
    assert recent.count('class="handover-sheet page"') == 2


@pytest.mark.parametrize("role,own,expected", [
    ("admin", False, 200), ("hq", False, 200), ("site_manager", True, 200), ("site_manager", False, 404),
    ("catering", True, 403),
])
@pytest.mark.parametrize("page", ["site", "new", "sheet", "sheets", "index"])
def test_who_may_open_the_waste_pages(db, site, make_site, signed_in, admin, role, own, expected, page):
    collection = collect(site, admin)
    other = make_site("Other hotel")
    client = signed_in(role, sites=[site] if own else [other])
    url = {"site": f"/waste/sites/{site.id}", "new": f"/waste/sites/{site.id}/collections/new",
           "sheet": f"/waste/collections/{collection.id}/sheet", "sheets": f"/waste/sites/{site.id}/sheets",
           "index": "/waste/"}[page]
    want = expected if page != "index" or expected == 403 else 200
    response = client.get(url)
    assert response.status_code == want
    if page == "index" and want == 200:
        assert ("Welfare centre" in text(response)) is (role != "site_manager" or own)


@pytest.mark.parametrize("role,url", [
    ("catering", "/waste/sites/{a}"), ("site_manager", "/waste/sites/{b}"),
    ("catering", "/waste/sites/{a}/collections/new"), ("site_manager", "/waste/sites/{b}/collections/new"),
    ("site_manager", "/waste/sites/{b}/capacity"),
])
def test_waste_posts_refused_to_foreign_roles_and_sites(db, site, make_site, signed_in, role, url):
    other = make_site("Other hotel")
    client = signed_in(role, sites=[site])
    response = client.post(url.format(a=site.id, b=other.id), data={
        **day_data(site, {0: (2, 5)}), "collector": "x", "vehicle": "x", "bags": "1", "weight_kg": "1",
        "seal_numbers": "x", "handed_over_by": "a", "handed_over_by_2": "b", "collected_at": _local_now_minus(5),
        "cap-capacity_kg": "10"})
    assert response.status_code == (403 if role == "catering" else 404)
    assert entry_count(db) == 0 and db.session.scalar(select(func.count(WasteCollection.id))) == 0
    assert services.capacity_kg(other) is None


def test_the_supplies_and_waste_indexes_cost_the_same_queries_for_any_number_of_sites(db, make_site, signed_in):
    from tests.app.test_stays import QueryCounter
    client = signed_in("hq")

    def queries(path: str) -> int:
        db.session.expire_all()
        with QueryCounter(db.engine) as counter:
            assert client.get(path).status_code == 200
        return counter.count

    make_site("S0", ready=True)
    few = {path: queries(path) for path in ("/waste/", "/supplies/")}
    for n in range(1, 7):
        make_site(f"S{n}", ready=True)
    assert {path: queries(path) for path in few} == few
