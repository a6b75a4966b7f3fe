"""Real planning workers: a worker killed with SIGKILL in the middle of a solve does not leave its run
"running" for ever; another worker carries it out (embedded SQLite queue, and Redis when it runs).

Everything goes through the command line as an operator would: `flask db upgrade`, `flask plan
start`, `flask jobs worker`, `flask plan status`.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP = """
import sys
from flask_migrate import upgrade
from bench.generate import Preset, PRESETS, generate
from bench.live_planning_bench import load_scenario_into_db
from quarantine import create_app
PRESETS["worker-test"] = Preset(4000, 80, 16000, 4)
app = create_app()
with app.app_context():
    upgrade()
    print(load_scenario_into_db(generate("worker-test", 3)))
"""


def _redis_url() -> str | None:
    try:
        import redis
        client = redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=1)
        client.ping()
        client.flushdb()
        return "redis://127.0.0.1:6379/15"
    except Exception:
        return None


PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_WORKER_DB = "qtest_job_worker"


def _postgres_url() -> str | None:
    """A fresh PostgreSQL database of its own (the test session's database is in use), when the server runs."""
    from sqlalchemy import create_engine, text
    try:
        engine = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT",
                               connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {PG_WORKER_DB}"))
            conn.execute(text(f"CREATE DATABASE {PG_WORKER_DB}"))
        engine.dispose()
        return f"{PG_SERVER}/{PG_WORKER_DB}"
    except Exception:
        return None


def _env(tmp_path: Path, redis_url: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "JOBS_IMMEDIATE")}
    # The production pairing: Redis workers on PostgreSQL (SQLite when no server runs).
    database = (_postgres_url() if redis_url else None) or f"sqlite:///{tmp_path / 'app.db'}"
    env.update({"FLASK_APP": "wsgi.py", "DATABASE_URL": database,
                "JOBS_DB": str(tmp_path / "jobs.db"), "SECRET_KEY": "worker-test", "JOBS_IMMEDIATE": "0",
                "PLAN_STALE_SECONDS": "4", "JOBS_SWEEP_SECONDS": "1", "PYTHONPATH": str(ROOT)})
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _flask(env, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _worker(env, tmp_path: Path, name: str) -> subprocess.Popen:
    log = open(tmp_path / f"{name}.log", "w")
    # Its own process group, so SIGKILL reaches the consumer and its worker processes alike.
    return subprocess.Popen([sys.executable, "-m", "flask", "jobs", "worker"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _status(env, run_id: str) -> str:
    return _flask(env, "plan", "status", run_id).strip()


def _wait_for(env, run_id: str, words: tuple[str, ...], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    status = ""
    while time.monotonic() < deadline:
        status = _status(env, run_id)
        if status.split()[0] in words:
            return status
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} still {status!r} after {seconds} s")


@pytest.mark.worker
@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_worker_killed_mid_solve_leaves_no_run_running(tmp_path, backend):
    redis_url = _redis_url() if backend == "redis" else None
    if backend == "redis" and redis_url is None:
        pytest.skip("Redis is not running at 127.0.0.1:6379 (.ci/run starts it)")
    env = _env(tmp_path, redis_url)
    setup = subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env={**env, "FLASK_APP": ""},
                           capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stderr

    out = _flask(env, "plan", "start", "--batch", "B1", "--batch", "B2", "--batch", "B3", "--batch", "B4", "--time-limit", "12")
    run_id = out.strip().splitlines()[-1]
    assert run_id.isdigit(), out
    assert _status(env, run_id).startswith("queued")

    first = _worker(env, tmp_path, "first")
    try:
        _wait_for(env, run_id, ("running",), 60)
        time.sleep(0.5)  # the solver is at work (the run's time limit is 12 s)
        assert _status(env, run_id).startswith("running")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)

    second = _worker(env, tmp_path, "second")
    try:
        final = _wait_for(env, run_id, ("done", "failed"), 120)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        try:
            second.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(second.pid, signal.SIGKILL)
    # The dead worker's attempt is noticed by the missing heartbeat and the run is tried once more.
    assert final.startswith("done "), final
    placed, total = final.split()[1].split("/")
    assert int(placed) > 0 and int(total) == 4000
