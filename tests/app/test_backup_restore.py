"""Backup and restore as docs/deployment.md describes them: pg_dump of the live database, pg_restore
into a fresh one, and the copy holds the same rows and the same schema version."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from quarantine.extensions import db as _db

pytestmark = pytest.mark.postgres


def _libpq(url: str) -> list[str]:
    u = make_url(url)
    return ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]


def test_pg_dump_and_pg_restore_give_the_same_database(app, db, tmp_path):
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not installed (Debian package postgresql-client)")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    db.session.commit()
    url = os.environ["TEST_DATABASE_URL"]
    source = make_url(url).database
    copy = f"{source}_restore_copy"
    dump = tmp_path / "quarantine.dump"
    subprocess.run(["pg_dump", *_libpq(url), "-Fc", "-f", str(dump), source], check=True, timeout=120)

    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {copy}"))
        conn.execute(text(f"CREATE DATABASE {copy}"))
    try:
        subprocess.run(["pg_restore", *_libpq(url), "--no-owner", "-d", copy, str(dump)], check=True, timeout=120)
        restored = create_engine(make_url(url).set(database=copy))
        with restored.connect() as conn:
            for table in _db.metadata.sorted_tables:
                original = db.session.scalar(select(func.count()).select_from(table))
                assert conn.scalar(select(func.count()).select_from(table)) == original, table.name
            version = db.session.scalar(text("SELECT version_num FROM alembic_version"))
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == version
        restored.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {copy}"))
        admin.dispose()
