"""Labels and helpers shared by every template."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import get_locale

from quarantine.i18n import _l

STATUS_LABELS = {
    # sites
    "standby": _l("Standby"), "preparing": _l("Preparing"), "ready": _l("Ready"),
    "in_use": _l("In use"), "closed": _l("Closed"),
    # rooms
    "available": _l("Available"), "occupied": _l("Occupied"), "cleaning": _l("Terminal disinfection"),
    "out_of_service": _l("Out of service"),
    # people
    "expected": _l("Expected"), "in_quarantine": _l("In quarantine"), "released": _l("Released"),
    "transferred_out": _l("Transferred out"), "no_show": _l("Did not arrive"),
    # batches
    "announced": _l("Announced"), "planned": _l("Planned"), "committed": _l("Committed"),
    "arrived": _l("Arrived"), "cancelled": _l("Cancelled"),
    # planning runs and reservations
    "running": _l("Planning"), "done": _l("Ready for review"), "failed": _l("Failed"),
    "reserved": _l("Reserved"), "checked_in": _l("Checked in"),
    # staff (closed loop)
    "scheduled": _l("Not yet on duty"), "on_duty": _l("On duty"),
    "post_duty_quarantine": _l("Post-duty quarantine"), "off_duty": _l("Off duty"),
}
KIND_LABELS = {
    "fixed": _l("Fixed site"), "backup": _l("Backup site"),
    "staff": _l("Staff passage"), "quarantined": _l("Quarantined-person passage"),
    "admin": _l("Administrator"), "hq": _l("Headquarters staff"), "site_manager": _l("Site manager"),
    "catering": _l("Catering"),
    "resident_id": _l("Resident ID"), "passport": _l("Passport"),
    "M": _l("Male"), "F": _l("Female"),
    "moved": _l("Moved"), "released_stay": _l("Released"),
    # staff work groups, medical roles and shifts
    "disinfection": _l("Prevention and disinfection"), "health_observation": _l("Health observation"),
    "liaison": _l("Liaison"), "security": _l("Security"), "logistics": _l("Logistics"),
    "transfer": _l("Transfer"), "care": _l("Care"),
    "doctor": _l("Doctor"), "nurse": _l("Nurse"),
    "day": _l("Day shift"), "night": _l("Night shift"), "rotating": _l("Rotating shifts"),
    # meals
    "breakfast": _l("Breakfast"), "lunch": _l("Lunch"), "dinner": _l("Dinner"),
}


def status_label(code: str | None) -> str:
    return str(STATUS_LABELS.get(code or "", code or ""))


def kind_label(code: str | None) -> str:
    return str(KIND_LABELS.get(code or "", code or ""))


def vocab_label(item) -> str:
    """Label of a vocabulary row (category, diet, ...) in the current language."""
    if item is None:
        return ""
    return item.label(str(get_locale() or "zh"))


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(status_label=status_label, kind_label=kind_label, vocab_label=vocab_label,
                                 current_locale=lambda: str(get_locale() or "zh"))
    app.jinja_env.filters["localdt"] = local_datetime


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
