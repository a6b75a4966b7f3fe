"""Transfer batches: people sent from one origin, arriving together."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quarantine.extensions import db
from quarantine.models.common import utcnow

if TYPE_CHECKING:
    from quarantine.models.people import Person

BATCH_STATUSES = ("announced", "planned", "committed", "arrived", "cancelled")


class TransferBatch(db.Model):
    __tablename__ = "transfer_batches"
    __table_args__ = (
        CheckConstraint(f"status IN {BATCH_STATUSES!r}", name="status_known"),
        CheckConstraint("origin_lat IS NULL OR (origin_lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint("origin_lon IS NULL OR (origin_lon BETWEEN -180 AND 180)", name="lon_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    origin: Mapped[str] = mapped_column(String(120))
    origin_lat: Mapped[float | None] = mapped_column(Float)
    origin_lon: Mapped[float | None] = mapped_column(Float)
    expected_arrival: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expected_count: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default="announced")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    people: Mapped[list[Person]] = relationship(back_populates="batch", order_by="Person.household")
