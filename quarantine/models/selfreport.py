"""Residents reporting themselves from their phone: the personal link on their door card, the
temperatures and symptoms they report, and their requests to the staff (diet, medicine, a call back).

A link is a row (so it can be revoked and ends with the stay); the URL carries the row's id and a
random nonce, signed with the app's secret key, so neither a database copy nor a guessed number
opens anyone's page.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, DateTime, Float, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quarantine.extensions import db
from quarantine.models.common import utcnow
from quarantine.models.health import READING_PERIODS, TEMPERATURE_MAX, TEMPERATURE_MIN

if TYPE_CHECKING:
    from quarantine.models.people import Person

__all__ = ["REQUEST_KINDS", "ResidentRequest", "SYMPTOMS", "SelfReport", "SelfReportLink"]

# What a resident may tick; anything else goes in the note.
SYMPTOMS = ("cough", "sore_throat", "short_of_breath", "fatigue", "diarrhoea", "lost_taste_smell", "other")
REQUEST_KINDS = ("diet", "medicine", "call_back", "other")


class SelfReportLink(db.Model):
    """The personal link printed as a QR code on a resident's door card; at most one live per person."""
    __tablename__ = "self_report_links"
    __table_args__ = (
        Index("uq_self_report_links_one_live_per_person", "person_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when the stay ends (release, transfer out) or when staff issue a new card.
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    person: Mapped[Person] = relationship()


class SelfReport(db.Model):
    """What a resident reported for one period of one local day; reporting again corrects it."""
    __tablename__ = "self_reports"
    __table_args__ = (
        CheckConstraint(f"period IN {READING_PERIODS!r}", name="period_known"),
        CheckConstraint(f"celsius IS NULL OR (celsius >= {TEMPERATURE_MIN} AND celsius <= {TEMPERATURE_MAX})",
                        name="celsius_range"),
        CheckConstraint("celsius IS NOT NULL OR symptoms != ''", name="something_reported"),
        UniqueConstraint("person_id", "day", "period", name="uq_self_reports_person_day_period"),
        Index("ix_self_reports_site_day", "site_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("self_report_links.id", ondelete="SET NULL"))
    day: Mapped[date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(10))
    celsius: Mapped[float | None] = mapped_column(Float)
    symptoms: Mapped[str] = mapped_column(String(120), default="")  # codes of SYMPTOMS, comma-separated
    note: Mapped[str] = mapped_column(String(200), default="")
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A fever or a symptom stays flagged on the site page until someone of the staff has seen it.
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    person: Mapped[Person] = relationship()

    @property
    def symptom_codes(self) -> list[str]:
        return [c for c in self.symptoms.split(",") if c]


class ResidentRequest(db.Model):
    """A resident's request to the staff, open until someone marks it handled."""
    __tablename__ = "resident_requests"
    __table_args__ = (
        CheckConstraint(f"kind IN {REQUEST_KINDS!r}", name="kind_known"),
        Index("ix_resident_requests_site_open", "site_id", "handled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_note: Mapped[str] = mapped_column(String(200), default="")

    person: Mapped[Person] = relationship()
