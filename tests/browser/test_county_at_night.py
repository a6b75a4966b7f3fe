"""Headquarters at 4 a.m.: the home page flags the site whose figures are old, its manager confirms them
and acknowledges the arrivals a commit sends; the big screen reloads itself with no controls and the
forecast prints on A4 with its chart."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from quarantine.transfers import planning
from quarantine.transfers.commit import commit_plan
from tests.app.transfer_helpers import add_people, make_batch
from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser


def test_stale_site_confirmed_arrivals_acknowledged_and_the_big_screen(db, make_site, make_user, browser,
                                                                       live_server):
    site = make_site("Yinghe Hotel", ready=True, floors=(1, 1), rooms_per_floor=6)
    batch = make_batch(db, "TK-4")
    batch.expected_arrival = datetime.now(timezone.utc) + timedelta(hours=3)
    db.session.commit()
    add_people(db, batch, 4)
    hq, manager = make_user("hq"), make_user("site_manager", sites=[site])
    run = planning.queue_plan([batch], hq, time_limit=5)
    db.session.refresh(run)
    commit_plan(run, hq)

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server, hq)
    row = page.locator(f'#sites-table tr[data-site="{site.id}"]')
    assert row.locator(".stale-flag").count() == 3
    assert page.locator("#stale-sites").inner_text() == "1"
    assert "TK-4" in page.locator("#batches-on-the-way").inner_text()

    manager_context = browser.new_context(locale="en-US")
    manager_page = manager_context.new_page()
    manager_page.set_default_timeout(15000)
    sign_in(manager_page, live_server, manager)
    notice = manager_page.locator("#arrival-notices tr[data-notice]")
    assert notice.count() == 1 and "TK-4" in notice.inner_text()
    notice.locator("button").click()
    manager_page.wait_for_url(f"{live_server}/")
    assert manager_page.locator("#arrival-notices").count() == 0
    manager_page.goto(f"{live_server}/sites/{site.id}")
    manager_page.locator("#confirm-figures button[type=submit]").click()
    manager_page.wait_for_url(f"{live_server}/sites/{site.id}")
    assert "never" not in manager_page.locator("#confirm-figures .confirmed-report").inner_text()

    page.reload()
    assert page.locator("#stale-sites").inner_text() == "0"
    assert page.locator(f'#sites-table tr[data-site="{site.id}"] .stale-flag').count() == 0

    page.goto(f"{live_server}/county/big-screen")
    assert page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "60"
    assert page.locator("form, button, input, select, nav").count() == 0
    assert page.locator("#bs-takes").inner_text() == "2"  # 6 rooms, 4 reserved
    size = float(page.locator("#bs-takes").evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert size >= 40  # readable across the room
    page.goto(f"{live_server}/county/forecast")
    assert page.locator("svg.chart rect.takes").count() == 7
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    manager_context.close()
    context.close()
