"""Who is in which room now, floor by floor: the lists every daily page starts from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quarantine.extensions import db
from quarantine.models import Building, Person, Room, Site, Stay
from quarantine.templating import local_to_utc


@dataclass
class Resident:
    person: Person
    room: Room
    building: Building

    @property
    def room_label(self) -> str:
        return f"{self.building.code}-{self.room.number}"


@dataclass
class Floor:
    building: Building
    floor: int
    residents: list[Resident]


def residents(site: Site, building_id: int | None = None, floors: list[int] | None = None) -> list[Resident]:
    """Checked-in people of a site (optionally one building and some floors), in room order."""
    query = (select(Person, Room).join(Stay, Stay.person_id == Person.id).join(Room, Room.id == Stay.room_id)
             .where(Room.site_id == site.id, Stay.check_out_at.is_(None))
             .options(selectinload(Person.policy))
             .order_by(Room.building_id, Room.floor, Room.number, Person.name, Person.id))
    if building_id is not None:
        query = query.where(Room.building_id == building_id)
    if floors is not None:
        query = query.where(Room.floor.in_(floors))
    buildings = {b.id: b for b in site.buildings}
    return [Resident(person, room, buildings[room.building_id]) for person, room in db.session.execute(query)]


def by_floor(people: list[Resident]) -> list[Floor]:
    """Group residents (already in room order) by building and floor."""
    floors: list[Floor] = []
    for resident in people:
        if not floors or (floors[-1].building.id, floors[-1].floor) != (resident.building.id, resident.room.floor):
            floors.append(Floor(resident.building, resident.room.floor, []))
        floors[-1].residents.append(resident)
    return floors


def building_floors(building_id: int) -> list[int]:
    """The floor numbers that have rooms in a building, lowest first."""
    return list(db.session.scalars(select(Room.floor).distinct().where(Room.building_id == building_id)
                                   .order_by(Room.floor)))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A local calendar day as a half-open range of UTC moments, for queries on stored times."""
    start = local_to_utc(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def aware(moment: datetime) -> datetime:
    """A stored moment as an aware UTC datetime (SQLite hands back naive ones, stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
