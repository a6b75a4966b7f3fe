"""The site's side of a transfer: expected arrivals, checked in one by one."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from quarantine.access import MANAGE_SITE, roles_required, site_or_404
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import Room
from quarantine.transfers import arrivals
from quarantine.transfers.forms import ArrivalForm
from quarantine.transfers.routes import bp


@bp.route("/arrivals/<int:site_id>")
@roles_required(*MANAGE_SITE)
def site_arrivals(site_id: int):
    site = site_or_404(site_id)
    expected = arrivals.expected_arrivals(site)
    rooms = db.session.scalars(select(Room).where(Room.site_id == site.id, Room.status.in_(("available", "occupied")),
                                                  Room.occupants < Room.beds)
                               .order_by(Room.building_id, Room.floor, Room.number)).all()
    return render_template("transfers/arrivals.html", site=site, expected=expected, rooms=rooms, form=ArrivalForm())


@bp.route("/arrivals/<int:site_id>", methods=["POST"])
@roles_required(*MANAGE_SITE)
def record_arrival(site_id: int):
    site = site_or_404(site_id)
    form = ArrivalForm()
    if not form.validate_on_submit():
        flash(_("Choose what happened for this person."), "error")
        return redirect(url_for("transfers.site_arrivals", site_id=site.id))
    try:
        if form.action.data == "arrived":
            person = arrivals.arrived(site, form.reservation.data, current_user)
            flash(_("%(name)s checked in.", name=person.name), "success")
        elif form.action.data == "no_show":
            person = arrivals.did_not_arrive(site, form.reservation.data, current_user)
            flash(_("%(name)s recorded as not arrived; the bed is free again.", name=person.name), "success")
        else:
            if not form.room.data:
                raise DomainError(_("Choose the room the person was placed in."))
            person = arrivals.arrived_in_other_room(site, form.reservation.data, form.room.data, current_user)
            flash(_("%(name)s checked in to another room.", name=person.name), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("transfers.site_arrivals", site_id=site.id))
