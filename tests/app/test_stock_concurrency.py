"""Two site managers issue the last items of a store at the same moment (PostgreSQL).

Each transaction alone could take them. Real concurrent transactions, started together by a
barrier, must end with exactly one issue recorded and the other refused with the message a user
sees, the stock at zero, and the movements' sum equal to the balance row."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from quarantine.errors import DomainError
from quarantine.extensions import db as _db
from quarantine.models import StockBalance, StockMovement, Store, SupplyItem, User
from quarantine.supplies import services

pytestmark = pytest.mark.postgres


def _in_own_transaction(app, action, barrier: threading.Barrier, outcome: list) -> None:
    with app.app_context():  # a context of its own: its own session and connection
        try:
            barrier.wait()
            outcome.append(action())
        except DomainError as exc:
            outcome.append(exc)
        except Exception as exc:  # any other failure is reported, not swallowed
            outcome.append(exc)
        finally:
            _db.session.remove()


def _run_together(app, actions) -> list:
    barrier, outcome = threading.Barrier(len(actions)), []
    threads = [threading.Thread(target=_in_own_transaction, args=(app, a, barrier, outcome)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcome


def _issue(store_id: int, item_id: int, user_id: int, quantity: int):
    def action():
        store, item, user = (_db.session.get(Store, store_id), _db.session.get(SupplyItem, item_id),
                             _db.session.get(User, user_id))
        return services.issue(store, item, quantity, user, "last ones").quantity
    return action


@pytest.mark.parametrize("round_", range(5))
def test_concurrent_issues_of_the_last_items_cannot_both_succeed(app, db, make_site, make_user, round_):
    site = make_site("Only site", ready=True)
    user = make_user("site_manager", sites=[site])
    store = services.site_store(site, create=True)
    suits = db.session.scalar(select(SupplyItem).where(SupplyItem.code == "protective_suit"))
    services.receive(store, suits, 3, user)
    ids = (store.id, suits.id, user.id)
    db.session.commit()

    results = _run_together(app, [_issue(*ids, quantity=3), _issue(*ids, quantity=2)])

    issued = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(issued) == 1 and len(refused) == 1, results
    assert "cannot leave it" in str(refused[0])
    db.session.expire_all()
    total = db.session.scalar(select(func.sum(StockMovement.quantity)).where(StockMovement.store_id == store.id))
    assert total == 3 + issued[0] >= 0
    assert db.session.get(StockBalance, (store.id, suits.id)).quantity == total
    assert db.session.scalar(select(func.count(StockMovement.id)).where(StockMovement.kind == "issued")) == 1


def test_concurrent_first_receipts_both_count(app, db, make_site, make_user):
    """Two deliveries of an item the store never held: both balance rows race to exist; both count."""
    site = make_site("Only site", ready=True)
    user = make_user("site_manager", sites=[site])
    store = services.site_store(site, create=True)
    gloves = db.session.scalar(select(SupplyItem).where(SupplyItem.code == "gloves"))
    ids = (store.id, gloves.id, user.id)
    db.session.commit()

    def receive(quantity):
        def action():
            s, i, u = _db.session.get(Store, ids[0]), _db.session.get(SupplyItem, ids[1]), _db.session.get(User, ids[2])
            return services.receive(s, i, quantity, u).quantity
        return action

    results = _run_together(app, [receive(40), receive(60)])
    assert sorted(results) == [40, 60], results
    db.session.expire_all()
    assert services.stock_of(db.session.get(Store, store.id)) == {gloves.id: 100}
    assert db.session.get(StockBalance, (store.id, gloves.id)).quantity == 100
