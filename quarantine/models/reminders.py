"""Release reminders: each morning, a site with residents due for release that day is reminded once."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quarantine.extensions import db
from quarantine.models.common import utcnow

if TYPE_CHECKING:
    from quarantine.models.sites import Site

__all__ = ["ReleaseReminder", "REMINDER_WEBHOOK_STATUSES"]

# "" the site has no webhook; pending until the gateway answers 2xx, then delivered, or failed.
REMINDER_WEBHOOK_STATUSES = ("", "pending", "delivered", "failed")


class ReleaseReminder(db.Model):
    """One site's reminder for one day: how many are due that day and how many are overdue."""
    __tablename__ = "release_reminders"
    __table_args__ = (
        # One per site and day, however many schedulers run the job (a worker on each machine).
        UniqueConstraint("site_id", "day", name="uq_release_reminders_site_day"),
        CheckConstraint("due >= 0 AND overdue >= 0 AND due + overdue > 0", name="someone_due"),
        CheckConstraint(f"webhook_status IN {REMINDER_WEBHOOK_STATUSES!r}", name="webhook_status_known"),
        CheckConstraint("webhook_attempts >= 0", name="webhook_attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    due: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    webhook_status: Mapped[str] = mapped_column(String(10), default="")
    webhook_attempts: Mapped[int] = mapped_column(Integer, default=0)
    webhook_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    site: Mapped[Site] = relationship()
