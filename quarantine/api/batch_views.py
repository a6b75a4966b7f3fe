"""Transfer batches through the API: create one, upload its roster (the web import's checks, problems
as JSON with their row numbers), read its status. Headquarters and administrators only."""
from __future__ import annotations

from flask_smorest import abort
from marshmallow import RAISE
from sqlalchemy import func, select

from quarantine.access import EDIT_SITES
from quarantine.api.auth import protected_blueprint, require_role
from quarantine.api.schemas import BatchIn, BatchOut, RosterArgs, RosterFile, RosterOut, RosterRefused
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.models import TransferBatch
from quarantine.transfers.roster_import import check_roster, import_roster
from quarantine.transfers.scenario import batch_progress

bp = protected_blueprint("api_batches", __name__, url_prefix="/api/v1/batches", description="Transfer batches")
UNKNOWN_VALUE = "not in the lists: map it to a term in the web preview, or leave these rows out"


def batch_or_404(code: str) -> TransferBatch:
    batch = None if "\x00" in code else db.session.scalar(select(TransferBatch).where(TransferBatch.code == code))
    if batch is None:
        abort(404, message=f"No batch {code}.")
    return batch


def batch_out(batch: TransferBatch) -> dict:
    progress = batch_progress([batch.id])[batch.id]
    return {"code": batch.code, "origin": batch.origin, "status": batch.status,
            "expected_arrival": batch.expected_arrival, "expected_count": batch.expected_count,
            "people": progress.total, "waiting": progress.waiting, "reserved": progress.reserved,
            "checked_in": progress.checked_in}


@bp.route("", methods=["POST"])
@bp.arguments(BatchIn)
@bp.response(201, BatchOut)
@bp.alt_response(409, description="A batch with this code exists")
def create_batch(data):
    """Announce a batch (its roster follows)."""
    require_role(*EDIT_SITES)
    code = data["code"].strip()
    if db.session.scalar(select(func.count(TransferBatch.id)).where(TransferBatch.code == code)):
        abort(409, message="Another batch already has this code.")
    where = data.get("origin_location") or {}
    batch = TransferBatch(code=code, origin=data["origin"].strip(), origin_lat=where.get("lat"),
                          origin_lon=where.get("lon"), expected_arrival=data["expected_arrival"],
                          expected_count=data["expected_count"], notes=data["notes"], status="announced")
    db.session.add(batch)
    db.session.commit()
    return batch_out(batch)


@bp.route("/<code>")
@bp.response(200, BatchOut)
def batch_status(code: str):
    """Where the batch's people stand: waiting for a bed, reserved, checked in."""
    require_role(*EDIT_SITES)
    return batch_out(batch_or_404(code))


@bp.route("/<code>/roster", methods=["POST"])
@bp.arguments(RosterArgs, location="query", unknown=RAISE)
@bp.arguments(RosterFile, location="files")
@bp.response(200, RosterOut)
@bp.alt_response(422, schema=RosterRefused, description="The roster has problems; nothing was imported")
def upload_roster(args, files, code: str):
    """Import a roster (XLSX, XLS or CSV) with the web import's checks; nothing is imported while it has
    problems, unless skip_bad_rows imports the clean rows."""
    require_role(*EDIT_SITES)
    batch = batch_or_404(code)
    upload = files["file"]
    if not hasattr(upload, "read"):
        abort(422, message="Send the roster as the multipart field 'file'.")
    report = check_roster(upload.read(), upload.filename or "roster")
    problems = [{"row": p.row, "column": p.column, "name": p.name, "value": p.value, "message": p.message}
                for p in report.problems]
    problems += [{"row": row, "column": u.column, "name": None, "value": u.value, "message": UNKNOWN_VALUE}
                 for u in report.unknown_values for row in u.row_numbers]
    problems.sort(key=lambda p: (p["row"] is None, p["row"] or 0))
    body = {"imported": 0, "rows": len(report.rows), "problems": problems, "file_errors": report.file_errors}
    if report.file_errors or (not report.is_clean and not args["skip_bad_rows"]):
        return {**body, "message": "Nothing was imported: the file has problems."}, 422
    suggested = {s.key for s in report.suggested_households}
    try:
        count = import_roster(batch, report, drop_bad_rows=args["skip_bad_rows"],
                              confirmed_households=suggested if args["confirm_households"] else set(),
                              default_category=None)
    except DomainError as exc:
        return {**body, "message": f"Nothing was imported: {exc}"}, 422
    return {**body, "imported": count, "message": f"Imported {count} people into batch {batch.code}."}
