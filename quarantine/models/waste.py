"""Medical waste: what each day puts into a site's medical-waste store, and its collections.

All waste from the isolation area is medical waste (医疗废物). It waits in a separate locked
store (医疗废物暂存间) until the licensed collector takes it, every 2–3 days, and each handover
(交接) is recorded and signed. An entry belongs to the collection that took it; entries not yet
collected are what the store holds now.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quarantine.extensions import db
from quarantine.models.common import utcnow

if TYPE_CHECKING:
    from quarantine.models.auth import User
    from quarantine.models.rooms import Building
    from quarantine.models.sites import Site

__all__ = ["WasteCollection", "WasteEntry", "WasteStore"]


class WasteStore(db.Model):
    """What a site's medical-waste store can hold; sites without a row have no capacity set."""
    __tablename__ = "waste_stores"
    __table_args__ = (CheckConstraint("capacity_kg IS NULL OR capacity_kg > 0", name="capacity_positive"),)

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    capacity_kg: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class WasteCollection(db.Model):
    """One handover to the licensed collector, as written on the signed handover sheet."""
    __tablename__ = "waste_collections"
    __table_args__ = (
        CheckConstraint("bags >= 1", name="bags_positive"),
        CheckConstraint("weight_kg > 0", name="weight_positive"),
        CheckConstraint("handed_over_by <> handed_over_by_2", name="two_different_people"),
        Index("ix_waste_collections_site_at", "site_id", "collected_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    collected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    collector: Mapped[str] = mapped_column(String(120))          # the licensed company
    collector_person: Mapped[str] = mapped_column(String(60), default="")
    vehicle: Mapped[str] = mapped_column(String(30))
    bags: Mapped[int] = mapped_column(Integer)
    weight_kg: Mapped[float] = mapped_column(Float)
    seal_numbers: Mapped[str] = mapped_column(Text)
    # Two people of the site hand the waste over together (双人交接) and both sign the sheet.
    handed_over_by: Mapped[str] = mapped_column(String(60))
    handed_over_by_2: Mapped[str] = mapped_column(String(60))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    site: Mapped[Site] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    entries: Mapped[list[WasteEntry]] = relationship(back_populates="collection",
                                                     order_by="(WasteEntry.day, WasteEntry.id)")


class WasteEntry(db.Model):
    """Bags and weight put into the store on one local day from one building (or other areas)."""
    __tablename__ = "waste_entries"
    __table_args__ = (
        CheckConstraint("bags >= 0 AND weight_kg >= 0", name="amounts_not_negative"),
        CheckConstraint("bags > 0 OR weight_kg > 0", name="something_put_in"),
        Index("ix_waste_entries_site_day", "site_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    # Where the waste came from: a building of the site, or NULL for the other areas (buffer zone, staff areas).
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="SET NULL"))
    day: Mapped[date] = mapped_column(Date)
    bags: Mapped[int] = mapped_column(Integer)
    weight_kg: Mapped[float] = mapped_column(Float)
    # Set when the collector takes it; from then on the entry is on a signed sheet and stays as it is.
    collection_id: Mapped[int | None] = mapped_column(ForeignKey("waste_collections.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    building: Mapped[Building | None] = relationship()
    collection: Mapped[WasteCollection | None] = relationship(back_populates="entries")
