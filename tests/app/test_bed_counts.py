"""Bed counts that add up on the pages, for generated sites: the site list (and home page) row and the
site page both show beds = occupied + reserved + spare + free + not usable, from the same figures."""
from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import func, select

from quarantine.errors import DomainError
from quarantine.models import Reservation, Room, Stay
from quarantine.sites.services import capacities
from quarantine.stays import beds, lifecycle


def _generated_site(db, make_site, make_person, make_user, rng: random.Random):
    site = make_site(f"Generated {rng.random():.6f}", floors=(1, rng.randint(1, 3)), rooms_per_floor=rng.randint(2, 5),
                     beds=1, ready=True)
    clerk = make_user("admin")
    rooms = site.buildings[0].rooms
    for room in rooms:
        room.beds = rng.choice((1, 2, 3))
    db.session.commit()
    for room in rooms:
        roll = rng.random()
        try:
            if roll < 0.3:
                for _ in range(rng.randint(1, room.beds)):
                    lifecycle.check_in(make_person(site_id=site.id, household=f"H{room.id}"), room.id, clerk)
            elif roll < 0.55:
                people = [make_person(household=f"R{room.id}") for _ in range(rng.randint(1, room.beds))]
                for p in people:
                    db.session.add(Reservation(person_id=p.id, room_id=room.id, status="reserved"))
                    p.site_id = site.id
                beds.reserve_in_bulk({room.id: len(people)}, room.updated_at)
                db.session.commit()
            elif roll < 0.7:
                room.status, room.status_reason = "out_of_service", "维修"
                db.session.commit()
            elif roll < 0.85:
                lifecycle.check_in(person := make_person(site_id=site.id), room.id, clerk)
                lifecycle.check_out(person, "released", clerk)  # slept in: terminal disinfection
        except DomainError:
            db.session.rollback()
    return site


def _figures(row: str, classes) -> dict[str, int]:
    return {c: int(re.search(rf'class="num {c}">(\d+)<', row).group(1)) for c in classes}


@pytest.mark.parametrize("seed", range(6))
def test_the_site_list_and_site_page_add_up(db, make_site, make_person, make_user, signed_in, seed):
    rng = random.Random(seed)
    site = _generated_site(db, make_site, make_person, make_user, rng)
    db.session.expire_all()
    cap = capacities([site.id])[site.id]
    client = signed_in("hq")
    listing = client.get("/sites/").get_data(as_text=True)
    row = listing.split(f'data-site="{site.id}"')[1].split("</tr>")[0]
    shown = _figures(row, ("beds", "occupied", "reserved", "spare", "free", "unusable"))
    assert shown["beds"] == sum(v for k, v in shown.items() if k != "beds")
    open_stays = db.session.scalar(select(func.count(Stay.id)).join(Room).where(
        Room.site_id == site.id, Stay.check_out_at.is_(None)))
    live = db.session.scalar(select(func.count(Reservation.id)).join(Room).where(
        Room.site_id == site.id, Reservation.status == "reserved"))
    all_beds = db.session.scalar(select(func.sum(Room.beds)).where(Room.site_id == site.id))
    assert (shown["beds"], shown["occupied"], shown["reserved"]) == (all_beds, open_stays, live)
    assert (shown["spare"], shown["free"], shown["unusable"]) == (cap.spare_beds, cap.free_beds, cap.unusable_beds)

    page = client.get(f"/sites/{site.id}").get_data(as_text=True)
    on_page = {k: int(re.search(rf'id="beds-{k}">(\d+)<', page).group(1))
               for k in ("occupied", "reserved", "spare", "free", "unusable")}
    assert on_page == {k: shown[k] for k in on_page}
    sentence = re.search(r'id="beds-sum">(\d+) beds = (\d+) occupied \+ (\d+) reserved \+ (\d+) spare \+ (\d+) free '
                         r'\+ (\d+) not usable', page).groups()
    assert [int(n) for n in sentence] == [shown[k] for k in ("beds", "occupied", "reserved", "spare", "free",
                                                             "unusable")]
    # A room whose people have not arrived yet is shown as reserved in the grid, not occupied.
    reserved_only = db.session.scalars(select(Room).where(Room.site_id == site.id, Room.reserved > 0,
                                                          Room.occupants == 0)).all()
    for room in reserved_only:
        assert re.search(rf'class="room reserved" href="[^"]*/{room.id}"', page), room.number
