"""Quarantine sites with their three zones, functional areas and two passages."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from quarantine.extensions import db
from quarantine.models.common import utcnow

if TYPE_CHECKING:
    from quarantine.models.auth import User
    from quarantine.models.reference import AreaType, ZoneType
    from quarantine.models.rooms import Building

SITE_KINDS = ("fixed", "backup")
SITE_STATUSES = ("standby", "preparing", "ready", "in_use", "closed")
# Statuses in which a site may receive people (what the planner calls `ready`).
RECEIVING_STATUSES = ("ready", "in_use")
PASSAGE_KINDS = ("staff", "quarantined")


class Site(db.Model):
    __tablename__ = "sites"
    __table_args__ = (
        CheckConstraint(f"kind IN {SITE_KINDS!r}", name="kind_known"),
        CheckConstraint(f"status IN {SITE_STATUSES!r}", name="status_known"),
        CheckConstraint("capacity_limit IS NULL OR capacity_limit >= 0", name="capacity_not_negative"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="lon_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(10), default="fixed")
    responsible_unit: Mapped[str] = mapped_column(String(120), default="")
    manager_name: Mapped[str] = mapped_column(String(60), default="")
    manager_phone: Mapped[str] = mapped_column(String(30), default="")
    capacity_limit: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="standby")
    notes: Mapped[str] = mapped_column(Text, default="")
    # The site manager's confirmation that the two passages do not cross.
    passages_separate_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    passages_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    passages_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the site last said its figures are true (headquarters flags the ones confirmed too long ago).
    rooms_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    staff_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    report_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Where a JSON message goes when arrivals are committed to the site (a messaging gateway); empty: none.
    webhook_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # The key each message to the webhook is signed with (HMAC-SHA256), so the gateway can tell ours from forgeries.
    webhook_secret: Mapped[str] = mapped_column(String(64), default="", server_default="")

    zones: Mapped[list[Zone]] = relationship(back_populates="site", cascade="all, delete-orphan",
                                             order_by="Zone.id")
    areas: Mapped[list[FunctionalArea]] = relationship(back_populates="site", cascade="all, delete-orphan",
                                                       order_by="FunctionalArea.id")
    passages: Mapped[list[Passage]] = relationship(back_populates="site", cascade="all, delete-orphan",
                                                   order_by="Passage.kind")
    buildings: Mapped[list[Building]] = relationship(back_populates="site", cascade="all, delete-orphan",
                                                     order_by="Building.code")
    passages_confirmed_by: Mapped[User | None] = relationship(foreign_keys=[passages_confirmed_by_id])

    @property
    def receiving(self) -> bool:
        return self.status in RECEIVING_STATUSES

    def passage(self, kind: str) -> Passage | None:
        return next((p for p in self.passages if p.kind == kind), None)

    @validates("webhook_url")
    def _key_for_webhook(self, _key: str, url: str) -> str:
        """A site given a webhook, by any path, gets its signing key then; it stays when the address changes."""
        if url and not self.webhook_secret:
            self.webhook_secret = secrets.token_hex(32)
        return url


zone_buildings = Table(
    "zone_buildings",
    db.metadata,
    Column("zone_id", Integer, ForeignKey("zones.id", ondelete="CASCADE"), primary_key=True),
    Column("building_id", Integer, ForeignKey("buildings.id", ondelete="CASCADE"), primary_key=True),
)


class Zone(db.Model):
    """One of the three zones; the contaminated zone names the buildings it covers."""
    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    type_code: Mapped[str] = mapped_column(ForeignKey("zone_types.code"))
    name: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    site: Mapped[Site] = relationship(back_populates="zones")
    type: Mapped[ZoneType] = relationship()
    buildings: Mapped[list[Building]] = relationship(secondary=zone_buildings, order_by="Building.code")


class FunctionalArea(db.Model):
    """Warehouse, medical-waste store, staff dining, changing/disinfection room, ..."""
    __tablename__ = "functional_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    type_code: Mapped[str] = mapped_column(ForeignKey("area_types.code"))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(Text, default="")

    site: Mapped[Site] = relationship(back_populates="areas")
    type: Mapped[AreaType] = relationship()
    zone: Mapped[Zone | None] = relationship()


class Passage(db.Model):
    """The staff passage and the quarantined-person passage, each with its route."""
    __tablename__ = "passages"
    __table_args__ = (
        UniqueConstraint("site_id", "kind", name="uq_passages_site_kind"),
        CheckConstraint(f"kind IN {PASSAGE_KINDS!r}", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    entrance: Mapped[str] = mapped_column(String(200), default="")
    route: Mapped[str] = mapped_column(Text, default="")

    site: Mapped[Site] = relationship(back_populates="passages")
