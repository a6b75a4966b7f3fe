"""Roster upload: check the file, decide once per unknown value, show every problem by row, import when clean."""
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from quarantine.access import roles_required
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import vocab_label
from quarantine.models import Category, Diet, Need, TransferBatch
from quarantine.roster import report as words
from quarantine.roster.vocabulary import IGNORE, LEAVE_OUT
from quarantine.transfers import roster_import
from quarantine.transfers.forms import RosterDecisionsForm, RosterImportForm, RosterUploadForm
from quarantine.transfers.routes import bp


def _terms(model) -> list[tuple[str, str]]:
    return [(i.code, vocab_label(i)) for i in db.session.scalars(select(model).where(model.active).order_by(model.sort))]


def _decision_choices() -> dict[str, list[tuple[str, str]]]:
    leave_out = (LEAVE_OUT, _("leave these rows out"))
    return {"category": _terms(Category) + [leave_out],
            "need": _terms(Need) + [(IGNORE, _("not a need: ignore the word")), leave_out],
            "diet": _terms(Diet) + [leave_out]}


def _import_form(report=None) -> RosterImportForm:
    form = RosterImportForm()
    form.default_category.choices = [("", "—")] + _terms(Category)
    if report is not None:
        form.households.choices = [(s.key, s.key) for s in report.suggested_households]
    return form


def _decisions_form(report) -> RosterDecisionsForm:
    values = report.unknown_values + report.decided_values
    form = RosterDecisionsForm(data={"values": [
        {"kind": v.kind, "value": v.value, "choice": v.decision or ""} for v in values]})
    form.set_choices(_decision_choices())
    return form


def _preview(batch, report, upload=None):
    import_form = _import_form(report)
    if upload is not None:
        import_form.token.data = upload.token
        import_form.households.data = [s.key for s in report.suggested_households]
    decisions = _decisions_form(report)
    return render_template("transfers/roster_preview.html", batch=batch, report=report, form=import_form,
                           upload=upload, decisions=decisions, words=words,
                           decision_rows=list(zip(decisions["values"], report.unknown_values + report.decided_values)))


@bp.route("/<int:batch_id>/roster", methods=["GET", "POST"])
@roles_required("admin", "hq")
def upload_roster(batch_id: int):
    batch = db.session.get(TransferBatch, batch_id) or abort(404)
    try:
        form = RosterUploadForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = RosterUploadForm(formdata=None)
        form.file.errors = [_("The file is larger than %(mb)d MB; a roster is far smaller: save only the list and "
                              "upload it again.", mb=(current_app.config["MAX_CONTENT_LENGTH"] or 0) >> 20)]
        return render_template("transfers/roster_upload.html", batch=batch, form=form), 413
    if submitted:
        data, filename = form.file.data.read(), form.file.data.filename or "roster"
        report = roster_import.check_roster(data, filename)
        if report.file_errors:  # nothing to keep: say why and offer another upload
            return _preview(batch, report)
        upload = roster_import.store_upload(batch, data, filename, current_user)
        return redirect(url_for("transfers.roster_preview", batch_id=batch.id, token=upload.token))
    return render_template("transfers/roster_upload.html", batch=batch, form=form), 400 if form.errors else 200


@bp.route("/<int:batch_id>/roster/<token>")
@roles_required("admin", "hq")
def roster_preview(batch_id: int, token: str):
    batch = db.session.get(TransferBatch, batch_id) or abort(404)
    try:
        upload = roster_import.get_upload(batch, token)
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(url_for("transfers.upload_roster", batch_id=batch.id))
    return _preview(batch, roster_import.check_upload(upload), upload)


@bp.route("/<int:batch_id>/roster/<token>/decisions", methods=["POST"])
@roles_required("admin", "hq")
def decide_roster_values(batch_id: int, token: str):
    batch = db.session.get(TransferBatch, batch_id) or abort(404)
    form = RosterDecisionsForm()
    form.set_choices(_decision_choices())
    try:
        upload = roster_import.get_upload(batch, token)
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(url_for("transfers.upload_roster", batch_id=batch.id))
    if not form.validate_on_submit():
        flash(_("These decisions could not be read; choose again."), "error")
        return redirect(url_for("transfers.roster_preview", batch_id=batch.id, token=token))
    saved = roster_import.save_decisions(upload, [
        (e.form.kind.data, e.form.value.data, e.form.choice.data or "", e.form.remember.data) for e in form.values],
        current_user)
    flash(_("%(n)d decision(s) applied; the check below reads the file with them.", n=saved), "success")
    return redirect(url_for("transfers.roster_preview", batch_id=batch.id, token=token))


@bp.route("/<int:batch_id>/roster/import", methods=["POST"])
@roles_required("admin", "hq")
def import_roster(batch_id: int):
    batch = db.session.get(TransferBatch, batch_id) or abort(404)
    form = _import_form()
    if not form.validate_on_submit():
        flash(_("The import form was incomplete; upload the file again."), "error")
        return redirect(url_for("transfers.upload_roster", batch_id=batch.id))
    try:
        count = roster_import.import_upload(batch, form.token.data, drop_bad_rows=form.drop_bad_rows.data,
                                            confirmed_households=set(form.households.data or []),
                                            default_category=form.default_category.data or None)
    except DomainError as exc:
        flash(str(exc), "error")
        # Back to the same preview, problems and all, when the upload is still there.
        if roster_import.upload_exists(batch_id, form.token.data):
            return redirect(url_for("transfers.roster_preview", batch_id=batch_id, token=form.token.data))
        return redirect(url_for("transfers.upload_roster", batch_id=batch_id))
    flash(_("%(n)d people imported into batch %(code)s.", n=count, code=batch.code), "success")
    return redirect(url_for("transfers.show_batch", batch_id=batch.id))
