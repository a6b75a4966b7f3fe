"""Preparing a site: readiness gaps with the pages that fix them, the guided prepare page walked
from nothing to ready on a backup site of the demo county (beds and bedding delivered from the
county reserve), staff as a readiness rule, and who may make which status change."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quarantine.access import SITE_STATUS_CHANGES
from quarantine.demo import load_demo
from quarantine.errors import DomainError
from quarantine.localtime import local_today
from quarantine.models import Site, StockMovement, SupplyItem, Zone
from quarantine.sites import services
from quarantine.staff.services import effective_capacity_limit
from quarantine.supplies.services import county_stores, site_store, stock_of
from tests.conftest import staff_for_beds

PARTY_SCHOOL = "县委党校培训中心 Party school training centre"


def text(response) -> str:
    return response.get_data(as_text=True)


def steps(page: str) -> dict[str, str]:
    """Step code -> its state as shown: Done, To do or If needed."""
    return dict(re.findall(r'id="step-(\w+)">\s*<h2>[^<]*<span class="step-state[^"]*">([^<]+)</span>', page))


def item_id(db, code: str) -> int:
    return db.session.scalar(select(SupplyItem.id).where(SupplyItem.code == code))


# --- readiness gaps -------------------------------------------------------------------------------

def test_gaps_of_a_bare_site_name_every_missing_item_and_its_page(app, db, make_site, signed_in):
    site = make_site("Bare school", kind="backup", capacity_limit=0, responsible_unit="")
    gaps = services.readiness_gaps(site)
    codes = [g.code for g in gaps]
    assert codes == ["zone:clean", "zone:buffer", "zone:contaminated", "zone_rooms:contaminated", "area:warehouse",
                     "area:medical_waste_store", "area:staff_dining", "area:changing_room", "passage:staff",
                     "passage:quarantined", "passages_confirmed", "responsible_unit", "staff", "capacity", "status"]
    assert {g.step for g in gaps} == {"layout", "details", "staff", "capacity", "ready"}
    client = signed_in("hq")
    with app.test_request_context():
        urls = {g.code: g.url for g in gaps}
    assert urls["zone:clean"] == f"/sites/{site.id}/layout" and urls["staff"] == f"/staff/sites/{site.id}"
    assert urls["capacity"] == f"/sites/{site.id}/edit" and urls["status"] == f"/sites/{site.id}/prepare"
    for url in set(urls.values()):
        assert client.get(url).status_code == 200, url


def test_a_receiving_site_with_everything_has_no_gaps(db, make_site):
    site = make_site("Ready hotel", ready=True)
    assert services.readiness_gaps(site) == []
    site.status = "preparing"
    db.session.commit()
    assert [g.code for g in services.readiness_gaps(site)] == ["status"]


def test_ready_sites_from_the_factory_have_a_consistent_planning_limit(db, make_site):
    """make_site(ready=True) puts staff on duty who support all its beds; without them it takes nobody."""
    site = make_site("Big hotel", ready=True, floors=(1, 6), rooms_per_floor=10, beds=2)
    assert effective_capacity_limit(site, local_today()) >= 120
    bare = make_site("Ready but unstaffed", ready=True, staffed=False)
    assert effective_capacity_limit(bare, local_today()) == 0
    assert [item.code for item in services.missing_for_ready(bare)] == ["staff"]


def test_staff_off_duty_or_without_doctors_and_nurses_do_not_make_a_site_ready(db, make_site):
    from datetime import date

    from quarantine.models import StaffMember
    site = make_site("Hotel", ready=True, staffed=False)
    site.status = "preparing"
    db.session.add_all([StaffMember(site=site, name="保安", work_group="security", on_duty_from=date(2020, 1, 1)),
                        StaffMember(site=site, name="旧医生", work_group="health_observation", medical_role="doctor",
                                    on_duty_from=date(2020, 1, 1), on_duty_to=date(2020, 2, 1),
                                    quarantine_until=date(2020, 2, 15))])
    db.session.commit()
    with pytest.raises(DomainError, match="Staff on duty who support at least one resident"):
        services.change_status(site, "ready", "hq")
    staff_for_beds(db, site, 8)
    db.session.commit()
    services.change_status(site, "ready", "hq")
    assert site.status == "ready"


# --- who may change a site's status --------------------------------------------------------------

ALLOWED_TO_SITE_MANAGER = {("standby", "preparing"), ("preparing", "standby"), ("ready", "in_use"),
                           ("in_use", "ready")}


@pytest.mark.parametrize("start,target", sorted(SITE_STATUS_CHANGES))
@pytest.mark.parametrize("role", ["hq", "site_manager"])
def test_status_changes_follow_the_role_table(db, make_site, signed_in, role, start, target):
    site = make_site("Hotel", ready=True)  # layout and staff complete: only the role rule decides
    site.status = start
    db.session.commit()
    client = signed_in(role, sites=[site])
    allowed = role == "hq" or (start, target) in ALLOWED_TO_SITE_MANAGER
    offered = re.findall(r'<option[^>]*value="([a-z_]+)"',
                         text(client.get(f"/sites/{site.id}")).split('id="status-form"')[1].split("</form>")[0]) \
        if 'id="status-form"' in text(client.get(f"/sites/{site.id}")) else []
    assert (target in offered) is allowed
    page = text(client.post(f"/sites/{site.id}/status", data={"status": target}, follow_redirects=True))
    db.session.expire_all()
    stored = db.session.get(Site, site.id).status
    if allowed:
        assert stored == target, page
    else:
        assert stored == start
        assert "Only headquarters may change a site from" in page


def test_every_change_a_site_manager_may_make_the_site_manager_may_undo():
    pairs = {pair for pair, roles in SITE_STATUS_CHANGES.items() if "site_manager" in roles}
    assert pairs == ALLOWED_TO_SITE_MANAGER
    assert all((new, old) in pairs for old, new in pairs)


def test_a_site_manager_cannot_take_their_receiving_site_out_of_receiving(db, make_site, signed_in):
    site = make_site("Hotel", ready=True)
    client = signed_in("site_manager", sites=[site])
    for target in ("preparing", "closed"):
        page = text(client.post(f"/sites/{site.id}/status", data={"status": target}, follow_redirects=True))
        assert "Only headquarters may change a site from Ready to" in page
        db.session.expire_all()
        assert db.session.get(Site, site.id).status == "ready"


# --- the prepare page, walked from nothing to ready ---------------------------------------------------

@pytest.fixture
def demo_school(app, db):
    load_demo()
    return db.session.scalar(select(Site).where(Site.name == PARTY_SCHOOL))


def test_prepare_page_walks_a_demo_backup_site_from_nothing_to_ready(db, demo_school, signed_in):
    site, client = demo_school, signed_in("hq")
    reserve = county_stores()[0]
    beds_before = stock_of(reserve)[item_id(db, "bed")]
    page = text(client.get(f"/sites/{site.id}/prepare"))
    assert steps(page) == {"details": "Done", "layout": "To do", "rooms": "Done", "beds": "If needed",
                           "staff": "To do", "capacity": "Done", "ready": "To do"}
    # Each missing item links to the page that fixes it.
    layout_items = page.split('id="step-layout"')[1].split("</li>\n</ol>")[0].split('id="step-rooms"')[0]
    assert f'href="/sites/{site.id}/layout"' in layout_items and "Zone: Clean zone" in layout_items
    assert f'href="/sites/{site.id}/rooms"' in page.split('id="step-rooms"')[1]
    assert f'href="/staff/sites/{site.id}/new"' in page.split('id="step-staff"')[1]

    # Start preparing, from the page itself.
    response = client.post(f"/sites/{site.id}/status", data={"status": "preparing", "back_to": "prepare"})
    assert response.headers["Location"].endswith(f"/sites/{site.id}/prepare")

    # Zones and passages, on the layout page the step links to.
    building = site.buildings[0]
    for code in ("clean", "buffer", "contaminated"):
        client.post(f"/sites/{site.id}/layout/zones", data={"zone-type_code": code, "zone-name": code,
                                                            "zone-buildings": [str(building.id)] if code == "contaminated" else []})
    zones = {z.type_code: z.id for z in db.session.scalars(select(Zone).where(Zone.site_id == site.id))}
    for area, zone in (("warehouse", "clean"), ("medical_waste_store", "buffer"), ("staff_dining", "clean"),
                       ("changing_room", "buffer")):
        assert client.post(f"/sites/{site.id}/layout/areas", data={"area-type_code": area,
                                                                   "area-zone_id": str(zones[zone])}).status_code == 302
    for kind, route in (("staff", "东门 → 更衣室 → 缓冲区 → 宿舍楼"), ("quarantined", "北门 → 宿舍楼后楼梯")):
        client.post(f"/sites/{site.id}/layout/passages", data={"passage-kind": kind, "passage-entrance": "门",
                                                               "passage-route": route})
    client.post(f"/sites/{site.id}/layout/confirm", data={"confirm-confirm": "y"})
    page = text(client.get(f"/sites/{site.id}/prepare"))
    assert steps(page)["layout"] == "Done"

    # Beds and bedding: 30 rooms of 2 beds and a family room of 3 on each of 3 floors = 63 beds.
    needs = page.split('id="bed-needs"')[1].split("</table>")[0]
    bed_row = needs.split('data-item="bed"')[1].split("</tr>")[0]
    assert re.findall(r'<td class="num[^"]*">(\d+)</td>', bed_row)[:4] == ["63", "0", "63", str(beds_before)]
    assert 'name="beds-rows-0-quantity"' in needs and 'value="63"' in needs
    response = client.post(f"/sites/{site.id}/prepare/beds", data={
        "beds-source_id": str(reserve.id), "beds-rows-0-item_id": str(item_id(db, "bed")), "beds-rows-0-quantity": "63",
        "beds-rows-1-item_id": str(item_id(db, "bedding_set")), "beds-rows-1-quantity": "63"}, follow_redirects=True)
    assert "126 items sent from" in text(response)
    held = stock_of(site_store(site))
    assert (held[item_id(db, "bed")], held[item_id(db, "bedding_set")]) == (63, 63)
    assert stock_of(reserve)[item_id(db, "bed")] == beds_before - 63
    assert steps(text(response))["beds"] == "Done"

    # Staff on duty: a doctor and a nurse support 50 residents.
    for name, role in (("李医生", "doctor"), ("王护士", "nurse")):
        assert client.post(f"/staff/sites/{site.id}/new", data={
            "name": name, "phone": "", "work_group": "health_observation", "medical_role": role, "zone_id": "0",
            "shift": "day", "on_duty_from": local_today().isoformat(), "on_duty_to": ""}).status_code == 302
    page = text(client.get(f"/sites/{site.id}/prepare"))
    assert steps(page)["staff"] == "Done"
    assert "they support 50 residents" in page and 'id="prepare-limit">50<' in page
    assert [g.code for g in services.readiness_gaps(site)] == ["status"]

    # Set ready, the last step.
    response = client.post(f"/sites/{site.id}/status", data={"status": "ready", "back_to": "prepare"},
                           follow_redirects=True)
    page = text(response)
    assert "Status is now Ready." in page
    assert set(steps(page).values()) == {"Done"}
    assert "Everything is done" in page
    db.session.expire_all()
    assert db.session.get(Site, site.id).status == "ready"
    assert services.readiness_gaps(db.session.get(Site, site.id)) == []


def test_the_demo_reserve_holds_beds_and_bedding(db, demo_school):
    stock = stock_of(county_stores()[0])
    assert stock[item_id(db, "bed")] >= 63 and stock[item_id(db, "bedding_set")] >= 63


def test_a_delivery_beyond_the_reserve_is_refused_and_moves_nothing(db, demo_school, signed_in):
    site, reserve = demo_school, county_stores()[0]
    have = stock_of(reserve)[item_id(db, "bed")]
    before = db.session.scalar(select(StockMovement.id).order_by(StockMovement.id.desc()).limit(1))
    response = signed_in("hq").post(f"/sites/{site.id}/prepare/beds", data={
        "beds-source_id": str(reserve.id), "beds-rows-0-item_id": str(item_id(db, "bed")),
        "beds-rows-0-quantity": str(have + 1), "beds-rows-1-item_id": str(item_id(db, "bedding_set")),
        "beds-rows-1-quantity": "10"})
    assert response.status_code == 400
    errors = text(response).split('id="delivery-errors"')[1].split("</div>")[0]
    assert f"holds {have} pcs of Bed; {have + 1} cannot leave it." in errors
    assert db.session.scalar(select(StockMovement.id).order_by(StockMovement.id.desc()).limit(1)) == before
    empty = signed_in("hq").post(f"/sites/{site.id}/prepare/beds", data={
        "beds-source_id": str(reserve.id), "beds-rows-0-item_id": str(item_id(db, "bed")), "beds-rows-0-quantity": ""})
    assert empty.status_code == 400 and "Give a quantity for at least one item." in text(empty)


def test_only_beds_and_bedding_go_through_the_delivery(db, demo_school, signed_in):
    site, reserve = demo_school, county_stores()[0]
    response = signed_in("hq").post(f"/sites/{site.id}/prepare/beds", data={
        "beds-source_id": str(reserve.id), "beds-rows-0-item_id": str(item_id(db, "n95_mask")),
        "beds-rows-0-quantity": "10"})
    assert response.status_code == 400 and "Only beds and bedding are delivered here" in text(response)
    assert site_store(site) is None


def test_site_manager_sees_the_steps_but_headquarters_delivers_and_sets_ready(db, make_site, signed_in):
    site = make_site("Welfare centre", kind="backup")
    client = signed_in("site_manager", sites=[site])
    page = text(client.get(f"/sites/{site.id}/prepare"))
    assert 'id="delivery-form"' not in page and 'id="ready-form"' not in page
    assert "Headquarters sends them from the county reserve." in page
    assert "Headquarters sets the site ready" in page
    assert f'href="/sites/{site.id}/edit"' not in page  # a page this role may not open is not linked
    assert 'id="start-form"' in page
    assert client.post(f"/sites/{site.id}/prepare/beds", data={}).status_code == 403
    other = make_site("Someone else's hotel")
    assert client.get(f"/sites/{other.id}/prepare").status_code == 404
    assert signed_in("catering", sites=[site]).get(f"/sites/{site.id}/prepare").status_code == 403
