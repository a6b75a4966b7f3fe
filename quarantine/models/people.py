"""People under quarantine and their stays in rooms (never overwritten)."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quarantine.extensions import db
from quarantine.idnumbers import ID_KINDS  # resident ID, passport, HK/Macau and Taiwan permits
from quarantine.models.common import utcnow

if TYPE_CHECKING:
    from quarantine.models.policy import Policy
    from quarantine.models.reference import Category, Diet, Need
    from quarantine.models.rooms import Room
    from quarantine.models.transfers import TransferBatch

SEXES = ("M", "F")
PERSON_STATUSES = ("expected", "in_quarantine", "released", "transferred_out", "no_show")
# A person in one of these statuses is a current resident (or on the way) of a site.
CURRENT_STATUSES = ("expected", "in_quarantine")
STAY_END_REASONS = ("moved", "released", "transferred_out")

person_needs = Table(
    "person_needs",
    db.metadata,
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("need_code", ForeignKey("needs.code"), primary_key=True),
)


class Person(db.Model):
    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint(f"id_kind IN {ID_KINDS!r}", name="id_kind_known"),
        CheckConstraint(f"sex IS NULL OR sex IN {SEXES!r}", name="sex_known"),
        CheckConstraint(f"status IN {PERSON_STATUSES!r}", name="status_known"),
        CheckConstraint("release_date IS NULL OR arrival_at IS NULL OR release_date >= date(arrival_at)",
                        name="release_after_arrival"),
        # Two current residents can never carry the same ID number; released people may return.
        Index("uq_people_current_id_number", "id_number", unique=True,
              sqlite_where=text("status IN ('expected', 'in_quarantine')"),
              postgresql_where=text("status IN ('expected', 'in_quarantine')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    id_kind: Mapped[str] = mapped_column(String(12))
    id_number: Mapped[str] = mapped_column(String(20), index=True)
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(30), default="")
    household: Mapped[str] = mapped_column(String(40), default="", index=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"))
    diet_code: Mapped[str] = mapped_column(ForeignKey("diets.code"), default="regular")
    origin: Mapped[str] = mapped_column(String(120), default="")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("transfer_batches.id", ondelete="SET NULL"),
                                                 index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"), index=True)
    arrival_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    release_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="expected")
    # Health and personal notes: the site's staff only, never catering.
    notes: Mapped[str] = mapped_column(Text, default="")
    # What the kitchen needs to know (allergies, diet details): the one note on the meal rosters.
    diet_note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when the retention job replaced the personal data (name, ID, phone, notes) after release.
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    category: Mapped[Category] = relationship()
    diet: Mapped[Diet] = relationship()
    needs: Mapped[list[Need]] = relationship(secondary=person_needs, order_by="Need.sort")
    batch: Mapped[TransferBatch | None] = relationship(back_populates="people")
    policy: Mapped[Policy | None] = relationship()
    stays: Mapped[list[Stay]] = relationship(back_populates="person", cascade="all, delete-orphan",
                                             order_by="Stay.check_in_at")

    @property
    def need_codes(self) -> list[str]:
        return [n.code for n in self.needs]

    @property
    def current_stay(self) -> Stay | None:
        return next((s for s in self.stays if s.check_out_at is None), None)

    @property
    def masked_name(self) -> str:
        """Name with all but the first character hidden, for printed lists on doors."""
        return self.name[:1] + "*" * max(len(self.name) - 1, 1)


class Stay(db.Model):
    """A person's time in one room: check-in, then a move or a check-out closes it."""
    __tablename__ = "stays"
    __table_args__ = (
        CheckConstraint("check_out_at IS NULL OR check_out_at >= check_in_at", name="out_after_in"),
        CheckConstraint(f"end_reason IS NULL OR end_reason IN {STAY_END_REASONS!r}", name="end_reason_known"),
        CheckConstraint("(check_out_at IS NULL) = (end_reason IS NULL)", name="ended_with_reason"),
        # At most one open stay per person: nobody is in two rooms at once.
        Index("uq_stays_one_open_per_person", "person_id", unique=True,
              sqlite_where=text("check_out_at IS NULL"), postgresql_where=text("check_out_at IS NULL")),
        # Who is in a room now: the floor and site views read only open stays.
        Index("ix_stays_open_room", "room_id",
              sqlite_where=text("check_out_at IS NULL"), postgresql_where=text("check_out_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    check_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    check_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    person: Mapped[Person] = relationship(back_populates="stays")
    room: Mapped[Room] = relationship()
