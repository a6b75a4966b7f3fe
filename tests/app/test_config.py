"""Configuration from the environment: the PgBouncer setting reaches psycopg, and works on a real server."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from quarantine.config import build_config


def test_pgbouncer_turns_off_server_side_prepared_statements(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("DATABASE_POOLER", "pgbouncer")
    monkeypatch.setenv("DATABASE_URL", "postgresql://quarantine@db:6432/quarantine")
    config = build_config(tmp_path, {"SECRET_KEY": "x"})
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"prepare_threshold": None}
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_without_a_pooler_nothing_changes(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("DATABASE_POOLER", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://quarantine@db/quarantine")
    assert "connect_args" not in build_config(tmp_path, {"SECRET_KEY": "x"})["SQLALCHEMY_ENGINE_OPTIONS"]


@pytest.mark.postgres
def test_the_pooler_setting_runs_repeated_queries_on_postgresql(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("DATABASE_POOLER", "pgbouncer")
    monkeypatch.setenv("DATABASE_URL", os.environ["TEST_DATABASE_URL"])
    config = build_config(tmp_path, {"SECRET_KEY": "x"})
    engine = create_engine(config["SQLALCHEMY_DATABASE_URI"], **config["SQLALCHEMY_ENGINE_OPTIONS"])
    with engine.connect() as conn:
        # psycopg would prepare this statement from the 5th run on; with the setting it never does.
        assert [conn.execute(text("SELECT 1 + :n"), {"n": n}).scalar() for n in range(8)] == list(range(1, 9))
        assert conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar() == 0
    engine.dispose()
