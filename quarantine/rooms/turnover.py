"""Room turnover: rooms under terminal disinfection and out of service, back to available.

Check-out puts an emptied room under terminal disinfection (people.services); here a site
manager confirms it clean, takes rooms out of service and brings them back. Every change
is a RoomEvent, so the history says who did what and when.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import status_label
from quarantine.localtime import as_utc
from quarantine.models import Building, Room, RoomEvent, Site, Stay, User
from quarantine.occupancy import lock_room
from quarantine.rooms import services

EVENTS_SHOWN = 50


@dataclass
class TurnoverRoom:
    room: Room
    # When the room entered its status (last status event or the check-out that emptied it).
    since: datetime | None = None
    by: User | None = None


@dataclass
class TurnoverFloor:
    building: Building
    floor: int
    rooms: list[TurnoverRoom] = field(default_factory=list)


@dataclass
class Turnover:
    cleaning: list[TurnoverFloor]
    out_of_service: list[TurnoverRoom]
    events: list[RoomEvent]

    @property
    def cleaning_count(self) -> int:
        return sum(len(f.rooms) for f in self.cleaning)


def _refuse_unless_cleaning(room: Room) -> None:
    if room.status != "cleaning":
        raise DomainError(_("Room %(room)s is %(status)s, not under terminal disinfection; only such rooms can be "
                            "confirmed clean.", room=room.label, status=status_label(room.status)))


def confirm_clean(room: Room, user: User) -> None:
    """Terminal disinfection done: the room is available again."""
    room = lock_room(room.id)
    _refuse_unless_cleaning(room)
    services.set_status(room, "available", user)
    db.session.commit()


def confirm_floor_clean(site: Site, building_id: int, floor: int, user: User) -> int:
    """Confirm every room of one floor that is under terminal disinfection; returns how many."""
    rooms = db.session.scalars(select(Room).where(Room.site_id == site.id, Room.building_id == building_id,
                                                  Room.floor == floor, Room.status == "cleaning")
                               .order_by(Room.number).with_for_update(of=Room)
                               .execution_options(populate_existing=True)).all()
    if not rooms:
        raise DomainError(_("No room on floor %(floor)s of this building is under terminal disinfection.",
                            floor=floor))
    for room in rooms:
        services.set_status(room, "available", user)
    db.session.commit()
    return len(rooms)


def check_expected_return(expected_return: date | None, today: date) -> None:
    if expected_return is not None and expected_return < today:
        raise DomainError(_("The expected return date %(day)s is in the past.", day=expected_return))


def take_out_of_service(room: Room, user: User, reason: str, expected_return: date | None, today: date) -> None:
    """Out of service with a reason and, if known, the day it should be back; refused while occupied.
    A room already out of service gets the new reason and day, recorded as a change."""
    room = lock_room(room.id)
    check_expected_return(expected_return, today)
    services.set_status(room, "out_of_service", user, reason, expected_return)
    db.session.commit()


def return_to_service(room: Room, user: User) -> None:
    room = lock_room(room.id)
    if room.status != "out_of_service":
        raise DomainError(_("Room %(room)s is %(status)s, not out of service.", room=room.label,
                            status=status_label(room.status)))
    services.set_status(room, "available", user)
    db.session.commit()


def _since(rooms: list[Room]) -> dict[int, tuple[datetime | None, User | None]]:
    """For each room, when and by whom it entered its current status.

    Check-outs record a RoomEvent when they empty a room; for rooms emptied before that was
    kept, the latest check-out counts (its user unknown, hence None).
    """
    ids = [r.id for r in rooms]
    if not ids:
        return {}
    status = {r.id: r.status for r in rooms}
    events = db.session.scalars(select(RoomEvent).where(RoomEvent.room_id.in_(ids), RoomEvent.field == "status")
                                .options(selectinload(RoomEvent.user)).order_by(RoomEvent.at, RoomEvent.id)).all()
    last_event = {e.room_id: e for e in events if e.new_value == status[e.room_id]}
    last_out = dict(db.session.execute(select(Stay.room_id, func.max(Stay.check_out_at))
                                       .where(Stay.room_id.in_(ids)).group_by(Stay.room_id)).all())
    result = {}
    for room in rooms:
        event, out = last_event.get(room.id), last_out.get(room.id)
        if event is not None and (out is None or as_utc(event.at) >= as_utc(out)):
            result[room.id] = (event.at, event.user)
        else:
            result[room.id] = (out, None)
    return result


def site_turnover(site: Site) -> Turnover:
    rooms = db.session.scalars(select(Room).where(Room.site_id == site.id,
                                                  Room.status.in_(("cleaning", "out_of_service")))
                               .options(selectinload(Room.building))
                               .order_by(Room.building_id, Room.floor, Room.number)).all()
    since = _since(list(rooms))
    floors: dict[tuple[int, int], TurnoverFloor] = {}
    out_of_service = []
    for room in rooms:
        entry = TurnoverRoom(room, *since.get(room.id, (None, None)))
        if room.status == "cleaning":
            key = (room.building_id, room.floor)
            floors.setdefault(key, TurnoverFloor(room.building, room.floor)).rooms.append(entry)
        else:
            out_of_service.append(entry)
    events = db.session.scalars(select(RoomEvent).join(Room, Room.id == RoomEvent.room_id)
                                .where(Room.site_id == site.id)
                                .options(selectinload(RoomEvent.user), selectinload(RoomEvent.room)
                                         .selectinload(Room.building))
                                .order_by(RoomEvent.at.desc(), RoomEvent.id.desc()).limit(EVENTS_SHOWN)).all()
    return Turnover(list(floors.values()), out_of_service, list(events))


def find_room(site: Site, building_id: int, number: str) -> Room | None:
    return db.session.scalar(select(Room).where(Room.site_id == site.id, Room.building_id == building_id,
                                                Room.number == number.strip()))
