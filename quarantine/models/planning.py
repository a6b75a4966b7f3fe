"""Planning runs (the planner's input, progress and output) and room reservations."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quarantine.extensions import db
from quarantine.models.common import utcnow

if TYPE_CHECKING:
    from quarantine.models.auth import User
    from quarantine.models.people import Person
    from quarantine.models.rooms import Room

PLAN_STATUSES = ("running", "done", "failed", "cancelled", "committed")
RESERVATION_STATUSES = ("reserved", "checked_in", "no_show")


class PlanRun(db.Model):
    """One planning of one or more batches against the live state, kept for review and audit.

    The scenario and the plan are stored in the planner's exchange format so any run can be
    checked independently with `python -m planner check`.
    """
    __tablename__ = "plan_runs"
    __table_args__ = (CheckConstraint(f"status IN {PLAN_STATUSES!r}", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    batch_codes: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(12), default="running")
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    time_limit: Mapped[float] = mapped_column(Float, default=10.0)
    people_total: Mapped[int] = mapped_column(Integer, default=0)
    placed: Mapped[int] = mapped_column(Integer, default=0)
    objective: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    elapsed: Mapped[float] = mapped_column(Float, default=0.0)
    summary: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    scenario_json: Mapped[str] = mapped_column(Text, default="")
    plan_json: Mapped[str] = mapped_column(Text, default="")
    committed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    created_by: Mapped[User | None] = relationship()

    @property
    def batch_code_list(self) -> list[str]:
        return [c for c in self.batch_codes.split(",") if c]

    @property
    def progress_percent(self) -> int:
        return int(100 * self.placed / self.people_total) if self.people_total else 100


class Reservation(db.Model):
    """A bed held for an expected arrival; check-in turns it into a stay."""
    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint(f"status IN {RESERVATION_STATUSES!r}", name="status_known"),
        # One live reservation per person.
        Index("uq_reservations_one_live_per_person", "person_id", unique=True,
              sqlite_where=text("status = 'reserved'"), postgresql_where=text("status = 'reserved'")),
        Index("ix_reservations_live_room", "room_id",
              sqlite_where=text("status = 'reserved'"), postgresql_where=text("status = 'reserved'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    plan_run_id: Mapped[int | None] = mapped_column(ForeignKey("plan_runs.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="reserved")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship()
    room: Mapped[Room] = relationship()
