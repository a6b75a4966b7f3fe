"""`flask jobs worker`: a Huey consumer whose worker processes take plans one at a time, plus a sweeper."""
from __future__ import annotations

import logging
import threading

from flask import Flask
from huey.consumer import Consumer

from quarantine.extensions import db
from quarantine.jobs import schedule  # noqa: F401  (registers the periodic tasks with the consumer)
from quarantine.jobs.queue import huey
from quarantine.jobs.tasks import use_app
from quarantine.transfers.planning import sweep_dead_runs

log = logging.getLogger(__name__)


def _sweep_forever(app: Flask, stop: threading.Event) -> None:
    """Look for runs of dead workers every JOBS_SWEEP_SECONDS (10 s), so one is noticed within a minute."""
    while not stop.wait(app.config["JOBS_SWEEP_SECONDS"]):
        try:
            with app.app_context():
                sweep_dead_runs()
                db.session.remove()
        except Exception:  # noqa: BLE001 - keep sweeping; the error is logged
            log.exception("sweeping dead planning runs failed")


def run_worker(app: Flask, workers: int = 1) -> None:
    """Block serving the queue: `workers` processes, each running one job at a time."""
    use_app(app)
    db.engine.dispose()  # forked workers must open their own database connections
    stop = threading.Event()
    threading.Thread(target=_sweep_forever, args=(app, stop), name="sweeper", daemon=True).start()
    consumer = Consumer(huey, workers=workers, worker_type="process", periodic=True, check_worker_health=True)
    try:
        consumer.run()
    finally:
        stop.set()
