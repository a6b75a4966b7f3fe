"""Supplies: items with their units, stores, and the append-only log of stock movements.

Current stock is the sum of a store's movements. A movement is never changed or deleted: a
correction is a new movement, and a count records the counted quantity together with the
difference it makes. `StockBalance` keeps the same sum per (store, item) as a row that can be
locked, so two concurrent issues of the last items cannot both pass, and the database refuses
a negative balance.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quarantine.extensions import db
from quarantine.models.common import utcnow

if TYPE_CHECKING:
    from quarantine.models.auth import User
    from quarantine.models.sites import Site

__all__ = [
    "MovementKind", "PolicySupplyRate", "STORE_KINDS", "StockBalance", "StockMovement", "Store", "SupplyItem",
]

# The county reserve (县级储备库) and each site's clean-zone warehouse.
STORE_KINDS = ("county", "site")


class MovementKind(StrEnum):
    RECEIVED = "received"          # delivered from outside (supplier, another city, a donation)
    TRANSFER_OUT = "transfer_out"  # sent to another store
    TRANSFER_IN = "transfer_in"    # arrived from another store
    ISSUED = "issued"              # issued for use, used up
    COUNT = "count"                # a stock count: the counted quantity and the difference


INCOMING = (MovementKind.RECEIVED, MovementKind.TRANSFER_IN)
OUTGOING = (MovementKind.TRANSFER_OUT, MovementKind.ISSUED)
TRANSFERS = (MovementKind.TRANSFER_OUT, MovementKind.TRANSFER_IN)


def _sql_list(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class SupplyItem(db.Model):
    """A kind of supply with its unit: beds, bedding sets, N95 masks, protective suits, ..."""
    __tablename__ = "supply_items"
    __table_args__ = (CheckConstraint("per_bed >= 0", name="per_bed_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label_zh: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    unit_zh: Mapped[str] = mapped_column(String(20))
    unit_en: Mapped[str] = mapped_column(String(20))
    # How many of this item a bed needs when a site is furnished (1 bed, 1 bedding set); 0 for the rest.
    per_bed: Mapped[int] = mapped_column(Integer, default=0)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def label(self, locale: str) -> str:
        return self.label_zh if locale.startswith("zh") else self.label_en

    def unit(self, locale: str) -> str:
        return self.unit_zh if locale.startswith("zh") else self.unit_en


class Store(db.Model):
    """Where stock is kept: a county reserve (no site) or one site's warehouse."""
    __tablename__ = "stores"
    __table_args__ = (
        CheckConstraint(f"kind IN {_sql_list(STORE_KINDS)}", name="kind_known"),
        CheckConstraint("(kind = 'site') = (site_id IS NOT NULL)", name="site_store_has_site"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # One store per site; the county reserves have none.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site | None] = relationship()


class StockMovement(db.Model):
    """One change of stock in one store; written once, never changed (see the guard below)."""
    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(f"kind IN {_sql_list(MovementKind)}", name="kind_known"),
        CheckConstraint(f"kind NOT IN {_sql_list(INCOMING)} OR quantity > 0", name="incoming_positive"),
        CheckConstraint(f"kind NOT IN {_sql_list(OUTGOING)} OR quantity < 0", name="outgoing_negative"),
        CheckConstraint("(kind = 'count') = (counted IS NOT NULL)", name="count_has_counted"),
        CheckConstraint("counted IS NULL OR counted >= 0", name="counted_not_negative"),
        CheckConstraint(f"(kind IN {_sql_list(TRANSFERS)}) = (other_store_id IS NOT NULL)",
                        name="transfer_has_other_store"),
        CheckConstraint("other_store_id IS NULL OR other_store_id <> store_id", name="transfer_between_stores"),
        Index("ix_stock_movements_store_item", "store_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"))
    kind: Mapped[str] = mapped_column(String(12))
    # The change of stock: positive in, negative out; for a count, counted minus the stock before.
    quantity: Mapped[int] = mapped_column(Integer)
    counted: Mapped[int | None] = mapped_column(Integer)
    # For a transfer: the store it went to (transfer_out) or came from (transfer_in).
    # (No ON DELETE: a store that sent or received stock cannot disappear from the other store's record.)
    other_store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    store: Mapped[Store] = relationship(foreign_keys=[store_id])
    other_store: Mapped[Store | None] = relationship(foreign_keys=[other_store_id])
    item: Mapped[SupplyItem] = relationship()
    user: Mapped[User | None] = relationship()


@event.listens_for(StockMovement, "before_update")
@event.listens_for(StockMovement, "before_delete")
def _movements_are_never_overwritten(_mapper, _connection, movement: StockMovement) -> None:
    raise ValueError(f"stock movement {movement.id} is part of the record: add a new movement instead")


class StockBalance(db.Model):
    """The sum of a store's movements of one item, kept beside them in the same transaction.

    Services lock this row (SELECT ... FOR UPDATE) before they add a movement, so concurrent
    movements of the same item in the same store queue up; the CHECK refuses a negative stock
    even if a writer forgot the lock."""
    __tablename__ = "stock_balances"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id", ondelete="CASCADE"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer, default=0)


class PolicySupplyRate(db.Model):
    """Daily use of one item under one policy, per resident and per staff member on duty.

    A policy without a row for an item uses the row of the latest earlier policy that has one."""
    __tablename__ = "policy_supply_rates"
    __table_args__ = (
        CheckConstraint("per_resident >= 0 AND per_staff >= 0", name="rates_not_negative"),
    )

    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id", ondelete="CASCADE"), primary_key=True)
    per_resident: Mapped[float] = mapped_column(Float, default=0.0)
    per_staff: Mapped[float] = mapped_column(Float, default=0.0)

    item: Mapped[SupplyItem] = relationship()
