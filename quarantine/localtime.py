"""Local time: headquarters' time zone, and stored UTC moments as the local days and times people use."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def as_utc(moment: datetime) -> datetime:
    """A stored moment as an aware UTC datetime: SQLite hands back naive datetimes from
    timezone-aware columns (stored as UTC), PostgreSQL aware ones; compare them alike."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def local_zone() -> ZoneInfo:
    """The headquarters' time zone; one per installation, also outside a request (CLI, threads)."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")


def local_to_utc(naive_local: datetime) -> datetime:
    """A time typed in a form (the site's local time) as an aware UTC datetime."""
    return naive_local.replace(tzinfo=local_zone()).astimezone(timezone.utc)


def utc_to_local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return as_utc(moment).astimezone(local_zone()).replace(tzinfo=None)


def local_day(moment: datetime) -> date:
    """The local calendar day of a stored (UTC) moment: 06:30 in Shanghai is still the day before in UTC."""
    return utc_to_local(moment).date()


def local_today() -> date:
    return datetime.now(local_zone()).date()


def local_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return utc_to_local(moment).strftime("%Y-%m-%d %H:%M")
