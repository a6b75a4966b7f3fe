"""Stock: stores, the append-only movements, and current stock as their sum.

Every movement locks the (store, item) balance row first (SELECT ... FOR UPDATE on PostgreSQL),
checks that the stock stays at or above zero, and writes the movement and the new balance in
the same transaction; a refused movement leaves nothing behind. Each function is one user
action and commits at its end.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timezone

from flask_babel import get_locale
from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.many import in_ids
from quarantine.models import MovementKind, Site, StockBalance, StockMovement, Store, SupplyItem, User

# Largest quantity one movement may carry: far above any real delivery, below any typing slip of digits.
MAX_QUANTITY = 1_000_000


def item_label(item: SupplyItem) -> str:
    return item.label(str(get_locale() or "zh"))


def unit_label(item: SupplyItem) -> str:
    return item.unit(str(get_locale() or "zh"))


def store_label(store: Store) -> str:
    return store.site.name if store.site is not None else store.name


# --- stores and items ---------------------------------------------------------------------------

def county_stores() -> list[Store]:
    return list(db.session.scalars(select(Store).where(Store.kind == "county").order_by(Store.id)))


def site_store(site: Site, create: bool = False) -> Store | None:
    """The site's own store (its clean-zone warehouse); made on the first movement, not on reading."""
    store = db.session.scalar(select(Store).where(Store.site_id == site.id))
    if store is None and create:
        store = Store(kind="site", site=site, name=f"site-{site.id}")
        db.session.add(store)
        db.session.flush()
    return store


def site_stores(site_ids: Iterable[int]) -> dict[int, Store]:
    ids = list(site_ids)
    if not ids:
        return {}
    return {s.site_id: s for s in db.session.scalars(select(Store).where(in_ids(Store.site_id, ids)))}


def items(include_inactive: bool = False) -> list[SupplyItem]:
    query = select(SupplyItem).order_by(SupplyItem.sort, SupplyItem.code)
    if not include_inactive:
        query = query.where(SupplyItem.active)
    return list(db.session.scalars(query))


def save_item(item: SupplyItem, *, code: str, label_zh: str, label_en: str, unit_zh: str, unit_en: str,
              per_bed: int, sort: int, active: bool) -> SupplyItem:
    item.code, item.label_zh, item.label_en = code.strip(), label_zh.strip(), label_en.strip()
    item.unit_zh, item.unit_en = unit_zh.strip(), unit_en.strip()
    item.per_bed, item.sort, item.active = per_bed, sort, active
    db.session.add(item)
    db.session.commit()
    return item


# --- current stock ------------------------------------------------------------------------------

def stock_levels(store_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """Current stock: store id -> item id -> the sum of that store's movements of the item."""
    ids = list(store_ids)
    levels: dict[int, dict[int, int]] = defaultdict(dict)
    if not ids:
        return levels
    rows = db.session.execute(select(StockMovement.store_id, StockMovement.item_id, func.sum(StockMovement.quantity))
                              .where(StockMovement.store_id.in_(ids))
                              .group_by(StockMovement.store_id, StockMovement.item_id))
    for store_id, item_id, total in rows:
        levels[store_id][item_id] = int(total)
    return levels


def stock_of(store: Store | None) -> dict[int, int]:
    """Item id -> current stock of one store (an empty dict for a store not yet made)."""
    return {} if store is None else stock_levels([store.id]).get(store.id, {})


def history(store: Store, limit: int = 200) -> list[StockMovement]:
    return list(db.session.scalars(select(StockMovement).where(StockMovement.store_id == store.id)
                                   .order_by(StockMovement.at.desc(), StockMovement.id.desc()).limit(limit)))


# --- movements ----------------------------------------------------------------------------------

def receive(store: Store, item: SupplyItem, quantity: int, user: User, note: str = "") -> StockMovement:
    """Stock delivered from outside: a supplier, another city, a donation."""
    _positive(quantity)
    movement = _move(store, item, MovementKind.RECEIVED, quantity, user, note)
    db.session.commit()
    return movement


def issue(store: Store, item: SupplyItem, quantity: int, user: User, note: str = "") -> StockMovement:
    """Stock issued for use; refused when the store holds less."""
    _positive(quantity)
    movement = _move(store, item, MovementKind.ISSUED, -quantity, user, note)
    db.session.commit()
    return movement


def count(store: Store, item: SupplyItem, counted: int, user: User, note: str = "") -> StockMovement:
    """A stock count: records what was counted and, as its quantity, the difference it makes."""
    if counted < 0 or counted > MAX_QUANTITY:
        db.session.rollback()
        raise DomainError(_("A count is between 0 and %(max)d.", max=MAX_QUANTITY))
    balance = _locked_balances([(store.id, item.id)])[(store.id, item.id)]
    movement = _add_movement(store, item, MovementKind.COUNT, counted - balance.quantity, user, note, balance,
                             counted=counted)
    db.session.commit()
    return movement


def send(source: Store, destination: Store, quantities: list[tuple[SupplyItem, int]], user: User,
         note: str = "") -> list[StockMovement]:
    """Send items from one store to another: for each item a movement out of the source and one
    into the destination, all or none."""
    if source.id == destination.id:
        db.session.rollback()
        raise DomainError(_("Choose another store to send to."))
    wanted = [(item, quantity) for item, quantity in quantities if quantity]
    if not wanted:
        db.session.rollback()
        raise DomainError(_("Give a quantity for at least one item."))
    for _item, quantity in wanted:
        _positive(quantity)
    # Both stores' rows locked together, in one order, so two opposite transfers cannot deadlock.
    balances = _locked_balances([(store.id, item.id) for item, _q in wanted for store in (source, destination)])
    movements = []
    for item, quantity in wanted:
        movements.append(_add_movement(source, item, MovementKind.TRANSFER_OUT, -quantity, user, note,
                                       balances[(source.id, item.id)], other=destination))
        movements.append(_add_movement(destination, item, MovementKind.TRANSFER_IN, quantity, user, note,
                                       balances[(destination.id, item.id)], other=source))
    db.session.commit()
    return movements


def _positive(quantity: int) -> None:
    if quantity < 1 or quantity > MAX_QUANTITY:
        db.session.rollback()
        raise DomainError(_("A quantity is a whole number from 1 to %(max)d.", max=MAX_QUANTITY))


def _move(store: Store, item: SupplyItem, kind: MovementKind, quantity: int, user: User, note: str) -> StockMovement:
    balance = _locked_balances([(store.id, item.id)])[(store.id, item.id)]
    return _add_movement(store, item, kind, quantity, user, note, balance)


def _add_movement(store: Store, item: SupplyItem, kind: MovementKind, quantity: int, user: User, note: str,
                  balance: StockBalance, *, counted: int | None = None, other: Store | None = None) -> StockMovement:
    if balance.quantity + quantity < 0:
        have = balance.quantity
        db.session.rollback()
        raise DomainError(_("%(store)s holds %(have)d %(unit)s of %(item)s; %(want)d cannot leave it.",
                            store=store_label(store), have=have, unit=unit_label(item), item=item_label(item),
                            want=-quantity))
    balance.quantity += quantity
    movement = StockMovement(store_id=store.id, item_id=item.id, kind=kind.value, quantity=quantity, counted=counted,
                             other_store_id=other.id if other else None, note=note.strip()[:200],
                             at=datetime.now(timezone.utc), user_id=user.id)
    db.session.add(movement)
    return movement


def _locked_balances(keys: list[tuple[int, int]]) -> dict[tuple[int, int], StockBalance]:
    """The balance rows of (store id, item id), made if missing, each locked until the commit."""
    keys = sorted(set(keys))
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(StockBalance).values([{"store_id": s, "item_id": i, "quantity": 0} for s, i in keys])
                       .on_conflict_do_nothing())
    rows = db.session.scalars(
        select(StockBalance).where(or_(*(and_(StockBalance.store_id == s, StockBalance.item_id == i) for s, i in keys)))
        .order_by(StockBalance.store_id, StockBalance.item_id)
        .with_for_update().execution_options(populate_existing=True))
    return {(b.store_id, b.item_id): b for b in rows}
