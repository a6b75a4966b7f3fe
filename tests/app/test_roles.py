"""Who may open which page: every role against every page, and no leaks between sites.

Site A is the site of the site manager and the catering user; site B belongs to nobody of
them, so its pages, rooms and people must answer 404 (its existence must not leak) to
them, while a page their role may not use at all answers 403.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quarantine.models import Person, Room
from tests.conftest import PASSWORD, valid_resident_id

ROLES = ("admin", "hq", "site_manager", "catering", "anonymous")
SITE_A, SITE_B = "Alpha Welfare Centre", "Bravo Riverside Hotel"
PERSON_A, PERSON_B = "赵甲安", "钱乙彬"

OK, LOGIN, FORBIDDEN, MISSING = 200, "login", 403, 404
TO_MEALS = (302, "/meals/")

# URL -> expected answer for (admin, hq, site_manager of A, catering of A); anonymous always
# goes to the sign-in page. {a}/{b} are site ids, {room_a}, {person_b}, ... ids of their data.
PAGES = [
    ("/", (OK, OK, OK, TO_MEALS)),
    ("/sites/", (OK, OK, OK, OK)),
    ("/sites/new", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("/sites/{a}", (OK, OK, OK, FORBIDDEN)),
    ("/sites/{b}", (OK, OK, MISSING, FORBIDDEN)),
    ("/sites/{a}/edit", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("/sites/{b}/edit", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("/sites/{a}/layout", (OK, OK, OK, FORBIDDEN)),
    ("/sites/{b}/layout", (OK, OK, MISSING, FORBIDDEN)),
    ("/sites/{a}/rooms", (OK, OK, OK, FORBIDDEN)),
    ("/sites/{b}/rooms", (OK, OK, MISSING, FORBIDDEN)),
    ("/rooms/{room_a}", (OK, OK, OK, FORBIDDEN)),
    ("/rooms/{room_b}", (OK, OK, MISSING, FORBIDDEN)),
    ("/people/", (OK, OK, OK, FORBIDDEN)),
    ("/people/new", (OK, OK, OK, FORBIDDEN)),
    ("/people/{person_a}", (OK, OK, OK, FORBIDDEN)),
    ("/people/{person_b}", (OK, OK, MISSING, FORBIDDEN)),
    ("/people/{person_a}/edit", (OK, OK, OK, FORBIDDEN)),
    ("/people/{person_b}/edit", (OK, OK, MISSING, FORBIDDEN)),
    ("/policy/", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("/policy/new", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("/policy/lists", (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("/transfers/", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("/transfers/new", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("/transfers/plan", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("/transfers/arrivals/{a}", (OK, OK, OK, FORBIDDEN)),
    ("/transfers/arrivals/{b}", (OK, OK, MISSING, FORBIDDEN)),
    ("/users/", (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("/users/new", (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("/meals/", (OK, OK, OK, OK)),
    ("/meals/sites/{a}/roster", (OK, OK, OK, OK)),
    ("/meals/sites/{b}/roster", (OK, OK, MISSING, MISSING)),
    ("/sites/{a}/prepare", (OK, OK, OK, FORBIDDEN)),
    ("/sites/{b}/prepare", (OK, OK, MISSING, FORBIDDEN)),
    ("/supplies/", (OK, OK, OK, FORBIDDEN)),
    ("/supplies/sites/{a}", (OK, OK, OK, FORBIDDEN)),
    ("/supplies/sites/{b}", (OK, OK, MISSING, FORBIDDEN)),
    ("/supplies/stores/{reserve}", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("/supplies/items", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("/supplies/policies/1/daily-use", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("/waste/", (OK, OK, OK, FORBIDDEN)),
    ("/waste/sites/{a}", (OK, OK, OK, FORBIDDEN)),
    ("/waste/sites/{b}", (OK, OK, MISSING, FORBIDDEN)),
    ("/waste/sites/{b}/collections/new", (OK, OK, MISSING, FORBIDDEN)),
    ("/waste/collections/{collection_b}/sheet", (OK, OK, MISSING, FORBIDDEN)),
    ("/waste/sites/{b}/sheets", (OK, OK, MISSING, FORBIDDEN)),
]


def _cases():
    for url, answers in PAGES:
        for role, expected in zip(ROLES, answers + (LOGIN,)):
            yield pytest.param(url, role, expected, id=f"{url} as {role}")


@pytest.fixture
def world(db, make_site, make_person, make_user):
    from datetime import datetime, timedelta, timezone

    from quarantine.supplies.services import county_stores
    from quarantine.waste import services as waste
    site_a = make_site(SITE_A, ready=True)
    site_b = make_site(SITE_B, kind="backup", ready=True)
    person_a = make_person(PERSON_A, site_id=site_a.id)
    person_b = make_person(PERSON_B, site_id=site_b.id)
    collection_b = waste.record_collection(
        site_b, collected_at=datetime.now(timezone.utc) - timedelta(hours=1), collector="医废中心",
        collector_person="", vehicle="豫P1", bags=2, weight_kg=5, seal_numbers="F1", handed_over_by="甲",
        handed_over_by_2="乙", notes="", user=make_user("admin"))
    return {
        "a": site_a.id, "b": site_b.id,
        "room_a": site_a.buildings[0].rooms[0].id, "room_b": site_b.buildings[0].rooms[0].id,
        "person_a": person_a.id, "person_b": person_b.id,
        "reserve": county_stores()[0].id, "collection_b": collection_b.id,
        "site_a": site_a, "site_b": site_b,
    }


@pytest.fixture
def client_as(app, make_user, world):
    """A fresh client (one session each) signed in with the given role; 'anonymous' stays out."""
    def make(role: str):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        if role == "anonymous":
            return client
        sites = [world["site_a"]] if role in ("site_manager", "catering") else []
        user = make_user(role, sites=sites)
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
        return client
    return make


@pytest.mark.parametrize("url,role,expected", list(_cases()))
def test_page_access(world, client_as, url, role, expected):
    response = client_as(role).get(url.format(**world))
    if expected == LOGIN:
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    elif isinstance(expected, tuple):
        status, target = expected
        assert response.status_code == status
        assert response.headers["Location"].endswith(target)
    else:
        assert response.status_code == expected, response.data[:300]


# Changes through POST follow the same rules: another site's data is 404, a foreign role 403.
POSTS = [
    ("site_manager", "/sites/new", {"name": "Sneaky site", "kind": "fixed"}, FORBIDDEN),
    ("catering", "/sites/new", {"name": "Sneaky site", "kind": "fixed"}, FORBIDDEN),
    ("site_manager", "/sites/{b}/edit", {"name": "Renamed", "kind": "fixed"}, FORBIDDEN),
    ("site_manager", "/sites/{b}/status", {"status": "preparing"}, MISSING),
    ("catering", "/sites/{a}/status", {"status": "preparing"}, FORBIDDEN),
    ("site_manager", "/sites/{b}/layout/passages",
     {"passage-kind": "staff", "passage-entrance": "x", "passage-route": "y"}, MISSING),
    ("site_manager", "/sites/{b}/rooms/bulk-edit", {"edit-building_id": "0", "edit-beds": "5"}, MISSING),
    ("catering", "/sites/{a}/rooms/bulk-edit", {"edit-building_id": "0", "edit-beds": "5"}, FORBIDDEN),
    ("site_manager", "/rooms/{room_b}", {"beds": "5", "status": "available"}, MISSING),
    ("catering", "/rooms/{room_a}", {"beds": "5", "status": "available"}, FORBIDDEN),
    ("site_manager", "/people/{person_b}/stay", {"action": "check_out", "out-reason": "released"}, MISSING),
    ("hq", "/users/new", {"username": "newbie", "role": "admin"}, FORBIDDEN),
    ("site_manager", "/policy/new", {"name": "x"}, FORBIDDEN),
    ("hq", "/policy/lists/categories/new", {"code": "x", "label_zh": "x", "label_en": "x"}, FORBIDDEN),
    # A site manager may not take their receiving site out of receiving (refused with a message).
    ("site_manager", "/sites/{a}/status", {"status": "preparing"}, 302),
    ("site_manager", "/sites/{b}/prepare/beds", {"beds-source_id": "{reserve}"}, FORBIDDEN),
    ("catering", "/supplies/sites/{a}/movements", {"move-kind": "received", "move-quantity": "5"}, FORBIDDEN),
    ("site_manager", "/supplies/sites/{b}/movements", {"move-kind": "received", "move-quantity": "5"}, MISSING),
    ("site_manager", "/supplies/stores/{reserve}/movements", {"move-kind": "received", "move-quantity": "5"},
     FORBIDDEN),
    ("site_manager", "/supplies/items", {"code": "x", "label_zh": "x", "label_en": "x"}, FORBIDDEN),
    ("catering", "/waste/sites/{a}", {"day-rows-0-source": "other", "day-rows-0-bags": "1"}, FORBIDDEN),
    ("site_manager", "/waste/sites/{b}/collections/new", {"collector": "x"}, MISSING),
]


@pytest.mark.parametrize("role,url,data,expected", [pytest.param(*p, id=f"POST {p[1]} as {p[0]}") for p in POSTS])
def test_post_access(db, world, client_as, role, url, data, expected):
    rooms_before = db.session.execute(select(Room.id, Room.beds).order_by(Room.id)).all()
    from quarantine.models import StockMovement, WasteCollection, WasteEntry
    records_before = [db.session.scalar(select(func.count(m.id))) for m in (StockMovement, WasteEntry, WasteCollection)]
    response = client_as(role).post(url.format(**world), data={k: v.format(**world) for k, v in data.items()})
    assert response.status_code == expected
    db.session.expire_all()
    assert [db.session.scalar(select(func.count(m.id)))
            for m in (StockMovement, WasteEntry, WasteCollection)] == records_before
    assert db.session.execute(select(Room.id, Room.beds).order_by(Room.id)).all() == rooms_before
    assert world["site_b"].status == "ready" and world["site_a"].status == "ready"
    assert world["site_b"].passages_separate_confirmed


@pytest.mark.parametrize("role,url", [
    ("site_manager", "/"),
    ("site_manager", "/sites/"),
    ("site_manager", "/meals/"),
    ("catering", "/meals/"),
    ("catering", "/sites/"),
    ("site_manager", "/people/"),
    ("site_manager", "/people/new"),
])
def test_other_sites_do_not_leak(world, client_as, role, url):
    response = client_as(role).get(url, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert SITE_B not in page
    assert PERSON_B not in page


@pytest.mark.parametrize("role,url,shown", [
    ("site_manager", "/", SITE_A),
    ("site_manager", "/sites/", SITE_A),
    ("site_manager", "/meals/", SITE_A),
    ("catering", "/meals/", SITE_A),
    ("site_manager", "/people/", PERSON_A),
    ("admin", "/", SITE_B),
    ("hq", "/sites/", SITE_B),
    ("hq", "/meals/", SITE_B),
    ("hq", "/people/", PERSON_B),
])
def test_own_or_all_sites_are_shown(world, client_as, role, url, shown):
    """Control for the leak test: what a user may see is on the page."""
    page = client_as(role).get(url).get_data(as_text=True)
    assert shown in page


def test_site_manager_cannot_record_person_at_another_site(db, world, client_as):
    client = client_as("site_manager")
    before = db.session.scalar(select(func.count(Person.id)))
    response = client.post("/people/new", data={
        "name": "孙丙", "id_number": valid_resident_id("19900101", "555"), "category_code": "close_contact",
        "diet_code": "regular", "batch_id": "0", "site_id": str(world["b"])})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Person.id))) == before


def test_site_manager_cannot_check_person_into_another_sites_room(db, world, client_as):
    client = client_as("site_manager")
    response = client.post(f"/people/{world['person_a']}/stay",
                           data={"action": "check_in", "in-room_id": str(world["room_b"])})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Room, world["room_b"]).occupants == 0
    assert db.session.get(Person, world["person_a"]).stays == []
