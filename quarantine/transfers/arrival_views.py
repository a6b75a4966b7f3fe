"""The site's side of a transfer: the door list of expected arrivals, checked in many at a time
(ticked, or a household's button), found by ID number; no-shows confirmed and undone the same day.

After every action the page comes back at the household acted on (an anchor), with the outcome in
the bar that stays at the top of the screen, so the person at the door never loses their place.
"""
from flask import abort, redirect, render_template, request, session, url_for
from flask_login import current_user

from quarantine.access import MANAGE_SITE, roles_required, site_or_404
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import Reservation, Room, Site
from quarantine.occupancy import household_key
from quarantine.paging import MAX_PAGE, Page, page_arg
from quarantine.stays import arrival, lifecycle
from quarantine.stays.expected import DoorHousehold, door_list, household_reservations, reservation_at
from quarantine.stays.placement import rooms_open_to
from quarantine.transfers.forms import ConfirmForm, DoorCheckInForm, OtherRoomForm
from quarantine.transfers.routes import bp

NOTICE = "door_notice"  # the outcome of the last action, shown once in the door bar
DOOR_PAGE = 60  # households a page (a busload or two); the search looks through all of them


def _notice(text: str, kind: str) -> None:
    session[NOTICE] = {"text": text, "kind": kind}


def _anchor(reservation_id: int | None) -> str | None:
    """The household block of a reservation on the door list."""
    row = db.session.get(Reservation, reservation_id) if reservation_id else None
    if row is None:
        return None
    p = row.person
    return DoorHousehold(household_key(p.id, p.batch_id, p.household), "").anchor


def _page_number() -> int | None:
    """The page of the door list the user came from (kept through every action, so they come back to it)."""
    raw = request.values.get("page", "")
    return int(raw) if raw.isdigit() and 1 < int(raw) <= MAX_PAGE else None


def _back(site: Site, anchor: str | None, q: str = "", page: int | None = None):
    return redirect(url_for("transfers.site_arrivals", site_id=site.id, q=q or None, page=page or _page_number(),
                            _anchor=anchor))


def _page_of(site: Site, anchor: str | None) -> int | None:
    """The page of the whole list that holds a household (after a search is cleared)."""
    index = next((i for i, h in enumerate(door_list(site).households) if h.anchor == anchor), 0)
    return index // DOOR_PAGE + 1 if index >= DOOR_PAGE else None


def _reservation_of_site(site: Site, reservation_id: int) -> Reservation:
    reservation = db.session.get(Reservation, reservation_id)
    if reservation is None or db.session.get(Room, reservation.room_id).site_id != site.id:
        abort(404)
    return reservation


@bp.route("/arrivals/<int:site_id>")
@roles_required(*MANAGE_SITE)
def site_arrivals(site_id: int):
    site = site_or_404(site_id)
    q = request.args.get("q", "")[:40]
    door = door_list(site, q)
    pages = max(1, -(-len(door.households) // DOOR_PAGE))
    number = min(page_arg(), pages)
    page = Page(door.households[(number - 1) * DOOR_PAGE:number * DOOR_PAGE], number, DOOR_PAGE,
                len(door.households))
    undo = [row for h in page.items for row in h.rows if row.status == "no_show"]
    return render_template("transfers/arrivals.html", site=site, door=door, page=page, q=q, undo=undo,
                           page_arg=number if number > 1 else None, notice=session.pop(NOTICE, None),
                           form=DoorCheckInForm(q=q), confirm=ConfirmForm())


@bp.route("/arrivals/<int:site_id>/check-in", methods=["POST"])
@roles_required(*MANAGE_SITE)
def check_in_arrivals(site_id: int):
    site = site_or_404(site_id)
    form = DoorCheckInForm()
    q = form.q.data or ""
    if not form.validate_on_submit():
        _notice(" ".join(form.form_errors) or _("Tick the people who have arrived."), "error")
        return _back(site, None, q)
    if form.household.data:
        ids = household_reservations(site, form.household.data)
        anchor = DoorHousehold(form.household.data, "").anchor
        if not ids:
            _notice(_("Nobody of this household is still expected; the list has been brought up to date."), "error")
            return _back(site, anchor, q)
    else:
        ids = form.reservations.data
        anchor = _anchor(ids[0])
    try:
        people = arrival.arrive_together(site, ids, current_user)
    except DomainError as exc:
        db.session.rollback()
        _notice(str(exc), "error")
        return _back(site, anchor, q)
    _notice(_("Checked in (%(n)d): %(names)s.", n=len(people), names="、".join(p.name for p in people)), "success")
    # The search is cleared, ready for the next person at the door; the list opens where the household is.
    return _back(site, anchor, page=_page_of(site, anchor) if q else None)


@bp.route("/arrivals/<int:site_id>/<int:reservation_id>/no-show", methods=["GET", "POST"])
@roles_required(*MANAGE_SITE)
def no_show(site_id: int, reservation_id: int):
    """Did not arrive: asked once more, because it frees the bed for someone else."""
    site = site_or_404(site_id)
    reservation = _reservation_of_site(site, reservation_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        anchor = _anchor(reservation.id)
        try:
            person = lifecycle.did_not_arrive(site, reservation.id, current_user)
            _notice(_("%(name)s recorded as not arrived; the bed is free again. Undo below, today only.",
                      name=person.name), "success")
        except DomainError as exc:
            db.session.rollback()
            _notice(str(exc), "error")
        return _back(site, anchor)
    if reservation.status != "reserved":
        _notice(lifecycle.handled_message(reservation), "error")
        return _back(site, _anchor(reservation.id))
    return render_template("transfers/arrival_no_show.html", site=site, reservation=reservation, form=form,
                           anchor=_anchor(reservation.id))


@bp.route("/arrivals/<int:site_id>/<int:reservation_id>/undo-no-show", methods=["POST"])
@roles_required(*MANAGE_SITE)
def undo_no_show(site_id: int, reservation_id: int):
    site = site_or_404(site_id)
    reservation = _reservation_of_site(site, reservation_id)
    anchor = _anchor(reservation.id)
    if ConfirmForm().validate_on_submit():
        try:
            person = arrival.undo_no_show(site, reservation.id, current_user)
            _notice(_("%(name)s is expected again; the bed in room %(room)s is held for them.", name=person.name,
                      room=reservation.room.label), "success")
        except DomainError as exc:
            db.session.rollback()
            _notice(str(exc), "error")
    else:
        _notice(_("The form had expired; please try again."), "error")
    return _back(site, anchor)


@bp.route("/arrivals/<int:site_id>/<int:reservation_id>/rooms", methods=["GET", "POST"])
@roles_required(*MANAGE_SITE)
def arrival_rooms(site_id: int, reservation_id: int):
    """Rooms this expected person could be placed in instead, every rule checked (asked for on demand)."""
    site = site_or_404(site_id)
    reservation = reservation_at(site, reservation_id) or abort(404)
    form = OtherRoomForm()
    if form.validate_on_submit():
        anchor = _anchor(reservation.id)
        try:
            person = lifecycle.arrived_in_other_room(site, reservation.id, form.room.data, current_user)
            _notice(_("%(name)s checked in to another room.", name=person.name), "success")
            return _back(site, anchor)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
    rooms = rooms_open_to([reservation.person], site)
    status = 400 if request.method == "POST" else 200
    return render_template("transfers/arrival_rooms.html", site=site, reservation=reservation, rooms=rooms,
                           form=form, anchor=_anchor(reservation.id)), status
