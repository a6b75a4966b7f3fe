"""Arrival notices: what a committed plan sends to each receiving site, and whether the site saw it."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quarantine.extensions import db
from quarantine.models.common import utcnow

if TYPE_CHECKING:
    from quarantine.models.auth import User
    from quarantine.models.sites import Site

__all__ = ["ArrivalNotice", "WEBHOOK_STATUSES", "WebhookDelivery"]

# "" the site has no webhook; pending until the gateway answers 2xx (retried by the job queue), then
# delivered, or failed when every attempt was refused.
WEBHOOK_STATUSES = ("", "pending", "delivered", "failed")


class WebhookDelivery:
    """How a message to a site's webhook went: the columns every message sent there carries."""

    webhook_status: Mapped[str] = mapped_column(String(10), default="")
    webhook_attempts: Mapped[int] = mapped_column(Integer, default=0)
    webhook_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def webhook_checks() -> tuple[CheckConstraint, CheckConstraint]:
    return (CheckConstraint(f"webhook_status IN {WEBHOOK_STATUSES!r}", name="webhook_status_known"),
            CheckConstraint("webhook_attempts >= 0", name="webhook_attempts_not_negative"))


class ArrivalNotice(WebhookDelivery, db.Model):
    """People of one commit coming to one site: shown on the manager's home page until acknowledged."""
    __tablename__ = "arrival_notices"
    __table_args__ = (
        UniqueConstraint("plan_run_id", "site_id", name="uq_arrival_notices_run_site"),
        CheckConstraint("people >= 0 AND rooms >= 0", name="counts_not_negative"),
        *webhook_checks(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_run_id: Mapped[int | None] = mapped_column(ForeignKey("plan_runs.id", ondelete="SET NULL"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    batch_codes: Mapped[str] = mapped_column(String(400))
    people: Mapped[int] = mapped_column(Integer)
    rooms: Mapped[int] = mapped_column(Integer)
    expected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    site: Mapped[Site] = relationship()
    acknowledged_by: Mapped[User | None] = relationship()

    @property
    def batch_code_list(self) -> list[str]:
        return [c for c in self.batch_codes.split(",") if c]
