"""Roster import into a batch: the checked file becomes people, all or nothing.

The uploaded file is kept in the database (roster_uploads) between the preview and the import,
so any web worker can import what another one previewed, and it is read again on import with
the user's decisions, so what is imported is exactly what the preview showed. An upload is
deleted when its import succeeds; `purge_uploads` deletes the ones left behind.
"""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from quarantine.audit import trail
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import (
    CURRENT_STATUSES,
    Category,
    Diet,
    Need,
    Person,
    RosterUpload,
    TransferBatch,
    User,
    VocabularyAlias,
    person_needs,
)
from quarantine.roster.households import age_of, apply_suggested_households, children_alone
from quarantine.roster.reader import read_roster
from quarantine.roster.records import RosterReport
from quarantine.roster.vocabulary import KINDS, RosterVocabulary, default_vocabulary, term_key

# Uploads older than this are refused ("upload it again") and may be purged.
UPLOAD_LIFETIME = timedelta(hours=24)
_MODELS = {"category": Category, "need": Need, "diet": Diet}


def vocabulary_from_db(decisions: dict[str, dict[str, str]] | None = None) -> RosterVocabulary:
    """The editable lists, the usual spellings counties write (密切接触者 for 密接, 婴儿 for 婴幼儿餐),
    the spellings saved from earlier rosters, and this file's decisions."""
    usual = default_vocabulary()
    usual_terms = {"category": usual.categories, "need": usual.needs, "diet": usual.diets}
    saved: dict[tuple[str, str], list[str]] = {}
    for alias in db.session.scalars(select(VocabularyAlias).order_by(VocabularyAlias.id)):
        saved.setdefault((alias.kind, alias.code), []).append(alias.alias)

    def terms(kind: str):
        model = _MODELS[kind]
        return [(i.code, i.label_zh, i.label_en, *usual_terms[kind].get(i.code, ()), *saved.get((kind, i.code), ()))
                for i in db.session.scalars(select(model).where(model.active).order_by(model.sort))]
    vocab = RosterVocabulary.from_terms(terms("category"), terms("need"), terms("diet"))
    return vocab.with_decisions(decisions or {})


def current_id_numbers() -> set[str]:
    return set(db.session.scalars(select(Person.id_number).where(Person.status.in_(CURRENT_STATUSES))))


def check_roster(data: bytes, filename: str, decisions: dict[str, dict[str, str]] | None = None) -> RosterReport:
    return read_roster(data, filename, vocabulary_from_db(decisions), current_id_numbers())


# --- uploads ---------------------------------------------------------------------------------


def store_upload(batch: TransferBatch, data: bytes, filename: str, user: User | None) -> RosterUpload:
    upload = RosterUpload(token=secrets.token_hex(16), batch_id=batch.id, filename=filename.rsplit("/", 1)[-1][:255],
                          size=len(data), data=data, decisions="{}", created_by_id=user.id if user else None)
    db.session.add(upload)
    db.session.commit()
    return upload


def get_upload(batch: TransferBatch, token: str, *, lock: bool = False) -> RosterUpload:
    query = select(RosterUpload).where(RosterUpload.token == (token or ""), RosterUpload.batch_id == batch.id,
                                       RosterUpload.created_at >= _now() - UPLOAD_LIFETIME)
    upload = db.session.scalar(query.with_for_update() if lock else query)
    if upload is None:
        raise DomainError(_("This upload is no longer kept (it was imported already, or is over a day old); "
                            "upload the file again."))
    return upload


def upload_exists(batch_id: int, token: str) -> bool:
    return db.session.scalar(select(RosterUpload.id).where(RosterUpload.token == (token or ""),
                                                           RosterUpload.batch_id == batch_id)) is not None


def upload_decisions(upload: RosterUpload) -> dict[str, dict[str, str]]:
    try:
        decisions = json.loads(upload.decisions or "{}")
    except ValueError:
        return {}
    return decisions if isinstance(decisions, dict) else {}


def check_upload(upload: RosterUpload) -> RosterReport:
    return check_roster(upload.data, upload.filename, upload_decisions(upload))


def save_decisions(upload: RosterUpload, choices: list[tuple[str, str, str, bool]], user: User | None) -> int:
    """Keep the user's answers (kind, value, code or LEAVE_OUT/IGNORE, remember) for this upload; remembered
    answers naming a term become aliases of that term for every later roster. Returns how many were saved."""
    vocab = vocabulary_from_db()
    decisions = upload_decisions(upload)
    for kind, value, code, remember in choices:
        decided = decisions.setdefault(kind, {})
        if not code:
            decided.pop(value, None)
            continue
        decided[value] = code
        if remember and code in vocab.terms(kind):
            _remember_alias(kind, value, code, user)
    upload.decisions = json.dumps(decisions, ensure_ascii=False)
    db.session.commit()
    return sum(1 for _kind, _value, code, _remember in choices if code)


def _remember_alias(kind: str, value: str, code: str, user: User | None) -> None:
    key = term_key(value)[:100]
    alias = db.session.scalar(select(VocabularyAlias).where(VocabularyAlias.kind == kind, VocabularyAlias.alias_key == key))
    if alias is None:
        alias = VocabularyAlias(kind=kind, alias_key=key, created_by_id=user.id if user else None)
        db.session.add(alias)
    alias.alias = value[:100]
    for other in KINDS:
        setattr(alias, f"{other}_code", code if other == kind else None)


def purge_uploads(older_than: timedelta) -> int:
    """Delete uploads older than `older_than` (imports delete their own); returns how many went."""
    result = db.session.execute(delete(RosterUpload).where(RosterUpload.created_at < _now() - older_than))
    db.session.commit()
    return result.rowcount or 0


def _now() -> datetime:
    return datetime.now(timezone.utc)


# --- the import ------------------------------------------------------------------------------


def import_upload(batch: TransferBatch, token: str, *, drop_bad_rows: bool, confirmed_households: set[str],
                  default_category: str | None) -> int:
    """Import an upload; two imports of the same upload at once: the second finds it gone and is told so."""
    try:
        _lock(batch)
        upload = get_upload(batch, token, lock=True)
        report = check_upload(upload)
        count = _insert_people(batch, report, drop_bad_rows=drop_bad_rows, confirmed_households=confirmed_households,
                               default_category=default_category)
    except DomainError:
        db.session.rollback()  # let go of the locks
        raise
    db.session.delete(upload)
    return _commit(count)


def import_roster(batch: TransferBatch, report: RosterReport, *, drop_bad_rows: bool, confirmed_households: set[str],
                  default_category: str | None) -> int:
    """Create the people of a checked roster in one transaction; returns how many."""
    _lock(batch)
    count = _insert_people(batch, report, drop_bad_rows=drop_bad_rows, confirmed_households=confirmed_households,
                           default_category=default_category)
    return _commit(count)


def _lock(batch: TransferBatch) -> None:
    # Imports into one batch take turns (PostgreSQL; SQLite has one writer anyway), so the second
    # one sees what the first wrote.
    db.session.execute(select(TransferBatch.id).where(TransferBatch.id == batch.id).with_for_update())


def _commit(count: int) -> int:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_("Some of these people were recorded by someone else at the same moment; "
                            "nothing was imported: check the batch and the file again.")) from None
    return count


def _insert_people(batch: TransferBatch, report: RosterReport, *, drop_bad_rows: bool, confirmed_households: set[str],
                   default_category: str | None) -> int:
    try:
        rows = _rows_to_import(report, drop_bad_rows, confirmed_households, default_category)
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
        # A bulk insert passes the flush that records changes: the import is one event of its own.
        trail.record("people.import", entity="transfer_batches", entity_id=batch.id,
                     detail=f"{len(rows)} people from the roster of batch {batch.code}")
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_("Some of these people were recorded by someone else at the same moment; "
                            "nothing was imported: check the batch and the file again.")) from None
    except DomainError:
        db.session.rollback()
        raise
    return len(rows)


def _rows_to_import(report: RosterReport, drop_bad_rows: bool, confirmed: set[str], default_category: str | None):
    if report.file_errors:
        raise DomainError(" ".join(report.file_errors))
    if report.problems and not drop_bad_rows:
        raise DomainError(_("The file still has %(n)d problem(s); fix the file or choose to leave out the rows "
                            "with problems.", n=len(report.problems)))
    if report.unknown_values and not drop_bad_rows:
        raise DomainError(_("%(n)d value(s) not in the lists wait for your decision: decide them, or choose to leave "
                            "out the rows with problems.", n=len(report.unknown_values)))
    rows = [r for r in apply_suggested_households(report, confirmed) if r.is_ok]
    if not rows:
        raise DomainError(_("No row without problems is left to import."))
    if any(r.category is None for r in rows) and not default_category:
        raise DomainError(_("Some rows have no category; choose the category for them."))
    today = report.today or datetime.now(timezone.utc).date()
    alone = children_alone(rows, today)
    if alone:
        raise DomainError(_(
            "Rows %(rows)s: a child under 14 would arrive without an adult of their household (a household was not "
            "confirmed, or the adult's row is left out); confirm the household or fix the adult's row.",
            rows=", ".join("%d (%s, %d)" % (r.row_number, r.name, age_of(r, today) or 0) for r in alone)))
    taken = current_id_numbers()
    clash = [r.row_number for r in rows if r.id_number in taken]
    if clash:  # someone was recorded between preview and import
        raise DomainError(_("Rows %(rows)s: these ID numbers now belong to current residents; check the file again.",
                            rows=", ".join(map(str, clash))))
    return rows
