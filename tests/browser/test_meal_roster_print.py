"""Catering prints a meal roster in headless Chromium: a kitchen sheet, then one A4 page per floor."""
import re
from datetime import timedelta

import pytest

from quarantine.localtime import local_today
from quarantine.models import StaffMember
from quarantine.stays import lifecycle
from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser

FLOORS = (2, 4)          # three floors
ROOMS_PER_FLOOR = 12
DIETS = ["regular", "regular", "halal", "vegetarian", "regular", "diabetic"]


def pdf_page_count(pdf: bytes) -> int:
    """Page objects in the PDF (`/Type /Page`, not the `/Type /Pages` tree nodes)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.fixture
def full_site(db, make_site, make_person, make_user):
    site = make_site("Welfare centre", floors=FLOORS, rooms_per_floor=ROOMS_PER_FLOOR, beds=2, ready=True,
                     staffed=False)  # its staff are counted below
    manager = make_user("site_manager", sites=[site])
    # Seven on duty, a doctor and a nurse among them (check-in keeps what the staff support).
    roles = [("health_observation", "doctor"), ("health_observation", "nurse")] + [("logistics", "none")] * 5
    db.session.add_all([StaffMember(site_id=site.id, name=f"员工{i}", work_group=group, medical_role=role,
                                    on_duty_from=local_today() - timedelta(days=1))
                        for i, (group, role) in enumerate(roles)])
    db.session.commit()
    expected: dict[str, int] = {}
    n = 0
    for room in site.buildings[0].rooms:
        n += 1
        diet = DIETS[n % len(DIETS)]
        person = make_person(f"住户{n:03d}", birth=f"1970{1 + n // 28:02d}{1 + n % 28:02d}", diet_code=diet,
                             notes="花生过敏" if n % 7 == 0 else "", site_id=site.id)
        lifecycle.check_in(person, room.id, manager)
        expected[diet] = expected.get(diet, 0) + 1
    return site, expected


def test_print_lunch_roster_one_floor_per_a4_page(live_server, page, make_user, full_site):
    site, expected = full_site
    catering = make_user("catering", sites=[site])
    sign_in(page, live_server, catering, landing="/meals/")

    # Choose the site and the meal as catering staff do.
    page.select_option("#site_id", str(site.id))
    page.select_option("#meal", "lunch")
    page.click("#roster-choice button[type=submit]")
    page.wait_for_selector("#diet-totals")
    assert "Lunch 11:30" in page.inner_text("h1")

    # The kitchen totals as printed.
    page.emulate_media(media="print")
    totals = {row.get_attribute("data-diet"): int(row.locator("td.num").inner_text())
              for row in page.locator("#diet-totals tr[data-diet]").all()}
    assert totals == expected
    residents = ROOMS_PER_FLOOR * (FLOORS[1] - FLOORS[0] + 1)  # one person per room
    assert int(page.inner_text("#residents-total .num")) == residents
    assert int(page.inner_text("#staff-meals .num")) == 7
    assert int(page.inner_text("#meals-total .num")) == residents + 7
    assert not page.locator(".toolbar").is_visible()  # buttons stay on screen only

    floors = page.locator("section.floor-page")
    assert floors.count() == 3
    assert [floors.nth(i).get_attribute("data-floor") for i in range(3)] == ["A-2", "A-3", "A-4"]
    for i in range(3):
        assert floors.nth(i).locator("tbody tr").count() == ROOMS_PER_FLOOR

    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=False)
    assert pdf.startswith(b"%PDF")
    # The kitchen sheet, then exactly one page per floor.
    assert pdf_page_count(pdf) == 1 + 3
    assert re.search(rb"/Type\s*/Pages\b[^>]*/Count\s+4\b", pdf) or b"/Count 4" in pdf  # the page tree agrees
