"""Jobs other processes put on the queue. Each runs inside a Flask app context of the worker."""
from __future__ import annotations

import os
import socket
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context

from quarantine import create_app
from quarantine.extensions import db
from quarantine.jobs.queue import huey
from quarantine.transfers.plan_job import run_plan

# A site's gateway that is down is tried again: after 30 s, 1, 2, 4 and 8 minutes, then given up.
WEBHOOK_RETRIES = int(os.environ.get("WEBHOOK_RETRIES", "5"))
WEBHOOK_RETRY_DELAY = float(os.environ.get("WEBHOOK_RETRY_DELAY", "30"))

_worker_app: Flask | None = None


def use_app(app: Flask) -> None:
    """The app the worker's jobs run in (set once by `flask jobs worker`)."""
    global _worker_app
    _worker_app = app


@contextmanager
def app_context():
    if has_app_context():  # immediate mode: the caller's own app and session
        yield current_app
        return
    app = _worker_app
    if app is None:  # a worker started without the command: make its app once
        app = create_app()
        use_app(app)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@huey.task()
def plan_task(run_id: int) -> None:
    """Carry out one planning run (one at a time per worker process)."""
    with app_context():
        run_plan(run_id, worker_name())


@huey.task(retries=WEBHOOK_RETRIES, retry_delay=WEBHOOK_RETRY_DELAY, retry_backoff=2, context=True)
def deliver_notice_task(notice_id: int, task=None) -> None:
    """POST one arrival notice to its site's webhook; a refusal raises, so Huey tries again later."""
    from quarantine.county.notices import deliver
    with app_context():
        deliver(notice_id, final_attempt=task is None or task.retries == 0)


@huey.task(retries=WEBHOOK_RETRIES, retry_delay=WEBHOOK_RETRY_DELAY, retry_backoff=2, context=True)
def deliver_reminder_task(reminder_id: int, task=None) -> None:
    """POST one release reminder to its site's webhook, retried like the arrival notices."""
    from quarantine.stays.reminders import deliver
    with app_context():
        deliver(reminder_id, final_attempt=task is None or task.retries == 0)
