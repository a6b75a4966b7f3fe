"""Roster upload: check the file, show every problem by row, import when clean."""
from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from quarantine.access import roles_required
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import vocab_label
from quarantine.models import Category, TransferBatch
from quarantine.transfers import roster_import
from quarantine.transfers.forms import RosterImportForm, RosterUploadForm
from quarantine.transfers.routes import bp


def _import_form(report=None) -> RosterImportForm:
    form = RosterImportForm()
    form.default_category.choices = [("", "—")] + [
        (c.code, vocab_label(c)) for c in db.session.scalars(select(Category).where(Category.active).order_by(Category.sort))]
    if report is not None:
        form.households.choices = [(s.key, s.key) for s in report.suggested_households]
    return form


@bp.route("/<int:batch_id>/roster", methods=["GET", "POST"])
@roles_required("admin", "hq")
def upload_roster(batch_id: int):
    batch = db.session.get(TransferBatch, batch_id) or abort(404)
    form = RosterUploadForm()
    if form.validate_on_submit():
        data, filename = form.file.data.read(), form.file.data.filename
        report = roster_import.check_roster(data, filename)
        import_form = _import_form(report)
        import_form.token.data = roster_import.keep_upload(data, filename)
        import_form.households.data = [s.key for s in report.suggested_households]
        return render_template("transfers/roster_preview.html", batch=batch, report=report, form=import_form)
    return render_template("transfers/roster_upload.html", batch=batch, form=form), 400 if form.errors else 200


@bp.route("/<int:batch_id>/roster/import", methods=["POST"])
@roles_required("admin", "hq")
def import_roster(batch_id: int):
    batch = db.session.get(TransferBatch, batch_id) or abort(404)
    form = _import_form()
    if not form.validate_on_submit():
        flash(_("The import form was incomplete; upload the file again."), "error")
        return redirect(url_for("transfers.upload_roster", batch_id=batch.id))
    try:
        data, filename = roster_import.read_upload(form.token.data)
        report = roster_import.check_roster(data, filename)
        count = roster_import.import_roster(batch, report, drop_bad_rows=form.drop_bad_rows.data,
                                            confirmed_households=set(form.households.data or []),
                                            default_category=form.default_category.data or None)
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(url_for("transfers.upload_roster", batch_id=batch.id))
    flash(_("%(n)d people imported into batch %(code)s.", n=count, code=batch.code), "success")
    return redirect(url_for("transfers.show_batch", batch_id=batch.id))
