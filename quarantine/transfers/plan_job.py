"""The worker's side of a planning run: claim it, build the scenario, solve with a heartbeat, store the result.

The heartbeat thread is the run's link to the rest of the deployment: every HEARTBEAT_SECONDS
it writes the best plan's figures and the time (so the progress page moves and a dead worker
is noticed) and reads the cancel request (so Cancel works from any web process).
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import Engine, select, update

import planner
from quarantine.extensions import db
from quarantine.models import PlanRun, Site, TransferBatch
from quarantine.transfers.plan_store import StoredReason, save_plan, save_scenario
from quarantine.transfers.scenario import build_scenario, site_key

HEARTBEAT_SECONDS = 2.0

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Heartbeat(threading.Thread):
    """Writes progress and a sign of life; turns a cancel request into the solver's cancel event."""

    def __init__(self, engine: Engine, run_id: int) -> None:
        super().__init__(name=f"plan-{run_id}-heartbeat", daemon=True)
        self.engine, self.run_id = engine, run_id
        self.cancel = threading.Event()
        self.stopped = threading.Event()
        self.latest: planner.Progress | None = None

    def progress(self, report: planner.Progress) -> None:
        self.latest = report  # called from the solver's thread; written by the heartbeat

    def beat(self) -> None:
        values: dict = {"heartbeat_at": utcnow()}
        if self.latest is not None:
            values.update(placed=self.latest.placed, objective=self.latest.objective, bound=self.latest.bound,
                          elapsed=self.latest.elapsed)
        with self.engine.begin() as conn:
            conn.execute(update(PlanRun).where(PlanRun.id == self.run_id).values(**values))
            if conn.scalar(select(PlanRun.cancel_requested).where(PlanRun.id == self.run_id)):
                self.cancel.set()

    def run(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                self.beat()
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the solve; the next beat retries
                log.exception("heartbeat of planning run %s failed", self.run_id)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=HEARTBEAT_SECONDS * 2)


def claim(run_id: int, worker: str) -> bool:
    """Take a queued run; False when another worker has it or it was cancelled meanwhile."""
    now = utcnow()
    taken = db.session.execute(update(PlanRun).where(PlanRun.id == run_id, PlanRun.status == "queued")
                               .values(status="running", worker=worker, started_at=now, heartbeat_at=now,
                                       attempts=PlanRun.attempts + 1)).rowcount
    db.session.commit()
    return bool(taken)


def run_plan(run_id: int, worker: str) -> None:
    if not claim(run_id, worker):
        return
    run = db.session.get(PlanRun, run_id)
    try:
        _solve(run)
    except Exception as exc:
        db.session.rollback()
        log.exception("planning run %s failed", run_id)
        db.session.execute(update(PlanRun).where(PlanRun.id == run_id).values(status="failed", error=str(exc)[:2000]))
        db.session.commit()


def _solve(run: PlanRun) -> None:
    batches = list(db.session.scalars(select(TransferBatch).where(TransferBatch.code.in_(run.batch_code_list))
                                      .order_by(TransferBatch.created_at)))
    scenario = build_scenario(batches, name="+".join(b.code for b in batches))
    save_scenario(run, scenario)
    run.people_total = len(scenario.people)
    db.session.commit()  # hold no transaction open while the heartbeat writes

    heartbeat = Heartbeat(db.engine, run.id)
    heartbeat.start()
    started = time.perf_counter()
    try:
        result = planner.solve(scenario, time_limit=run.time_limit, workers=current_app.config["PLANNER_THREADS"], seed=0,
                               progress=heartbeat.progress, cancel=heartbeat.cancel)
    finally:
        heartbeat.stop()
    db.session.refresh(run)
    names = dict(db.session.execute(select(Site.id, Site.name)).all())
    save_plan(run, result.plan, reasons_of_result(result), {site_key(i): n for i, n in names.items()})
    run.status = "cancelled" if heartbeat.cancel.is_set() else "done"
    run.objective, run.bound = result.objective, result.bound
    run.placed_bound = result.placed_bound
    run.placed_bound_status = result.placed_bound_status or ""
    run.elapsed = round(time.perf_counter() - started, 3)
    run.summary = result.summary()
    run.heartbeat_at = utcnow()
    db.session.commit()


def reasons_of_result(result: planner.SolveResult) -> dict[str, StoredReason]:
    """The planner's reason for each person left out, as a code and its parameters."""
    return {person: StoredReason(reason.code, {k: str(v) for k, v in reason.params.items()},
                                 tuple(reason.suggested_sites))
            for person, reason in result.reasons.items()}
