"""Databases for the benchmarks: a temporary SQLite file, and a throwaway PostgreSQL database
when the local server answers (dropped afterwards)."""
from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def sqlite_url(prefix: str) -> str:
    return f"sqlite:///{Path(tempfile.mkdtemp(prefix=prefix)) / 'bench.db'}"


def _admin(statement: str) -> None:
    engine = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


@contextmanager
def throwaway_postgres(name: str, wanted: bool = True) -> Iterator[str | None]:
    """The URL of a fresh database `name`, or None when PostgreSQL is not wanted or not running."""
    if not wanted:
        yield None
        return
    try:
        _admin(f"DROP DATABASE IF EXISTS {name}")
        _admin(f"CREATE DATABASE {name}")
    except Exception as exc:  # PostgreSQL is optional for the benchmarks
        print(f"PostgreSQL not available ({exc.__class__.__name__}); measuring SQLite only", file=sys.stderr)
        yield None
        return
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name}")
