"""Daily health records: PCR tests, temperatures, disinfection, health rounds, positive cases.

The supervision checklist "三巡查、两监测、两消毒、日报告" (health rounds at the three meals,
temperature morning and evening, disinfection twice a day, a daily report) is recorded here;
releases need no table of their own, they are stays ended with reason "released".
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quarantine.extensions import db
from quarantine.models.common import utcnow
from quarantine.models.staff import MEALS  # health rounds follow the meal times

if TYPE_CHECKING:
    from quarantine.models.auth import User
    from quarantine.models.people import Person
    from quarantine.models.rooms import Building
    from quarantine.models.sites import Site, Zone

__all__ = [
    "AffectedResident", "DisinfectionRound", "HealthRound", "PCR_RESULTS", "PcrTest", "PositiveCase",
    "READING_PERIODS", "READING_SOURCES", "TEMPERATURE_MAX", "TEMPERATURE_MIN", "TemperatureReading",
]

PCR_RESULTS = ("negative", "positive")
READING_PERIODS = ("morning", "evening")
READING_SOURCES = ("staff", "self")
# Readings outside this range are typing errors, not temperatures; the database refuses them too.
TEMPERATURE_MIN = 34.0
TEMPERATURE_MAX = 43.0


class PcrTest(db.Model):
    """One PCR sample of one resident; at most one per person and local day."""
    __tablename__ = "pcr_tests"
    __table_args__ = (
        CheckConstraint(f"result IN {PCR_RESULTS!r}", name="result_known"),
        UniqueConstraint("person_id", "sample_day", name="uq_pcr_tests_person_day"),
        Index("ix_pcr_tests_site_day", "site_id", "sample_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    sampled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The local (Asia/Shanghai) day of `sampled_at`, kept so the daily report and the
    # one-test-a-day rule need no time-zone arithmetic in SQL.
    sample_day: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(10))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    person: Mapped[Person] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class TemperatureReading(db.Model):
    """A resident's morning or evening temperature on a local day."""
    __tablename__ = "temperature_readings"
    __table_args__ = (
        CheckConstraint(f"celsius >= {TEMPERATURE_MIN} AND celsius <= {TEMPERATURE_MAX}", name="celsius_range"),
        CheckConstraint(f"period IN {READING_PERIODS!r}", name="period_known"),
        UniqueConstraint("person_id", "day", "period", name="uq_temperature_readings_person_day_period"),
        Index("ix_temperature_readings_site_day", "site_id", "day"),
        # Fevers of a day over the whole county (headquarters' home page), without reading every day's rows.
        Index("ix_temperature_readings_day_celsius", "day", "celsius"),
        CheckConstraint(f"source IN {READING_SOURCES!r}", name="source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(10))
    celsius: Mapped[float] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "staff" measured it; "self": the resident reported it from their phone (a staff reading replaces it).
    source: Mapped[str] = mapped_column(String(5), default="staff", server_default="staff")

    person: Mapped[Person] = relationship()


class DisinfectionRound(db.Model):
    """One disinfection of one zone; two a day per zone are required."""
    __tablename__ = "disinfection_rounds"
    __table_args__ = (Index("ix_disinfection_rounds_site_day", "site_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"), index=True)
    done_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[date] = mapped_column(Date)  # local day of done_at
    done_by: Mapped[str] = mapped_column(String(60))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    zone: Mapped[Zone] = relationship()


class HealthRound(db.Model):
    """The health round (巡查) at one meal of one day; recording it again corrects it."""
    __tablename__ = "health_rounds"
    __table_args__ = (
        CheckConstraint(f"meal IN {MEALS!r}", name="meal_known"),
        UniqueConstraint("site_id", "day", "meal", name="uq_health_rounds_site_day_meal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    meal: Mapped[str] = mapped_column(String(10))
    done: Mapped[bool] = mapped_column(Boolean, default=True)
    done_by: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PositiveCase(db.Model):
    """A positive PCR result: the case left for a designated hospital and the clock restarted
    for the floor and the floors above and below. Kept so the notice can be reprinted."""
    __tablename__ = "positive_cases"
    __table_args__ = (CheckConstraint("floor BETWEEN -5 AND 200", name="floor_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pcr_test_id: Mapped[int] = mapped_column(ForeignKey("pcr_tests.id", ondelete="CASCADE"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"))
    floor: Mapped[int] = mapped_column(Integer)
    room_label: Mapped[str] = mapped_column(String(50))  # as it was, rooms may be renumbered later
    # The day the case left the floor; neighbours' quarantine counts again from it.
    positive_day: Mapped[date] = mapped_column(Date)
    hospital: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    person: Mapped[Person] = relationship()
    site: Mapped[Site] = relationship()
    building: Mapped[Building] = relationship()
    pcr_test: Mapped[PcrTest] = relationship()
    created_by: Mapped[User | None] = relationship()
    affected: Mapped[list[AffectedResident]] = relationship(
        back_populates="case", cascade="all, delete-orphan",
        order_by="(AffectedResident.floor, AffectedResident.room_label, AffectedResident.id)")


class AffectedResident(db.Model):
    """A resident whose release date restarted because of a positive case near them."""
    __tablename__ = "affected_residents"
    __table_args__ = (
        UniqueConstraint("case_id", "person_id", name="uq_affected_residents_case_person"),
        CheckConstraint("new_release_date >= old_release_date OR old_release_date IS NULL",
                        name="release_not_earlier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("positive_cases.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    floor: Mapped[int] = mapped_column(Integer)
    room_label: Mapped[str] = mapped_column(String(50))
    old_release_date: Mapped[date | None] = mapped_column(Date)
    new_release_date: Mapped[date] = mapped_column(Date)

    case: Mapped[PositiveCase] = relationship(back_populates="affected")
    person: Mapped[Person] = relationship()
