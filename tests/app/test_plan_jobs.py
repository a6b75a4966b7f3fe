"""Planning runs as jobs: queue position, cancel, heartbeat, dead workers swept, the command line.

The test queue runs jobs at once in the test process; tests/app/test_job_worker.py starts real workers.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from quarantine.extensions import db as _db
from quarantine.models import PlanRun
from quarantine.transfers import planning
from quarantine.transfers.plan_job import Heartbeat
from tests.app.transfer_helpers import add_people, make_batch


@pytest.fixture
def batch(db, make_site):
    make_site("Fixed", ready=True)
    batch = make_batch(db)
    add_people(db, batch, 6)
    return batch


def waiting_run(db, batch, **fields) -> PlanRun:
    run = PlanRun(batch_codes=batch.code, status=fields.pop("status", "queued"), people_total=6,
                  enqueued_at=datetime.now(timezone.utc), **fields)
    db.session.add(run)
    db.session.commit()
    return run


def test_queue_position_counts_the_runs_ahead(db, batch):
    first, second, third = (waiting_run(db, batch) for _ in range(3))
    assert [planning.queue_position(r) for r in (first, second, third)] == [1, 2, 3]
    first.status = "running"
    db.session.commit()
    assert planning.queue_position(first) is None and planning.queue_position(third) == 2


def test_a_queued_run_is_cancelled_at_once_and_never_taken(db, batch, signed_in):
    run = waiting_run(db, batch)
    client = signed_in("hq")
    client.post(f"/transfers/plans/{run.id}/cancel")
    db.session.refresh(run)
    assert run.status == "cancelled" and not run.plan_json
    planning.enqueue(run.id)  # a late message from the queue finds nothing to do
    db.session.refresh(run)
    assert run.status == "cancelled" and run.attempts == 0
    assert "cancelled before a planning worker started it" in client.get(f"/transfers/plans/{run.id}").get_data(
        as_text=True)


def test_the_heartbeat_writes_progress_and_reads_the_cancel_request(db, batch):
    run = waiting_run(db, batch, status="running", cancel_requested=True)
    beat = Heartbeat(db.engine, run.id)
    before = datetime.now(timezone.utc)
    beat.beat()
    assert beat.cancel.is_set()
    db.session.expire_all()
    stored = db.session.get(PlanRun, run.id).heartbeat_at
    assert (stored if stored.tzinfo else stored.replace(tzinfo=timezone.utc)) >= before - timedelta(seconds=1)


def test_a_run_whose_worker_died_is_tried_once_more_then_failed(db, batch, signed_in):
    long_ago = datetime.now(timezone.utc) - timedelta(minutes=5)
    retried_run = waiting_run(db, batch, status="running", attempts=1, heartbeat_at=long_ago, worker="gone:1")
    dead_run = waiting_run(db, batch, status="running", attempts=2, heartbeat_at=long_ago, worker="gone:2")
    alive_run = waiting_run(db, batch, status="running", attempts=1, heartbeat_at=datetime.now(timezone.utc))
    assert planning.sweep_dead_runs() == (1, 1)
    db.session.expire_all()
    # Queued again and (the test queue runs at once) carried out by a worker.
    retried = db.session.get(PlanRun, retried_run.id)
    assert retried.status == "done" and retried.attempts == 2 and retried.placed == 6
    dead = db.session.get(PlanRun, dead_run.id)
    assert dead.status == "failed" and dead.error == planning.WORKER_DIED
    assert db.session.get(PlanRun, alive_run.id).status == "running"
    page = signed_in("hq").get(f"/transfers/plans/{dead.id}").get_data(as_text=True)
    assert "stopped twice" in page and "plan again" in page.lower()


def test_reading_a_run_notices_a_dead_worker(db, batch, signed_in):
    run = waiting_run(db, batch, status="running", attempts=2,
                      heartbeat_at=datetime.now(timezone.utc) - timedelta(minutes=2))
    progress = signed_in("hq").get(f"/transfers/plans/{run.id}/progress.json").get_json()
    assert progress["status"] == "failed"


def test_command_line_starts_a_run_and_reports_its_status(app, db, batch):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["plan", "start", "--batch", batch.code, "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    run_id = result.output.strip().splitlines()[-1]
    assert run_id.isdigit()
    status = runner.invoke(args=["plan", "status", run_id])
    assert status.exit_code == 0 and status.output.split()[:2] == ["done", "6/6"]
    missing = runner.invoke(args=["plan", "start", "--batch", "NOPE"])
    assert missing.exit_code == 1 and "no batch with code NOPE" in missing.output
    nobody = runner.invoke(args=["plan", "start", "--batch", batch.code])  # everyone is planned already?
    assert nobody.exit_code == 0  # a plan is only a proposal: the people still wait for a bed
    unknown = runner.invoke(args=["plan", "status", "999"])
    assert unknown.exit_code == 1 and "no planning run 999" in unknown.output


def test_queued_status_on_the_command_line_shows_the_position(app, db, batch):
    run = waiting_run(db, batch)
    status = app.test_cli_runner().invoke(args=["plan", "status", str(run.id)])
    assert status.output.startswith("queued 0/6") and "position 1" in status.output


def test_the_plan_button_answers_without_solving_when_a_worker_does_it(db, batch, signed_in, monkeypatch):
    """The web process only queues: with a real queue nothing is solved in the request."""
    queued = []
    monkeypatch.setattr(planning, "plan_task", lambda run_id: queued.append(run_id))
    client = signed_in("hq")
    response = client.post("/transfers/plan", data={"batches": [batch.id], "time_limit": 5})
    run = _db.session.scalar(select(PlanRun))
    assert response.status_code == 302 and queued == [run.id] and run.status == "queued"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "position in the queue" in page and 'id="queue-position">1<' in page
