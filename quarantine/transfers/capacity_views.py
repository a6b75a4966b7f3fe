"""How many can we take? A headcount checked against the sites before a roster exists."""
from flask import render_template, request
from sqlalchemy import select

from quarantine.access import EDIT_SITES, roles_required
from quarantine.extensions import db
from quarantine.labels import vocab_label
from quarantine.models import Category
from quarantine.transfers.capacity_check import Headcount, check_capacity
from quarantine.transfers.forms import CapacityCheckForm
from quarantine.transfers.routes import bp

PEOPLE_PER_HOUSEHOLD = 2.5


@bp.route("/capacity")
@roles_required(*EDIT_SITES)
def capacity_check():
    form = CapacityCheckForm(request.args)
    form.category.choices = [(c.code, vocab_label(c)) for c in db.session.scalars(
        select(Category).where(Category.active).order_by(Category.sort))]
    answer = None
    status = 200
    if request.args:
        if form.validate():
            people = form.people.data
            answer = check_capacity(Headcount(
                people=people, households=form.households.data or max(1, round(people / PEOPLE_PER_HOUSEHOLD)),
                category=form.category.data, needs_accessible=form.needs_accessible.data or 0,
                origin=(form.origin.data or "").strip(), lat=form.lat.data, lon=form.lon.data))
        else:
            status = 400
    return render_template("transfers/capacity.html", form=form, answer=answer), status
