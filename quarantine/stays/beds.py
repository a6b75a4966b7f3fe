"""The bed counter: the only code that changes a room's `occupants`, `reserved` and the status they imply.

A room is `occupied` while anyone holds a bed in it (checked in or reserved). When the last
holder leaves it goes to terminal disinfection if someone slept there since it was last
cleaned, and straight back to `available` if the only holders were reservations nobody used.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import update

from quarantine.extensions import db
from quarantine.models import Room, RoomEvent, User


def _emptied(room: Room, user: User | None, reason: str) -> None:
    if room.held:
        return
    if room.slept_in:
        room.status = "cleaning"  # terminal disinfection before anyone else moves in
        # Kept in the room's history like every other status change, with who and why.
        db.session.add(RoomEvent(room_id=room.id, user_id=user.id if user else None, field="status",
                                 old_value="occupied", new_value="cleaning", reason=reason))
    else:
        room.status = "available"


def occupy(room: Room) -> None:
    """Someone checks in without a reservation (or in another room than the one reserved)."""
    room.occupants += 1
    room.slept_in = True
    room.status = "occupied"


def occupy_reserved(room: Room) -> None:
    """An expected arrival checks into the bed reserved for them."""
    room.reserved -= 1
    room.occupants += 1
    room.slept_in = True
    room.status = "occupied"


def vacate(room: Room, user: User | None = None, reason: str = "") -> None:
    """A checked-in person leaves the room (moved, released, transferred out)."""
    room.occupants -= 1
    _emptied(room, user, reason)


def give_back_reserved(room: Room, user: User | None = None, reason: str = "") -> None:
    """A reservation ends unused (did not arrive, or checked in elsewhere)."""
    room.reserved -= 1
    _emptied(room, user, reason)


def take_back_reserved(room: Room) -> None:
    """A no-show is undone: the bed is held for them again."""
    room.reserved += 1
    room.status = "occupied"


def reserve_in_bulk(counts: Mapping[int, int], now: datetime) -> None:
    """Reserve beds in many rooms at once (a committed plan), one UPDATE statement for all rooms.

    The caller has locked the rooms and checked they are available and empty.
    """
    if counts:
        db.session.execute(update(Room), [{"id": room_id, "reserved": n, "status": "occupied", "updated_at": now}
                                          for room_id, n in counts.items()])


def mark_clean(room: Room) -> None:
    """Terminal disinfection done: nobody has slept here since."""
    room.slept_in = False
