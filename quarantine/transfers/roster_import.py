"""Roster import into a batch: the checked file becomes people, all or nothing.

The uploaded file is kept under instance/uploads between the preview and the import,
and read again on import, so what is imported is exactly what the preview showed.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import replace
from pathlib import Path

from flask import current_app
from sqlalchemy import insert, select

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import CURRENT_STATUSES, Category, Diet, Need, Person, TransferBatch, person_needs
from quarantine.roster.households import apply_suggested_households
from quarantine.roster.reader import read_roster
from quarantine.roster.records import RosterReport, RosterRow
from quarantine.roster.vocabulary import RosterVocabulary, default_vocabulary

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def vocabulary_from_db() -> RosterVocabulary:
    """The editable lists, plus the usual spellings counties write (密切接触者 for 密接, 婴儿 for 婴幼儿餐)."""
    usual = default_vocabulary()

    def terms(model, synonyms):
        return [(i.code, i.label_zh, i.label_en, *synonyms.get(i.code, ()))
                for i in db.session.scalars(select(model).where(model.active).order_by(model.sort))]
    return RosterVocabulary.from_terms(terms(Category, usual.categories), terms(Need, usual.needs),
                                       terms(Diet, usual.diets))


def current_id_numbers() -> set[str]:
    return set(db.session.scalars(select(Person.id_number).where(Person.status.in_(CURRENT_STATUSES))))


def check_roster(data: bytes, filename: str) -> RosterReport:
    return read_roster(data, filename, vocabulary_from_db(), current_id_numbers())


def _upload_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_upload(data: bytes, filename: str) -> str:
    token = secrets.token_hex(16)
    (_upload_dir() / token).write_bytes(data)
    (_upload_dir() / f"{token}.name").write_text(Path(filename).name)
    return token


def read_upload(token: str) -> tuple[bytes, str]:
    if not _TOKEN.match(token or "") or not (_upload_dir() / token).exists():
        raise DomainError(_("The uploaded file has expired; upload it again."))
    return (_upload_dir() / token).read_bytes(), (_upload_dir() / f"{token}.name").read_text()


def import_roster(batch: TransferBatch, report: RosterReport, *, drop_bad_rows: bool, confirmed_households: set[str],
                  default_category: str | None) -> int:
    """Create the people of a checked roster in one transaction; returns how many."""
    if report.file_errors:
        raise DomainError(" ".join(report.file_errors))
    if report.problems and not drop_bad_rows:
        raise DomainError(_("The file still has %(n)d problem(s); fix the file or choose to leave out the rows with problems.",
                            n=len(report.problems)))
    rows = _with_confirmed_households(report, confirmed_households)
    rows = [r for r in rows if r.is_ok]
    if not rows:
        raise DomainError(_("No row without problems is left to import."))
    if any(r.category is None for r in rows) and not default_category:
        raise DomainError(_("Some rows have no category; choose the category for them."))
    taken = current_id_numbers()
    clash = [r.row_number for r in rows if r.id_number in taken]
    if clash:  # someone was recorded between preview and import
        raise DomainError(_("Rows %(rows)s: these ID numbers now belong to current residents; check the file again.",
                            rows=", ".join(map(str, clash))))
    try:
        # Bulk INSERT without RETURNING (far faster on PostgreSQL for 10,000 rows); the new ids are
        # read back by ID number, which is unique among current people, for the needs.
        db.session.execute(insert(Person), [
            dict(name=row.name, id_kind=row.id_kind, id_number=row.id_number, sex=row.sex, birth_date=row.birth_date,
                 phone=row.phone or "", household=row.household or "", category_code=row.category or default_category,
                 diet_code=row.diet or "regular", origin=row.origin or batch.origin, batch_id=batch.id,
                 status="expected", notes=row.notes or "")
            for row in rows])
        with_needs = {row.id_number: row.needs for row in rows if row.needs}
        if with_needs:
            ids = dict(db.session.execute(select(Person.id_number, Person.id).where(
                Person.batch_id == batch.id, Person.status == "expected", Person.id_number.in_(list(with_needs)))).all())
            db.session.execute(insert(person_needs), [{"person_id": ids[number], "need_code": code}
                                                      for number, codes in with_needs.items() for code in codes])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(rows)


def _with_confirmed_households(report: RosterReport, confirmed: set[str]) -> list[RosterRow]:
    """Suggested households the user confirmed are applied; anyone else without one lives alone."""
    suggested_rows = {n for s in report.suggested_households if s.key in confirmed for n in s.row_numbers}
    filled = {r.row_number: r for r in apply_suggested_households(report)}
    return [row if row.household else
            filled[row.row_number] if row.row_number in suggested_rows else
            replace(row, household=f"ROW-{row.row_number}")
            for row in report.rows]
