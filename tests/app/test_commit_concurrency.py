"""Two headquarters users commit plans for the same rooms at the same moment (PostgreSQL).

Both plans are made from the same state, so each one wants every free room. Real concurrent
transactions, started together by a barrier, must end with exactly one plan committed, no room
above its beds and no room shared by two households."""
from __future__ import annotations

import threading
from collections import defaultdict

import pytest
from sqlalchemy import select

from quarantine.extensions import db as _db
from quarantine.models import PlanRun, Reservation, Room, User
from quarantine.transfers import planning
from quarantine.transfers.commit import PlanIsStale, commit_plan
from tests.app.transfer_helpers import add_people, make_batch

pytestmark = pytest.mark.postgres


def _commit_in_own_transaction(app, run_id: int, user_id: int, barrier: threading.Barrier, outcome: dict) -> None:
    with app.app_context():  # a context of its own: its own session and connection
        run, user = _db.session.get(PlanRun, run_id), _db.session.get(User, user_id)
        barrier.wait()
        try:
            outcome[run_id] = commit_plan(run, user)
        except PlanIsStale as exc:
            outcome[run_id] = exc
        except Exception as exc:  # any other failure is reported, not swallowed
            outcome[run_id] = exc
        finally:
            _db.session.remove()


@pytest.mark.parametrize("round_", range(5))
def test_concurrent_commits_never_double_book(app, db, make_site, make_user, round_):
    make_site("Only site", ready=True, floors=(1, 1), rooms_per_floor=4, beds=1)
    first, second = make_batch(db, "TK-A"), make_batch(db, "TK-B")
    add_people(db, first, 4)
    add_people(db, second, 4, start=50)
    user = make_user("hq")
    runs = [planning.queue_plan([b], user, time_limit=5) for b in (first, second)]
    for run in runs:
        db.session.refresh(run)
        assert run.placed == 4  # each plan, alone, takes all four rooms
    run_ids, user_id = [r.id for r in runs], user.id
    db.session.commit()

    barrier, outcome = threading.Barrier(2), {}
    threads = [threading.Thread(target=_commit_in_own_transaction, args=(app, rid, user_id, barrier, outcome))
               for rid in run_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    results = [outcome[rid] for rid in run_ids]
    committed = [r for r in results if r == 4]
    refused = [r for r in results if isinstance(r, PlanIsStale)]
    assert len(committed) == 1 and len(refused) == 1, results

    db.session.expire_all()
    households: dict[int, set[str]] = defaultdict(set)
    for reservation in db.session.scalars(select(Reservation).where(Reservation.status == "reserved")):
        households[reservation.room_id].add(f"{reservation.person.batch_id}:{reservation.person.household}")
    for room in db.session.scalars(select(Room)):
        assert room.held <= room.beds
        assert room.reserved == sum(1 for r in db.session.scalars(select(Reservation).where(
            Reservation.room_id == room.id, Reservation.status == "reserved")))
        assert len(households[room.id]) <= 1
    assert sum(len(h) for h in households.values()) == 4
    statuses = sorted(db.session.scalars(select(PlanRun.status)))
    assert statuses == ["committed", "done"]
