"""The job queue: Huey on Redis in production (REDIS_URL), on a SQLite file otherwise.

Huey was chosen because it has both backends behind one API: an embedded SQLite store that
needs no server (`make run` on one machine) and Redis for several web and worker machines,
periodic tasks on the same queue, and an immediate mode in which tests run jobs in-process.
The queue is configured from the environment when this module is imported, before any task
is declared, because Huey binds tasks to one queue object.
"""
from __future__ import annotations

import os
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

QUEUE_NAME = "quarantine"


def jobs_database() -> Path:
    """Where the embedded queue keeps its jobs: JOBS_DB, else instance/jobs.db beside the app's database."""
    instance = Path(os.environ.get("QUARANTINE_INSTANCE_PATH") or Path.cwd() / "instance")
    path = Path(os.environ.get("JOBS_DB") or instance / "jobs.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def make_queue() -> Huey:
    immediate = os.environ.get("JOBS_IMMEDIATE", "0") == "1"
    redis_url = os.environ.get("REDIS_URL")
    if redis_url and not immediate:
        return RedisHuey(QUEUE_NAME, url=redis_url, results=False)
    if immediate:
        # In-memory, run at once in the calling process: the test suite's mode.
        return Huey(QUEUE_NAME, immediate=True, results=False)
    return SqliteHuey(QUEUE_NAME, filename=str(jobs_database()), results=False)


huey = make_queue()


def backend_name() -> str:
    if huey.immediate:
        return "immediate"
    return "redis" if isinstance(huey, RedisHuey) else "sqlite"
