"""People and their stays: the person form, identity documents, release dates from the policy
in force, and check-in / move / check-out with the placement rules; stays are never overwritten."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from quarantine.errors import DomainError
from quarantine.models import Person, Room, Stay
from quarantine.people import services
from quarantine.stays import lifecycle
from quarantine.stays.placement import rooms_open_to
from tests.conftest import valid_resident_id


@pytest.fixture
def site(make_site):
    """Ready site: building A, floors 1-2, rooms x01-x04 with two beds; floor 1 accessible."""
    return make_site("Yinghe Hotel", floors=(1, 2), rooms_per_floor=4, beds=2, ready=True)


def rooms_of(site) -> dict[str, Room]:
    return {r.number: r for r in site.buildings[0].rooms}


def text(response) -> str:
    return response.get_data(as_text=True)


def people_count(db) -> int:
    return db.session.scalar(select(func.count(Person.id)))


def person_data(site_id, **fields):
    data = {"name": "李明", "id_number": valid_resident_id("19900215", "123"), "sex": "", "birth_date": "",
            "phone": "138 0000 1111", "household": "H-LI", "category_code": "close_contact",
            "diet_code": "regular", "origin": "太康县", "batch_id": "0", "site_id": str(site_id),
            "arrival_at": "", "notes": ""}
    data.update(fields)
    return data


def new_person(db, client, site, **fields) -> Person:
    response = client.post("/people/new", data=person_data(site.id, **fields))
    assert response.status_code == 302, text(response)[:2000]
    return db.session.scalar(select(Person).order_by(Person.id.desc()).limit(1))


# --- the person form -------------------------------------------------------------------------

BAD_BIRTH = "411623" + "19901332" + "123"  # 32 December


@pytest.mark.parametrize("fields,message", [
    pytest.param({"name": ""}, "This field is required.", id="missing-name"),
    pytest.param({"id_number": ""}, "This field is required.", id="missing-id-number"),
    pytest.param({"id_number": valid_resident_id("19900215", "123")[:17] + "0"}, "check digit is 0, expected",
                 id="bad-check-digit"),
    pytest.param({"id_number": BAD_BIRTH + "0"}, "impossible birth date 19901332", id="impossible-birth-date"),
    pytest.param({"id_number": "411623" + "20990101" + "1230"}, "impossible birth date 20990101",
                 id="birth-date-in-future"),
    pytest.param({"id_number": valid_resident_id("19900215", "123")[:17]},
                 "resident ID must have 18 characters, this one has 17", id="17-digits"),
    pytest.param({"id_number": "E12345678", "sex": ""}, "Choose the sex for a passport holder.",
                 id="passport-without-sex"),
    pytest.param({"id_number": "E1-23"}, "nor a passport number", id="neither-id-nor-passport"),
    pytest.param({"id_number": "DUPLICATE"}, "A current resident already has this ID number.",
                 id="duplicate-id-of-current-resident"),
    pytest.param({"phone": "call me"}, "Enter a phone number", id="bad-phone"),
    pytest.param({"household": "H 1/2"}, "Use letters, digits, - and _ only.", id="bad-household-code"),
    pytest.param({"category_code": "tourist"}, "Not a valid choice", id="unknown-category"),
    pytest.param({"arrival_at": "yesterday"}, "Not a valid datetime value.", id="bad-arrival-time"),
])
def test_person_form_refuses_bad_input(db, site, make_person, signed_in, fields, message):
    existing = make_person("王芳", site_id=site.id, status="in_quarantine")
    if fields.get("id_number") == "DUPLICATE":
        fields = {**fields, "id_number": existing.id_number.lower()}
    client = signed_in("hq")
    before = people_count(db)
    response = client.post("/people/new", data=person_data(site.id, **fields))
    assert response.status_code == 200
    assert message in text(response)
    assert people_count(db) == before


def test_resident_id_gives_sex_and_birth_date(db, site, signed_in):
    client = signed_in("site_manager", sites=[site])
    number = valid_resident_id("19900215", "123")  # 17th digit 3: male
    person = new_person(db, client, site, id_number=f" {number[:6]} {number[6:]} ", sex="F", birth_date="1970-01-01")
    assert (person.id_kind, person.id_number) == ("resident_id", number)
    assert person.sex == "M" and person.birth_date == date(1990, 2, 15)
    assert person.status == "expected" and person.site_id == site.id

    female = new_person(db, client, site, name="李红", id_number=valid_resident_id("20150704", "122").lower())
    assert female.sex == "F" and female.birth_date == date(2015, 7, 4)


def test_resident_id_with_x_check_digit(db, site, signed_in):
    from quarantine.idnumbers import check_digit
    first17 = next(f"411623199001011{n:02d}" for n in range(100) if check_digit(f"411623199001011{n:02d}") == "X")
    person = new_person(db, signed_in("hq"), site, id_number=first17 + "x")
    assert person.id_number == first17 + "X"


def test_passport_accepted_with_sex_and_birth_date(db, site, signed_in):
    person = new_person(db, signed_in("hq"), site, id_number="e1234567", sex="F", birth_date="1985-03-04",
                        category_code="inbound_traveller")
    assert (person.id_kind, person.id_number, person.sex) == ("passport", "E1234567", "F")
    assert person.birth_date == date(1985, 3, 4)


def test_released_persons_id_may_be_recorded_again(db, site, make_person, signed_in):
    old = make_person("王芳", site_id=site.id, status="released")
    person = new_person(db, signed_in("hq"), site, id_number=old.id_number)
    assert person.id != old.id and person.id_number == old.id_number


def test_editing_a_person_keeps_own_id_number(db, site, signed_in):
    client = signed_in("hq")
    person = new_person(db, client, site)
    response = client.post(f"/people/{person.id}/edit", data=person_data(site.id, name="李明明"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, person.id).name == "李明明"


# --- release dates from the policy in force ----------------------------------------------------

@pytest.mark.parametrize("arrival,release,policy_prefix", [
    pytest.param("2022-01-10T12:00", date(2022, 1, 24), "防控方案第八版", id="8th-edition-14-days"),
    pytest.param("2022-06-27T12:00", date(2022, 7, 11), "防控方案第八版", id="day-before-9th-edition"),
    pytest.param("2022-06-28T12:00", date(2022, 7, 5), "防控方案第九版", id="9th-edition-first-day"),
    pytest.param("2022-07-01T12:00", date(2022, 7, 8), "防控方案第九版", id="9th-edition-7-days"),
    pytest.param("2022-11-11T12:00", date(2022, 11, 16), "二十条", id="nov-2022-first-day"),
    pytest.param("2022-12-01T20:00", date(2022, 12, 6), "二十条", id="nov-2022-5-days"),
])
def test_release_date_from_policy_in_force_on_arrival(db, site, signed_in, arrival, release, policy_prefix):
    person = new_person(db, signed_in("hq"), site, arrival_at=arrival)
    assert person.release_date == release
    assert person.policy.name.startswith(policy_prefix)


@pytest.mark.parametrize("arrival,release", [
    pytest.param("2022-06-28T06:30", date(2022, 7, 5), id="early-morning-on-9th-edition-day"),
    pytest.param("2022-01-10T07:00", date(2022, 1, 24), id="early-morning-8th-edition"),
])
def test_release_date_uses_local_arrival_day(db, site, signed_in, arrival, release):
    """Arrival times are typed in local time (Asia/Shanghai); the arrival *day* is the local day,
    also before 08:00 when the UTC date is still the day before."""
    person = new_person(db, signed_in("hq"), site, arrival_at=arrival)
    assert person.release_date == release


def test_no_release_date_before_any_policy(db, site, signed_in):
    person = new_person(db, signed_in("hq"), site, arrival_at="2021-01-01T12:00")
    assert person.release_date is None and person.policy_id is None


def test_release_date_shown_with_policy(db, site, signed_in):
    client = signed_in("hq")
    person = new_person(db, client, site, arrival_at="2022-07-01T12:00")
    page = text(client.get(f"/people/{person.id}"))
    shown = page.split('id="release-date">')[1].split("</dd>")[0]
    assert "2022-07-08" in shown and "防控方案第九版" in shown


# --- stays: check in, move, check out ------------------------------------------------------------

def stay_action(client, person, action, **fields):
    data = {"action": action}
    prefix = {"check_in": "in", "move": "move", "check_out": "out"}[action]
    data.update({f"{prefix}-{k}": str(v) for k, v in fields.items()})
    return client.post(f"/people/{person.id}/stay", data=data, follow_redirects=True)


def reload(db, obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def test_check_in_move_and_check_out(db, site, make_person, signed_in):
    rooms = rooms_of(site)
    client = signed_in("site_manager", sites=[site])
    person = make_person("李明", site_id=site.id, household="H-LI")

    page = text(stay_action(client, person, "check_in", room_id=rooms["101"].id))
    assert "李明 checked in." in page
    room = reload(db, rooms["101"])
    assert (room.status, room.occupants) == ("occupied", 1)
    person = reload(db, person)
    assert person.status == "in_quarantine" and person.current_stay.room_id == room.id
    assert person.current_stay.checked_in_by_id == client.user.id
    assert person.arrival_at is not None and person.release_date is not None

    page = text(stay_action(client, person, "move", room_id=rooms["102"].id, note="漏水"))
    assert "李明 moved." in page
    old, new = reload(db, rooms["101"]), reload(db, rooms["102"])
    assert (old.status, old.occupants) == ("cleaning", 0)
    assert (new.status, new.occupants) == ("occupied", 1)
    person = reload(db, person)
    first, second = person.stays
    assert (first.room_id, first.end_reason, first.note) == (old.id, "moved", "漏水")
    assert first.check_out_at is not None and second.check_out_at is None and second.room_id == new.id

    # Before the release date a release needs its reason, as on the quarantine clock's pages.
    refused = text(stay_action(client, person, "check_out", reason="released"))
    assert "give the reason for an early release" in refused or "give the reason for releasing" in refused
    page = text(stay_action(client, person, "check_out", reason="released", note="区指挥部通知提前解除"))
    assert "李明 checked out." in page
    person = reload(db, person)
    assert person.status == "released" and person.current_stay is None
    assert [s.end_reason for s in person.stays] == ["moved", "released"]
    room = reload(db, rooms["102"])
    assert (room.status, room.occupants) == ("cleaning", 0)


def test_room_stays_occupied_while_a_household_member_remains(db, site, make_person, signed_in):
    rooms = rooms_of(site)
    client = signed_in("hq")
    mother = make_person("周红", site_id=site.id, household="H-ZHOU")
    child = make_person("周小红", site_id=site.id, household="H-ZHOU", birth="20150101", sex_digit=2)
    stay_action(client, mother, "check_in", room_id=rooms["101"].id)
    stay_action(client, child, "check_in", room_id=rooms["101"].id)
    assert (reload(db, rooms["101"]).occupants, reload(db, rooms["101"]).status) == (2, "occupied")
    stay_action(client, child, "check_out", reason="transferred_out")
    room = reload(db, rooms["101"])
    assert (room.occupants, room.status) == (1, "occupied")
    assert reload(db, child).status == "transferred_out"


def test_stays_accumulate_and_are_never_overwritten(db, site, make_person, signed_in):
    rooms = rooms_of(site)
    client = signed_in("hq")
    person = make_person("李明", site_id=site.id)
    stay_action(client, person, "check_in", room_id=rooms["101"].id)
    first = reload(db, person).stays[0]
    first_id, first_in = first.id, first.check_in_at
    for number in ("102", "103"):
        stay_action(client, person, "move", room_id=rooms[number].id, note=f"to {number}")
    stay_action(client, person, "check_out", reason="released", note="区指挥部通知提前解除")

    stays = db.session.scalars(select(Stay).where(Stay.person_id == person.id).order_by(Stay.id)).all()
    assert [s.room.number for s in stays] == ["101", "102", "103"]
    assert [s.end_reason for s in stays] == ["moved", "moved", "released"]
    assert stays[0].id == first_id and stays[0].check_in_at == first_in
    assert all(s.check_out_at is not None for s in stays)
    assert all(a.check_out_at <= b.check_in_at for a, b in zip(stays, stays[1:]))
    page = text(client.get(f"/people/{person.id}"))
    assert page.split('id="stays"')[1].split("</table>")[0].count("A-10") == 3

    # a released person cannot be checked in again
    before = reload(db, rooms["104"]).occupants
    page = text(stay_action(client, person, "check_in", room_id=rooms["104"].id))
    assert reload(db, rooms["104"]).occupants == before
    assert db.session.scalar(select(func.count(Stay.id)).where(Stay.person_id == person.id)) == 3


def _occupy(db, site, clerk, number, **fields):
    """Put someone into a room through the service, as the site would."""
    from quarantine.idnumbers import check_digit
    from quarantine.models import Person as P
    n = db.session.scalar(select(func.count(P.id))) + 50
    first17 = f"41162319800101{n:03d}"
    person = P(name=fields.pop("name", "占用人"), id_kind="resident_id", id_number=first17 + check_digit(first17),
               sex="M", category_code=fields.pop("category_code", "close_contact"), status="expected",
               site_id=site.id, household=fields.pop("household", "H-OCC"), **fields)
    db.session.add(person)
    db.session.commit()
    lifecycle.check_in(person, rooms_of(site)[number].id, clerk)
    return person


REFUSALS = [
    # (occupants already placed: [(room, household, category)], the newcomer, target room, message)
    pytest.param([("101", "H-A", "close_contact")], {"household": "H-B"}, "101",
                 "holds another household", id="room-of-another-household"),
    pytest.param([("101", "H-A", "close_contact")], {"household": ""}, "101",
                 "holds another household", id="no-household-into-occupied-room"),
    pytest.param([("101", "H-A", "close_contact"), ("101", "H-A", "close_contact")], {"household": "H-A"}, "101",
                 "has no free bed", id="full-room"),
    pytest.param([("101", "H-A", "close_contact")], {"household": "H-B", "category_code": "secondary_contact"},
                 "102", "holds another category", id="floor-holding-another-category"),
    pytest.param([], {"needs": ["mobility"]}, "201", "needs an accessible room", id="mobility-into-non-accessible"),
]


@pytest.mark.parametrize("placed,newcomer,target,message", REFUSALS)
def test_check_in_refusals(app, db, site, make_person, make_user, signed_in, placed, newcomer, target, message):
    clerk = make_user("hq")
    with app.test_request_context():
        for number, household, category in placed:
            _occupy(db, site, clerk, number, household=household, category_code=category)
    needs = newcomer.pop("needs", [])
    person = make_person("新来人", site_id=site.id, **newcomer)
    if needs:
        services.set_needs(person, needs)
        db.session.commit()
    room_id = rooms_of(site)[target].id
    before = db.session.execute(select(Room.id, Room.occupants, Room.status).order_by(Room.id)).all()

    client = signed_in("hq")
    select_html = text(client.get(f"/people/{person.id}")).split('name="in-room_id"')[1].split("</select>")[0]
    assert str(room_id) not in re.findall(r'<option[^>]*value="(\d+)"', select_html)  # not offered
    page = text(stay_action(client, person, "check_in", room_id=room_id))
    assert "Choose a room offered in the list" in page
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(DomainError, match=message):
            lifecycle.check_in(reload(db, person), room_id, clerk)

    db.session.expire_all()
    assert db.session.execute(select(Room.id, Room.occupants, Room.status).order_by(Room.id)).all() == before
    assert reload(db, person).stays == [] and reload(db, person).status == "expected"


def test_same_household_shares_a_room_and_mobility_gets_ground_floor(app, db, site, make_person, make_user):
    """Controls for the refusals: the same rules let these through."""
    clerk = make_user("hq")
    rooms = rooms_of(site)
    with app.test_request_context():
        _occupy(db, site, clerk, "101", household="H-A")
        partner = make_person("同户人", site_id=site.id, household="H-A")
        lifecycle.check_in(partner, rooms["101"].id, clerk)
        walker = make_person("轮椅人", site_id=site.id, household="H-W")
        services.set_needs(walker, ["mobility"])
        db.session.commit()
        offered = [r.number for r in rooms_open_to([walker], site)]
        lifecycle.check_in(walker, rooms["102"].id, clerk)
    assert reload(db, rooms["101"]).occupants == 2
    assert offered == ["102", "103", "104"]  # ground floor only, and not the household's room
    assert reload(db, walker).current_stay.room_id == rooms["102"].id


@pytest.mark.parametrize("status", ["standby", "preparing", "closed"])
def test_check_in_refused_when_site_not_ready(app, db, site, make_person, make_user, signed_in, status):
    site.status = status
    db.session.commit()
    person = make_person("李明", site_id=site.id)
    clerk = make_user("hq")
    room_id = rooms_of(site)["101"].id
    page = text(stay_action(signed_in("hq"), person, "check_in", room_id=room_id))
    assert "Choose a room offered in the list" in page
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(DomainError, match="not ready to receive people"):
            lifecycle.check_in(reload(db, person), room_id, clerk)
    assert reload(db, rooms_of(site)["101"]).occupants == 0
    assert reload(db, person).status == "expected"


def test_move_refused_into_room_of_another_household(app, db, site, make_person, make_user, signed_in):
    clerk = make_user("hq")
    rooms = rooms_of(site)
    with app.test_request_context():
        _occupy(db, site, clerk, "102", household="H-A")
        person = make_person("李明", site_id=site.id, household="H-B")
        lifecycle.check_in(person, rooms["101"].id, clerk)
    page = text(stay_action(signed_in("hq"), person, "move", room_id=rooms["102"].id))
    assert "Choose a room offered in the list" in page
    person = reload(db, person)
    assert len(person.stays) == 1 and person.current_stay.room_id == rooms["101"].id
    assert reload(db, rooms["101"]).occupants == 1 and reload(db, rooms["102"]).occupants == 1
