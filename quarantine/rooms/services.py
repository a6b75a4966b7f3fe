"""Buildings, rooms and beds: bulk set-up, edits with history, the floor grid."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import Building, Person, Room, RoomEvent, Site, Stay, User
from quarantine.stays.beds import mark_clean

MAX_BULK_ROOMS = 5000


@dataclass(frozen=True)
class GridCell:
    """One room in the site's grid: just what the grid shows, read as plain columns."""
    id: int
    number: str
    beds: int
    occupants: int
    reserved: int
    accessible: bool
    status: str
    status_reason: str

    @property
    def held(self) -> int:
        return self.occupants + self.reserved

    @property
    def free_beds(self) -> int:
        return self.beds if self.status == "available" else 0

    @property
    def grid_state(self) -> str:
        return "reserved" if self.status == "occupied" and self.occupants == 0 else self.status


@dataclass
class GridRoom:
    room: GridCell
    occupants: list[str] = field(default_factory=list)  # names of the people checked in


@dataclass
class GridFloor:
    floor: int
    rooms: list[GridRoom]

    @property
    def beds(self) -> int:
        return sum(r.room.beds for r in self.rooms)

    @property
    def free_beds(self) -> int:
        return sum(r.room.free_beds for r in self.rooms)

    @property
    def occupants(self) -> int:
        return sum(r.room.occupants for r in self.rooms)


def room_number(floor: int, index: int, width: int = 2) -> str:
    """Room 7 on floor 3 is "307"; floors above 9 give "1207"."""
    return f"{floor}{index:0{width}d}"


def add_building(site: Site, code: str, name: str, has_lift: bool) -> Building:
    building = Building(site=site, code=code.strip().upper(), name=name.strip(), has_lift=has_lift)
    db.session.add(building)
    db.session.commit()
    return building


def planned_numbers(floor_from: int, floor_to: int, room_from: int, room_to: int) -> list[tuple[int, str]]:
    width = max(2, len(str(room_to)))
    return [(f, room_number(f, i, width)) for f in range(floor_from, floor_to + 1)
            for i in range(room_from, room_to + 1)]


def existing_numbers(building: Building, numbers: list[str]) -> list[str]:
    if not numbers:
        return []
    found = db.session.scalars(select(Room.number).where(Room.building_id == building.id,
                                                         Room.number.in_(numbers))).all()
    return sorted(found)


def bulk_create_rooms(building: Building, user: User, *, floor_from: int, floor_to: int, room_from: int,
                      room_to: int, beds: int, own_bathroom: bool, accessible: bool,
                      accessible_ground_floor: bool) -> list[Room]:
    """Create a block of rooms in one transaction; all or nothing."""
    planned = planned_numbers(floor_from, floor_to, room_from, room_to)
    clash = existing_numbers(building, [n for _, n in planned])
    if clash:
        raise DomainError(_("Rooms already exist in building %(b)s: %(rooms)s", b=building.code,
                            rooms=", ".join(clash[:20]) + (" …" if len(clash) > 20 else "")))
    rooms = []
    for floor, number in planned:
        room = Room(site_id=building.site_id, building=building, floor=floor, number=number, beds=beds,
                    own_bathroom=own_bathroom,
                    accessible=accessible or (accessible_ground_floor and floor <= 1) or False,
                    status="available")
        room.events.append(RoomEvent(user_id=user.id, field="created", new_value=f"beds={beds}"))
        rooms.append(room)
    db.session.add_all(rooms)
    db.session.commit()
    return rooms


_RANGE = re.compile(r"^\s*([0-9A-Za-z]+)\s*(?:[-–~]\s*([0-9A-Za-z]+))?\s*$")


def parse_room_selection(text: str) -> list[tuple[str, str | None]]:
    """'201-205, 208' -> [('201', '205'), ('208', None)]; raises DomainError on nonsense."""
    compact = re.sub(r"\s*([-–~])\s*", r"\1", text.strip())
    parts = [p for p in re.split(r"[,，、;；\s]+", compact) if p]
    result = []
    for part in parts:
        m = _RANGE.match(part)
        if not m:
            raise DomainError(_("Cannot read room numbers '%(part)s': use e.g. 201-205, 208", part=part))
        result.append((m.group(1), m.group(2)))
    return result


def select_rooms(site: Site, building_id: int | None, floor_from: int | None, floor_to: int | None,
                 numbers: str) -> list[Room]:
    query = select(Room).where(Room.site_id == site.id).options(selectinload(Room.building))
    if building_id:
        query = query.where(Room.building_id == building_id)
    if floor_from is not None:
        query = query.where(Room.floor >= floor_from)
    if floor_to is not None:
        query = query.where(Room.floor <= floor_to)
    rooms = db.session.scalars(query.order_by(Room.building_id, Room.floor, Room.number)).all()
    selection = parse_room_selection(numbers or "")
    if selection:
        def wanted(number: str) -> bool:
            for low, high in selection:
                if high is None and number == low:
                    return True
                if high is not None and _as_key(low) <= _as_key(number) <= _as_key(high):
                    return True
            return False
        rooms = [r for r in rooms if wanted(r.number)]
    return rooms


def _as_key(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (10**9, number)


def _record(room: Room, user: User, field_name: str, old: object, new: object, reason: str = "") -> None:
    # Added by room_id, not through room.events, which would load the room's whole history first.
    db.session.add(RoomEvent(room_id=room.id, user_id=user.id, field=field_name, old_value=str(old),
                             new_value=str(new), reason=reason))


def set_beds(room: Room, beds: int, user: User, reason: str = "") -> None:
    if beds < room.held:
        raise DomainError(_("Room %(room)s holds %(n)d people; it cannot have fewer beds than that.",
                            room=room.label, n=room.held))
    if beds != room.beds:
        _record(room, user, "beds", room.beds, beds, reason)
        room.beds = beds


def set_accessible(room: Room, accessible: bool, user: User) -> None:
    if accessible != room.accessible:
        _record(room, user, "accessible", room.accessible, accessible)
        room.accessible = accessible


def set_status(room: Room, status: str, user: User, reason: str = "", expected_return: date | None = None) -> None:
    """Manual status changes, each kept in the room's history; 'occupied' follows check-in and
    check-out only. Out of service needs a reason, kept with the expected return day; a new reason
    or day for a room already out of service is recorded as its own change."""
    reason = reason.strip()
    if status == "out_of_service" and not reason:
        raise DomainError(_("Give a reason for taking room %(room)s out of service.", room=room.label))
    if status == room.status:
        if status == "out_of_service" and (reason, expected_return) != (room.status_reason, room.expected_return):
            _record(room, user, "status_reason", room.status_reason, reason, expected_return or "")
            room.status_reason, room.expected_return = reason, expected_return
        return
    if status == "occupied" or room.status == "occupied":
        raise DomainError(_("Room %(room)s: occupied follows check-in and check-out; move or check out its people first.",
                            room=room.label))
    _record(room, user, "status", room.status, status, reason)
    if room.status == "cleaning" and status == "available":
        mark_clean(room)
    room.status = status
    room.status_reason = reason if status == "out_of_service" else ""
    room.expected_return = expected_return if status == "out_of_service" else None


def bulk_edit_rooms(rooms: list[Room], user: User, *, beds: int | None, accessible: bool | None,
                    status: str | None, reason: str, expected_return: date | None) -> int:
    """Apply one change to many rooms; any refusal rolls back all of them."""
    if not rooms:
        raise DomainError(_("No rooms match the selection."))
    try:
        for room in rooms:
            if beds is not None:
                set_beds(room, beds, user, reason)
            if accessible is not None:
                set_accessible(room, accessible, user)
            if status:
                set_status(room, status, user, reason, expected_return)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    return len(rooms)


def floor_grid(site: Site) -> dict[Building, list[GridFloor]]:
    """Rooms by building and floor with the names of who is in them, for the site page (two queries,
    plain columns: a hotel has thousands of rooms)."""
    rooms = db.session.execute(select(Room.id, Room.building_id, Room.floor, Room.number, Room.beds, Room.occupants,
                                      Room.reserved, Room.accessible, Room.status, Room.status_reason)
                               .where(Room.site_id == site.id)
                               .order_by(Room.building_id, Room.floor, Room.number)).all()
    stays = db.session.execute(select(Stay.room_id, Person.name).join(Person, Person.id == Stay.person_id)
                               .join(Room, Room.id == Stay.room_id)
                               .where(Room.site_id == site.id, Stay.check_out_at.is_(None))).all()
    names_by_room: dict[int, list[str]] = defaultdict(list)
    for room_id, name in stays:
        names_by_room[room_id].append(name)
    by_building: dict[int, dict[int, list[GridRoom]]] = defaultdict(lambda: defaultdict(list))
    for r in rooms:
        cell = GridCell(r.id, r.number, r.beds, r.occupants, r.reserved, r.accessible, r.status, r.status_reason)
        by_building[r.building_id][r.floor].append(GridRoom(cell, names_by_room.get(r.id, [])))
    grid: dict[Building, list[GridFloor]] = {}
    for building in site.buildings:
        floors = by_building.get(building.id, {})
        grid[building] = [GridFloor(f, floors[f]) for f in sorted(floors, reverse=True)]
    return grid
