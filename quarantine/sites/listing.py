"""Sites a user may see, searched and a page at a time: a province has 1,500 of them."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Select, or_

from quarantine.access import visible_sites_query
from quarantine.models import Site
from quarantine.paging import Page, paginate

SITES_PER_PAGE = 50


def site_page(q: str, number: int, size: int = SITES_PER_PAGE,
              narrow: Callable[[Select], Select] | None = None) -> Page[Site]:
    """A page of the visible sites matching `q` (and `narrow`, e.g. only those with stale figures)."""
    query = visible_sites_query() if narrow is None else narrow(visible_sites_query())
    q = q.replace("\x00", "").strip()[:60]  # PostgreSQL text holds no NUL character
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Site.name.like(like, escape="\\"), Site.address.like(like, escape="\\"),
                                Site.responsible_unit.like(like, escape="\\")))
    return paginate(query, number, size)
