"""Two staff save the first morning temperature of the same resident at the same moment (PostgreSQL).

Real concurrent transactions started together by a barrier: one reading is kept, the other save is
told someone else saved at the same moment (or, if it came second, corrects the first); never a 500."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from quarantine.errors import DomainError
from quarantine.extensions import db as _db
from quarantine.health import routine
from quarantine.localtime import local_today
from quarantine.models import Building, Site, TemperatureReading, User
from tests.app.health_helpers import admin, policy14, room, settle, tower  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres


def _save(app, site_id, building_id, person_id, user_id, celsius, barrier, outcome) -> None:
    with app.app_context():
        site, building = _db.session.get(Site, site_id), _db.session.get(Building, building_id)
        user = _db.session.get(User, user_id)
        barrier.wait()
        try:
            outcome.append(routine.record_temperatures(site, building, 1, local_today(), "morning",
                                                       [routine.TemperatureEntry(person_id, celsius)], user))
        except DomainError as exc:
            outcome.append(exc)
        except Exception as exc:  # any other failure is reported, not swallowed
            outcome.append(exc)
        finally:
            _db.session.remove()


@pytest.mark.parametrize("round_", range(3))
def test_first_temperature_saved_twice_at_once(app, db, tower, admin, make_person, make_user, round_):
    person = settle(make_person, tower, "A-101", admin, arrived=local_today())
    nurse = make_user("site_manager", sites=[tower])
    args = (tower.id, tower.buildings[0].id, person.id)
    users = (admin.id, nurse.id)
    db.session.commit()
    barrier, outcome = threading.Barrier(2), []
    threads = [threading.Thread(target=_save, args=(app, *args, users[n], (36.6, 37.1)[n], barrier, outcome))
               for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(o, (int, DomainError)) for o in outcome), outcome
    assert 1 in outcome
    db.session.expire_all()
    assert len(db.session.scalars(select(TemperatureReading)).all()) == 1
