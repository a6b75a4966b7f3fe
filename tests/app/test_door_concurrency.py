"""Two staff at the door check the same household in at the same moment (PostgreSQL).

Real concurrent transactions, started together by a barrier: one checks the household in, the
other is told who has already been checked in; nobody gets two stays and the beds add up."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from quarantine.errors import DomainError
from quarantine.extensions import db as _db
from quarantine.models import Reservation, Room, Site, Stay, User
from quarantine.stays import arrival, beds

pytestmark = pytest.mark.postgres


def _check_in(app, site_id: int, ids: list[int], user_id: int, barrier: threading.Barrier, outcome: list) -> None:
    with app.app_context():  # its own session and connection
        site, user = _db.session.get(Site, site_id), _db.session.get(User, user_id)
        barrier.wait()
        try:
            outcome.append(len(arrival.arrive_together(site, ids, user)))
        except DomainError as exc:
            outcome.append(exc)
        except Exception as exc:  # any other failure is reported, not swallowed
            outcome.append(exc)
        finally:
            _db.session.remove()


@pytest.mark.parametrize("round_", range(4))
def test_one_household_checked_in_twice_at_once(app, db, make_site, make_person, make_user, round_):
    site = make_site("Door", ready=True, floors=(1, 1), rooms_per_floor=2, beds=3)
    room = site.buildings[0].rooms[0]
    family = [make_person(f"孙{i}", birth_date=date(1980 + i, 1, 1), household="SUN") for i in range(3)]
    for person in family:
        db.session.add(Reservation(person_id=person.id, room_id=room.id, status="reserved"))
        person.site_id = site.id
    beds.reserve_in_bulk({room.id: 3}, room.updated_at)
    db.session.commit()
    ids = list(db.session.scalars(select(Reservation.id).order_by(Reservation.id)))
    first, second = make_user("site_manager", sites=[site]), make_user("site_manager", sites=[site])
    site_id, users = site.id, (first.id, second.id)
    db.session.commit()

    barrier, outcome = threading.Barrier(2), []
    threads = [threading.Thread(target=_check_in, args=(app, site_id, ids if n == 0 else list(reversed(ids)),
                                                         users[n], barrier, outcome)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert sorted(map(type, outcome), key=str) == sorted([int, DomainError], key=str), outcome
    assert 3 in outcome
    refusal = next(o for o in outcome if isinstance(o, DomainError))
    assert "has already been checked in" in str(refusal)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Stay.id))) == 3
    room = db.session.get(Room, room.id)
    assert (room.occupants, room.reserved, room.status) == (3, 0, "occupied")
    assert set(db.session.scalars(select(Reservation.status))) == {"checked_in"}
