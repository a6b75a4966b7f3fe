"""The staff's side of residents' reports: fevers, symptoms and requests to see and handle, door cards
with each resident's QR code for the whole site (or one room), and a new link for a lost card."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from quarantine.access import MANAGE_SITE, roles_required, site_or_404
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import Building, Person, Room
from quarantine.occupancy import holders_by_room, holders_query
from quarantine.paging import row_id
from quarantine.selfreport import links, reports
from quarantine.selfreport.forms import SYMPTOM_CHOICES, HandledForm, SeenForm
from quarantine.selfreport.qr import qr_svg
from quarantine.selfreport.routes import bp

SYMPTOM_LABELS = dict(SYMPTOM_CHOICES)
ALL_AT_ONCE = 200  # people on one printout of door cards; more are printed floor by floor


def _floors_held(site) -> list[tuple[int, str, int, int]]:
    """(building id, building code, floor, people) of every floor where someone holds a bed."""
    held = holders_query(Room.site_id == site.id)
    return [tuple(row) for row in db.session.execute(
        select(Room.building_id, Building.code, Room.floor, func.count(held.c.person_id))
        .select_from(held).join(Room, Room.id == held.c.room_id).join(Building, Building.id == Room.building_id)
        .group_by(Room.building_id, Building.code, Room.floor).order_by(Building.code, Room.floor))]


@bp.route("/selfreport/sites/<int:site_id>")
@roles_required(*MANAGE_SITE)
def site_reports(site_id: int):
    site = site_or_404(site_id)
    unseen, seen = reports.attention_list(site)
    open_requests, handled = reports.request_list(site)
    return render_template("selfreport/site.html", site=site, unseen=unseen, seen=seen, open_requests=open_requests,
                           handled=handled, symptoms=SYMPTOM_LABELS, fever=reports.FEVER_CELSIUS,
                           seen_form=SeenForm(), handled_form=HandledForm())


@bp.route("/selfreport/sites/<int:site_id>/reports/<int:report_id>/seen", methods=["POST"])
@roles_required(*MANAGE_SITE)
def mark_seen(site_id: int, report_id: int):
    site = site_or_404(site_id)
    if SeenForm().validate_on_submit():
        try:
            reports.mark_seen(site, report_id, current_user)
        except DomainError as exc:
            flash(str(exc), "error")
    return redirect(url_for("selfreport.site_reports", site_id=site.id, _anchor="reports"))


@bp.route("/selfreport/sites/<int:site_id>/requests/<int:request_id>/handled", methods=["POST"])
@roles_required(*MANAGE_SITE)
def mark_handled(site_id: int, request_id: int):
    site = site_or_404(site_id)
    form = HandledForm()
    if form.validate_on_submit():
        try:
            reports.mark_handled(site, request_id, current_user, form.note.data or "")
            flash(_("Request marked handled."), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("selfreport.site_reports", site_id=site.id, _anchor="requests"))


@bp.route("/selfreport/sites/<int:site_id>/cards")
@roles_required(*MANAGE_SITE)
def door_cards(site_id: int):
    """Door cards of every occupied or reserved room of the site (or one room), each resident with
    the QR code of their own link."""
    site = site_or_404(site_id)
    room_id = request.args.get("room", type=row_id)
    building_id, floor = request.args.get("building", type=row_id), request.args.get("floor", type=row_id)
    where = Room.site_id == site.id
    if room_id is not None:
        where = where & (Room.id == room_id)
    elif building_id is not None and floor is not None:
        where = where & (Room.building_id == building_id) & (Room.floor == floor)
    else:
        floors = _floors_held(site)
        if sum(n for *_key, n in floors) > ALL_AT_ONCE:
            # Each QR code takes milliseconds to draw: a 2,000-room hotel is printed a floor at a time.
            return render_template("selfreport/door_card_floors.html", site=site, floors=floors)
    held = holders_by_room(where)
    if (room_id is not None or building_id is not None) and not held:
        abort(404)
    labels = dict(db.session.execute(select(Room.id, Building.code + "-" + Room.number)
                                     .join(Building, Building.id == Room.building_id)
                                     .where(Room.id.in_(list(held)))).all())
    people = [p for members in held.values() for p in members]
    live = links.live_links([p.id for p in people], current_user)
    qr = {p.id: qr_svg(links.url_for_link(live[p.id])) for p in people}
    rooms = sorted(((labels[rid], sorted(members, key=lambda p: p.name)) for rid, members in held.items()),
                   key=lambda pair: pair[0])
    return render_template("selfreport/door_cards.html", site=site, rooms=rooms, qr=qr, one_room=room_id,
                           room_ids={labels[rid]: rid for rid in held})


@bp.route("/selfreport/sites/<int:site_id>/people/<int:person_id>/new-link", methods=["POST"])
@roles_required(*MANAGE_SITE)
def new_link(site_id: int, person_id: int):
    """A lost or shared card: the old link stops working and a new card is printed for the room."""
    site = site_or_404(site_id)
    person = db.session.get(Person, person_id)
    if person is None or person.site_id != site.id or not SeenForm().validate_on_submit():
        abort(404)
    links.reissue(person, current_user)
    flash(_("A new link for %(name)s: print the card again; the old one no longer works.", name=person.name),
          "success")
    room = request.form.get("room", type=row_id)
    return redirect(url_for("selfreport.door_cards", site_id=site.id, room=room))
