"""Planning runs (the planner's input, progress and output) and room reservations."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quarantine.extensions import db
from quarantine.models.common import utcnow

if TYPE_CHECKING:
    from quarantine.models.auth import User
    from quarantine.models.people import Person
    from quarantine.models.rooms import Room

PLAN_STATUSES = ("queued", "running", "done", "failed", "cancelled", "committed")
# A run still waiting for, or being worked on by, a planning worker.
UNFINISHED_PLAN_STATUSES = ("queued", "running")
RESERVATION_STATUSES = ("reserved", "checked_in", "no_show")


class PlanRun(db.Model):
    """One planning of one or more batches against the live state, kept for review and audit.

    A run is queued by the web page or the command line and carried out by a planning worker
    (quarantine.jobs), which builds the scenario, solves it and stores the result here. The
    scenario is kept in the planner's exchange format, split per site (PlanRunSite) so a hand
    move reads only the sites it touches; the plan is stored whole. Any run can be checked
    independently with `python -m planner check`. The large columns are deferred so lists of
    runs never load them.
    """
    __tablename__ = "plan_runs"
    __table_args__ = (
        CheckConstraint(f"status IN {PLAN_STATUSES!r}", name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    batch_codes: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    time_limit: Mapped[float] = mapped_column(Float, default=10.0)
    people_total: Mapped[int] = mapped_column(Integer, default=0)
    placed: Mapped[int] = mapped_column(Integer, default=0)
    # A proven upper limit on the people any valid plan could place, and whether the plan meets it proven.
    placed_bound: Mapped[int | None] = mapped_column(Integer)
    placed_bound_status: Mapped[str] = mapped_column(String(12), default="")
    objective: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    elapsed: Mapped[float] = mapped_column(Float, default=0.0)
    summary: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    # The worker's side: which worker holds it, since when, and its last sign of life.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str] = mapped_column(String(120), default="")
    enqueued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The scenario without its sites' rooms (policy, sites, batches) and the facts a move check needs.
    scenario_meta_json: Mapped[str] = mapped_column(Text, default="", deferred=True)
    plan_json: Mapped[str] = mapped_column(Text, default="", deferred=True)
    # Per person left out: the planner's reason as a code and parameters, shown in the user's language.
    reasons_json: Mapped[str] = mapped_column(Text, default="", deferred=True)
    # Per site: people, rooms and batches of the plan, so the review page needs neither plan nor scenario.
    review_json: Mapped[str] = mapped_column(Text, default="", deferred=True)
    committed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    created_by: Mapped[User | None] = relationship()

    @property
    def batch_code_list(self) -> list[str]:
        return [c for c in self.batch_codes.split(",") if c]

    @property
    def progress_percent(self) -> int:
        return int(100 * self.placed / self.people_total) if self.people_total else 100

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED_PLAN_STATUSES


class PlanRunSite(db.Model):
    """One site of a run's scenario, in the exchange format (its rooms with their occupants), and the
    plan's assignments to it ([person, room] pairs), so one site of a plan is shown without the rest."""
    __tablename__ = "plan_run_sites"
    __table_args__ = (UniqueConstraint("run_id", "site_key", name="uq_plan_run_sites_run_site"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("plan_runs.id", ondelete="CASCADE"))
    site_key: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)  # order of the site in the scenario
    site_json: Mapped[str] = mapped_column(Text)
    assignments_json: Mapped[str] = mapped_column(Text, default="[]")


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
