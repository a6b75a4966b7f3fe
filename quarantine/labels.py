"""Labels of statuses, kinds and vocabulary rows in the user's language (pages, services, exports)."""
from __future__ import annotations

from flask import has_request_context
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
    "queued": _l("Waiting for a worker"), "running": _l("Planning"), "done": _l("Ready for review"),
    "failed": _l("Failed"),
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
    "hkmo_permit": _l("Hong Kong/Macau permit"), "tw_permit": _l("Taiwan permit"),
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
    # residents' requests (selfreport)
    "request_diet": _l("Food or diet"), "request_medicine": _l("Medicine"), "request_call_back": _l("Call back"),
    "request_other": _l("Something else"),
    # stock movements (supplies)
    "received": _l("Received"), "transfer_out": _l("Sent to another store"),
    "transfer_in": _l("From another store"), "issued": _l("Issued"), "count": _l("Stock count"),
}


# Translations are fixed per language, so each label is looked up once per language and process:
# a room grid of 2,000 rooms asks for the same few labels thousands of times.
_translated: dict[tuple[str, int, str], str] = {}


def _label(table: dict, code: str | None) -> str:
    code = code or ""
    if code not in table:
        return code
    key = (_language(), id(table), code)
    text = _translated.get(key)
    if text is None:
        text = _translated[key] = str(table[code])
    return text


def _language() -> str:
    return str(get_locale() or "zh") if has_request_context() else "en"


def status_label(code: str | None) -> str:
    return _label(STATUS_LABELS, code)


def kind_label(code: str | None) -> str:
    return _label(KIND_LABELS, code)


def vocab_label(item) -> str:
    """Label of a vocabulary row (category, diet, ...) in the current language."""
    if item is None:
        return ""
    return item.label(str(get_locale() or "zh"))
