"""Long lists in pages: the page number from the query string, kept in range, and a page of rows."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import request
from sqlalchemy import Select, func, select

from quarantine.extensions import db

T = TypeVar("T")
MAX_PAGE = 100_000  # ?page=99999999999999999999 is a typing error, not a request for row 10^21


def page_arg(name: str = "page") -> int:
    """The requested page, 1 when missing or not a number, never beyond MAX_PAGE."""
    raw = request.args.get(name, "")
    number = int(raw) if raw.isdigit() and len(raw) <= 6 else 1
    return min(max(number, 1), MAX_PAGE)


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(query: Select, number: int, size: int) -> Page:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = min(number, max(1, -(-total // size)))
    items = list(db.session.scalars(query.offset((number - 1) * size).limit(size)))
    return Page(items, number, size, total)


def row_id(raw: str) -> int:
    """A query-string number that a database integer can hold; `request.args.get(name, type=row_id)`
    gives the default for anything else (ValueError), so ?site=99999999999999999999 finds nothing."""
    number = int(raw)
    if not -(2**31) <= number < 2**31:
        raise ValueError(raw)
    return number
