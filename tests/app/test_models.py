"""The database itself refuses impossible states, whatever the code above it does.

Every case writes through the ORM, expects IntegrityError on commit, rolls back and
checks with a fresh query that nothing was written.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quarantine.models import Building, Passage, Person, Room, Site, Stay, User


def refused(db) -> None:
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def fresh(db, model, pk):
    db.session.expire_all()
    return db.session.get(model, pk)


# --- rooms: beds, occupants and status agree ------------------------------------------------

@pytest.mark.parametrize("changes", [
    pytest.param({"beds": -1}, id="negative-beds"),
    pytest.param({"occupants": 2, "status": "occupied"}, id="occupants-above-beds"),
    pytest.param({"occupants": -1}, id="negative-occupants"),
    pytest.param({"occupants": 0, "status": "occupied"}, id="occupied-without-occupants"),
    pytest.param({"occupants": 1, "status": "available"}, id="occupants-in-available-room"),
    pytest.param({"occupants": 1, "status": "cleaning"}, id="occupants-in-room-under-disinfection"),
    pytest.param({"status": "dirty"}, id="unknown-room-status"),
])
def test_room_refuses_impossible_state(db, make_site, changes):
    site = make_site(beds=1)
    room = site.buildings[0].rooms[0]
    room_id = room.id
    for name, value in changes.items():
        setattr(room, name, value)
    refused(db)
    stored = fresh(db, Room, room_id)
    assert (stored.beds, stored.occupants, stored.status) == (1, 0, "available")


def test_room_accepts_consistent_occupied_state(db, make_site):
    """Control for the table above: a full room marked occupied is fine."""
    site = make_site(beds=2)
    room = site.buildings[0].rooms[0]
    room.occupants, room.status = 2, "occupied"
    db.session.commit()
    stored = fresh(db, Room, room.id)
    assert (stored.occupants, stored.status) == (2, "occupied")


def test_room_cannot_lie_in_two_sites(db, make_site):
    """The composite key (building_id, site_id) refuses a room naming another site than its building's."""
    site_a = make_site("Site A")
    site_b = make_site("Site B")
    building_a = site_a.buildings[0]
    before = count(db, Room)
    db.session.add(Room(site_id=site_b.id, building_id=building_a.id, floor=9, number="901", beds=1))
    refused(db)
    assert count(db, Room) == before
    assert count(db, Room, Room.number == "901") == 0


def test_room_moved_to_another_sites_id_is_refused(db, make_site):
    site_a = make_site("Site A")
    site_b = make_site("Site B")
    room = site_a.buildings[0].rooms[0]
    room_id = room.id
    room.site_id = site_b.id
    refused(db)
    assert fresh(db, Room, room_id).site_id == site_a.id


def test_room_numbers_unique_within_building(db, make_site):
    site = make_site()
    building = site.buildings[0]
    before = count(db, Room)
    db.session.add(Room(site_id=site.id, building_id=building.id, floor=1, number="101", beds=1))
    refused(db)
    assert count(db, Room) == before


def test_building_codes_unique_within_site(db, make_site):
    site = make_site()
    db.session.add(Building(site_id=site.id, code="A", name="again"))
    refused(db)
    assert count(db, Building, Building.site_id == site.id) == 1


# --- people: ID numbers of current residents ------------------------------------------------

@pytest.mark.parametrize("status", ["expected", "in_quarantine"])
@pytest.mark.parametrize("other_status", ["expected", "in_quarantine"])
def test_duplicate_id_number_among_current_residents_refused(db, make_person, status, other_status):
    first = make_person("王一", status=status)
    db.session.add(Person(name="王二", id_kind="resident_id", id_number=first.id_number, sex="M",
                          category_code="close_contact", status=other_status))
    refused(db)
    assert count(db, Person, Person.id_number == first.id_number) == 1


@pytest.mark.parametrize("old_status", ["released", "transferred_out", "no_show"])
def test_former_resident_id_number_may_be_reused(db, make_person, old_status):
    first = make_person("王一", status=old_status)
    db.session.add(Person(name="王一", id_kind="resident_id", id_number=first.id_number, sex="M",
                          category_code="close_contact", status="expected"))
    db.session.commit()
    assert count(db, Person, Person.id_number == first.id_number) == 2


def test_returning_resident_cannot_become_current_twice(db, make_person):
    """A released person came back; the old record may not be switched back to current as well."""
    old = make_person("王一", status="released")
    db.session.add(Person(name="王一", id_kind="resident_id", id_number=old.id_number, sex="M",
                          category_code="close_contact", status="in_quarantine"))
    db.session.commit()
    old.status = "expected"
    refused(db)
    assert fresh(db, Person, old.id).status == "released"


@pytest.mark.parametrize("field,value", [
    pytest.param("status", "gone", id="unknown-person-status"),
    pytest.param("id_kind", "licence", id="unknown-id-kind"),
    pytest.param("sex", "X", id="unknown-sex"),
    pytest.param("category_code", "no_such_category", id="unknown-category"),
])
def test_person_refuses_unknown_values(db, make_person, field, value):
    person = make_person()
    original = getattr(person, field)
    setattr(person, field, value)
    refused(db)
    assert getattr(fresh(db, Person, person.id), field) == original


def test_release_before_arrival_refused(db, make_person):
    person = make_person(arrival_at=datetime(2022, 7, 1, 4, 0, tzinfo=timezone.utc))
    person.release_date = datetime(2022, 6, 20).date()
    refused(db)
    assert fresh(db, Person, person.id).release_date is None


# --- stays -----------------------------------------------------------------------------------

def test_two_open_stays_for_one_person_refused(db, make_site, make_person):
    site = make_site(ready=True)
    rooms = site.buildings[0].rooms
    person = make_person(site_id=site.id)
    db.session.add(Stay(person_id=person.id, room_id=rooms[0].id))
    db.session.commit()
    db.session.add(Stay(person_id=person.id, room_id=rooms[1].id))
    refused(db)
    assert count(db, Stay, Stay.person_id == person.id) == 1


def test_closed_stays_accumulate_beside_one_open_stay(db, make_site, make_person):
    site = make_site(ready=True)
    rooms = site.buildings[0].rooms
    person = make_person(site_id=site.id)
    start = datetime(2022, 7, 1, tzinfo=timezone.utc)
    db.session.add_all([
        Stay(person_id=person.id, room_id=rooms[0].id, check_in_at=start,
             check_out_at=start + timedelta(days=1), end_reason="moved"),
        Stay(person_id=person.id, room_id=rooms[1].id, check_in_at=start + timedelta(days=1),
             check_out_at=start + timedelta(days=2), end_reason="moved"),
        Stay(person_id=person.id, room_id=rooms[2].id, check_in_at=start + timedelta(days=2)),
    ])
    db.session.commit()
    assert count(db, Stay, Stay.person_id == person.id) == 3


@pytest.mark.parametrize("fields", [
    pytest.param({"check_out_at": datetime(2022, 6, 30, tzinfo=timezone.utc), "end_reason": "moved"},
                 id="out-before-in"),
    pytest.param({"check_out_at": datetime(2022, 7, 2, tzinfo=timezone.utc)}, id="closed-without-reason"),
    pytest.param({"end_reason": "released"}, id="reason-on-open-stay"),
    pytest.param({"check_out_at": datetime(2022, 7, 2, tzinfo=timezone.utc), "end_reason": "escaped"},
                 id="unknown-end-reason"),
])
def test_stay_refuses_inconsistent_end(db, make_site, make_person, fields):
    site = make_site(ready=True)
    person = make_person(site_id=site.id)
    db.session.add(Stay(person_id=person.id, room_id=site.buildings[0].rooms[0].id,
                        check_in_at=datetime(2022, 7, 1, tzinfo=timezone.utc), **fields))
    refused(db)
    assert count(db, Stay) == 0


# --- check constraints on known values -------------------------------------------------------

def test_unknown_role_refused(db, make_user):
    user = make_user("hq")
    user.role = "superuser"
    refused(db)
    assert fresh(db, User, user.id).role == "hq"


@pytest.mark.parametrize("field,value", [
    pytest.param("status", "open", id="unknown-site-status"),
    pytest.param("kind", "mobile", id="unknown-site-kind"),
    pytest.param("capacity_limit", -1, id="negative-capacity-limit"),
    pytest.param("lat", 91.0, id="latitude-out-of-range"),
    pytest.param("lon", -181.0, id="longitude-out-of-range"),
])
def test_site_refuses_impossible_values(db, make_site, field, value):
    site = make_site(capacity_limit=10)
    original = getattr(site, field)
    setattr(site, field, value)
    refused(db)
    assert getattr(fresh(db, Site, site.id), field) == original


def test_capacity_limit_zero_is_allowed(db, make_site):
    site = make_site(capacity_limit=0)
    assert fresh(db, Site, site.id).capacity_limit == 0


def test_new_site_with_negative_capacity_not_written(db):
    db.session.add(Site(name="Bad site", kind="fixed", status="standby", capacity_limit=-5))
    refused(db)
    assert count(db, Site, Site.name == "Bad site") == 0


def test_site_names_unique(db, make_site):
    make_site("Jinyuan Hotel")
    db.session.add(Site(name="Jinyuan Hotel", kind="backup", status="standby"))
    refused(db)
    assert count(db, Site) == 1


def test_unknown_passage_kind_and_second_passage_of_a_kind_refused(db, make_site):
    site = make_site()
    db.session.add(Passage(site_id=site.id, kind="visitors", entrance="gate", route="r"))
    refused(db)
    db.session.add(Passage(site_id=site.id, kind="staff", entrance="gate 1", route="r1"))
    db.session.commit()
    db.session.add(Passage(site_id=site.id, kind="staff", entrance="gate 2", route="r2"))
    refused(db)
    assert db.session.scalars(select(Passage.entrance).where(Passage.site_id == site.id)).all() == ["gate 1"]
