"""Room turnover: check-out leaves a room under terminal disinfection, the site manager confirms
it clean (one room or a whole floor), takes rooms out of service and back, and every change
is in the history with who and when."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from quarantine.models import Room, RoomEvent
from quarantine.stays import lifecycle

# Two days back is in the past in every time zone, whatever the machine's clock zone.
LATER = str(date.today() + timedelta(days=14))
YESTERDAY = str(date.today() - timedelta(days=2))


@pytest.fixture
def site(make_site):
    """Building A, floors 1-2, rooms x01-x04."""
    return make_site("Yinghe Hotel", floors=(1, 2), rooms_per_floor=4, ready=True)


def text(response) -> str:
    return response.get_data(as_text=True)


def rooms_of(db, site) -> dict[str, Room]:
    db.session.expire_all()
    return {r.number: r for r in db.session.scalars(select(Room).where(Room.site_id == site.id))}


def set_status(db, site, status: str, *numbers: str, occupants: int = 0) -> None:
    rooms = rooms_of(db, site)
    for number in numbers:
        rooms[number].status, rooms[number].occupants = status, occupants
    db.session.commit()


def state(db, site) -> dict[str, tuple]:
    return {n: (r.status, r.status_reason, r.expected_return) for n, r in rooms_of(db, site).items()}


def event_count(db) -> int:
    return db.session.scalar(select(func.count(RoomEvent.id)))


# --- terminal disinfection ---------------------------------------------------------------------

def test_check_out_then_confirm_clean(db, site, signed_in, make_person, make_user):
    room = rooms_of(db, site)["201"]
    person = make_person("李四", site_id=site.id)
    staff = make_user("site_manager", sites=[site])
    lifecycle.check_in(person, room.id, staff)
    lifecycle.check_out(person, "released", staff)
    assert rooms_of(db, site)["201"].status == "cleaning"

    client = signed_in("site_manager", sites=[site])
    page = text(client.get(f"/sites/{site.id}/turnover"))
    floor = page.split('id="cleaning-A-2"')[1].split("</table>")[0]
    assert "A-201" in floor and f"/rooms/{room.id}/confirm-clean" in floor
    assert '<b id="cleaning-count">1</b>' in page

    response = client.post(f"/rooms/{room.id}/confirm-clean")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/sites/{site.id}/turnover")
    assert rooms_of(db, site)["201"].status == "available"
    event = db.session.scalars(select(RoomEvent).where(RoomEvent.room_id == room.id,
                                                       RoomEvent.new_value == "available")).one()
    assert (event.field, event.old_value, event.new_value, event.user_id) == (
        "status", "cleaning", "available", client.user.id)
    page = text(client.get(f"/sites/{site.id}/turnover"))
    assert "A-201 is clean and available again" in page
    history = page.split('id="room-events"')[1].split("</table>")[0]
    assert client.user.username in history and "A-201" in history and "Terminal disinfection" in history


def test_confirm_all_cleaned_rooms_of_a_floor(db, site, signed_in):
    set_status(db, site, "cleaning", "201", "202", "204", "101")
    set_status(db, site, "occupied", "203", occupants=1)
    client = signed_in("site_manager", sites=[site])
    building = site.buildings[0]
    response = client.post(f"/sites/{site.id}/turnover/buildings/{building.id}/floors/2/confirm-clean",
                           follow_redirects=True)
    assert "3 rooms on floor 2 of building A are clean" in text(response)
    rooms = rooms_of(db, site)
    assert [rooms[n].status for n in ("201", "202", "203", "204", "101")] == [
        "available", "available", "occupied", "available", "cleaning"]
    assert event_count(db) == 3


def test_basement_floor_can_be_confirmed(db, make_site, signed_in):
    site = make_site("Underground", floors=(-1, -1), rooms_per_floor=2, ready=True)
    set_status(db, site, "cleaning", "-101", "-102")
    client = signed_in("hq")
    response = client.post(f"/sites/{site.id}/turnover/buildings/{site.buildings[0].id}/floors/-1/confirm-clean")
    assert response.status_code == 302
    assert {r.status for r in rooms_of(db, site).values()} == {"available"}


@pytest.mark.parametrize("status,occupants,message", [
    pytest.param("occupied", 1, "Room A-201 is Occupied, not under terminal disinfection", id="occupied"),
    pytest.param("available", 0, "Room A-201 is Available, not under terminal disinfection", id="already-clean"),
    pytest.param("out_of_service", 0, "Room A-201 is Out of service, not under terminal disinfection",
                 id="out-of-service"),
])
def test_confirm_clean_refuses_other_rooms_and_changes_nothing(db, site, signed_in, status, occupants, message):
    set_status(db, site, status, "201", occupants=occupants)
    client = signed_in("site_manager", sites=[site])
    before, events = state(db, site), event_count(db)
    room = rooms_of(db, site)["201"]
    response = client.post(f"/rooms/{room.id}/confirm-clean", follow_redirects=True)
    assert message in text(response)
    assert 'class="flash error' in text(response)
    assert state(db, site) == before and event_count(db) == events


def test_confirm_floor_without_rooms_in_disinfection_is_refused(db, site, signed_in):
    set_status(db, site, "cleaning", "101")
    client = signed_in("site_manager", sites=[site])
    before = state(db, site)
    response = client.post(f"/sites/{site.id}/turnover/buildings/{site.buildings[0].id}/floors/2/confirm-clean",
                           follow_redirects=True)
    assert "No room on floor 2 of this building is under terminal disinfection." in text(response)
    assert state(db, site) == before and event_count(db) == 0


def test_confirm_floor_of_another_sites_building_is_404(db, site, make_site, signed_in):
    other = make_site("Other site")
    set_status(db, other, "cleaning", "201")
    client = signed_in("hq")
    response = client.post(f"/sites/{site.id}/turnover/buildings/{other.buildings[0].id}/floors/2/confirm-clean")
    assert response.status_code == 404
    assert rooms_of(db, other)["201"].status == "cleaning"


# --- out of service ----------------------------------------------------------------------------

def oos_data(site, **fields):
    data = {"oos-building_id": str(site.buildings[0].id), "oos-number": "102", "oos-reason": "水管维修",
            "oos-expected_return": LATER}
    data.update({f"oos-{k}": v for k, v in fields.items()})
    return data


def test_out_of_service_and_back(db, site, signed_in):
    client = signed_in("site_manager", sites=[site])
    response = client.post(f"/sites/{site.id}/turnover/out-of-service", data=oos_data(site))
    assert response.status_code == 302
    room = rooms_of(db, site)["102"]
    assert (room.status, room.status_reason, str(room.expected_return)) == ("out_of_service", "水管维修", LATER)

    page = text(client.get(f"/sites/{site.id}/turnover"))
    listed = page.split('id="out-of-service"')[1].split("</table>")[0]
    assert "A-102" in listed and "水管维修" in listed and LATER in listed and client.user.username in listed

    # A room already out of service gets a new reason and date, recorded as a change.
    response = client.post(f"/sites/{site.id}/turnover/out-of-service",
                           data=oos_data(site, reason="更换门锁", expected_return=""))
    assert response.status_code == 302
    room = rooms_of(db, site)["102"]
    assert (room.status, room.status_reason, room.expected_return) == ("out_of_service", "更换门锁", None)

    response = client.post(f"/rooms/{room.id}/back-in-service")
    assert response.status_code == 302
    room = rooms_of(db, site)["102"]
    assert (room.status, room.status_reason, room.expected_return) == ("available", "", None)
    events = db.session.scalars(select(RoomEvent).where(RoomEvent.room_id == room.id).order_by(RoomEvent.id)).all()
    assert [(e.field, e.old_value, e.new_value) for e in events] == [
        ("status", "available", "out_of_service"), ("status_reason", "水管维修", "更换门锁"),
        ("status", "out_of_service", "available")]
    assert all(e.user_id == client.user.id for e in events)


def test_room_under_disinfection_can_go_out_of_service(db, site, signed_in):
    set_status(db, site, "cleaning", "102")
    client = signed_in("site_manager", sites=[site])
    assert client.post(f"/sites/{site.id}/turnover/out-of-service", data=oos_data(site)).status_code == 302
    assert rooms_of(db, site)["102"].status == "out_of_service"


@pytest.mark.parametrize("fields,message", [
    pytest.param({"number": ""}, "This field is required.", id="number-missing"),
    pytest.param({"number": "999"}, "There is no room 999 in this building.", id="unknown-room"),
    pytest.param({"number": "101"}, "Room 101 is occupied; move or check out its people first.", id="occupied"),
    pytest.param({"reason": ""}, "Give a reason for taking the room out of service.", id="reason-missing"),
    pytest.param({"reason": "   "}, "Give a reason for taking the room out of service.", id="reason-blank"),
    pytest.param({"reason": "x" * 201}, "longer than 200", id="reason-too-long"),
    pytest.param({"expected_return": YESTERDAY}, "The expected return date must not be in the past.",
                 id="return-in-the-past"),
    pytest.param({"expected_return": "next week"}, "Not a valid date value.", id="return-unreadable"),
    pytest.param({"building_id": "99999"}, "Not a valid choice", id="building-of-no-site"),
])
def test_out_of_service_refuses_bad_input_and_writes_nothing(db, site, signed_in, fields, message):
    set_status(db, site, "occupied", "101", occupants=1)
    client = signed_in("site_manager", sites=[site])
    before = state(db, site)
    response = client.post(f"/sites/{site.id}/turnover/out-of-service", data=oos_data(site, **fields))
    assert response.status_code == 400
    assert message in text(response)
    assert state(db, site) == before and event_count(db) == 0


def test_out_of_service_refuses_a_building_of_another_site(db, site, make_site, signed_in):
    other = make_site("Other site")
    client = signed_in("hq")
    response = client.post(f"/sites/{site.id}/turnover/out-of-service",
                           data=oos_data(site, building_id=str(other.buildings[0].id)))
    assert response.status_code == 400
    assert rooms_of(db, other)["102"].status == "available"


def test_back_in_service_refuses_a_room_in_service(db, site, signed_in):
    client = signed_in("site_manager", sites=[site])
    room = rooms_of(db, site)["102"]
    response = client.post(f"/rooms/{room.id}/back-in-service", follow_redirects=True)
    assert "Room A-102 is Available, not out of service." in text(response)
    assert event_count(db) == 0


def test_overdue_expected_return_is_flagged(db, site, signed_in):
    rooms = rooms_of(db, site)
    rooms["103"].status, rooms["103"].status_reason = "out_of_service", "漏水"
    rooms["103"].expected_return = date.fromisoformat(YESTERDAY)
    db.session.commit()
    page = text(signed_in("hq").get(f"/sites/{site.id}/turnover"))
    assert "overdue" in page.split('id="out-of-service"')[1].split("</table>")[0]


# --- the other room forms refuse a past expected return date too -------------------------------

def test_room_form_refuses_a_new_past_return_date_but_keeps_a_stored_one(db, site, signed_in):
    client = signed_in("site_manager", sites=[site])
    room = rooms_of(db, site)["104"]
    data = {"beds": "1", "own_bathroom": "y", "status": "out_of_service", "reason": "窗户损坏",
            "expected_return": YESTERDAY}
    response = client.post(f"/rooms/{room.id}", data=data)
    assert response.status_code == 200
    assert "The expected return date must not be in the past." in text(response)
    assert rooms_of(db, site)["104"].status == "available"

    # A date stored earlier that has since passed does not block other edits of the room.
    room = rooms_of(db, site)["104"]
    room.status, room.status_reason, room.expected_return = "out_of_service", "窗户损坏", date.fromisoformat(YESTERDAY)
    db.session.commit()
    response = client.post(f"/rooms/{room.id}", data={**data, "beds": "2"})
    assert response.status_code == 302
    assert rooms_of(db, site)["104"].beds == 2


def test_bulk_edit_refuses_a_past_return_date(db, site, signed_in):
    client = signed_in("site_manager", sites=[site])
    before = state(db, site)
    response = client.post(f"/sites/{site.id}/rooms/bulk-edit", data={
        "edit-building_id": "0", "edit-numbers": "201-202", "edit-status": "out_of_service",
        "edit-reason": "装修", "edit-expected_return": YESTERDAY, "edit-accessible": ""})
    assert response.status_code == 400
    assert "The expected return date must not be in the past." in text(response)
    assert state(db, site) == before


# --- who may do this ---------------------------------------------------------------------------

@pytest.mark.parametrize("role,own_site,expected", [
    ("admin", False, 200), ("hq", False, 200), ("site_manager", True, 200),
    ("site_manager", False, 404), ("catering", True, 403),
])
def test_turnover_page_access(db, site, make_site, signed_in, role, own_site, expected):
    other = make_site("Other site")
    sites = [site] if own_site else [other] if role in ("site_manager", "catering") else []
    assert signed_in(role, sites=sites).get(f"/sites/{site.id}/turnover").status_code == expected


@pytest.mark.parametrize("role,expected", [("catering", 403), ("site_manager", 404)])
def test_turnover_posts_refused_to_foreign_roles_and_sites(db, site, make_site, signed_in, role, expected):
    other = make_site("Other site")
    set_status(db, site, "cleaning", "201")
    set_status(db, site, "out_of_service", "202")
    client = signed_in(role, sites=[site] if role == "catering" else [other])
    rooms = rooms_of(db, site)
    before = state(db, site)
    assert client.post(f"/rooms/{rooms['201'].id}/confirm-clean").status_code == expected
    assert client.post(f"/rooms/{rooms['202'].id}/back-in-service").status_code == expected
    assert client.post(f"/sites/{site.id}/turnover/buildings/{site.buildings[0].id}/floors/2/confirm-clean"
                       ).status_code == expected
    assert client.post(f"/sites/{site.id}/turnover/out-of-service", data=oos_data(site)).status_code == expected
    assert state(db, site) == before and event_count(db) == 0


def test_check_out_records_who_sent_the_room_to_cleaning(db, make_site, make_person, make_user):
    from sqlalchemy import select as _select

    from quarantine.models import RoomEvent
    from quarantine.stays.lifecycle import check_in, check_out
    site = make_site("Turnover history", ready=True)
    person = make_person("孙丙", site_id=site.id)
    user = make_user("site_manager", sites=[site])
    room = site.buildings[0].rooms[0]
    check_in(person, room.id, user)
    check_out(person, "transferred_out", user, note="hospital")
    event = db.session.scalar(_select(RoomEvent).where(RoomEvent.room_id == room.id, RoomEvent.new_value == "cleaning"))
    assert event is not None and event.user_id == user.id and event.old_value == "occupied"
    assert "孙丙" in event.reason
