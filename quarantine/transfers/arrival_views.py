"""The site's side of a transfer: expected arrivals, checked in one by one."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from quarantine.access import MANAGE_SITE, roles_required, site_or_404
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.stays import lifecycle
from quarantine.stays.expected import expected_arrivals, reservation_at
from quarantine.stays.placement import rooms_open_to
from quarantine.transfers.forms import ArrivalForm
from quarantine.transfers.routes import bp


@bp.route("/arrivals/<int:site_id>")
@roles_required(*MANAGE_SITE)
def site_arrivals(site_id: int):
    site = site_or_404(site_id)
    expected = expected_arrivals(site)
    return render_template("transfers/arrivals.html", site=site, expected=expected, form=ArrivalForm())


@bp.route("/arrivals/<int:site_id>/<int:reservation_id>/rooms")
@roles_required(*MANAGE_SITE)
def arrival_rooms(site_id: int, reservation_id: int):
    """Rooms this expected person could be placed in instead, every rule checked (asked for on demand)."""
    site = site_or_404(site_id)
    reservation = reservation_at(site, reservation_id) or abort(404)
    rooms = rooms_open_to([reservation.person], site)
    return render_template("transfers/arrival_rooms.html", site=site, reservation=reservation, rooms=rooms,
                           form=ArrivalForm())


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
            person = lifecycle.arrived(site, form.reservation.data, current_user)
            flash(_("%(name)s checked in.", name=person.name), "success")
        elif form.action.data == "no_show":
            person = lifecycle.did_not_arrive(site, form.reservation.data, current_user)
            flash(_("%(name)s recorded as not arrived; the bed is free again.", name=person.name), "success")
        else:
            if not form.room.data:
                raise DomainError(_("Choose the room the person was placed in."))
            person = lifecycle.arrived_in_other_room(site, form.reservation.data, form.room.data, current_user)
            flash(_("%(name)s checked in to another room.", name=person.name), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("transfers.site_arrivals", site_id=site.id))
