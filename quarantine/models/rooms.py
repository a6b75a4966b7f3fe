"""Buildings, rooms and beds, and the history of every change to a room."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quarantine.extensions import db
from quarantine.models.common import utcnow

if TYPE_CHECKING:
    from quarantine.models.auth import User
    from quarantine.models.sites import Site

ROOM_STATUSES = ("available", "occupied", "cleaning", "out_of_service")


class Building(db.Model):
    __tablename__ = "buildings"
    __table_args__ = (
        UniqueConstraint("site_id", "code", name="uq_buildings_site_code"),
        # Target of the rooms' composite key, so a room cannot name a building of another site.
        UniqueConstraint("id", "site_id", name="uq_buildings_id_site"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100), default="")
    has_lift: Mapped[bool] = mapped_column(Boolean, default=False)

    site: Mapped[Site] = relationship(back_populates="buildings")
    rooms: Mapped[list[Room]] = relationship(back_populates="building", cascade="all, delete-orphan",
                                             order_by="(Room.floor, Room.number)")


class Room(db.Model):
    """A room with its beds.

    `occupants` counts people checked in, `reserved` the beds held for expected arrivals
    (both kept by quarantine.stays.beds only); the checks make the database itself refuse more
    people than beds and a status that disagrees with them. `slept_in` says someone has stayed
    here since the last terminal disinfection, so an emptied room goes to cleaning even when its
    last holder was a reservation that never arrived.
    """
    __tablename__ = "rooms"
    __table_args__ = (
        UniqueConstraint("building_id", "number", name="uq_rooms_building_number"),
        ForeignKeyConstraint(["building_id", "site_id"], ["buildings.id", "buildings.site_id"],
                             name="fk_rooms_building_site", ondelete="CASCADE"),
        CheckConstraint("beds >= 0", name="beds_not_negative"),
        CheckConstraint("occupants >= 0", name="occupants_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("occupants + reserved <= beds", name="held_within_beds"),
        CheckConstraint(f"status IN {ROOM_STATUSES!r}", name="status_known"),
        CheckConstraint("(status = 'occupied') = (occupants + reserved > 0)", name="occupied_iff_held"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(index=True)
    building_id: Mapped[int] = mapped_column(index=True)
    floor: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    beds: Mapped[int] = mapped_column(Integer, default=1)
    occupants: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    slept_in: Mapped[bool] = mapped_column(Boolean, default=False)
    own_bathroom: Mapped[bool] = mapped_column(Boolean, default=True)
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="available")
    status_reason: Mapped[str] = mapped_column(String(200), default="")
    expected_return: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    # Joined: a room is almost always shown by its label (building code + number), and the composite key
    # to the building keeps the identity map from answering a lazy load without SQL.
    building: Mapped[Building] = relationship(back_populates="rooms", lazy="joined", innerjoin=True)
    events: Mapped[list[RoomEvent]] = relationship(back_populates="room", cascade="all, delete-orphan",
                                                   order_by="RoomEvent.at.desc()")

    @property
    def held(self) -> int:
        """Beds held: people checked in and people expected."""
        return self.occupants + self.reserved

    @property
    def free_beds(self) -> int:
        """Beds anyone may be given: only rooms nobody holds take new people (one household per room)."""
        return self.beds if self.status == "available" else 0

    @property
    def grid_state(self) -> str:
        """The state shown in room grids: an occupied room whose people have not arrived yet is reserved."""
        return "reserved" if self.status == "occupied" and self.occupants == 0 else self.status

    @property
    def label(self) -> str:
        return f"{self.building.code}-{self.number}"


class RoomEvent(db.Model):
    """Who changed what on a room, and when: beds, status, accessibility, creation."""
    __tablename__ = "room_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(String(30))
    old_value: Mapped[str] = mapped_column(String(200), default="")
    new_value: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")

    room: Mapped[Room] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()
