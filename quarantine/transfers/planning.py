"""Planning runs from the web page and the command line: queued for a planning worker, watched, cancelled.

The web process never solves: it records a queued run and hands its id to the job queue; a
worker (quarantine.jobs) claims it, builds the scenario from the live state, solves it and
writes progress and the result to the database, where any web process can read them. A worker
that dies is noticed by its missing heartbeat: the run is tried once more, then marked failed.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import func, select, update

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.jobs.tasks import plan_task
from quarantine.models import PlanRun, TransferBatch, User
from quarantine.transfers.scenario import pending_count

# A queued run nobody has claimed for this long is handed to the queue again (its message may be lost).
REQUEUE_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 2
WORKER_DIED = "worker_died"  # the error code of a run whose worker stopped on every attempt


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def stale_after() -> timedelta:
    """How long a running plan may go without a heartbeat before its worker counts as dead."""
    return timedelta(seconds=current_app.config["PLAN_STALE_SECONDS"])


def queue_plan(batches: list[TransferBatch], user: User | None, time_limit: float = 10.0) -> PlanRun:
    """Queue a run for the people of `batches` still without a bed; returns at once."""
    if not batches:
        raise DomainError(_("Choose at least one batch to plan."))
    total = pending_count([b.id for b in batches])
    if total == 0:
        raise DomainError(_("These batches have nobody waiting for a room. Import their rosters first."))
    run = PlanRun(created_by_id=user.id if user else None, batch_codes=",".join(b.code for b in batches),
                  status="queued", time_limit=time_limit, people_total=total, enqueued_at=utcnow())
    db.session.add(run)
    db.session.commit()
    enqueue(run.id)
    db.session.refresh(run)  # the queue may have run it already (immediate mode)
    return run


def enqueue(run_id: int) -> None:
    plan_task(run_id)


def request_cancel(run: PlanRun) -> None:
    """A queued run is cancelled at once; a running one stops at the worker's next heartbeat and keeps
    the best plan found so far."""
    if run.status == "queued":
        changed = db.session.execute(update(PlanRun).where(PlanRun.id == run.id, PlanRun.status == "queued")
                                     .values(status="cancelled", cancel_requested=True)).rowcount
        db.session.commit()
        if changed:
            return
        db.session.refresh(run)
    if run.status != "running":
        raise DomainError(_("This planning run has already finished."))
    run.cancel_requested = True
    db.session.commit()


def queue_position(run: PlanRun) -> int | None:
    """1 for the next run a worker will take; None once the run is no longer waiting."""
    if run.status != "queued":
        return None
    ahead = db.session.scalar(select(func.count(PlanRun.id)).where(PlanRun.status == "queued",
                                                                   PlanRun.id < run.id)) or 0
    return ahead + 1


def sweep_dead_runs(now: datetime | None = None) -> tuple[int, int]:
    """Runs whose worker went silent: queued again while attempts remain, else failed. Returns (retried, failed).

    Safe to run from many processes at once: every change is a conditional UPDATE.
    """
    now = now or utcnow()
    silent_since = now - stale_after()
    stale = db.session.execute(select(PlanRun.id, PlanRun.attempts).where(
        PlanRun.status == "running", PlanRun.heartbeat_at < silent_since)).all()
    retried = failed = 0
    for run_id, attempts in stale:
        alive = (PlanRun.id == run_id) & (PlanRun.status == "running") & (PlanRun.heartbeat_at < silent_since)
        if attempts < MAX_ATTEMPTS:
            if db.session.execute(update(PlanRun).where(alive).values(status="queued", enqueued_at=now, worker="")
                                  .execution_options(synchronize_session=False)).rowcount:
                db.session.commit()
                enqueue(run_id)
                retried += 1
        elif db.session.execute(update(PlanRun).where(alive).values(status="failed", error=WORKER_DIED)
                                .execution_options(synchronize_session=False)).rowcount:
            db.session.commit()
            failed += 1
    db.session.commit()
    # Compared in SQL: the session's objects may hold naive (SQLite) or aware (PostgreSQL) times.
    for run_id in db.session.scalars(select(PlanRun.id).where(PlanRun.status == "queued",
                                                              PlanRun.enqueued_at < now - REQUEUE_AFTER)).all():
        db.session.execute(update(PlanRun).where(PlanRun.id == run_id).values(enqueued_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()
        enqueue(run_id)
    return retried, failed


def refresh_status(run: PlanRun) -> PlanRun:
    """The run as it is now, a dead worker noticed on the spot (pages and the command line ask this)."""
    if run.status == "running" and run.heartbeat_at is not None:
        beat = run.heartbeat_at if run.heartbeat_at.tzinfo else run.heartbeat_at.replace(tzinfo=timezone.utc)
        if beat < utcnow() - stale_after():
            sweep_dead_runs()
            db.session.refresh(run)
    return run
