"""The site staff's day in headless Chromium at phone size (390 × 844): the manager's evening at the
door (a household checked in together, a no-show and its undo), a resident reporting a fever from the
QR code on their door card, and every page the staff use standing up fitting the screen."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from quarantine.localtime import local_today
from quarantine.models import Reservation, Room, SelfReport, TemperatureReading, TransferBatch
from quarantine.stays import beds, lifecycle
from tests.browser.test_site_setup import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def fits_the_screen(page) -> bool:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return width[0] <= width[1] == PHONE["width"]


def reserve(db, people, room):
    for person in people:
        db.session.add(Reservation(person_id=person.id, room_id=room.id, status="reserved"))
        person.site_id = room.site_id
    beds.reserve_in_bulk({room.id: room.reserved + len(people)}, room.updated_at)
    db.session.commit()


@pytest.fixture
def evening(db, make_site, make_person, make_user):
    """A site with residents on floor 1, a room out of service, and tonight's batch for floor 2:
    household WANG (two parents, a child) in A-201, 李娜 in A-202, 赵雷 in A-203."""
    site = make_site("Welfare centre", floors=(1, 2), rooms_per_floor=6, beds=3, ready=True)
    rooms = {r.number: r for r in site.buildings[0].rooms}
    manager = make_user("site_manager", sites=[site])
    for number, name in (("101", "张伟"), ("102", "马丽"), ("103", "欧阳娜娜")):
        lifecycle.check_in(make_person(name, site_id=site.id), rooms[number].id, manager)
    rooms["106"].status, rooms["106"].status_reason = "out_of_service", "水管漏水，等待维修"
    batch = TransferBatch(code="TK-0412", origin="太康县", status="committed",
                          expected_arrival=datetime.now(timezone.utc) + timedelta(hours=2))
    db.session.add(batch)
    db.session.commit()
    child = local_today() - timedelta(days=365 * 7)
    wang = [make_person("王芳", birth="19880305", sex_digit=2, birth_date=date(1988, 3, 5), household="WANG",
                        batch_id=batch.id),
            make_person("王强", birth="19860101", birth_date=date(1986, 1, 1), household="WANG", batch_id=batch.id),
            make_person("王小宝", birth=child.strftime("%Y%m%d"), birth_date=child, household="WANG",
                        batch_id=batch.id)]
    li = make_person("李娜", birth="19920710", sex_digit=2, birth_date=date(1992, 7, 10), household="LI",
                     batch_id=batch.id)
    zhao = make_person("赵雷", birth="19750101", birth_date=date(1975, 1, 1), household="ZHAO", batch_id=batch.id)
    reserve(db, wang, rooms["201"])
    reserve(db, [li], rooms["202"])
    reserve(db, [zhao], rooms["203"])
    return {"site": site, "manager": manager, "wang": wang, "li": li, "zhao": zhao, "rooms": rooms}


def test_the_managers_evening_at_the_door(live_server, phone, db, evening):
    base, site = live_server, evening["site"]
    page = phone
    sign_in(page, base, evening["manager"])
    assert fits_the_screen(page)
    page.goto(f"{base}/sites/{site.id}")
    page.get_by_role("link", name="Expected arrivals (5)").click()
    assert "5 still expected" in page.inner_text("#door-counts")
    assert fits_the_screen(page)

    # The mother shows her ID card: typing its last four digits narrows the list to her household.
    mother = evening["wang"][0]
    page.fill("#door-q", mother.id_number[-4:])
    visible = page.locator(".door-household:visible")
    assert visible.count() == 1 and "Household WANG" in visible.inner_text()
    assert mother.id_number not in page.content()  # only the masked number is on the page
    # Ticking her ticks the whole household; one confirmation checks the three in.
    visible.locator("li", has_text="王芳").locator("input.door-tick").check()
    assert page.inner_text("#ticked-count") == "3"
    page.click("#check-in-ticked")
    page.wait_for_selector("#door-notice")
    notice = page.locator("#door-notice")
    assert "Checked in (3): 王芳、王强、王小宝." in notice.inner_text()
    # Back at the household, with the outcome in view and the search cleared for the next person.
    assert page.url.endswith(f"#hh-{mother.batch_id}-WANG")
    household = page.locator(f"#hh-{mother.batch_id}-WANG")
    assert notice.is_visible() and _in_view(page, notice) and _in_view(page, household)
    assert household.locator(".badge.checked_in").count() == 3 and page.input_value("#door-q") == ""
    assert "2 still expected" in page.inner_text("#door-counts")
    assert fits_the_screen(page)

    # 赵雷 is not on the bus: recorded only after a second question.
    page.locator("li", has_text="赵雷").get_by_role("link", name="Did not arrive…").click()
    assert "Record 赵雷 as not arrived?" in page.inner_text("h1")
    assert fits_the_screen(page)
    page.get_by_role("button", name="Yes, did not arrive").click()
    page.wait_for_selector("#door-notice")
    assert "赵雷 recorded as not arrived" in page.inner_text("#door-notice")
    db.session.expire_all()
    room = db.session.get(Room, evening["rooms"]["203"].id)
    assert (room.reserved, room.status) == (0, "available")

    # He turns up after all: undone the same evening, his bed held again.
    zhao_row = page.locator("li", has_text="赵雷")
    zhao_row.get_by_role("button", name="Undo").click()
    page.wait_for_selector("#door-notice")
    assert "赵雷 is expected again; the bed in room A-203 is held for them." in page.inner_text("#door-notice")
    assert "Did not arrive…" in page.locator("li", has_text="赵雷").inner_text()
    db.session.expire_all()
    room = db.session.get(Room, evening["rooms"]["203"].id)
    assert (room.reserved, room.status) == (1, "occupied")
    assert "3 checked in today" in page.inner_text("#door-counts")


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] < PHONE["height"] and box["y"] + box["height"] > 0


def test_a_resident_reports_a_fever_from_the_qr_code_on_the_door(live_server, page, browser, db, evening):
    import zxingcpp
    from PIL import Image

    base, site = live_server, evening["site"]
    sign_in(page, base, evening["manager"])
    page.goto(f"{base}/selfreport/sites/{site.id}/cards")
    card = page.locator(".door-card", has_text="A-101")
    code = zxingcpp.read_barcodes(Image.open(io.BytesIO(card.locator(".qr").first.screenshot())))
    assert len(code) == 1 and code[0].text.startswith(f"{base}/r/")
    link = code[0].text

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    resident = context.new_page()
    try:
        resident.goto(link)
        assert "房间 A-101" in resident.inner_text("h1") and "张*" in resident.inner_text("h1")
        assert fits_the_screen(resident)
        resident.get_by_role("link", name="English").click()
        assert "Report your temperature" in resident.inner_text("main")
        resident.get_by_label("Morning", exact=True).check()
        resident.fill("#celsius", "38.4")
        resident.get_by_label("Cough").check()
        resident.get_by_role("button", name="Send my report").click()
        assert "38.4 °C is a fever" in resident.inner_text(".flash.warning")
        assert "38.4 °C" in resident.inner_text("#today") and fits_the_screen(resident)
        # A typing slip is refused with what to fix, and nothing is changed.
        resident.fill("#celsius", "384")
        resident.get_by_role("button", name="Send my report").click()
        assert "384 °C is outside 34.0–43.0 °C." in resident.inner_text("#report-form")
        assert fits_the_screen(resident)
    finally:
        context.close()

    db.session.expire_all()
    assert db.session.scalar(select(SelfReport.celsius)) == 38.4
    assert db.session.scalar(select(TemperatureReading.source)) == "self"
    page.goto(f"{base}/sites/{site.id}")
    assert "1 with fever" in page.inner_text("#resident-flags")
    page.get_by_role("link", name="See and handle them").click()
    assert "38.4 °C" in page.inner_text("#unseen-reports") and "Cough" in page.inner_text("#unseen-reports")
    page.goto(f"{base}/health/sites/{site.id}/temperatures")
    assert "1 self-reported" in page.inner_text("#temperature-floors")


def test_the_pages_site_staff_use_standing_up_fit_a_phone(live_server, phone, db, evening, make_user):
    base, site = live_server, evening["site"]
    building = site.buildings[0].id
    catering = make_user("catering", sites=[site])
    sign_in(phone, base, evening["manager"])
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    pages = ["/", f"/sites/{site.id}", f"/transfers/arrivals/{site.id}", f"/health/sites/{site.id}",
             f"/health/sites/{site.id}/temperatures", f"/health/sites/{site.id}/floors/{building}/1/temperatures",
             f"/health/sites/{site.id}/pcr", f"/health/sites/{site.id}/floors/{building}/1/pcr",
             f"/sites/{site.id}/turnover", f"/meals/sites/{site.id}/roster?meal=breakfast&day={tomorrow}",
             f"/meals/sites/{site.id}/week", f"/selfreport/sites/{site.id}"]
    too_wide = {}
    for path in pages:
        response = phone.goto(base + path)
        assert response.status == 200, path
        if not fits_the_screen(phone):
            too_wide[path] = phone.evaluate("document.documentElement.scrollWidth")
    assert not too_wide, too_wide
    phone.get_by_role("button", name="Sign out").click()
    phone.fill("#username", catering.username)
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/meals/")
    for path in ("/meals/", f"/meals/sites/{site.id}/roster?meal=lunch"):
        phone.goto(base + path)
        assert fits_the_screen(phone), path
