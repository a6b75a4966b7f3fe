"""Long lists of sites: searched and a page at a time on the home page, the sites list and the meal rosters."""
from __future__ import annotations

import pytest

from quarantine.models import Site


@pytest.fixture
def many_sites(db):
    db.session.add_all([Site(name=f"隔离点 {i:03d}", kind="backup", status="standby",
                             responsible_unit="财政局" if i == 7 else "卫健委") for i in range(1, 62)])
    db.session.commit()


@pytest.mark.parametrize("path,role", [("/", "hq"), ("/sites/", "hq"), ("/meals/", "admin")])
def test_sites_come_a_page_at_a_time_and_can_be_searched(many_sites, signed_in, path, role):
    client = signed_in(role)
    first = client.get(path).get_data(as_text=True)
    assert "隔离点 001" in first and "隔离点 050" in first and "隔离点 051" not in first
    assert "Page 1 of 2" in first and "61 in all" in first
    second = client.get(f"{path}?page=2").get_data(as_text=True)
    assert "隔离点 051" in second and "隔离点 061" in second and "隔离点 001" not in second
    found = client.get(f"{path}?q=财政").get_data(as_text=True)
    assert "隔离点 007" in found and "隔离点 008" not in found


@pytest.mark.parametrize("page", ["99999999999999999999", "-3", "abc", "0"])
def test_a_page_number_out_of_range_is_no_error(many_sites, signed_in, page):
    response = signed_in("hq").get(f"/sites/?page={page}")
    assert response.status_code == 200
    assert "隔离点" in response.get_data(as_text=True)


def test_home_totals_count_every_site_not_just_the_page(db, many_sites, make_site, signed_in):
    make_site("Ready one", ready=True, rooms_per_floor=3, floors=(1, 1), beds=2)
    page = signed_in("hq").get("/").get_data(as_text=True)
    assert 'id="total-free">6<' in page
