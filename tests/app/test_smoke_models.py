import pytest
from sqlalchemy.exc import IntegrityError

from quarantine.models import Room


def test_database_refuses_more_occupants_than_beds(db, make_site):
    site = make_site()
    room = site.buildings[0].rooms[0]
    room.occupants, room.status = 2, "occupied"
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(Room, room.id).occupants == 0
