"""A site manager types the day's medical waste with Tab between sources, records the collection,
and prints the handover sheets in headless Chromium: one clean A4 page per collection, with the
two signatures, nothing wider than the paper."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from quarantine.localtime import local_to_utc, local_today
from quarantine.waste import services as waste
from tests.app.health_helpers import add_building, admin  # noqa: F401
from tests.browser.test_daily_report_print import assert_a4, assert_prints_clean, pdf_pages, pdf_title, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def centre(db, make_site, admin):
    """A welfare centre with two buildings and two earlier collections."""
    site = make_site("Welfare centre", ready=True, floors=(1, 3))
    add_building(db, site, "B")
    today = local_today()
    for n in (6, 3):
        for back in (n + 2, n + 1):
            waste.record_day(site, today - timedelta(days=back), [waste.WasteRow(site.buildings[0].id, 5, 13.0),
                                                                  waste.WasteRow(None, 1, 2.5)], admin)
        waste.record_collection(site, collected_at=local_to_utc(datetime.combine(today - timedelta(days=n), time(9))),
                                collector="周口市医疗废物集中处置中心", collector_person="刘师傅", vehicle="豫P·A1234",
                                bags=12, weight_kg=31.0, seal_numbers="F%03d–F%03d" % (n * 10, n * 10 + 11),
                                handed_over_by="王五", handed_over_by_2="赵六", notes="", user=admin)
    return site


def test_waste_typed_with_tab_collected_and_sheets_print_one_a4_page_each(live_server, page, db, centre, make_user):
    manager = make_user("site_manager", sites=[centre])
    base = live_server
    sign_in(page, base, manager)

    # Today's waste: the first box has the focus; Tab goes bags → kg → next source.
    page.goto(f"{base}/waste/sites/{centre.id}")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'day-rows-0-bags'")
    for value in ("4", "11,5", "2", "5.5", "1", "1.2"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(".flash.success, #bulk-errors")
    assert not page.is_visible("#bulk-errors"), page.inner_text("#bulk-errors")
    assert "In the store: 7 bags, 18.2 kg" in page.inner_text("#waste-store")

    # The collection, as the handover sheet records it.
    page.get_by_role("link", name="Record a collection").click()
    assert page.input_value("#bags") == "7"
    page.fill("#collector", "周口市医疗废物集中处置中心")
    page.fill("#vehicle", "豫P·A1234")
    page.fill("#seal_numbers", "F0101–F0107")
    page.fill("#handed_over_by", "王五")
    page.fill("#handed_over_by_2", "赵六")
    page.click("#collection-form button[type=submit]")
    page.wait_for_selector(".handover-sheet")
    sheet = page.inner_text(".handover-sheet")
    assert "F0101–F0107" in sheet and "王五" in sheet and "赵六" in sheet and "18.2" in sheet
    assert page.locator(".handover-sheet .signature").count() == 2

    # One collection: one A4 page.
    assert_prints_clean(page)
    pdf = page.pdf(format="A4")
    assert_a4(pdf)
    assert pdf_pages(pdf) == 1
    assert pdf_title(pdf).startswith("Handover sheet · Welfare centre")

    # All three collections of the month: three A4 pages, one per collection.
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/waste/sites/{centre.id}/sheets")
    assert page.locator(".handover-sheet").count() == 3
    assert_prints_clean(page)
    pdf = page.pdf(format="A4")
    assert_a4(pdf)
    assert pdf_pages(pdf) == 3
