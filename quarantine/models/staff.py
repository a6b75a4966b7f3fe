"""Site staff, their work groups and closed-loop status; meal times."""
from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quarantine.extensions import db
from quarantine.models.common import utcnow

if TYPE_CHECKING:
    from quarantine.models.sites import Site, Zone

__all__: list[str] = [
    "MEALS", "MEDICAL_ROLES", "MealTime", "SHIFTS", "STAFF_GROUPS", "STAFF_STATUSES", "StaffMember",
]

# Working groups of a site (防疫消杀, 健康观察, 联络, 安保, 后勤保障, 转运, 关爱).
STAFF_GROUPS = ("disinfection", "health_observation", "liaison", "security", "logistics", "transfer", "care")
# Doctors and nurses belong to the health-observation group; everyone else is "none".
MEDICAL_ROLES = ("doctor", "nurse", "none")
SHIFTS = ("day", "night", "rotating")
# Closed-loop status on a given day, derived from the dates (see StaffMember.status_on).
STAFF_STATUSES = ("scheduled", "on_duty", "post_duty_quarantine", "off_duty")
MEALS = ("breakfast", "lunch", "dinner")


class StaffMember(db.Model):
    """One person working at a site in closed loop (闭环管理).

    On duty from `on_duty_from` to `on_duty_to` (inclusive; open-ended while NULL), then in
    post-duty quarantine until `quarantine_until`. Status is derived from these dates so that
    any past day can be counted the same way as today.
    """
    __tablename__ = "staff_members"
    __table_args__ = (
        CheckConstraint(f"work_group IN {STAFF_GROUPS!r}", name="work_group_known"),
        CheckConstraint(f"medical_role IN {MEDICAL_ROLES!r}", name="medical_role_known"),
        CheckConstraint("medical_role = 'none' OR work_group = 'health_observation'",
                        name="medical_in_health_observation"),
        CheckConstraint(f"shift IN {SHIFTS!r}", name="shift_known"),
        CheckConstraint("on_duty_to IS NULL OR on_duty_to >= on_duty_from", name="duty_ends_after_start"),
        CheckConstraint("quarantine_until IS NULL OR (on_duty_to IS NOT NULL AND quarantine_until > on_duty_to)",
                        name="quarantine_after_duty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(30), default="")
    work_group: Mapped[str] = mapped_column(String(20))
    medical_role: Mapped[str] = mapped_column(String(10), default="none")
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"))
    shift: Mapped[str] = mapped_column(String(10), default="day")
    on_duty_from: Mapped[date] = mapped_column(Date)
    on_duty_to: Mapped[date | None] = mapped_column(Date)
    quarantine_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    site: Mapped[Site] = relationship()
    zone: Mapped[Zone | None] = relationship()

    def on_duty_on(self, day: date) -> bool:
        return self.on_duty_from <= day and (self.on_duty_to is None or day <= self.on_duty_to)

    def status_on(self, day: date) -> str:
        if day < self.on_duty_from:
            return "scheduled"
        if self.on_duty_on(day):
            return "on_duty"
        if self.quarantine_until is not None and day <= self.quarantine_until:
            return "post_duty_quarantine"
        return "off_duty"


class MealTime(db.Model):
    """When a site serves one meal; sites without a row use the defaults in meals.services."""
    __tablename__ = "meal_times"
    __table_args__ = (
        UniqueConstraint("site_id", "meal", name="uq_meal_times_site_meal"),
        CheckConstraint(f"meal IN {MEALS!r}", name="meal_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    meal: Mapped[str] = mapped_column(String(10))
    served_at: Mapped[time] = mapped_column(Time)
