"""Beds and stays: placement by hand keeps the planner's rules (capacity limit and child rule
included), the bed counter adds up, and the person page and room lists cost no query per room."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from quarantine.errors import DomainError
from quarantine.extensions import db as _db
from quarantine.localtime import local_today
from quarantine.models import Reservation, Room, StaffMember, Stay
from quarantine.sites.services import capacities
from quarantine.stays import beds, lifecycle
from quarantine.stays.placement import placement_problems, rooms_open_to


@pytest.fixture
def site(make_site):
    """Ready site: building A, floors 1-3, rooms x01-x04 with two beds; floor 1 accessible."""
    return make_site("Hotel", floors=(1, 3), rooms_per_floor=4, beds=2, ready=True)


@pytest.fixture
def clerk(make_user):
    return make_user("admin")


def rooms_of(site) -> dict[str, Room]:
    return {r.number: r for r in site.buildings[0].rooms}


def child_birth() -> date:
    return local_today() - timedelta(days=365 * 6)


def fingerprint(db):
    return (db.session.execute(select(Room.id, Room.occupants, Room.reserved, Room.status).order_by(Room.id)).all(),
            db.session.scalar(select(func.count(Stay.id))))


def settle(person, site):
    person.site_id = site.id
    _db.session.commit()
    return person


# --- the rules, by hand -----------------------------------------------------------------------

def test_check_in_keeps_the_site_capacity_limit(db, site, make_person, clerk):
    site.capacity_limit = 1
    db.session.commit()
    rooms = rooms_of(site)
    first = settle(make_person("甲"), site)
    second = settle(make_person("乙"), site)
    lifecycle.check_in(first, rooms["101"].id, clerk)
    before = fingerprint(db)
    with pytest.raises(DomainError, match="would hold 2 people, above its limit of 1"):
        lifecycle.check_in(second, rooms["102"].id, clerk)
    assert fingerprint(db) == before
    assert rooms_open_to([second], site) == []


def test_check_in_keeps_what_the_staff_on_duty_support(db, make_site, make_person, clerk):
    """Staff recorded but no doctor or nurse on duty: the site supports nobody yet."""
    site = make_site("Unstaffed", floors=(1, 2), rooms_per_floor=4, beds=2, ready=True, staffed=False)
    db.session.add(StaffMember(site_id=site.id, name="保安", work_group="security",
                               on_duty_from=local_today() - timedelta(days=1)))
    db.session.commit()
    person = settle(make_person("丙"), site)
    with pytest.raises(DomainError, match="above its limit of 0"):
        lifecycle.check_in(person, rooms_of(site)["101"].id, clerk)
    db.session.add_all([StaffMember(site_id=site.id, name="医生", work_group="health_observation",
                                    medical_role=role, on_duty_from=local_today() - timedelta(days=1))
                        for role in ("doctor", "nurse")])
    db.session.commit()
    lifecycle.check_in(person, rooms_of(site)["101"].id, clerk)
    assert person.current_stay.room_id == rooms_of(site)["101"].id


def test_a_child_needs_an_adult_of_the_household_in_the_room(db, site, make_person, clerk):
    rooms = rooms_of(site)
    born = child_birth()
    child = settle(make_person("小明", birth=born.strftime("%Y%m%d"), birth_date=born, household="H-WANG"), site)
    mother = settle(make_person("王芳", birth="19880101", birth_date=date(1988, 1, 1), sex_digit=2,
                                household="H-WANG"), site)
    with pytest.raises(DomainError, match="needs an adult of the household in room A-101"):
        lifecycle.check_in(child, rooms["101"].id, clerk)
    assert placement_problems([child, mother], rooms["101"]) == []  # together they may go in
    lifecycle.check_in(mother, rooms["101"].id, clerk)
    lifecycle.check_in(child, rooms["101"].id, clerk)
    assert {s.room_id for s in (mother.current_stay, child.current_stay)} == {rooms["101"].id}
    # The mother cannot be moved away alone: the child would stay without an adult.
    with pytest.raises(DomainError, match="would stay in room A-101 without an adult"):
        lifecycle.move(mother, rooms["102"].id, clerk)


def test_a_household_stays_on_one_floor(db, site, make_person, clerk):
    rooms = rooms_of(site)
    first = settle(make_person("赵一", household="H-ZHAO"), site)
    second = settle(make_person("赵二", household="H-ZHAO"), site)
    third = settle(make_person("赵三", household="H-ZHAO"), site)
    lifecycle.check_in(first, rooms["101"].id, clerk)
    lifecycle.check_in(second, rooms["101"].id, clerk)  # room full now
    with pytest.raises(DomainError, match="same household is on another floor"):
        lifecycle.check_in(third, rooms["201"].id, clerk)
    lifecycle.check_in(third, rooms["102"].id, clerk)  # same floor, next room
    assert third.current_stay.room_id == rooms["102"].id


def test_rooms_offered_are_exactly_those_the_rules_accept(db, site, make_person, clerk):
    rooms = rooms_of(site)
    other_batch = settle(make_person("钱", category_code="secondary_contact"), site)
    lifecycle.check_in(other_batch, rooms["201"].id, clerk)
    walker = settle(make_person("孙"), site)
    walker.needs = []
    offered = {r.number for r in rooms_open_to([walker], site)}
    assert offered == {n for n, r in rooms.items() if not placement_problems([walker], r)}
    assert not any(n.startswith("2") for n in offered)  # floor 2 holds another category


# --- the bed counter ---------------------------------------------------------------------------

def reserve(db, person, room):
    db.session.add(Reservation(person_id=person.id, room_id=room.id, status="reserved"))
    beds.reserve_in_bulk({room.id: room.reserved + 1}, room.updated_at)
    person.site_id = room.site_id
    db.session.commit()
    db.session.refresh(room)


def test_unused_reservation_gives_the_room_back_clean_but_a_slept_in_room_goes_to_cleaning(
        db, site, make_person, clerk):
    rooms = rooms_of(site)
    lone = make_person("周")
    reserve(db, lone, rooms["103"])
    lifecycle.did_not_arrive(site, db.session.scalar(select(Reservation.id).where(Reservation.person_id == lone.id)),
                             clerk)
    db.session.refresh(rooms["103"])
    assert (rooms["103"].status, rooms["103"].held) == ("available", 0)

    # A family: one checked in, one on the way; the first leaves for hospital, the second never comes.
    here = settle(make_person("吴一", household="H-WU"), site)
    lifecycle.check_in(here, rooms["104"].id, clerk)
    coming = make_person("吴二", household="H-WU")
    reserve(db, coming, rooms["104"])
    lifecycle.check_out(here, "transferred_out", clerk)
    db.session.refresh(rooms["104"])
    assert (rooms["104"].status, rooms["104"].occupants, rooms["104"].reserved) == ("occupied", 0, 1)
    assert rooms["104"].grid_state == "reserved"
    lifecycle.did_not_arrive(site, db.session.scalar(select(Reservation.id).where(
        Reservation.person_id == coming.id)), clerk)
    db.session.refresh(rooms["104"])
    assert rooms["104"].status == "cleaning"  # someone slept there: terminal disinfection first


def test_arrival_turns_a_reserved_bed_into_an_occupied_one(db, site, make_person, clerk):
    room = rooms_of(site)["101"]
    person = make_person("郑")
    reserve(db, person, room)
    reservation = db.session.scalar(select(Reservation).where(Reservation.person_id == person.id))
    lifecycle.arrived(site, reservation.id, clerk)
    db.session.refresh(room)
    assert (room.occupants, room.reserved, room.status, room.slept_in) == (1, 0, "occupied", True)
    assert person.arrival_at is not None and person.release_date is None or person.release_date >= date.today()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["check_in", "reserve", "no_show", "check_out", "arrive", "clean"]),
                          st.integers(0, 11)), min_size=1, max_size=25))
def test_bed_counts_add_up_whatever_happens(db, make_site, make_person, clerk, steps):
    site = make_site(f"Generated {make_person().id}", floors=(1, 3), rooms_per_floor=4, beds=3, ready=True)
    rooms = sorted(site.buildings[0].rooms, key=lambda r: r.number)
    for action, index in steps:
        room = rooms[index]
        try:
            if action == "check_in":
                lifecycle.check_in(settle(make_person(), site), room.id, clerk)
            elif action == "reserve" and room.status == "available":
                reserve(db, make_person(), room)
            elif action in ("no_show", "arrive"):
                reservation = db.session.scalar(select(Reservation).where(Reservation.room_id == room.id,
                                                                          Reservation.status == "reserved"))
                if reservation:
                    (lifecycle.did_not_arrive if action == "no_show" else lifecycle.arrived)(
                        site, reservation.id, clerk)
            elif action == "check_out":
                stay = db.session.scalar(select(Stay).where(Stay.room_id == room.id, Stay.check_out_at.is_(None)))
                if stay:
                    lifecycle.check_out(stay.person, "released", clerk)
            elif action == "clean" and room.status == "cleaning":
                from quarantine.rooms.turnover import confirm_clean
                confirm_clean(room, clerk)
        except DomainError:
            db.session.rollback()
    db.session.expire_all()
    cap = capacities([site.id])[site.id]
    assert cap.beds == cap.occupants + cap.reserved + cap.spare_beds + cap.free_beds + cap.unusable_beds
    open_stays = db.session.scalar(select(func.count(Stay.id)).join(Room).where(
        Room.site_id == site.id, Stay.check_out_at.is_(None)))
    live = db.session.scalar(select(func.count(Reservation.id)).join(Room).where(
        Room.site_id == site.id, Reservation.status == "reserved"))
    assert (cap.occupants, cap.reserved) == (open_stays, live)


# --- no query per room -------------------------------------------------------------------------

class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def _person_page_queries(db, signed_in, make_site, make_person, rooms_per_floor: int) -> int:
    site = make_site(f"Size {rooms_per_floor}", floors=(1, 4), rooms_per_floor=rooms_per_floor, beds=2, ready=True)
    admin = signed_in("admin")
    clerk = admin.user
    # Residents on two floors, so the rules have something to compare with.
    for room in [r for r in site.buildings[0].rooms if r.floor <= 2][: rooms_per_floor]:
        lifecycle.check_in(settle(make_person(), site), room.id, clerk)
    person = settle(make_person("查询"), site)
    db.session.expire_all()
    with QueryCounter(db.engine) as counter:
        response = admin.get(f"/people/{person.id}")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("<option") >= rooms_per_floor * 2  # floors 3-4 offered
    return counter.count


def test_person_page_costs_the_same_queries_at_any_site_size(db, signed_in, make_site, make_person):
    small = _person_page_queries(db, signed_in, make_site, make_person, 5)
    large = _person_page_queries(db, signed_in, make_site, make_person, 60)
    assert large == small, (small, large)
    assert small <= 25


def test_arrival_lists_cost_the_same_queries_for_any_number_of_people(db, signed_in, make_site, make_person):
    def queries(n: int) -> int:
        site = make_site(f"Arrivals {n}", floors=(1, 2), rooms_per_floor=n, beds=1, ready=True)
        for room in site.buildings[0].rooms:
            person = make_person(f"到达{room.id}")
            person.needs = []
            reserve(db, person, room)
        client = signed_in("admin")
        db.session.expire_all()
        with QueryCounter(db.engine) as counter:
            assert client.get(f"/transfers/arrivals/{site.id}").status_code == 200
        return counter.count

    assert queries(3) == queries(30)


def test_printed_room_lists_cost_the_same_queries_for_any_number_of_people(db, signed_in, make_site, make_user):
    from quarantine.transfers import planning
    from quarantine.transfers.commit import commit_plan
    from tests.app.transfer_helpers import add_people, make_batch

    site = make_site("Lists", floors=(1, 2), rooms_per_floor=30, beds=1, ready=True)
    user = make_user("hq")

    def queries(n: int) -> int:
        batch = make_batch(db, code=f"L{n}")
        add_people(db, batch, n, start=100 * n)
        run = planning.queue_plan([batch], user, time_limit=5)
        db.session.refresh(run)
        commit_plan(run, user)
        client = signed_in("admin")
        db.session.expire_all()
        with QueryCounter(db.engine) as counter:
            page = client.get(f"/transfers/plans/{run.id}/room-lists?site={site.id}")
        assert page.status_code == 200 and page.get_data(as_text=True).count("<tr>") == n + 1  # and the header
        return counter.count

    assert queries(3) == queries(25)


def test_rooms_on_floors_are_exactly_those_floors(db, make_site):
    from sqlalchemy import select

    from quarantine.models import Room
    from quarantine.occupancy import on_floors

    site = make_site("Floors", floors=(1, 4), rooms_per_floor=2, beds=1)
    building = site.buildings[0].id
    wanted = [(building, 2), (building, 4), (building + 999, 1)]
    found = db.session.execute(select(Room.building_id, Room.floor).where(on_floors(wanted))).all()
    assert sorted(found) == [(building, 2), (building, 2), (building, 4), (building, 4)]
    assert db.session.scalars(select(Room.id).where(on_floors([]))).all() == []
