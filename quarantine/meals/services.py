"""Meal-delivery rosters: who eats in which room, with diets, floor by floor, for any meal of today and
the coming week; meal times per site.

Who eats a meal: everyone checked in (until their release day), and everyone with a reserved bed
whose batch is expected by the time the meal is served, so the first meal of an arrival is counted
from the arrival time (a bus at 06:29 is on the 07:30 breakfast). A batch without an expected time
is counted from now on. The people of a site are read as plain rows in three queries (a 2,000-room
hotel is one page), never as ORM objects.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, union

from quarantine.extensions import db
from quarantine.localtime import local_today, local_zone, utc_to_local
from quarantine.models import (
    MEALS,
    Building,
    MealTime,
    Person,
    Reservation,
    Room,
    Site,
    Stay,
    TransferBatch,
    person_needs,
)
from quarantine.staff.services import on_duty_count

# Times a site serves until its manager sets its own.
DEFAULT_MEAL_TIMES = {"breakfast": time(7, 30), "lunch": time(11, 30), "dinner": time(17, 30)}
# Rosters and kitchen totals reach this many days ahead, today included.
DAYS_AHEAD = 7


@dataclass(frozen=True)
class Diner:
    """One person on a roster: checked in, or expected (with the local time they are due)."""

    person_id: int
    name: str
    diet_code: str
    needs: tuple[str, ...]
    release_date: date | None
    expected: bool = False
    arriving_at: datetime | None = None  # local time; None for residents, or a batch without a time
    diet_note: str = ""  # the kitchen's note (allergies); never the person's health notes

    @property
    def masked_name(self) -> str:
        return self.name[:1] + "*" * max(len(self.name) - 1, 1)

    def eats(self, served: datetime, now: datetime) -> bool:
        """Does this person eat the meal served at `served` (local)? A resident eats until their release
        day (today whatever it says: someone overdue is still here); an arrival from their arrival on."""
        if not self.expected:
            return self.release_date is None or served.date() <= max(self.release_date, now.date())
        return (self.arriving_at or now) <= served


@dataclass
class RosterRoom:
    room_id: int
    number: str
    people: list[Diner]

    @property
    def diets(self) -> Counter:
        return Counter(p.diet_code for p in self.people)


@dataclass
class RosterFloor:
    building: str  # the building's code
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

    @property
    def arriving(self) -> int:
        return sum(1 for r in self.rooms for p in r.people if p.expected)


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
    later: int = 0  # expected people who arrive after this meal

    @property
    def diet_totals(self) -> Counter:
        return diet_totals(self.floors)

    @property
    def residents(self) -> int:
        return sum(f.count for f in self.floors)

    @property
    def arriving(self) -> int:
        return sum(f.arriving for f in self.floors)


@dataclass(frozen=True)
class MealCount:
    """The kitchen's figure for one meal: people by diet, of whom arriving, and staff."""
    meal: str
    served_at: time
    diets: Counter
    arriving: int
    staff: int

    @property
    def residents(self) -> int:
        return sum(self.diets.values())


@dataclass(frozen=True)
class DayCounts:
    day: date
    meals: list[MealCount]


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


def roster_days(today: date | None = None) -> list[date]:
    """The days a roster can be printed for: today and the coming week."""
    today = today or local_today()
    return [today + timedelta(days=n) for n in range(DAYS_AHEAD)]


# --- who eats ---------------------------------------------------------------------------------

RoomKey = tuple[str, int, str, int]  # building code, floor, room number, room id (delivery order)


def diners_by_room(site: Site) -> dict[RoomKey, list[Diner]]:
    """Everyone checked in at the site and everyone expected there, by room, in delivery order."""
    stays = (select(Stay.person_id).join(Room, Room.id == Stay.room_id)
             .where(Room.site_id == site.id, Stay.check_out_at.is_(None)))
    reserved = (select(Reservation.person_id).join(Room, Room.id == Reservation.room_id)
                .where(Room.site_id == site.id, Reservation.status == "reserved"))
    needs: dict[int, list[str]] = defaultdict(list)
    for person_id, code in db.session.execute(
            select(person_needs.c.person_id, person_needs.c.need_code)
            .where(person_needs.c.person_id.in_(union(stays, reserved)))
            .order_by(person_needs.c.person_id, person_needs.c.need_code)):
        needs[person_id].append(code)
    columns = (Building.code, Room.floor, Room.number, Room.id, Person.id.label("person_id"), Person.name, Person.diet_code,
               Person.release_date, Person.birth_date, Person.diet_note)
    rooms: dict[RoomKey, list[tuple]] = defaultdict(list)
    for row in db.session.execute(
            select(*columns).select_from(Stay).join(Room, Room.id == Stay.room_id)
            .join(Building, Building.id == Room.building_id).join(Person, Person.id == Stay.person_id)
            .where(Room.site_id == site.id, Stay.check_out_at.is_(None))):
        rooms[row[:4]].append((row.birth_date or date.min, row.person_id, Diner(
            row.person_id, row.name, row.diet_code, tuple(needs.get(row.person_id, ())), row.release_date,
            diet_note=row.diet_note)))
    local_times: dict = {}  # a batch's people share one expected time: convert it once
    for row in db.session.execute(
            select(*columns, TransferBatch.expected_arrival).select_from(Reservation)
            .join(Room, Room.id == Reservation.room_id).join(Building, Building.id == Room.building_id)
            .join(Person, Person.id == Reservation.person_id)
            .outerjoin(TransferBatch, TransferBatch.id == Person.batch_id)
            .where(Room.site_id == site.id, Reservation.status == "reserved")):
        if row.expected_arrival not in local_times:
            local_times[row.expected_arrival] = utc_to_local(row.expected_arrival)
        rooms[row[:4]].append((row.birth_date or date.min, row.person_id, Diner(
            row.person_id, row.name, row.diet_code, tuple(needs.get(row.person_id, ())), None, expected=True,
            arriving_at=local_times[row.expected_arrival], diet_note=row.diet_note)))
    return {key: [d for _born, _id, d in sorted(people, key=lambda t: t[:2])]
            for key, people in sorted(rooms.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2]))}


def _now() -> datetime:
    return datetime.now(local_zone()).replace(tzinfo=None)


def _floors(by_room: dict[RoomKey, list[Diner]], served: datetime, now: datetime) -> tuple[list[RosterFloor], int]:
    floors: dict[tuple[str, int], RosterFloor] = {}
    later = 0
    for (building, floor, number, room_id), people in by_room.items():
        eating = [p for p in people if p.eats(served, now)]
        later += sum(1 for p in people if p.expected and not p.eats(served, now))
        if eating:
            floors.setdefault((building, floor), RosterFloor(building, floor)).rooms.append(
                RosterRoom(room_id, number, eating))
    return list(floors.values()), later


def diet_totals(floors: list[RosterFloor]) -> Counter:
    total: Counter = Counter()
    for floor in floors:
        total.update(floor.diets)
    return total


def meal_roster(site: Site, meal: str, day: date, now: datetime | None = None) -> MealRoster:
    """One meal's roster. Staff on duty eat separately, in the clean zone; post-duty quarantine does not
    eat at the site."""
    served_at = meal_times(site)[meal]
    floors, later = _floors(diners_by_room(site), datetime.combine(day, served_at), now or _now())
    return MealRoster(site=site, meal=meal, served_at=served_at, day=day, floors=floors,
                      staff_meals=on_duty_count(site, day), later=later)


def week_counts(site: Site, days: list[date] | None = None, now: datetime | None = None) -> list[DayCounts]:
    """The kitchen's totals for every meal of the coming week, from the same reading of who is where."""
    days = days or roster_days()
    now = now or _now()
    people = [p for diners in diners_by_room(site).values() for p in diners]
    times = meal_times(site)
    out = []
    for day in days:
        staff = on_duty_count(site, day)
        meals = []
        for meal, served_at in times.items():
            served = datetime.combine(day, served_at)
            eating = [p for p in people if p.eats(served, now)]
            meals.append(MealCount(meal, served_at, Counter(p.diet_code for p in eating),
                                   sum(1 for p in eating if p.expected), staff))
        out.append(DayCounts(day, meals))
    return out
