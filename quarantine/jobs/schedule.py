"""Housekeeping on the same queue as the plans, run by the workers' scheduler."""
from __future__ import annotations

import logging

from huey import crontab

from quarantine.jobs.queue import huey
from quarantine.jobs.tasks import app_context
from quarantine.transfers.planning import sweep_dead_runs

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(minute="*"))
def sweep_dead_runs_task() -> None:
    """Every minute: runs whose worker died are tried again once, then marked failed."""
    with app_context():
        retried, failed = sweep_dead_runs()
        if retried or failed:
            log.warning("planning runs of dead workers: %d queued again, %d failed", retried, failed)
