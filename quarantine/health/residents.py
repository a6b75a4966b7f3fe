"""Who is in which room now, floor by floor: the lists every daily page starts from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.localtime import local_to_utc
from quarantine.models import Building, Person, Room, Site, Stay


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


class FloorEntry(Protocol):
    """A row of a bulk entry for one floor (a PCR result, a temperature): it names a person."""
    person_id: int


E = TypeVar("E", bound=FloorEntry)


def floor_rows(on_floor: dict[int, Resident], entries: list[E], building: Building,
               floor: int) -> tuple[list[str], list[tuple[E, Resident, str]]]:
    """The checks every bulk entry for a floor shares: each row names a resident of the floor, once.

    Returns the problems found and, for every row naming a resident of the floor, (entry, resident,
    label for messages) so the caller can add its own checks.
    """
    problems: list[str] = []
    rows: list[tuple[E, Resident, str]] = []
    seen: set[int] = set()
    for row, entry in enumerate(entries, start=1):
        resident = on_floor.get(entry.person_id)
        if resident is None:
            # No name: the person may belong to a site this user must not see.
            problems.append(_("Row %(row)d: that person is not checked in on floor %(floor)s of building %(b)s "
                              "at this site.", row=row, floor=floor, b=building.code))
            continue
        who = _("%(room)s %(name)s", room=resident.room_label, name=resident.person.name)
        if entry.person_id in seen:
            problems.append(_("%(who)s appears twice.", who=who))
        seen.add(entry.person_id)
        rows.append((entry, resident, who))
    return problems, rows


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

