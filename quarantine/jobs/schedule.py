"""Housekeeping on the same queue as the plans, run by the workers' scheduler."""
from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab

from quarantine.jobs.queue import huey
from quarantine.jobs.tasks import app_context
from quarantine.transfers.planning import sweep_dead_runs
from quarantine.transfers.roster_import import purge_uploads

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(minute="*"))
def sweep_dead_runs_task() -> None:
    """Every minute: runs whose worker died are tried again once, then marked failed."""
    with app_context():
        retried, failed = sweep_dead_runs()
        if retried or failed:
            log.warning("planning runs of dead workers: %d queued again, %d failed", retried, failed)


UPLOADS_KEPT = timedelta(hours=24)


@huey.periodic_task(crontab(minute="7"))
def purge_uploads_task() -> None:
    """Every hour: roster files previewed but never imported go after a day (imports delete their own)."""
    with app_context():
        gone = purge_uploads(UPLOADS_KEPT)
        if gone:
            log.info("roster uploads older than a day deleted: %d", gone)


@huey.periodic_task(crontab(hour="3", minute="30"))
def purge_personal_data_task() -> None:
    """Every night: people who left more than the policy's retention days ago are anonymised."""
    from quarantine.people import retention
    with app_context():
        days, people = retention.purge()
        if people:
            log.info("data retention: %d people anonymised (left more than %s days ago)", len(people), days)


@huey.periodic_task(crontab(minute="20"))
def release_reminders_task() -> None:
    """Every hour: from 07:00 local time, sites with residents due for release today are reminded once."""
    from quarantine.stays import reminders
    with app_context():
        sent = reminders.remind_sites()
        if sent:
            log.info("release reminders: %d sites", len(sent))
