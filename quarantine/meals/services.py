"""Meal-delivery rosters: who is in which room, with diets, floor by floor."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quarantine.extensions import db
from quarantine.models import Building, Person, Room, Site, Stay


@dataclass
class RosterRoom:
    room: Room
    people: list[Person]

    @property
    def diets(self) -> Counter:
        return Counter(p.diet_code for p in self.people)


@dataclass
class RosterFloor:
    building: Building
    floor: int
    rooms: list[RosterRoom] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(r.people) for r in self.rooms)

    @property
    def diets(self) -> Counter:
        total: Counter = Counter()
        for room in self.rooms:
            total.update(room.diets)
        return total


def delivery_roster(site: Site) -> list[RosterFloor]:
    """Occupied rooms grouped by building and floor, in delivery order."""
    rows = db.session.execute(
        select(Room, Person).join(Stay, Stay.room_id == Room.id).join(Person, Person.id == Stay.person_id)
        .where(Room.site_id == site.id, Stay.check_out_at.is_(None))
        .options(selectinload(Person.diet), selectinload(Person.needs))
        .order_by(Room.building_id, Room.floor, Room.number, Person.birth_date)).all()
    buildings = {b.id: b for b in site.buildings}
    floors: dict[tuple[int, int], RosterFloor] = {}
    rooms: dict[int, RosterRoom] = {}
    people_by_room: dict[int, list[Person]] = defaultdict(list)
    for room, person in rows:
        key = (room.building_id, room.floor)
        if key not in floors:
            floors[key] = RosterFloor(buildings[room.building_id], room.floor)
        if room.id not in rooms:
            rooms[room.id] = RosterRoom(room, people_by_room[room.id])
            floors[key].rooms.append(rooms[room.id])
        people_by_room[room.id].append(person)
    return list(floors.values())


def diet_totals(floors: list[RosterFloor]) -> Counter:
    total: Counter = Counter()
    for floor in floors:
        total.update(floor.diets)
    return total
