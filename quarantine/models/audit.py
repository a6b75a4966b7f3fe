"""The audit trail: who did what, when, to which record, with the values before and after.

Append-only: the app writes rows and never changes or deletes one (the ORM refuses to); only the
retention job blanks the personal values of people whose data it anonymises (quarantine.audit.trail).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from quarantine.extensions import db
from quarantine.models.common import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_person_at", "person_id", "at"),
        Index("ix_audit_events_site_at", "site_id", "at"),
        Index("ix_audit_events_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # The account that acted (kept by name too, so the row outlives the account); none: the command line or a job.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(64), default="")
    address: Mapped[str] = mapped_column(String(45), default="")
    # e.g. person.update, stay.create, user.update, sign_in, sign_in_refused, export, id_view
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(30), default="")
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # Plain numbers, not foreign keys: the trail outlives the rows it tells about.
    person_id: Mapped[int | None] = mapped_column(Integer)
    site_id: Mapped[int | None] = mapped_column(Integer)
    # {field: [before, after]}
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    detail: Mapped[str] = mapped_column(String(300), default="")


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _append_only(_mapper, _connection, _target) -> None:
    raise PermissionError("audit events are never changed or deleted")
