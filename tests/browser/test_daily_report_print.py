"""A site manager types a floor's temperatures with Tab between residents, then prints the daily
report and a positive-case notice to PDF in headless Chromium: clean A4 pages, no screen chrome,
nothing wider than the paper."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from quarantine.health import pcr, routine
from quarantine.localtime import local_today
from tests.app.health_helpers import admin, days_ago, local_at, policy14, settle, tower  # noqa: F401
from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser

# A4 at 96 CSS px per inch, less print.css's 12 mm margins: the width the content must fit in.
A4_CONTENT_PX = round((210 - 2 * 12) / 25.4 * 96)


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def pdf_title(pdf: bytes) -> str:
    """The document title Chromium writes into the PDF's info dictionary (the page's <title>)."""
    match = re.search(rb"/Title\s*(?:<([0-9A-Fa-f]+)>|\(((?:[^()\\]|\\.)*)\))", pdf)
    assert match, "PDF has no title"
    if match.group(1):
        return bytes.fromhex(match.group(1).decode()).decode("utf-16")
    return match.group(2).decode("latin-1")


def assert_a4(pdf: bytes) -> None:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes), boxes


def assert_prints_clean(page) -> None:
    """In print media the screen chrome is gone and nothing is wider than A4's printable width."""
    page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1100})
    page.emulate_media(media="print")
    assert not page.is_visible("header.topbar")
    assert page.locator(".toolbar").evaluate_all("els => els.every(e => getComputedStyle(e).display === 'none')")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= A4_CONTENT_PX, f"content is {overflow}px wide, A4 allows {A4_CONTENT_PX}px"


@pytest.fixture
def site_with_a_day(db, tower, admin, make_person):
    """Floor 1: three residents to measure; floors 2-4 of building A full; one positive on floor 3."""
    people = {}
    for floor in range(1, 5):
        for n in range(1, 5):
            label = f"A-{floor}0{n}"
            people[label] = settle(make_person, tower, label, admin, arrived=days_ago(6), name=f"住户{label}")
    for zone in tower.zones:
        routine.record_disinfection(tower, zone.id, local_at(local_today(), 0, 1), "消杀组 李强", "", admin)
    routine.record_health_round(tower, local_today(), "breakfast", True, "张医生", "无异常", admin)
    building = tower.buildings[0]
    pcr.record_results(tower, building, 3, [pcr.PcrEntry(people["A-301"].id, "positive")],
                       local_at(local_today(), 0, 2), "县人民医院", admin)
    return people


def test_temperatures_typed_with_tab_then_report_and_notice_print_on_a4(live_server, page, db, tower,
                                                                          site_with_a_day, make_user):
    manager = make_user("site_manager", sites=[tower])
    base = live_server
    sign_in(page, base, manager)

    # Floor 1, morning: the first box has the focus; Tab goes from one resident to the next.
    building = tower.buildings[0]
    page.goto(f"{base}/health/sites/{tower.id}/floors/{building.id}/1/temperatures?period=morning")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'rows-0-celsius'")
    page.keyboard.type("36.5")
    for value in ("37.8", "36.6", "36,9"):
        page.keyboard.press("Tab")
        page.keyboard.type(value)
    page.keyboard.press("Enter")
    page.wait_for_selector(".flash.success, #bulk-errors")
    assert not page.is_visible("#bulk-errors"), page.inner_text("#bulk-errors")
    assert "4 temperatures saved." in page.inner_text("main")
    assert "1 with fever" in page.inner_text(".flash.warning")

    # The daily report prints on one clean A4 page.
    page.goto(f"{base}/health/sites/{tower.id}/report")
    report_text = page.inner_text("#daily-report")
    assert "住户A-102" in report_text and "37.8" in report_text  # the fever
    assert "县人民医院" in report_text
    figures = page.inner_text("#report-figures")
    assert re.search(r"Residents at end of day\s+15", figures)
    assert re.search(r"Disinfection rounds done / required\s+3 / 6", figures)
    assert_prints_clean(page)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert_a4(pdf)
    assert pdf_pages(pdf) == 1
    assert pdf_title(pdf).startswith("Daily report · Yinghe Hotel · " + local_today().isoformat())

    # The positive case's notice lists floors 2-4 and prints on A4, headings repeated per page.
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/health/sites/{tower.id}/positive-cases")
    page.get_by_role("link", name="Notice").click()
    page.wait_for_selector("#affected")
    rows = page.locator("#affected tbody tr")
    assert rows.count() == 11  # floors 2, 3 and 4 of building A, less the case
    assert "住户A-101" not in page.inner_text("#affected")
    assert (local_today() + timedelta(days=14)).isoformat() in page.inner_text("#affected")
    assert_prints_clean(page)
    assert page.locator("#affected thead").evaluate("e => getComputedStyle(e).display") == "table-header-group"
    pdf = page.pdf(format="A4")
    assert_a4(pdf)
    assert pdf_pages(pdf) == 1
    assert pdf_title(pdf).startswith("Notice · A-301")


def test_a_long_notice_runs_onto_more_pages(live_server, page, db, make_site, policy14, admin, make_person,
                                           make_user):
    site = make_site("Big hotel", floors=(1, 3), rooms_per_floor=30, ready=True)
    people = [settle(make_person, site, f"A-{floor}{n:02d}", admin, arrived=days_ago(3), name=f"住户{floor}{n:02d}")
              for floor in (1, 2, 3) for n in range(1, 31)]
    building = site.buildings[0]
    case = pcr.record_results(site, building, 2, [pcr.PcrEntry(people[30].id, "positive")],
                              local_at(local_today(), 0, 2), "县人民医院", admin)[0]
    manager = make_user("site_manager", sites=[site])
    sign_in(page, live_server, manager)
    page.goto(f"{live_server}/health/positive-cases/{case.id}/notice")
    assert page.locator("#affected tbody tr").count() == 89
    assert_prints_clean(page)
    pdf = page.pdf(format="A4")
    assert_a4(pdf)
    assert pdf_pages(pdf) >= 2
