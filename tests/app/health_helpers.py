"""Builders shared by the daily-health tests: a known policy, sites with several floors and
buildings, and residents checked in on a chosen local day."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from quarantine.localtime import local_to_utc, local_today
from quarantine.models import Building, Person, Policy, Room, Site
from quarantine.stays import lifecycle


@pytest.fixture
def policy14(db) -> Policy:
    """14 days with tests on days 1, 4, 7, 14 (8th edition), in force for everyone the tests check in."""
    policy = Policy(name="test 14 days", effective_from=local_today() - timedelta(days=200), quarantine_days=14,
                    home_days=0, pcr_test_days="1,4,7,14")
    db.session.add(policy)
    db.session.commit()
    return policy


@pytest.fixture
def tower(db, make_site, policy14) -> Site:
    """A ready site: building A with floors 1-5, building B with floors 1-3, four one-bed rooms a floor."""
    # The factory puts a doctor and a nurse on duty (check-in keeps what the staff support).
    site = make_site("Yinghe Hotel", floors=(1, 5), rooms_per_floor=4, beds=1, ready=True)
    add_building(db, site, "B", floors=(1, 3))
    return site


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def add_building(db, site: Site, code: str, floors=(1, 3), rooms_per_floor: int = 4) -> Building:
    building = Building(site=site, code=code, name=f"{code}栋")
    db.session.add(building)
    for floor in range(floors[0], floors[1] + 1):
        for i in range(1, rooms_per_floor + 1):
            building.rooms.append(Room(floor=floor, number=f"{floor}{i:02d}", beds=1))
    db.session.commit()
    return building


def room(site: Site, label: str) -> Room:
    """A room by its label, e.g. "A-301"."""
    code, number = label.split("-")
    building = next(b for b in site.buildings if b.code == code)
    return next(r for r in building.rooms if r.number == number)


def local_at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A local (Asia/Shanghai) wall-clock time as the aware UTC moment the app stores."""
    return local_to_utc(datetime.combine(day, time(hour, minute)))


def days_ago(n: int) -> date:
    return local_today() - timedelta(days=n)


def settle(make_person, site: Site, label: str, user, *, arrived: date, name: str | None = None,
           hour: int = 0) -> Person:
    """A person checked in to a room through the real check-in, arriving on a local day
    (at midnight unless told, so "arrived today" is before any time the test runs)."""
    person = make_person(name or f"住户{label}", site_id=site.id)
    lifecycle.check_in(person, room(site, label).id, user, when=local_at(arrived, hour))
    return person


def reload(db, obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def text(response) -> str:
    return response.get_data(as_text=True)
