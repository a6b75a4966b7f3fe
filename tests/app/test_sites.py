"""Sites: the site form, status transitions with the readiness checklist, and the layout
(three zones, functional areas, two passages and the no-crossing confirmation)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quarantine.errors import DomainError
from quarantine.models import FunctionalArea, Passage, Site, Zone
from quarantine.sites import services
from tests.conftest import staff_for_beds


def site_count(db) -> int:
    return db.session.scalar(select(func.count(Site.id)))


def text(response) -> str:
    return response.get_data(as_text=True)


GOOD_SITE = {
    "name": "Chengguan Hotel", "kind": "backup", "address": "商水县 城关镇", "lat": "33.552", "lon": "114.603",
    "responsible_unit": "县财政局", "manager_name": "王五", "manager_phone": "139 1234 5678",
    "capacity_limit": "80", "notes": "",
}


# --- the site form ------------------------------------------------------------------------

@pytest.mark.parametrize("changes,message", [
    pytest.param({"name": ""}, "This field is required.", id="empty-name"),
    pytest.param({"name": "   "}, "This field is required.", id="blank-name"),
    pytest.param({"name": "  jinyuan HOTEL "}, "Another site already has this name.", id="duplicate-name-any-case"),
    pytest.param({"lat": "91"}, "between -90 and 90", id="latitude-91"),
    pytest.param({"lon": "-180.5"}, "between -180 and 180", id="longitude-out-of-range"),
    pytest.param({"lat": "", "lon": "114.6"}, "Give both latitude and longitude, or neither.", id="lon-without-lat"),
    pytest.param({"lat": "33.5", "lon": ""}, "Give both latitude and longitude, or neither.", id="lat-without-lon"),
    pytest.param({"lat": "north"}, "Not a valid float value.", id="latitude-not-a-number"),
    pytest.param({"capacity_limit": "-1"}, "at least 0", id="negative-capacity"),
    pytest.param({"capacity_limit": "many"}, "Not a valid integer value.", id="capacity-not-a-number"),
    pytest.param({"manager_phone": "call Wang"}, "Enter a phone number", id="bad-phone"),
    pytest.param({"kind": "mobile"}, "Not a valid choice", id="unknown-kind"),
])
def test_site_form_refuses_bad_input(db, make_site, signed_in, changes, message):
    make_site("Jinyuan Hotel")
    client = signed_in("hq")
    before = site_count(db)
    response = client.post("/sites/new", data={**GOOD_SITE, **changes})
    assert response.status_code == 200
    assert message in text(response)
    assert site_count(db) == before


def test_site_form_creates_site(db, signed_in):
    client = signed_in("hq")
    response = client.post("/sites/new", data={**GOOD_SITE, "name": "  Chengguan Hotel  "})
    assert response.status_code == 302
    site = db.session.scalar(select(Site))
    assert response.headers["Location"].endswith(f"/sites/{site.id}")
    assert (site.name, site.kind, site.status) == ("Chengguan Hotel", "backup", "standby")
    assert (site.lat, site.lon, site.capacity_limit) == (33.552, 114.603, 80)
    assert site.manager_phone == "139 1234 5678" and site.responsible_unit == "县财政局"


def test_site_form_without_optional_fields(db, signed_in):
    client = signed_in("admin")
    response = client.post("/sites/new", data={"name": "Township clinic dormitory", "kind": "fixed"})
    assert response.status_code == 302
    site = db.session.scalar(select(Site))
    assert site.lat is None and site.lon is None and site.capacity_limit is None


def test_edit_keeps_own_name_but_refuses_anothers(db, make_site, signed_in):
    make_site("Jinyuan Hotel")
    site = make_site("Yinghe Hotel")
    client = signed_in("hq")
    ok = client.post(f"/sites/{site.id}/edit", data={**GOOD_SITE, "name": "YINGHE hotel"})
    assert ok.status_code == 302
    taken = client.post(f"/sites/{site.id}/edit", data={**GOOD_SITE, "name": "jinyuan hotel"})
    assert taken.status_code == 200 and "Another site already has this name." in text(taken)
    db.session.expire_all()
    assert db.session.get(Site, site.id).name == "YINGHE hotel"


# --- status transitions ---------------------------------------------------------------------

def change(client, site, status):
    return text(client.post(f"/sites/{site.id}/status", data={"status": status}, follow_redirects=True))


def current_status(db, site) -> str:
    db.session.expire_all()
    return db.session.get(Site, site.id).status


def test_ready_refused_with_missing_items_until_layout_complete(db, make_site, signed_in):
    site = make_site("Yinghe Hotel")
    client = signed_in("hq")
    assert "Status is now Preparing." in change(client, site, "preparing")
    assert current_status(db, site) == "preparing"

    page = change(client, site, "ready")
    assert "The site cannot be set ready; still missing:" in page
    for item in ("Zone: Clean zone", "Zone: Contaminated zone (isolation)", "Area: Warehouse",
                 "Staff passage with entrance and route", "Confirmed that the two passages do not cross"):
        assert item in page
    assert "Responsible unit named" not in page.split("still missing:")[1].split("</div>")[0]
    assert current_status(db, site) == "preparing"

    from quarantine.demo import _lay_out
    _lay_out(db.session.get(Site, site.id))
    db.session.commit()
    # Laid out, but nobody on duty to look after residents: still not ready.
    page = change(client, site, "ready")
    missing = page.split("still missing:")[1].split("</div>")[0]
    assert missing.strip() == "Staff on duty who support at least one resident"
    assert current_status(db, site) == "preparing"

    staff_for_beds(db, db.session.get(Site, site.id), 8)
    db.session.commit()
    assert "Status is now Ready." in change(client, site, "ready")
    assert current_status(db, site) == "ready"
    assert "Status is now In use." in change(client, site, "in_use")
    assert current_status(db, site) == "in_use"


def test_ready_needs_an_available_room_with_beds(app, db, make_site):
    site = make_site("Yinghe Hotel", ready=True)
    site.status = "preparing"
    for room in site.buildings[0].rooms:
        room.status, room.status_reason = "out_of_service", "repair"
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(DomainError, match="At least one available room with beds"):
            services.change_status(site, "ready", "hq")
    assert current_status(db, site) == "preparing"


@pytest.mark.parametrize("missing,label", [
    pytest.param("responsible_unit", "Responsible unit named", id="no-responsible-unit"),
    pytest.param("manager_phone", "Site manager and phone named", id="no-manager-phone"),
])
def test_ready_needs_responsible_unit_and_manager(app, db, make_site, missing, label):
    site = make_site("Yinghe Hotel", ready=True)
    site.status = "preparing"
    setattr(site, missing, "  ")
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(DomainError, match=label):
            services.change_status(site, "ready", "hq")
    assert current_status(db, site) == "preparing"


def test_readiness_checklist_works_outside_a_request(db, make_site):
    """Services are shared with the command line (quarantine/i18n.py): outside a request the
    checklist must still be built, in the English source text."""
    site = make_site("Yinghe Hotel")
    labels = [item.label for item in services.readiness_checklist(site)]
    assert labels[0].startswith("Zone: ") and len(labels) >= 10
    site.status = "preparing"
    db.session.commit()
    with pytest.raises(DomainError, match="still missing"):
        services.change_status(site, "ready", "hq")


def test_close_refused_while_people_are_current_residents(db, make_site, make_person, signed_in):
    site = make_site("Yinghe Hotel", ready=True)
    person = make_person(site_id=site.id, status="expected")
    client = signed_in("hq")
    page = change(client, site, "closed")
    assert "The site still holds 1 people" in page
    assert current_status(db, site) == "ready"

    person.status = "released"
    db.session.commit()
    assert "Status is now Closed." in change(client, site, "closed")
    assert current_status(db, site) == "closed"


@pytest.mark.parametrize("start,target", [
    ("standby", "ready"), ("standby", "in_use"), ("standby", "closed"),
    ("preparing", "in_use"), ("preparing", "closed"), ("closed", "ready"), ("closed", "in_use"),
    ("ready", "standby"), ("in_use", "preparing"), ("in_use", "standby"),
])
def test_invalid_jumps_refused(db, make_site, signed_in, start, target):
    site = make_site("Yinghe Hotel", ready=True)  # layout complete: only the jump itself is wrong
    site.status = start
    db.session.commit()
    client = signed_in("hq")
    assert "Choose one of the statuses offered." in change(client, site, target)
    assert current_status(db, site) == start
    with pytest.raises(DomainError, match="A site cannot go from"):
        services.change_status(db.session.get(Site, site.id), target, "hq")
    assert current_status(db, site) == start


def test_status_form_offers_only_allowed_next_statuses(make_site, signed_in):
    site = make_site("Yinghe Hotel")
    page = text(signed_in("hq").get(f"/sites/{site.id}"))
    form = page.split('id="status-form"')[1].split("</form>")[0]
    assert re.findall(r'<option[^>]*value="([a-z_]+)"', form) == ["preparing"]


# --- layout: zones, areas, passages, confirmation ---------------------------------------------

def checklist(client, site) -> dict[str, bool]:
    page = text(client.get(f"/sites/{site.id}/layout"))
    block = page.split('id="readiness"')[1].split("</ul>")[0]
    return {label.strip(): cls == "ok" for cls, label in re.findall(r'<li class="(ok|missing)">([^<]*)</li>', block)}


def add_zone(client, site, code, buildings=()):
    return client.post(f"/sites/{site.id}/layout/zones",
                       data={"zone-type_code": code, "zone-name": code, "zone-description": "",
                             "zone-buildings": [str(b) for b in buildings]})


def add_area(client, site, code, zone):
    return client.post(f"/sites/{site.id}/layout/areas",
                       data={"area-type_code": code, "area-zone_id": str(zone.id), "area-description": "x"})


def save_passage(client, site, kind, entrance="东门", route="东门 → 清洁区 → 缓冲区"):
    return client.post(f"/sites/{site.id}/layout/passages",
                       data={"passage-kind": kind, "passage-entrance": entrance, "passage-route": route})


def zone_of(db, site, code) -> Zone:
    return db.session.scalar(select(Zone).where(Zone.site_id == site.id, Zone.type_code == code))


def test_layout_built_step_by_step(db, make_site, signed_in):
    site = make_site("Yinghe Hotel")
    building = site.buildings[0]
    client = signed_in("site_manager", sites=[site])
    items = checklist(client, site)
    assert items["Zone: Clean zone"] is False
    assert items["Rooms of quarantined people lie in the Contaminated zone (isolation)"] is False
    assert items["Responsible unit named"] is True

    for code in ("clean", "buffer"):
        assert add_zone(client, site, code).status_code == 302
    assert add_zone(client, site, "contaminated", [building.id]).status_code == 302
    contaminated = zone_of(db, site, "contaminated")
    assert [b.id for b in contaminated.buildings] == [building.id]
    items = checklist(client, site)
    assert items["Zone: Clean zone"] and items["Zone: Buffer zone (semi-contaminated)"]
    assert items["Rooms of quarantined people lie in the Contaminated zone (isolation)"] is True
    assert items["Area: Warehouse"] is False

    clean, buffer = zone_of(db, site, "clean"), zone_of(db, site, "buffer")
    for code, zone in (("warehouse", clean), ("medical_waste_store", buffer), ("staff_dining", clean),
                       ("changing_room", buffer)):
        assert add_area(client, site, code, zone).status_code == 302
    items = checklist(client, site)
    assert all(items[f"Area: {label}"] for label in
               ("Warehouse", "Medical-waste store", "Staff dining", "Changing and disinfection room"))

    assert save_passage(client, site, "staff").status_code == 302
    assert save_passage(client, site, "quarantined", "北门", "北门 → 隔离楼").status_code == 302
    items = checklist(client, site)
    assert items["Staff passage with entrance and route"] and items["Quarantined-person passage with entrance and route"]
    assert items["Confirmed that the two passages do not cross"] is False

    assert client.post(f"/sites/{site.id}/layout/confirm", data={"confirm-confirm": "y"}).status_code == 302
    items = checklist(client, site)
    assert all(items.values()), items
    db.session.expire_all()
    stored = db.session.get(Site, site.id)
    assert stored.passages_separate_confirmed and stored.passages_confirmed_by_id == client.user.id
    assert stored.passages_confirmed_at is not None
    # The layout is complete; the site still has nobody on duty.
    assert [item.code for item in services.missing_for_ready(stored)] == ["staff"]


def test_contaminated_zone_must_cover_every_building_with_rooms(db, make_site, signed_in):
    site = make_site("Yinghe Hotel")
    client = signed_in("hq")
    add_zone(client, site, "contaminated")  # no building named
    assert checklist(client, site)["Rooms of quarantined people lie in the Contaminated zone (isolation)"] is False
    zone = zone_of(db, site, "contaminated")
    response = client.post(f"/sites/{site.id}/layout/zones/{zone.id}/buildings",
                           data={f"zb{zone.id}-buildings": [str(site.buildings[0].id)]})
    assert response.status_code == 302
    assert checklist(client, site)["Rooms of quarantined people lie in the Contaminated zone (isolation)"] is True


def test_zone_cannot_take_another_sites_building(db, make_site, signed_in):
    site = make_site("Yinghe Hotel")
    other = make_site("Jinyuan Hotel")
    client = signed_in("hq")
    response = add_zone(client, site, "contaminated", [other.buildings[0].id])
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Zone.id))) == 0


@pytest.mark.parametrize("area,zone_code,ok", [
    pytest.param("warehouse", "buffer", False, id="warehouse-in-buffer"),
    pytest.param("warehouse", "contaminated", False, id="warehouse-in-contaminated"),
    pytest.param("staff_dining", "contaminated", False, id="staff-dining-in-contaminated"),
    pytest.param("changing_room", "clean", False, id="changing-room-in-clean"),
    pytest.param("warehouse", "clean", True, id="warehouse-in-clean"),
    pytest.param("medical_waste_store", "contaminated", True, id="waste-store-anywhere"),
])
def test_area_must_lie_in_its_required_zone(db, make_site, signed_in, area, zone_code, ok):
    site = make_site("Yinghe Hotel")
    client = signed_in("hq")
    for code in ("clean", "buffer", "contaminated"):
        add_zone(client, site, code)
    response = add_area(client, site, area, zone_of(db, site, zone_code))
    stored = db.session.scalar(select(func.count(FunctionalArea.id)).where(FunctionalArea.site_id == site.id))
    if ok:
        assert response.status_code == 302 and stored == 1
    else:
        assert response.status_code == 400
        assert "This area must lie in the zone required for it" in text(response)
        assert stored == 0


@pytest.mark.parametrize("data,message", [
    pytest.param({"passage-kind": "staff", "passage-entrance": "东门", "passage-route": ""},
                 "This field is required.", id="missing-route"),
    pytest.param({"passage-kind": "staff", "passage-entrance": "", "passage-route": "东门 → 清洁区"},
                 "This field is required.", id="missing-entrance"),
    pytest.param({"passage-kind": "visitors", "passage-entrance": "东门", "passage-route": "r"},
                 "Not a valid choice", id="unknown-kind"),
])
def test_passage_refuses_bad_input(db, make_site, signed_in, data, message):
    site = make_site("Yinghe Hotel")
    response = signed_in("hq").post(f"/sites/{site.id}/layout/passages", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.scalar(select(func.count(Passage.id))) == 0


def test_confirmation_refused_until_both_routes_exist(db, make_site, signed_in):
    site = make_site("Yinghe Hotel")
    client = signed_in("hq")
    confirm = {"confirm-confirm": "y"}
    response = client.post(f"/sites/{site.id}/layout/confirm", data=confirm)
    assert response.status_code == 400
    assert "Describe both passages" in text(response)
    save_passage(client, site, "staff")
    response = client.post(f"/sites/{site.id}/layout/confirm", data=confirm)
    assert response.status_code == 400 and "Describe both passages" in text(response)
    db.session.expire_all()
    assert db.session.get(Site, site.id).passages_separate_confirmed is False

    save_passage(client, site, "quarantined", "北门", "北门 → 隔离楼")
    unticked = client.post(f"/sites/{site.id}/layout/confirm", data={})
    assert unticked.status_code == 400 and "Tick the box to confirm." in text(unticked)
    assert client.post(f"/sites/{site.id}/layout/confirm", data=confirm).status_code == 302
    db.session.expire_all()
    assert db.session.get(Site, site.id).passages_separate_confirmed is True


def test_changing_a_passage_clears_the_confirmation(db, make_site, signed_in):
    site = make_site("Yinghe Hotel", ready=True)  # confirmed by the layout helper
    assert site.passages_separate_confirmed
    client = signed_in("hq")
    response = save_passage(client, site, "quarantined", "北门", "北门 → 新通道 → 隔离楼")
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Site, site.id)
    assert stored.passage("quarantined").route == "北门 → 新通道 → 隔离楼"
    assert stored.passages_separate_confirmed is False and stored.passages_confirmed_at is None
    assert checklist(client, site)["Confirmed that the two passages do not cross"] is False
    assert db.session.scalar(select(func.count(Passage.id)).where(Passage.site_id == site.id)) == 2


def test_removing_a_zone_reopens_the_checklist(db, make_site, signed_in):
    site = make_site("Yinghe Hotel", ready=True)
    client = signed_in("hq")
    clean = zone_of(db, site, "clean")
    assert client.post(f"/sites/{site.id}/layout/zones/{clean.id}/delete").status_code == 302
    items = checklist(client, site)
    assert items["Zone: Clean zone"] is False
    assert items["Area: Warehouse"] is False  # its zone is gone
