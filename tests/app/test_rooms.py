"""Buildings, rooms and beds: bulk creation, bulk edits (all or nothing), single-room edits
with their history, and the floor grid on the site page."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from quarantine.models import Building, Room, RoomEvent
from quarantine.stays import lifecycle

# Expected return dates must lie ahead (a past date is refused), so tests use one a month away.
LATER = str(date.today() + timedelta(days=30))


def text(response) -> str:
    return response.get_data(as_text=True)


def rooms_state(db, site_id=None) -> list[tuple]:
    db.session.expire_all()
    query = select(Room.building_id, Room.number, Room.beds, Room.occupants, Room.accessible, Room.status,
                   Room.status_reason).order_by(Room.building_id, Room.number)
    if site_id is not None:
        query = query.where(Room.site_id == site_id)
    return db.session.execute(query).all()


def event_count(db) -> int:
    return db.session.scalar(select(func.count(RoomEvent.id)))


# --- bulk creation --------------------------------------------------------------------------

def bulk_create_data(building_id, **fields):
    data = {"create-building_id": str(building_id), "create-floor_from": "2", "create-floor_to": "6",
            "create-room_from": "1", "create-room_to": "20", "create-beds": "2", "create-own_bathroom": "y",
            "create-accessible_ground_floor": "y"}
    data.update({f"create-{k}": v for k, v in fields.items()})
    return data


def test_bulk_create_block_of_rooms(db, make_site, signed_in):
    site = make_site("Yinghe Hotel", floors=(1, 0))  # building A, no rooms yet
    building = site.buildings[0]
    client = signed_in("site_manager", sites=[site])
    response = client.post(f"/sites/{site.id}/rooms/bulk-create", data=bulk_create_data(building.id))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sites/{site.id}")

    rooms = db.session.scalars(select(Room).where(Room.building_id == building.id)).all()
    assert len(rooms) == 100
    numbers = sorted(int(r.number) for r in rooms)
    assert numbers == [f * 100 + i for f in range(2, 7) for i in range(1, 21)]
    assert numbers[0] == 201 and numbers[-1] == 620
    assert {(r.floor, r.number[:1]) for r in rooms} == {(f, str(f)) for f in range(2, 7)}
    assert all(r.beds == 2 and r.occupants == 0 and r.status == "available" and r.site_id == site.id
               for r in rooms)
    assert not any(r.accessible for r in rooms)  # no ground floor in this block
    events = db.session.scalars(select(RoomEvent)).all()
    assert len(events) == 100
    assert {(e.field, e.user_id, e.new_value) for e in events} == {("created", client.user.id, "beds=2")}
    assert all(e.at is not None for e in events)
    assert "100 rooms created in building A." in text(client.get(response.headers["Location"]))


def test_bulk_create_ground_floor_accessible_and_wide_numbers(db, make_site, signed_in):
    site = make_site("Yinghe Hotel", floors=(1, 0))
    building = site.buildings[0]
    client = signed_in("hq")
    response = client.post(f"/sites/{site.id}/rooms/bulk-create",
                           data=bulk_create_data(building.id, floor_from="1", floor_to="2", room_from="99",
                                                 room_to="101", beds="1"))
    assert response.status_code == 302
    rooms = {r.number: r for r in db.session.scalars(select(Room).where(Room.building_id == building.id))}
    assert sorted(rooms) == ["1099", "1100", "1101", "2099", "2100", "2101"]
    assert rooms["1100"].accessible and not rooms["2100"].accessible


@pytest.mark.parametrize("fields,message", [
    pytest.param({"floor_from": "6", "floor_to": "2"}, "The last floor must not be below the first.",
                 id="floor_to-below-floor_from"),
    pytest.param({"room_from": "20", "room_to": "1"}, "The last room number must not be below the first.",
                 id="room_to-below-room_from"),
    pytest.param({"beds": "-1"}, "between 0 and 20", id="negative-beds"),
    pytest.param({"beds": ""}, "This field is required.", id="beds-missing"),
    pytest.param({"floor_from": "1", "floor_to": "200", "room_from": "1", "room_to": "26"},
                 "more than 5000 rooms", id="more-than-5000-rooms"),
    pytest.param({"floor_from": ""}, "This field is required.", id="floor-missing"),
    pytest.param({"room_to": "1000"}, "between 1 and 999", id="room-number-too-high"),
    pytest.param({"floor_from": "1", "floor_to": "3", "room_from": "1", "room_to": "10"},
                 "Rooms already exist in building A: 101, 102, 103, 104, 201", id="clash-with-existing-numbers"),
])
def test_bulk_create_refuses_bad_input_and_writes_nothing(db, make_site, signed_in, fields, message):
    site = make_site("Yinghe Hotel", floors=(1, 2), rooms_per_floor=4)  # rooms 101-104, 201-204 exist
    building = site.buildings[0]
    client = signed_in("site_manager", sites=[site])
    before, events_before = rooms_state(db), event_count(db)
    response = client.post(f"/sites/{site.id}/rooms/bulk-create", data=bulk_create_data(building.id, **fields))
    assert response.status_code == 400
    assert message in text(response)
    assert rooms_state(db) == before
    assert event_count(db) == events_before


def test_bulk_create_refuses_another_sites_building(db, make_site, signed_in):
    site = make_site("Yinghe Hotel", floors=(1, 0))
    other = make_site("Jinyuan Hotel", floors=(1, 0))
    client = signed_in("hq")
    response = client.post(f"/sites/{site.id}/rooms/bulk-create", data=bulk_create_data(other.buildings[0].id))
    assert response.status_code == 400
    assert "Not a valid choice" in text(response)
    assert db.session.scalar(select(func.count(Room.id))) == 0


@pytest.mark.parametrize("code,message", [
    pytest.param("a", "This site already has a building with this code.", id="duplicate-code-any-case"),
    pytest.param("A 2", "Use letters, digits and - only", id="bad-characters"),
    pytest.param("", "This field is required.", id="empty"),
])
def test_add_building_refuses_bad_code(db, make_site, signed_in, code, message):
    site = make_site("Yinghe Hotel")
    response = signed_in("hq").post(f"/sites/{site.id}/buildings",
                                    data={"building-code": code, "building-name": "x"})
    assert response.status_code == 400 and message in text(response)
    assert db.session.scalar(select(func.count(Building.id))) == 1


def test_add_building(db, make_site, signed_in):
    site = make_site("Yinghe Hotel")
    response = signed_in("hq").post(f"/sites/{site.id}/buildings",
                                    data={"building-code": "b", "building-name": "B栋", "building-has_lift": "y"})
    assert response.status_code == 302
    building = db.session.scalar(select(Building).where(Building.code == "B"))
    assert building.site_id == site.id and building.has_lift


# --- bulk edit ------------------------------------------------------------------------------

@pytest.fixture
def block(db, make_site):
    """Building A floors 2-6, rooms 01-20, two beds each (201..620)."""
    return make_site("Yinghe Hotel", floors=(2, 6), rooms_per_floor=20, beds=2)


def bulk_edit(client, site, **fields):
    data = {"edit-building_id": "0", "edit-accessible": "", "edit-status": ""}
    data.update({f"edit-{k}": v for k, v in fields.items()})
    return client.post(f"/sites/{site.id}/rooms/bulk-edit", data=data)


def by_number(db, site) -> dict[str, Room]:
    db.session.expire_all()
    return {r.number: r for r in db.session.scalars(select(Room).where(Room.site_id == site.id))}


def test_bulk_edit_beds_by_number_list(db, block, signed_in):
    client = signed_in("site_manager", sites=[block])
    response = bulk_edit(client, block, numbers="201-205, 208", beds="3")
    assert response.status_code == 302
    rooms = by_number(db, block)
    changed = {n for n, r in rooms.items() if r.beds == 3}
    assert changed == {"201", "202", "203", "204", "205", "208"}
    assert all(r.beds == 2 for n, r in rooms.items() if n not in changed)
    events = db.session.scalars(select(RoomEvent).where(RoomEvent.field == "beds")).all()
    assert sorted(e.room.number for e in events) == sorted(changed)
    assert {(e.old_value, e.new_value, e.user_id) for e in events} == {("2", "3", client.user.id)}


@pytest.mark.parametrize("fields,selected", [
    pytest.param({"floor_from": "3", "floor_to": "4"},
                 {f"{f}{i:02d}" for f in (3, 4) for i in range(1, 21)}, id="floor-range"),
    pytest.param({"floor_from": "6"}, {f"6{i:02d}" for i in range(1, 21)}, id="from-floor-only"),
    pytest.param({"numbers": "601~603，610、615"}, {"601", "602", "603", "610", "615"}, id="chinese-separators"),
    pytest.param({"floor_from": "2", "floor_to": "2", "numbers": "218-320"}, {"218", "219", "220"},
                 id="floor-and-numbers-together"),
    pytest.param({}, {f"{f}{i:02d}" for f in range(2, 7) for i in range(1, 21)}, id="all-rooms"),
])
def test_bulk_edit_accessible_by_selection(db, block, signed_in, fields, selected):
    client = signed_in("hq")
    response = bulk_edit(client, block, accessible="1", **fields)
    assert response.status_code == 302
    rooms = by_number(db, block)
    assert {n for n, r in rooms.items() if r.accessible} == selected
    assert db.session.scalar(select(func.count(RoomEvent.id)).where(RoomEvent.field == "accessible")) == len(selected)


def test_bulk_edit_by_building(db, block, signed_in):
    from quarantine.rooms.services import add_building
    other = add_building(block, "B", "B栋", False)
    other.rooms.append(Room(floor=2, number="201", beds=1))
    db.session.commit()
    client = signed_in("hq")
    building_a = block.buildings[0]
    assert bulk_edit(client, block, building_id=str(building_a.id), numbers="201", beds="4").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Room.beds).where(Room.building_id == building_a.id, Room.number == "201")) == 4
    assert db.session.scalar(select(Room.beds).where(Room.building_id == other.id, Room.number == "201")) == 1


def test_bulk_edit_out_of_service_with_reason(db, block, signed_in):
    client = signed_in("site_manager", sites=[block])
    response = bulk_edit(client, block, numbers="301-302", status="out_of_service", reason="水管维修",
                         expected_return=LATER)
    assert response.status_code == 302
    rooms = by_number(db, block)
    for number in ("301", "302"):
        assert rooms[number].status == "out_of_service"
        assert rooms[number].status_reason == "水管维修"
        assert str(rooms[number].expected_return) == LATER
    assert rooms["303"].status == "available"
    event = db.session.scalar(select(RoomEvent).where(RoomEvent.field == "status").limit(1))
    assert (event.old_value, event.new_value, event.reason) == ("available", "out_of_service", "水管维修")


@pytest.mark.parametrize("fields,message", [
    pytest.param({"numbers": "201-205", "status": "out_of_service"},
                 "Give a reason for taking", id="out-of-service-without-reason"),
    pytest.param({"numbers": "201-205"}, "Choose at least one change", id="no-change-chosen"),
    pytest.param({"numbers": "201-205", "beds": "21"}, "between 0 and 20", id="too-many-beds"),
    pytest.param({"numbers": "999", "beds": "3"}, "No rooms match the selection.", id="nothing-matches"),
    pytest.param({"numbers": "2O1-2O5!", "beds": "3"}, "Cannot read room numbers", id="unreadable-numbers"),
    pytest.param({"floor_from": "5", "floor_to": "3", "beds": "3"}, "The last floor must not be below the first.",
                 id="floor-range-reversed"),
    pytest.param({"numbers": "201-205", "beds": "1"}, "Room A-203 holds 2 people", id="beds-below-occupants"),
    pytest.param({"numbers": "201-205", "status": "cleaning"}, "occupied follows check-in and check-out",
                 id="status-of-occupied-room"),
    pytest.param({"numbers": "201-205", "beds": "3", "status": "cleaning"}, "occupied follows check-in",
                 id="second-change-refused-undoes-first"),
])
def test_bulk_edit_refusal_changes_nothing(db, block, signed_in, fields, message):
    rooms = by_number(db, block)
    rooms["203"].occupants, rooms["203"].status = 2, "occupied"  # a full room in the middle of the batch
    db.session.commit()
    client = signed_in("site_manager", sites=[block])
    before, events_before = rooms_state(db), event_count(db)
    response = bulk_edit(client, block, **fields)
    assert response.status_code == 400
    assert message in text(response)
    assert rooms_state(db) == before  # 201 and 202, edited before 203 was reached, are untouched too
    assert event_count(db) == events_before


# --- single room with history ------------------------------------------------------------------

def test_single_room_edit_records_history(db, make_site, signed_in):
    site = make_site("Yinghe Hotel", beds=1)
    room = site.buildings[0].rooms[4]  # 201, not accessible
    client = signed_in("site_manager", sites=[site])
    response = client.post(f"/rooms/{room.id}", data={"beds": "3", "accessible": "y", "own_bathroom": "y",
                                                      "status": "available"})
    assert response.status_code == 302
    response = client.post(f"/rooms/{room.id}", data={"beds": "3", "accessible": "y", "own_bathroom": "y",
                                                      "status": "out_of_service", "reason": "窗户损坏",
                                                      "expected_return": LATER})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Room, room.id)
    assert (stored.beds, stored.accessible, stored.status, stored.status_reason) == (3, True, "out_of_service", "窗户损坏")
    events = {e.field: e for e in stored.events}
    assert set(events) == {"beds", "accessible", "status"}
    assert (events["beds"].old_value, events["beds"].new_value) == ("1", "3")
    assert (events["accessible"].old_value, events["accessible"].new_value) == ("False", "True")
    assert (events["status"].old_value, events["status"].new_value, events["status"].reason) == \
        ("available", "out_of_service", "窗户损坏")
    assert all(e.user_id == client.user.id and e.at is not None for e in stored.events)

    page = text(client.get(f"/rooms/{room.id}"))
    history = page.split('id="room-history"')[1].split("</table>")[0]
    assert history.count("<tr>") == 4  # header + three changes
    assert client.user.username in history
    assert "<td>beds</td>" in history and "<td>1</td><td>3</td>" in history
    assert "Out of service" in history and "窗户损坏" in history
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d</td>", history)


def test_single_room_edit_records_a_new_out_of_service_reason(db, make_site, signed_in):
    site = make_site("Yinghe Hotel", beds=1)
    room = site.buildings[0].rooms[0]
    client = signed_in("hq")
    data = {"beds": "1", "own_bathroom": "y", "status": "out_of_service", "reason": "窗户损坏", "expected_return": LATER,
            **({"accessible": "y"} if room.accessible else {})}  # only the status changes
    assert client.post(f"/rooms/{room.id}", data=data).status_code == 302
    assert client.post(f"/rooms/{room.id}", data=data).status_code == 302  # nothing changed: nothing recorded
    assert client.post(f"/rooms/{room.id}", data={**data, "reason": "更换门锁"}).status_code == 302
    db.session.expire_all()
    stored = db.session.get(Room, room.id)
    assert stored.status_reason == "更换门锁"
    assert [change for _, *change in sorted((e.id, e.field, e.old_value, e.new_value) for e in stored.events)] == [
        ["status", "available", "out_of_service"], ["status_reason", "窗户损坏", "更换门锁"]]


def test_single_room_edit_keeps_older_history(db, make_site, signed_in):
    site = make_site("Yinghe Hotel", beds=1)
    room = site.buildings[0].rooms[0]
    client = signed_in("hq")
    for beds in ("2", "3", "2"):
        assert client.post(f"/rooms/{room.id}", data={"beds": beds, "status": "available", "accessible": "y",
                                                      "own_bathroom": "y"}).status_code == 302
    db.session.expire_all()
    changes = sorted((e.id, e.old_value, e.new_value) for e in db.session.get(Room, room.id).events
                     if e.field == "beds")
    assert [(old, new) for _, old, new in changes] == [("1", "2"), ("2", "3"), ("3", "2")]


@pytest.mark.parametrize("data,message", [
    pytest.param({"beds": "1", "status": "occupied"}, "occupied follows check-in and check-out",
                 id="set-occupied-by-hand"),
    pytest.param({"beds": "1", "status": "out_of_service"}, "Give a reason for taking",
                 id="out-of-service-without-reason"),
    pytest.param({"beds": "-2", "status": "available"}, "between 0 and 20", id="negative-beds"),
    pytest.param({"beds": "", "status": "available"}, "This field is required.", id="beds-missing"),
    pytest.param({"beds": "1", "status": "broken"}, "Not a valid choice", id="unknown-status"),
])
def test_single_room_edit_refusals(db, make_site, signed_in, data, message):
    site = make_site("Yinghe Hotel", beds=2)
    room = site.buildings[0].rooms[0]
    client = signed_in("hq")
    before, events_before = rooms_state(db), event_count(db)
    response = client.post(f"/rooms/{room.id}", data={"own_bathroom": "y", "accessible": "y", **data})
    assert response.status_code == 200
    assert message in text(response)
    assert rooms_state(db) == before
    assert event_count(db) == events_before


def test_single_room_beds_below_occupants_refused(db, make_site, signed_in):
    site = make_site("Yinghe Hotel", beds=2)
    room = site.buildings[0].rooms[0]
    room.occupants, room.status = 2, "occupied"
    db.session.commit()
    client = signed_in("hq")
    before = rooms_state(db)
    response = client.post(f"/rooms/{room.id}", data={"beds": "1", "status": "occupied", "accessible": "",
                                                      "own_bathroom": "y"})
    assert response.status_code == 200
    assert "holds 2 people; it cannot have fewer beds than that" in text(response)
    assert rooms_state(db) == before
    assert event_count(db) == 0


# --- the grid on the site page ------------------------------------------------------------------

def test_site_grid_shows_numbers_free_beds_and_occupants(db, make_site, make_person, make_user, signed_in):
    site = make_site("Yinghe Hotel", floors=(1, 2), rooms_per_floor=4, beds=2, ready=True)
    rooms = {r.number: r for r in site.buildings[0].rooms}
    clerk = make_user("hq")
    first = make_person("周小梅", site_id=site.id, household="H-ZHOU")
    second = make_person("周大山", site_id=site.id, household="H-ZHOU")
    lifecycle.check_in(first, rooms["101"].id, clerk)
    lifecycle.check_in(second, rooms["101"].id, clerk)
    rooms["202"].status = "cleaning"
    db.session.commit()

    page = text(signed_in("site_manager", sites=[site]).get(f"/sites/{site.id}"))
    for number in ("101", "102", "103", "104", "201", "202", "203", "204"):
        assert f'<span class="no">{number}</span>' in page
    assert "周小梅" in page and "周大山" in page
    floors = dict(re.findall(r"Floor (\d+)<br><small class=\"muted\">(\d+/\d+)</small>", page))
    assert floors == {"1": "6/8", "2": "6/8"}  # 101 full; 202 under disinfection
    cell_101 = page.split('<span class="no">101</span>')[1].split("</a>")[0]
    assert "2/2" in cell_101 and "周小梅" in cell_101
    cell_202 = page.split('<span class="no">202</span>')[1].split("</a>")[0]
    assert "0/2" in cell_202 and "Terminal disinfection" in cell_202
