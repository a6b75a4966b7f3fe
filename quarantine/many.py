"""`column IN (ids)` for the long id lists of a province (1,500 sites).

SQLAlchemy writes one bind parameter per id, and on PostgreSQL psycopg then splits and adapts a
1,500-parameter statement on every query (tens of milliseconds each on the county pages). There a
long list goes as one array parameter instead: `column = ANY(:ids)`; short lists and SQLite keep IN.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Integer, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

from quarantine.extensions import db

LONG = 100


def in_ids(column, ids: Iterable[int]) -> ColumnElement[bool]:
    ids = list(ids)
    if len(ids) > LONG and db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)
