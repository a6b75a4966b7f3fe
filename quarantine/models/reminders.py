"""Release reminders: each morning, a site with residents due for release that day is reminded once."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quarantine.extensions import db
from quarantine.models.common import utcnow
from quarantine.models.notices import WebhookDelivery, webhook_checks

if TYPE_CHECKING:
    from quarantine.models.sites import Site

__all__ = ["ReleaseReminder"]


class ReleaseReminder(WebhookDelivery, db.Model):
    """One site's reminder for one day: how many are due that day and how many are overdue."""
    __tablename__ = "release_reminders"
    __table_args__ = (
        # One per site and day, however many schedulers run the job (a worker on each machine).
        UniqueConstraint("site_id", "day", name="uq_release_reminders_site_day"),
        CheckConstraint("due >= 0 AND overdue >= 0 AND due + overdue > 0", name="someone_due"),
        *webhook_checks(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    due: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site] = relationship()
