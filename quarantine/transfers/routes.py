from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quarantine.access import roles_required
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import status_label
from quarantine.localtime import local_to_utc, utc_to_local
from quarantine.models import Person, TransferBatch
from quarantine.paging import page_arg, paginate
from quarantine.transfers.forms import BatchForm
from quarantine.transfers.scenario import batch_progress

bp = Blueprint("transfers", __name__, url_prefix="/transfers")

BATCHES_PER_PAGE = 50
PEOPLE_SHOWN = 200  # a batch page lists the first ones; the people list shows all, searched and paged


def _status_choices(form: BatchForm) -> None:
    form.status.choices = [(code, status_label(code)) for code, _label in form.status.choices]


@bp.route("/")
@roles_required("admin", "hq")
def list_batches():
    page = paginate(select(TransferBatch).order_by(TransferBatch.created_at.desc()), page_arg(), BATCHES_PER_PAGE)
    return render_template("transfers/list.html", batches=page.items, page=page,
                           progress=batch_progress([b.id for b in page.items]))


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
    people = db.session.scalars(select(Person).where(Person.batch_id == batch.id)
                                .options(selectinload(Person.category))
                                .order_by(Person.household, Person.name).limit(PEOPLE_SHOWN + 1)).all()
    return render_template("transfers/show.html", batch=batch, people=people[:PEOPLE_SHOWN],
                           more=len(people) > PEOPLE_SHOWN, progress=batch_progress([batch.id])[batch.id])

