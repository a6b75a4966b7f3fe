from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from quarantine.access import roles_required
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import status_label
from quarantine.localtime import local_to_utc, utc_to_local
from quarantine.models import Person, TransferBatch
from quarantine.transfers.forms import BatchForm

bp = Blueprint("transfers", __name__, url_prefix="/transfers")


def _status_choices(form: BatchForm) -> None:
    form.status.choices = [(code, status_label(code)) for code, _label in form.status.choices]


@bp.route("/")
@roles_required("admin", "hq")
def list_batches():
    batches = db.session.scalars(select(TransferBatch).order_by(TransferBatch.created_at.desc())).all()
    counts = dict(db.session.execute(select(Person.batch_id, func.count(Person.id))
                                     .where(Person.batch_id.is_not(None)).group_by(Person.batch_id)).all())
    return render_template("transfers/list.html", batches=batches, counts=counts)


def _save(form: BatchForm, batch: TransferBatch) -> None:
    form.populate_obj(batch)
    batch.code = batch.code.strip()
    batch.origin = batch.origin.strip()
    batch.expected_arrival = local_to_utc(form.expected_arrival.data) if form.expected_arrival.data else None
    db.session.commit()


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin", "hq")
def new_batch():
    form = BatchForm()
    _status_choices(form)
    if form.validate_on_submit():
        batch = TransferBatch()
        db.session.add(batch)
        _save(form, batch)
        flash(_("Batch %(code)s recorded.", code=batch.code), "success")
        return redirect(url_for("transfers.show_batch", batch_id=batch.id))
    return render_template("transfers/form.html", form=form, batch=None)


@bp.route("/<int:batch_id>/edit", methods=["GET", "POST"])
@roles_required("admin", "hq")
def edit_batch(batch_id: int):
    batch = db.session.get(TransferBatch, batch_id) or abort(404)
    form = BatchForm(obj=batch, batch_id=batch.id)
    _status_choices(form)
    if request.method == "GET":
        form.expected_arrival.data = utc_to_local(batch.expected_arrival)
    if form.validate_on_submit():
        _save(form, batch)
        flash(_("Batch saved."), "success")
        return redirect(url_for("transfers.show_batch", batch_id=batch.id))
    return render_template("transfers/form.html", form=form, batch=batch)


@bp.route("/<int:batch_id>")
@roles_required("admin", "hq")
def show_batch(batch_id: int):
    batch = db.session.get(TransferBatch, batch_id) or abort(404)
    return render_template("transfers/show.html", batch=batch)

