"""Two headquarters users import the same roster into the same batch at the same moment (PostgreSQL).

Real concurrent transactions, started together by a barrier: one import wins, the other is told the
upload was imported already (same upload) or that every row now names a current resident (two
uploads of the same file); never a 500, never a duplicate."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from quarantine.errors import DomainError
from quarantine.extensions import db as _db
from quarantine.models import Person, TransferBatch, User
from quarantine.transfers import roster_import
from tests.app.transfer_helpers import make_batch, roster_rows, xlsx_file

pytestmark = pytest.mark.postgres


def _import(app, batch_id: int, token: str, barrier: threading.Barrier, outcome: dict, key: str) -> None:
    with app.app_context():  # a context of its own: its own session and connection
        batch = _db.session.get(TransferBatch, batch_id)
        barrier.wait()
        try:
            outcome[key] = roster_import.import_upload(batch, token, drop_bad_rows=False, confirmed_households=set(),
                                                       default_category=None)
        except DomainError as exc:
            outcome[key] = exc
        except Exception as exc:  # any other failure is reported, not swallowed
            outcome[key] = exc
        finally:
            _db.session.remove()


@pytest.mark.parametrize("same_upload", [True, False], ids=["same-upload", "two-uploads-of-one-file"])
@pytest.mark.parametrize("round_", range(3))
def test_concurrent_imports_of_one_roster(app, db, make_user, same_upload, round_):
    batch = make_batch(db)
    user = make_user("hq")
    data = xlsx_file(roster_rows(40))
    first = roster_import.store_upload(batch, data, "r.xlsx", db.session.get(User, user.id))
    second = first if same_upload else roster_import.store_upload(batch, data, "r.xlsx", user)
    tokens, batch_id = [first.token, second.token], batch.id
    db.session.commit()

    barrier, outcome = threading.Barrier(2), {}
    threads = [threading.Thread(target=_import, args=(app, batch_id, token, barrier, outcome, str(i)))
               for i, token in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    results = [outcome[str(i)] for i in range(2)]
    assert sorted(r for r in results if isinstance(r, int)) == [40], results
    [refused] = [r for r in results if not isinstance(r, int)]
    assert isinstance(refused, DomainError), refused
    # The second import reads the file again after the first committed: its 40 people are residents now.
    expected = "no longer kept" if same_upload else "The file still has 40 problem(s)"
    assert expected in str(refused)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Person.id)).where(Person.batch_id == batch_id)) == 40
    assert db.session.scalar(select(func.count(func.distinct(Person.id_number)))) == 40
