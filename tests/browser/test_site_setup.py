"""A headquarters user sets up a new site in the browser, from sign-in to ready: rooms in bulk,
the layout, then the prepare page for the staff on duty and the last step, set ready."""
import pytest

from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser


def test_sign_in_create_site_lay_out_bulk_rooms_and_set_ready(live_server, page, make_user):
    admin = make_user("admin")
    base = live_server
    sign_in(page, base, admin)

    page.get_by_role("link", name="Sites", exact=True).click()
    page.get_by_role("link", name="New site").click()
    page.fill("#name", "Welfare centre")
    page.fill("#address", "1 Renmin Road")
    page.fill("#lat", "33.54")
    page.fill("#lon", "114.61")
    page.fill("#responsible_unit", "Finance bureau")
    page.fill("#manager_name", "Wang Li")
    page.fill("#manager_phone", "13800001111")
    page.click("main form.form button[type=submit]")
    page.wait_for_selector("#readiness")
    assert "Welfare centre" in page.inner_text("h1")
    site_url = page.url

    # Buildings and rooms, in bulk.
    page.get_by_role("link", name="Buildings and rooms", exact=True).click()
    page.fill("#building-code", "A")
    page.click("#building-form button[type=submit]")
    page.fill("#create-floor_from", "2")
    page.fill("#create-floor_to", "3")
    page.fill("#create-room_from", "1")
    page.fill("#create-room_to", "10")
    page.fill("#create-beds", "2")
    page.click("#bulk-create-form button[type=submit]")
    page.wait_for_selector(".grid-rooms")
    assert "20 rooms created" in page.inner_text(".flash")
    assert page.locator(".grid-rooms .room.available").count() == 20

    # Setting it ready now is refused, with what is missing.
    page.select_option("#status", "preparing")
    page.click("#status-form button[type=submit]")
    page.select_option("#status", "ready")
    page.click("#status-form button[type=submit]")
    assert "cannot be set ready" in page.inner_text(".flash.error")

    # The three zones, the functional areas and the two passages.
    page.get_by_role("link", name="Zones and passages", exact=True).click()
    for zone in ("clean", "buffer", "contaminated"):
        page.select_option("#zone-type_code", zone)
        if zone == "contaminated":
            page.check("#zone-buildings input[type=checkbox]")
        page.click("#zone-form button[type=submit]")
        page.wait_for_selector(".flash.success")
    zone_ids = dict((o.inner_text().strip(), o.get_attribute("value"))
                    for o in page.locator("#area-zone_id option").all())
    clean = next(v for k, v in zone_ids.items() if k.startswith("Clean"))
    buffer = next(v for k, v in zone_ids.items() if k.startswith("Buffer"))
    for area, zone in (("warehouse", clean), ("medical_waste_store", buffer), ("staff_dining", clean),
                       ("changing_room", buffer)):
        page.select_option("#area-type_code", area)
        page.select_option("#area-zone_id", zone)
        page.click("#area-form button[type=submit]")
        page.wait_for_selector(".flash.success")
    for kind, entrance, route in (("staff", "East gate", "East gate → changing room → buffer → building A"),
                                  ("quarantined", "North gate", "North gate → building A back stairs")):
        page.select_option("#passage-kind", kind)
        page.fill("#passage-entrance", entrance)
        page.fill("#passage-route", route)
        page.click("#passage-form button[type=submit]")
        page.wait_for_selector(".flash.success")
    page.check("#confirm-confirm")
    page.click("#confirm-form button[type=submit]")
    page.wait_for_selector("#passages-confirmed")
    assert page.locator("#readiness li.missing").count() == 0

    # The prepare page: layout done, staff still missing; it links to the staff form.
    page.goto(site_url)
    page.get_by_role("link", name="Prepare this site").first.click()
    prepare_url = page.url
    assert "To do" in page.inner_text("#step-staff")
    assert "Done" in page.inner_text("#step-layout")
    for name, role in (("Dr Li", "doctor"), ("Nurse Wang", "nurse")):
        page.goto(prepare_url)
        page.locator("#step-staff").get_by_role("link", name="Add staff").click()
        page.fill("#name", name)
        page.select_option("#work_group", "health_observation")
        page.select_option("#medical_role", role)
        page.click("main form.form button[type=submit]")
        page.wait_for_selector(".flash.success")
    page.goto(prepare_url)
    assert "Done" in page.inner_text("#step-staff")
    assert "they support 50 residents" in page.inner_text("#step-staff")
    page.click("#ready-form button[type=submit]")
    page.wait_for_selector(".flash.success")
    assert page.inner_text("#site-status") == "Ready"
    assert "Everything is done" in page.inner_text("#prepare-summary")

    page.goto(site_url)
    assert page.inner_text("#site-status") == "Ready"
    assert page.locator("#readiness li.missing").count() == 0
