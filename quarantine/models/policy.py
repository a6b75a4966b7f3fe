"""Policy as dated, editable records: quarantine length, tests, staffing, buses."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from quarantine.extensions import db
from quarantine.models.common import utcnow


class Policy(db.Model):
    """The rules in force from `effective_from` until the next record takes over (current versions only)."""
    __tablename__ = "policies"
    __table_args__ = (
        CheckConstraint("quarantine_days BETWEEN 1 AND 60", name="quarantine_days_range"),
        CheckConstraint("home_days BETWEEN 0 AND 60", name="home_days_range"),
        CheckConstraint("residents_per_doctor >= 1 AND residents_per_nurse >= 1", name="medical_ratio_positive"),
        CheckConstraint("other_staff_min >= 0 AND other_staff_max >= other_staff_min", name="other_staff_range"),
        CheckConstraint("bus_seats >= 1", name="bus_seats_positive"),
        CheckConstraint("bus_load_factor > 0 AND bus_load_factor <= 1", name="bus_load_range"),
        # Supplies and medical waste
        CheckConstraint("waste_collection_days BETWEEN 1 AND 30", name="waste_collection_days_range"),
        CheckConstraint("supply_warning_days BETWEEN 0 AND 60", name="supply_warning_days_range"),
        CheckConstraint("retention_days BETWEEN 1 AND 3650", name="retention_days_range"),
        # Names and start days are unique among current versions; earlier versions keep theirs.
        Index("uq_policies_current_name", "name", unique=True, sqlite_where=text("superseded_at IS NULL"),
              postgresql_where=text("superseded_at IS NULL")),
        Index("uq_policies_current_effective_from", "effective_from", unique=True,
              sqlite_where=text("superseded_at IS NULL"), postgresql_where=text("superseded_at IS NULL")),
        CheckConstraint("figures_stale_hours BETWEEN 1 AND 720", name="figures_stale_hours_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    effective_from: Mapped[date] = mapped_column(Date)
    quarantine_days: Mapped[int] = mapped_column(Integer)
    home_days: Mapped[int] = mapped_column(Integer, default=0)
    # Days of quarantine on which a PCR test is due, e.g. "1,4,7,14".
    pcr_test_days: Mapped[str] = mapped_column(String(60))
    residents_per_doctor: Mapped[int] = mapped_column(Integer, default=50)
    residents_per_nurse: Mapped[int] = mapped_column(Integer, default=50)
    other_staff_min: Mapped[float] = mapped_column(Float, default=3.0)
    other_staff_max: Mapped[float] = mapped_column(Float, default=4.0)
    bus_seats: Mapped[int] = mapped_column(Integer, default=45)
    bus_load_factor: Mapped[float] = mapped_column(Float, default=0.5)
    # --- Supplies and medical waste (daily use per item: PolicySupplyRate) ---
    # The medical-waste store is collected at least every this many days.
    waste_collection_days: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    # Items that last fewer days than this at a site or in the county are flagged.
    supply_warning_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    # --- end of supplies and medical waste ---
    # Personal data of people released more than this many days ago is anonymised (flask data purge).
    retention_days: Mapped[int] = mapped_column(Integer, default=180, server_default="180")
    # A site whose rooms, staff or daily report were last confirmed longer ago is flagged to headquarters.
    figures_stale_hours: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Versions: editing a policy people were placed under makes a new version (created_at is its date);
    # the earlier one is kept, superseded, for the people who arrived under it.
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id", ondelete="SET NULL"))

    @property
    def test_days(self) -> list[int]:
        return [int(d) for d in self.pcr_test_days.split(",") if d.strip()]
