"""Writing the audit trail.

Changes to the audited records are recorded on every flush, whichever service, page, command or job
made them, with the values before and after: one home for the rule, nothing for a new view to forget.
Events that change no record (sign-ins, exports, views of full ID numbers) are recorded by `record`.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import bindparam, event, inspect, select, text, update
from sqlalchemy.orm import Session

from quarantine.extensions import db
from quarantine.models import AuditEvent, Person, Policy, Room, Site, Stay, TemperatureReading, User
from quarantine.models.common import utcnow

# The fields whose changes are recorded, per audited record.
AUDITED: dict[type, tuple[str, ...]] = {
    Person: ("name", "id_kind", "id_number", "phone", "sex", "birth_date", "household", "category_code",
             "diet_code", "diet_note", "notes", "origin", "site_id", "batch_id", "status", "arrival_at",
             "release_date", "policy_id", "anonymised_at"),
    Stay: ("person_id", "room_id", "check_in_at", "check_out_at", "end_reason"),
    Room: ("floor", "number", "beds", "own_bathroom", "accessible", "status", "status_reason"),
    Site: ("name", "address", "kind", "responsible_unit", "manager_name", "manager_phone", "capacity_limit",
           "status", "notes", "webhook_url"),
    Policy: ("name", "effective_from", "quarantine_days", "home_days", "pcr_test_days", "residents_per_doctor",
             "residents_per_nurse", "other_staff_min", "other_staff_max", "bus_seats", "bus_load_factor",
             "waste_collection_days", "supply_warning_days", "retention_days", "figures_stale_hours", "notes"),
    User: ("username", "display_name", "role", "active", "password_hash"),
    TemperatureReading: ("person_id", "day", "period", "celsius", "recorded_by_id", "source"),
}
# Recorded as changed, never by value: a hash helps no reader, and health notes stay with the health record.
UNSHOWN = {"password_hash", "notes"}
CHANGED = "(changed)"
# Rooms made by the bulk layout (hundreds at once, no personal data) are one summary event past this
# many; everything else, a floor of temperatures included, is recorded row by row so the person filter finds it.
BULK = 50
SUMMARISED = (Room,)
REDACTED = "(anonymised)"


def _value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _actor() -> tuple[int | None, str, str]:
    """(user id, user name, address) of whoever is acting: the signed-in user, else the command line or a job."""
    if not has_request_context():
        return None, "(system)", ""
    user = getattr(g, "_login_user", None)  # already loaded for this request; never a query inside a flush
    address = (request.remote_addr or "")[:45]
    if user is not None and getattr(user, "is_authenticated", False):
        return user.id, user.username, address
    return None, "", address


def _where(obj: object) -> tuple[int | None, int | None]:
    """(person id, site id) an audited record belongs to, for the page's filters."""
    if isinstance(obj, Person):
        return obj.id, obj.site_id
    if isinstance(obj, TemperatureReading):
        return obj.person_id, obj.site_id
    if isinstance(obj, Stay):
        room = db.session.get(Room, obj.room_id)
        return obj.person_id, room.site_id if room is not None else None
    if isinstance(obj, Room):
        return None, obj.site_id
    if isinstance(obj, Site):
        return None, obj.id
    return None, None


def _shown(field: str, value: Any) -> Any:
    return CHANGED if field in UNSHOWN and value not in (None, "") else _value(value)


def _changes(obj: object, fields: tuple[str, ...], kind: str) -> dict[str, list]:
    state = inspect(obj)
    changes: dict[str, list] = {}
    for field in fields:
        if field not in state.attrs:
            continue
        history = state.attrs[field].history
        if kind == "create":
            after = getattr(obj, field)
            if after not in (None, ""):
                changes[field] = [None, _shown(field, after)]
        elif kind == "delete":
            before = history.unchanged[0] if history.unchanged else (history.deleted[0] if history.deleted else None)
            changes[field] = [_shown(field, before), None]
        elif history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if _value(before) != _value(after):
                changes[field] = [_shown(field, before), _shown(field, after)]
    return changes


def _row(action: str, entity: str, entity_id: int | None, person_id: int | None, site_id: int | None,
         changes: dict, detail: str = "") -> dict:
    user_id, username, address = _actor()
    return {"at": utcnow(), "user_id": user_id, "username": username[:64], "address": address,
            "action": action[:40], "entity": entity, "entity_id": entity_id, "person_id": person_id,
            "site_id": site_id, "changes": changes, "detail": detail[:300]}


def _after_flush(session: Session, _context) -> None:
    rows: list[dict] = []
    new_by_kind: dict[type, list] = {}
    for obj in session.new:
        if type(obj) in AUDITED:
            new_by_kind.setdefault(type(obj), []).append(obj)
    for kind, objects in new_by_kind.items():
        entity = kind.__tablename__
        if kind in SUMMARISED and len(objects) > BULK:
            rows.append(_row(f"{entity}.create", entity, None, None, _where(objects[0])[1], {},
                             detail=f"{len(objects)} rows"))
            continue
        for obj in objects:
            rows.append(_row(f"{entity}.create", entity, obj.id, *_where(obj), _changes(obj, AUDITED[kind], "create")))
    for obj in session.dirty:
        fields = AUDITED.get(type(obj))
        if fields and session.is_modified(obj, include_collections=False):
            changes = _changes(obj, fields, "update")
            if changes:
                entity = type(obj).__tablename__
                action = f"{entity}.password" if "password_hash" in changes else f"{entity}.update"
                rows.append(_row(action, entity, obj.id, *_where(obj), changes))
    for obj in session.deleted:
        fields = AUDITED.get(type(obj))
        if fields:
            entity = type(obj).__tablename__
            rows.append(_row(f"{entity}.delete", entity, obj.id, *_where(obj), _changes(obj, fields, "delete")))
    if rows:
        session.connection().execute(AuditEvent.__table__.insert(), rows)


def register() -> None:
    """Record the audited records' changes on every flush of the app's sessions (once per process)."""
    if not event.contains(db.session, "after_flush", _after_flush):
        event.listen(db.session, "after_flush", _after_flush)


def record(action: str, *, entity: str = "", entity_id: int | None = None, person_id: int | None = None,
           site_id: int | None = None, changes: dict | None = None, detail: str = "", commit: bool = False) -> None:
    """An event that changes no audited record: a sign-in, an export, a view of a full ID number."""
    row = _row(action, entity, entity_id, person_id, site_id, changes or {}, detail)
    db.session.execute(AuditEvent.__table__.insert(), [row])
    if commit:
        db.session.commit()


def redact_people(person_ids: list[int]) -> int:
    """Blank the personal values in these people's audit rows (the retention job, when it anonymises
    them); who did what and when stays. The one change the trail allows, and not through the ORM."""
    if db.session.get_bind().dialect.name == "postgresql":  # the table's trigger lets this transaction through
        db.session.execute(text("SET LOCAL quarantine.audit_redact = 'on'"))
    table = AuditEvent.__table__
    rows = [{"event_id": event_id,
             "blanked": {field: [REDACTED if v not in (None, "") else v for v in pair]
                         for field, pair in (changes or {}).items()}}
            for event_id, changes in db.session.execute(select(AuditEvent.id, AuditEvent.changes)
                                                        .where(AuditEvent.person_id.in_(person_ids)))]
    if rows:
        db.session.execute(update(table).where(table.c.id == bindparam("event_id"))
                           .values(changes=bindparam("blanked")), rows)
    return len(rows)
