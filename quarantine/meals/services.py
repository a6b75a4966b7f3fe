"""Meal-delivery rosters: who is in which room, with diets, floor by floor; meal times per site."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quarantine.extensions import db
from quarantine.models import MEALS, Building, MealTime, Person, Room, Site, Stay
from quarantine.staff.services import on_duty_count

# Times a site serves until its manager sets its own.
DEFAULT_MEAL_TIMES = {"breakfast": time(7, 30), "lunch": time(11, 30), "dinner": time(17, 30)}


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


@dataclass
class MealRoster:
    """Everything the printed roster of one meal shows: floors for the delivery staff,
    totals for the kitchen, and the staff meals served apart in the clean zone."""
    site: Site
    meal: str
    served_at: time
    day: date
    floors: list[RosterFloor]
    staff_meals: int

    @property
    def diet_totals(self) -> Counter:
        return diet_totals(self.floors)

    @property
    def residents(self) -> int:
        return sum(f.count for f in self.floors)


# --- meal times -------------------------------------------------------------------------------

def meal_times(site: Site) -> dict[str, time]:
    """The site's meal times, defaults filled in, in serving order."""
    stored = {m.meal: m.served_at for m in db.session.scalars(select(MealTime).where(MealTime.site_id == site.id))}
    return {meal: stored.get(meal, DEFAULT_MEAL_TIMES[meal]) for meal in MEALS}


def save_meal_times(site: Site, times: dict[str, time]) -> None:
    rows = {m.meal: m for m in db.session.scalars(select(MealTime).where(MealTime.site_id == site.id))}
    for meal in MEALS:
        row = rows.get(meal) or MealTime(site_id=site.id, meal=meal)
        row.served_at = times[meal]
        db.session.add(row)
    db.session.commit()


def next_meal(site: Site, now: datetime) -> str:
    """The next meal to deliver at local time `now` (after dinner: tomorrow's breakfast)."""
    for meal, served_at in meal_times(site).items():
        if now.time() <= served_at:
            return meal
    return MEALS[0]


# --- rosters ----------------------------------------------------------------------------------

def delivery_roster(site: Site) -> list[RosterFloor]:
    """Occupied rooms grouped by building and floor, in delivery order."""
    rows = db.session.execute(
        select(Room, Person).join(Stay, Stay.room_id == Room.id).join(Person, Person.id == Stay.person_id)
        .where(Room.site_id == site.id, Stay.check_out_at.is_(None))
        .options(selectinload(Person.diet), selectinload(Person.needs))
        .order_by(Room.building_id, Room.floor, Room.number, Person.birth_date, Person.id)).all()
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


def meal_roster(site: Site, meal: str, day: date) -> MealRoster:
    # Staff on duty eat separately, in the clean zone; post-duty quarantine does not eat at the site.
    return MealRoster(site=site, meal=meal, served_at=meal_times(site)[meal], day=day,
                      floors=delivery_roster(site), staff_meals=on_duty_count(site, day))
