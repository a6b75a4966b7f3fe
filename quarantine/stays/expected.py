"""Who is expected at a site: live reservations with their people, batches and rooms, read in three queries."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from quarantine.extensions import db
from quarantine.models import Person, Reservation, Room, Site


def expected_arrivals(site: Site) -> list[Reservation]:
    return list(db.session.scalars(
        select(Reservation).join(Room, Room.id == Reservation.room_id)
        .where(Room.site_id == site.id, Reservation.status == "reserved")
        .options(selectinload(Reservation.person).selectinload(Person.batch),
                 selectinload(Reservation.person).selectinload(Person.needs),
                 selectinload(Reservation.room).joinedload(Room.building))
        .order_by(Room.building_id, Room.floor, Room.number)))


def reservation_at(site: Site, reservation_id: int) -> Reservation | None:
    """A live reservation of this site (None for another site's or a handled one)."""
    return db.session.scalar(select(Reservation).join(Room, Room.id == Reservation.room_id)
                             .where(Reservation.id == reservation_id, Room.site_id == site.id,
                                    Reservation.status == "reserved")
                             .options(joinedload(Reservation.person)))
