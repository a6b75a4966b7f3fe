"""The overnight transfer, end to end in the browser: headquarters imports a roster (first with
an error, then corrected), plans, reviews, moves one person by hand, commits and prints a bus
manifest; the site manager then checks people in."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from quarantine.models import Person, PlanRun, Reservation, Room, Stay
from quarantine.transfers import plan_store
from tests.app.transfer_helpers import csv_file, roster_rows, xlsx_file
from tests.browser.test_site_setup import sign_in

pytestmark = pytest.mark.browser


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login**")


def test_roster_to_check_in(live_server, page, db, make_user, make_site, tmp_path):
    base = live_server
    site = make_site("Welfare centre", ready=True, floors=(2, 3), rooms_per_floor=6, beds=1)
    hq = make_user("hq")
    manager = make_user("site_manager", sites=[site])
    sign_in(page, base, hq)

    # A new batch for tonight.
    page.get_by_role("link", name="Transfer batches", exact=True).click()
    page.get_by_role("link", name="New batch").click()
    page.fill("#code", "TK-1123")
    page.fill("#origin", "Taikang County")
    page.fill("#origin_lat", "34.06")
    page.fill("#origin_lon", "114.85")
    page.click("main form.form button[type=submit]")
    page.wait_for_selector("h1:has-text('TK-1123')")

    # The county's sheet: GBK, a title row, and one ID number with a wrong check digit.
    rows = roster_rows(10, household_size=1)
    good_id = rows[4][2]
    rows[4][2] = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    bad_file = tmp_path / "taikang.csv"
    bad_file.write_bytes(csv_file(rows, encoding="gbk", title="太康县转运人员名单"))
    page.get_by_role("link", name="Import a roster").click()
    page.set_input_files("#file", str(bad_file))
    page.click("#roster-upload button[type=submit]")
    problems = page.locator("#roster-problems")
    problems.wait_for()
    assert "check digit" in problems.inner_text()
    assert problems.locator("td.row").first.inner_text() == "7"  # title, header, then data from row 3
    assert page.inner_text("#rows-bad") == "1"

    # Import refused while the problem is there; the preview stays, problems and all.
    page.click("#roster-import button[type=submit]")
    assert "still has 1 problem" in page.inner_text(".flash.error")
    assert "check digit" in page.inner_text("#roster-problems")

    # The corrected file (XLSX this time) is clean and imports.
    rows[4][2] = good_id
    fixed_file = tmp_path / "taikang-fixed.xlsx"
    fixed_file.write_bytes(xlsx_file(rows, title="太康县转运人员名单"))
    page.get_by_role("link", name="Upload a corrected file").click()
    page.set_input_files("#file", str(fixed_file))
    page.click("#roster-upload button[type=submit]")
    page.wait_for_selector("#roster-clean")
    page.click("#roster-import button[type=submit]")
    assert "10 people imported" in page.inner_text(".flash.success")

    # Plan the batch: small, so the plan is there at once.
    page.get_by_role("link", name="Plan this batch").click()
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("#plan-stats")
    assert page.inner_text("#stat-placed") == "10"
    assert "Welfare centre" in page.inner_text("#batch-totals")
    # The site's rooms load when it is opened.
    assert page.locator(".plan-person").count() == 0
    page.locator("tr.plan-site summary").first.click()
    page.wait_for_selector(".plan-person")
    assert page.locator(".plan-person").count() == 10

    # Move one person by hand to a free room on a floor the batch already uses.
    db.session.expire_all()
    run = db.session.scalar(select(PlanRun).order_by(PlanRun.id.desc()))
    plan = plan_store.plan_of(run)
    used = {a.room for a in plan.assignments}
    floors_used = {db.session.get(Room, int(r[1:])).floor for r in used}
    free = db.session.scalar(select(Room).where(Room.site_id == site.id, Room.floor.in_(floors_used),
                                                Room.id.not_in([int(r[1:]) for r in used])).order_by(Room.id))
    mover = plan.assignments[0].person  # everyone travels alone here, so nobody's household is split
    mover_name = db.session.get(Person, int(mover[1:])).name

    def pick(search: str, typed: str, choice: str) -> None:
        page.fill(search, typed)
        page.locator(f"{search.replace('-search', '-results')} li", has_text=choice).first.click()

    pick("#move-person-search", mover_name, mover_name)
    pick("#move-site-search", "Welfare", "Welfare centre")
    pick("#move-room-search", free.number, f"{free.building.code}-{free.number}")
    assert page.input_value("#move-person") == mover and page.input_value("#move-room") == f"R{free.id}"
    page.click("#move-form button[type=submit]")
    assert "Moved" in page.inner_text(".flash.success")
    db.session.expire_all()
    moved = plan_store.plan_of(db.session.get(PlanRun, run.id))
    assert any(a.person == mover and a.room == f"R{free.id}" for a in moved.assignments)
    # A move into a room the plan already gives to someone else is refused with the rule.
    taken = db.session.get(Room, int(next(a.room for a in moved.assignments if a.person != mover)[1:]))
    pick("#move-person-search", mover_name, mover_name)
    pick("#move-site-search", "Welfare", "Welfare centre")
    pick("#move-room-search", taken.number, f"{taken.building.code}-{taken.number}")
    page.click("#move-form button[type=submit]")
    refusal = page.inner_text(".flash.error")
    assert "Move refused" in refusal and f"{taken.building.code}-{taken.number}" in refusal and "R" + str(taken.id) not in refusal
    # The message stays where the user looks, however far the page is scrolled.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = page.locator(".flash.error").bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"] / 2

    # Commit, then print the bus manifest.
    page.get_by_role("button", name="Commit: reserve these rooms").click()
    assert "Plan committed: 10 beds reserved" in page.inner_text(".flash.success")
    page.get_by_role("link", name="Manifests and room lists").click()
    page.locator("#print-sites").get_by_role("link", name="Bus manifests").first.click()
    manifest = page.locator(".bus-manifest").first
    manifest.wait_for()
    assert "Bus 1" in manifest.inner_text() and "Welfare centre" in manifest.inner_text()
    assert manifest.locator("tbody tr").count() == 10
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    sign_out(page)

    # At the site: the manager sees who is expected and checks the first person in.
    sign_in(page, base, manager)
    page.goto(f"{base}/sites/{site.id}")
    page.get_by_role("link", name="Expected arrivals (10)").click()
    assert "10 still expected" in page.inner_text("#door-counts")
    first = page.locator("#arrivals .door-household").first
    name = first.locator(".door-person").get_attribute("data-person")
    first.get_by_role("button", name="Arrived", exact=True).click()
    assert f"Checked in (1): {name}." in page.inner_text("#door-notice")
    assert page.locator("#arrivals input.door-tick").count() == 9
    db.session.expire_all()
    assert len(db.session.scalars(select(Stay).where(Stay.check_out_at.is_(None))).all()) == 1
    assert len(db.session.scalars(select(Reservation).where(Reservation.status == "checked_in")).all()) == 1
